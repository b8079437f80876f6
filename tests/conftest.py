"""Shared setup of the Python tests: ftpspec must come from the build (PYTHONPATH), never be
silently skipped; the pytest plugin is loaded here because entry points exist only after pip
install."""
from __future__ import annotations

import importlib.metadata
import os

import pytest

try:
    import ftpspec  # noqa: F401
except ImportError as exc:
    raise ImportError(
        f"cannot import ftpspec ({exc}). The Python tests need the built extension: run them "
        "through ctest, or set PYTHONPATH=build/<dir>/python (and FTPSPEC_BUILD_DIR=build/<dir>) "
        f"after `cmake --build build/<dir> --target _core`. PYTHONPATH={os.environ.get('PYTHONPATH')!r}"
    ) from exc


if os.environ.get("FTPSPEC_INSTALLED_PACKAGE") == "1":
    # scripts/test.sh runs the suite against the pip-installed package: prove that is what loaded.
    import sys
    from pathlib import Path

    if not Path(ftpspec.__file__).resolve().is_relative_to(Path(sys.prefix).resolve()):
        raise ImportError(f"expected the pip-installed ftpspec under {sys.prefix}, got {ftpspec.__file__}")


def _plugin_installed() -> bool:
    """True when pip installed ftpspec, whose pytest11 entry point already loads the plugin."""
    return any(ep.name == "ftpspec" for ep in importlib.metadata.entry_points(group="pytest11"))


if not _plugin_installed():
    pytest_plugins = ["ftpspec.pytest_plugin"]


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes minutes (compiles the C++ extension)")


@pytest.fixture(scope="session")
def tool_packages(tmp_path_factory):
    """The .deb and the wheel of the build tree under test (scripts/package.sh), made once."""
    from tool_packages import build_packages

    return build_packages(tmp_path_factory.mktemp("packages"))
