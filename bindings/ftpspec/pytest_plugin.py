"""pytest plugin: FTP servers and sessions as fixtures.

Registered as the ``ftpspec`` entry point in the ``pytest11`` group, so it is active once ftpspec is
installed with pip; in a source tree, load it with ``pytest_plugins = ["ftpspec.pytest_plugin"]``
in a conftest.py (or ``-p ftpspec.pytest_plugin``).

Options:
  --ftp-target URL     test this server (ftp://user:pass@host:port) instead of an in-process
                       ReferenceServer
  --ftp-user NAME      user for ftp_session (overrides the URL's)
  --ftp-password PASS  password for ftp_session (overrides the URL's)

Fixtures:
  ftp_reference_server  a running ReferenceServer over tmp_path, user "user" / "pass"
  ftp_target            the URL to test: --ftp-target, else the reference server's URL
  ftp_session           a Session connected to ftp_target and logged in; quits afterwards
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

import ftpspec

#: The account the in-process reference server accepts.
REFERENCE_USER = "user"
REFERENCE_PASSWORD = "pass"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ftpspec", "FTP conformance testing (ftpspec)")
    group.addoption(
        "--ftp-target",
        metavar="URL",
        default=None,
        help="FTP server to test, as ftp://user:password@host:port "
        "(default: an in-process ftpspec.ReferenceServer per test)",
    )
    group.addoption("--ftp-user", metavar="NAME", default=None, help="user name for ftp_session")
    group.addoption(
        "--ftp-password", metavar="PASSWORD", default=None, help="password for ftp_session"
    )


@pytest.fixture
def ftp_reference_server(tmp_path) -> Iterator[ftpspec.ReferenceServer]:
    """A ReferenceServer serving ``tmp_path`` on an ephemeral 127.0.0.1 port."""
    with ftpspec.ReferenceServer(tmp_path, users={REFERENCE_USER: REFERENCE_PASSWORD}) as server:
        yield server


@pytest.fixture
def ftp_target(request: pytest.FixtureRequest) -> str:
    """The ftp:// URL under test: ``--ftp-target`` or the in-process reference server's URL.

    The reference server is only started when no ``--ftp-target`` is given.
    """
    target = request.config.getoption("--ftp-target")
    if target:
        ftpspec.parse_url(target)  # a malformed URL fails here, with its text
        return target
    return request.getfixturevalue("ftp_reference_server").url


@pytest.fixture
def ftp_session(request: pytest.FixtureRequest, ftp_target: str) -> Iterator[ftpspec.Session]:
    """A Session connected to ``ftp_target`` and logged in (``--ftp-user``/``--ftp-password``
    override the URL's credentials); it quits when the test ends."""
    session = ftpspec.connect(
        ftp_target,
        user=request.config.getoption("--ftp-user"),
        password=request.config.getoption("--ftp-password"),
    )
    with session:
        yield session
