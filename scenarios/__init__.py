"""The conformance suite, as the Python package ``ftpspec.scenarios`` (pyproject.toml maps it here).

This file only makes the folder a package, so an installed ftpspec carries the suite and pytest
can collect it by name:

    pytest --ftp-target ftp://USER:PASS@HOST:PORT --pyargs ftpspec.scenarios

``ftpspec.load_cases()`` with no argument loads it; ``ftpspec run`` uses it by default. The engine
reads only the ``*.ftpspec`` files below (docs/scenario-format.md); the Debian package installs
them, without this file, in /usr/share/ftpspec/scenarios.
"""
