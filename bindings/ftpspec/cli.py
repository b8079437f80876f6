"""The ``ftpspec`` and ``ftpspecd`` commands of the installed package.

pip installs them as console commands (pyproject.toml ``[project.scripts]``), and
``python -m ftpspec`` is the ``ftpspec`` command too. Both are the C++ programs themselves, run in
this process through the extension (``_core.ftpspec_main``/``ftpspecd_main``, the functions the
executables' ``main()`` call): same options, output, exit codes and Ctrl-C behaviour. ``ftpspec``
uses the bundled suite (:data:`ftpspec.SUITE_DIR`) when given no ``--suite``.
"""
from __future__ import annotations

import sys
from collections.abc import Sequence

from . import SUITE_DIR, _core


def _flush_python_streams() -> None:
    """The programs write to file descriptors 1 and 2 directly: Python's buffered text goes first."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()


def ftpspec(argv: Sequence[str] | None = None) -> int:
    """Runs ``ftpspec ARGV...`` (default: this process's arguments) and returns its exit code."""
    _flush_python_streams()
    arguments = sys.argv[1:] if argv is None else list(argv)
    return _core.ftpspec_main(["ftpspec", *arguments], SUITE_DIR)


def ftpspecd(argv: Sequence[str] | None = None) -> int:
    """Runs ``ftpspecd ARGV...`` until SIGINT or SIGTERM and returns its exit code."""
    _flush_python_streams()
    arguments = sys.argv[1:] if argv is None else list(argv)
    return _core.ftpspecd_main(["ftpspecd", *arguments])
