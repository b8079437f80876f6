"""ftpspec: an FTP conformance and testing harness (RFC 959 and extensions).

The C++ engine seen from Python:

- :class:`Session` -- one FTP control connection (user-PI, RFC 959 §2.3) with data transfers,
  a byte-exact :class:`Transcript`, and a timeout on every wait;
- :class:`Reply` -- a server reply (RFC 959 §4.2);
- :class:`ReferenceServer` -- the reference server ``ftpspecd`` running in this process;
- :mod:`ftpspec.codec` -- the TYPE x STRU x MODE data codecs on bytes in memory;
- :func:`load_cases` and :func:`run` -- conformance suites (``.ftpspec`` scenario files) run
  against a server, with a :class:`RunResult` of :class:`CaseResult` verdicts and its reports;
  the package carries the whole suite (:data:`SUITE_DIR`, the package ``ftpspec.scenarios``),
  which :func:`load_cases` loads when given no paths;
- the ``ftpspec`` and ``ftpspecd`` commands (:mod:`ftpspec.cli`, also ``python -m ftpspec``);
- :func:`load_client_cases` and :func:`run_client` -- client cases (``.ftpclient`` files) that
  judge an FTP *client*: a command line, a profile, or a Python callable (a :class:`ClientRequest`
  says what to do) against a scripted reference server, with the same :class:`RunResult`;
- exceptions in ftplib's spirit: :class:`error_reply`, :class:`error_temp` (4yz),
  :class:`error_perm` (5yz), each with ``.reply``; harness problems are :class:`Timeout`
  (a :class:`TimeoutError`), :class:`ConnectionFailed` (a :class:`ConnectionError`) and
  :class:`ProtocolError`.
"""
from __future__ import annotations

import os
import pathlib
import urllib.parse
from collections.abc import Iterable

try:
    from . import _core
except ImportError as exc:  # pragma: no cover - the message is the point
    raise ImportError(
        "ftpspec's compiled extension ftpspec._core is missing or does not load "
        f"({exc}). Build it with `cmake --build build/<dir> --target _core` and put "
        "build/<dir>/python on PYTHONPATH, or install with pip (see docs/python.md)."
    ) from exc

from ._core import (
    Case,
    CaseResult,
    ClientCase,
    ClientRequest,
    ConnectionFailed,
    Error,
    Finding,
    ProtocolError,
    ReferenceServer,
    Reply,
    ReplyKind,
    RunResult,
    ScriptError,
    Session,
    StepResult,
    Timeout,
    Transcript,
    TranscriptEntry,
    TransferResult,
    Verdict,
    describe_code,
    error_perm,
    error_reply,
    error_temp,
    load_client_cases,
    probe,
    run,
    run_case,
    run_client,
)
from . import codec

__version__ = "0.1.0"

#: The conformance suite this package carries (the package ``ftpspec.scenarios``): what
#: :func:`load_cases` and the ``ftpspec`` command use when given no other suite.
SUITE_DIR = pathlib.Path(__file__).resolve().parent / "scenarios"

#: The client cases this package carries (``.ftpclient`` files and client profiles): what
#: :func:`run_client` and the ``ftp_client_cases`` pytest marker use when given no other suite.
CLIENT_SUITE_DIR = SUITE_DIR / "clients"

#: Every exception a network conversation may raise, for ``except ftpspec.all_errors:``
#: (as ftplib.all_errors).
all_errors = (Error, OSError, EOFError)

__all__ = [
    "Case",
    "CaseResult",
    "ClientCase",
    "ClientRequest",
    "ConnectionFailed",
    "Error",
    "Finding",
    "ProtocolError",
    "SUITE_DIR",
    "CLIENT_SUITE_DIR",
    "ReferenceServer",
    "Reply",
    "ReplyKind",
    "RunResult",
    "ScriptError",
    "Session",
    "StepResult",
    "Timeout",
    "Transcript",
    "TranscriptEntry",
    "TransferResult",
    "Verdict",
    "all_errors",
    "codec",
    "connect",
    "describe_code",
    "error_perm",
    "error_reply",
    "error_temp",
    "load_cases",
    "load_client_cases",
    "parse_url",
    "probe",
    "run",
    "run_case",
    "run_client",
]


def _bundled_suite() -> pathlib.Path:
    if not SUITE_DIR.is_dir():
        raise FileNotFoundError(f"this ftpspec has no bundled suite at {SUITE_DIR}; give the scenario paths")
    return SUITE_DIR


def load_cases(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None) -> list[Case]:
    """Parses scenario files and directories (every ``*.ftpspec`` below, in path order) into Cases;
    with no argument, the bundled suite (:data:`SUITE_DIR`).

    Raises ScriptError listing every problem as ``file:line:column: message`` (also in
    ``.diagnostics`` as (file, line, column, message) tuples), e.g. a duplicate case id.
    """
    return _core.load_cases(_bundled_suite() if paths is None else paths)


def parse_url(url: str) -> tuple[str, int, str | None, str | None]:
    """Splits ``ftp://user:password@host:port`` (RFC 1738 §3.1) into (host, port, user, password).

    The port defaults to 21; user and password are None when absent and percent-decoded otherwise.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "ftp" or not parts.hostname:
        raise ValueError(f"not an ftp:// URL with a host: {url!r}")
    user = urllib.parse.unquote(parts.username) if parts.username is not None else None
    password = urllib.parse.unquote(parts.password) if parts.password is not None else None
    return parts.hostname, parts.port or 21, user, password


def connect(
    url: str,
    *,
    user: str | None = None,
    password: str | None = None,
    login: bool = True,
    connect_timeout: float = 5.0,
    reply_timeout: float = 10.0,
    data_timeout: float = 30.0,
) -> Session:
    """Opens a :class:`Session` to an ``ftp://`` URL and, unless ``login=False``, logs in.

    ``user``/``password`` override the URL's; without either, the login is anonymous.
    """
    host, port, url_user, url_password = parse_url(url)
    session = Session(
        connect_timeout=connect_timeout, reply_timeout=reply_timeout, data_timeout=data_timeout
    )
    try:
        session.connect(host, port)
        if login:
            session.login(user or url_user or "anonymous", password or url_password or "")
    except BaseException:
        session.close()
        raise
    return session
