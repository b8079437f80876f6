"""pytest plugin: FTP servers and sessions as fixtures, and ``.ftpspec`` scenario files as tests.

Registered as the ``ftpspec`` entry point in the ``pytest11`` group, so it is active once ftpspec is
installed with pip; in a source tree, load it with ``-p ftpspec.pytest_plugin`` (or
``pytest_plugins = ["ftpspec.pytest_plugin"]`` in a conftest.py).

Options:
  --ftp-target URL     test this server (ftp://user:pass@host:port) instead of an in-process
                       ReferenceServer
  --ftp-user NAME      user for ftp_session and scenario cases (overrides the URL's)
  --ftp-password PASS  password for ftp_session and scenario cases (overrides the URL's)
  --ftp-dir PATH       a server directory the user may write into, ${dir} of the scenarios ("/")
  --ftp-timeout SECS   connect/reply timeout of scenario cases (10)
  --ftp-intrusive      also run the cases marked intrusive (skipped otherwise)

Fixtures:
  ftp_reference_server  a running ReferenceServer over tmp_path, user "user" / "pass"
  ftp_target            the URL to test: --ftp-target, else the reference server's URL
  ftp_session           a Session connected to ftp_target and logged in; quits afterwards
  ftp_client_case       one client case (docs/client-mode.md), for a test marked
                        ``@pytest.mark.ftp_client_cases("glob", ...)``: the test is run once per
                        matching case of the shipped suite (or ``suites=[...]``), and
                        ``ftp_client_case.judge(client)`` runs the client (a callable doing the
                        operation in this process, a dict of them, or a profile file) and turns
                        the verdict into the test's outcome as below

Scenario files: every ``*.ftpspec`` file pytest is pointed at becomes a collector with one item per
case (item name = case id, node id ``scenarios/rfc959/x.ftpspec::case-id``). Each case runs on its
own connection against --ftp-target or, without one, against one ReferenceServer for the whole
test session (over a temporary directory, user "user" / "pass"). Verdicts map to outcomes:

  pass                  passed
  fail                  failed: the reason, the expected and actual reply, the transcript excerpt
  error                 failed, raised as CaseError (a harness problem, not AssertionError)
  warn                  passed, with an FtpspecWarning in pytest's warnings summary
                        (``-W error::ftpspec.pytest_plugin.FtpspecWarning`` makes it a failure)
  unsupported, skipped  skipped, with the reason
  blocked               skipped, with the set-up defect that blocked it (never a failure: the case
                        that tests that rule fails instead)

``-k MUST`` / ``-k SHOULD`` / ``-k rfc959`` select cases by level or RFC.

The installed package carries the whole suite as the package ``ftpspec.scenarios``; pytest collects
it by name from anywhere:

    python -m pytest --ftp-target ftp://user:pass@host:21 --pyargs ftpspec.scenarios
"""
from __future__ import annotations

import fnmatch
import shutil
import tempfile
import urllib.parse
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

import ftpspec

#: The account the in-process reference server accepts.
REFERENCE_USER = "user"
REFERENCE_PASSWORD = "pass"

#: How many transcript lines a failure report shows when no step transcript is at hand.
TRANSCRIPT_TAIL_LINES = 40


class FtpspecWarning(UserWarning):
    """A scenario case's verdict is ``warn``: a SHOULD not met, or a deviation the RFC tolerates."""


class CaseFailed(Exception):
    """A scenario case's verdict is ``fail``; ``str()`` is the report pytest shows."""


class CaseError(Exception):
    """A scenario case could not be judged (verdict ``error``: timeout, refused connection...)."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "ftp_client_cases(*globs, suites=None): run the test once per matching client case; "
        "the ftp_client_case fixture judges a client on it",
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ftpspec", "FTP conformance testing (ftpspec)")
    group.addoption(
        "--ftp-target",
        metavar="URL",
        default=None,
        help="FTP server to test, as ftp://user:password@host:port "
        "(default: an in-process ftpspec.ReferenceServer)",
    )
    group.addoption("--ftp-user", metavar="NAME", default=None, help="user name (overrides the URL's)")
    group.addoption(
        "--ftp-password", metavar="PASSWORD", default=None, help="password (overrides the URL's)"
    )
    group.addoption(
        "--ftp-dir",
        metavar="PATH",
        default="/",
        help="server directory the user may write into, ${dir} of scenario cases (default /)",
    )
    group.addoption(
        "--ftp-timeout",
        metavar="SECONDS",
        type=float,
        default=10.0,
        help="connect and reply timeout of scenario cases (default 10)",
    )
    group.addoption(
        "--ftp-intrusive",
        action="store_true",
        default=False,
        help="also run the cases marked intrusive (three wrong passwords on one connection); "
        "they are skipped otherwise",
    )


# Fixtures ---------------------------------------------------------------------------------------


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


# Scenario files as tests ------------------------------------------------------------------------


def _with_credentials(url: str, user: str | None, password: str | None) -> str:
    """``url`` with its user and/or password replaced (RFC 1738 §3.1, percent-encoded)."""
    if user is None and password is None:
        return url
    host, port, url_user, url_password = ftpspec.parse_url(url)
    user = user if user is not None else (url_user or "anonymous")
    password = password if password is not None else (url_password or "")
    host = f"[{host}]" if ":" in host else host
    quote = lambda text: urllib.parse.quote(text, safe="")  # noqa: E731
    return f"ftp://{quote(user)}:{quote(password)}@{host}:{port}"


class _SuiteTarget:
    """The server scenario cases run against, shared by every case of the test session: started
    (reference server) and probed (greeting, FEAT) once, on first use."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config
        self._server: ftpspec.ReferenceServer | None = None
        self._root: str | None = None
        self._probe_error: Exception | None = None
        self.url = ""
        self.features: list[str] = []
        self.dir = config.getoption("--ftp-dir")
        self.timeout = config.getoption("--ftp-timeout")
        self.intrusive = config.getoption("--ftp-intrusive")
        self._ready = False

    def ensure_ready(self) -> None:
        """Starts the reference server when there is no --ftp-target, then probes once. A probe
        failure is remembered: every case then errs with it, without reconnecting each time."""
        if self._probe_error is not None:
            raise CaseError(str(self._probe_error))
        if self._ready:
            return
        config = self._config
        target = config.getoption("--ftp-target")
        if target is None:
            self._root = tempfile.mkdtemp(prefix="ftpspec-suite-")
            self._server = ftpspec.ReferenceServer(
                self._root, users={REFERENCE_USER: REFERENCE_PASSWORD}
            ).start()
            target = self._server.url
        try:
            self.url = _with_credentials(
                target, config.getoption("--ftp-user"), config.getoption("--ftp-password")
            )
            self.features = ftpspec.probe(self.url, timeout=self.timeout).features
        except (ftpspec.Error, ValueError) as exc:
            self._probe_error = exc
            raise CaseError(str(exc)) from exc
        self._ready = True

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None


_suite_key = pytest.StashKey[_SuiteTarget]()


def _suite_target(config: pytest.Config) -> _SuiteTarget:
    if _suite_key not in config.stash:
        config.stash[_suite_key] = _SuiteTarget(config)
    return config.stash[_suite_key]


def pytest_unconfigure(config: pytest.Config) -> None:
    if _suite_key in config.stash:
        config.stash[_suite_key].close()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Every ``*.ftpspec`` file is a collector of its cases."""
    if file_path.suffix == ".ftpspec":
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    """One ``.ftpspec`` file; a file that does not parse is a collection error with file:line:column."""

    def collect(self) -> Iterator[ScenarioItem]:
        for case in ftpspec.load_cases([self.path]):
            yield ScenarioItem.from_parent(self, name=case.id, case=case)

    def repr_failure(self, excinfo):  # type: ignore[override]
        if isinstance(excinfo.value, ftpspec.ScriptError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class ScenarioItem(pytest.Item):
    """One scenario case, run on its own connection to the session's suite target."""

    def __init__(self, *, case: ftpspec.Case, **kwargs) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.result: ftpspec.CaseResult | None = None
        # -k selection by requirement level and RFC number ("-k 'MUST and rfc959'").
        self.extra_keyword_matches.add(case.level)
        for reference in case.rfc:
            self.extra_keyword_matches.add("rfc" + reference.split()[0])

    def runtest(self) -> None:
        suite = _suite_target(self.config)
        suite.ensure_ready()
        result = ftpspec.run_case(
            self.case, suite.url, features=suite.features, timeout=suite.timeout, dir=suite.dir,
            intrusive=suite.intrusive,
        )
        self.result = result
        self.user_properties.append(("verdict", str(result.verdict)))
        self.user_properties.append(("level", self.case.level))
        self.user_properties.append(("rfc", ", ".join(self.case.rfc)))
        _enforce_verdict(self.case, result, at_case=True)

    def repr_failure(self, excinfo):  # type: ignore[override]
        if isinstance(excinfo.value, (CaseFailed, CaseError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, self.case.line - 1, f"case {self.case.id}"


def _enforce_verdict(case, result: ftpspec.CaseResult, *, at_case: bool) -> None:
    """Turns a case's verdict into the test's outcome: pass passes, warn passes with an
    FtpspecWarning at the case's line, unsupported/skipped skip, fail raises CaseFailed and
    error raises CaseError, each with the evidence. `case` is a Case or a ClientCase."""
    verdict = result.verdict
    if verdict == ftpspec.Verdict.PASS:
        return
    if verdict == ftpspec.Verdict.WARN:
        # Attributed to the case's line, so the warnings summary points into the case file.
        warnings.warn_explicit(
            FtpspecWarning(f"{case.id}: {result.reason}"), FtpspecWarning, filename=case.file, lineno=case.line
        )
        return
    if verdict in (ftpspec.Verdict.SKIPPED, ftpspec.Verdict.UNSUPPORTED, ftpspec.Verdict.BLOCKED):
        reason = f"{verdict}: {result.reason}"
        raise _skip_at_case(reason) if at_case else pytest.skip.Exception(reason)
    if verdict == ftpspec.Verdict.FAIL:
        raise CaseFailed(_failure_report(case, result))
    raise CaseError(_failure_report(case, result))


# Client cases as tests ----------------------------------------------------------------------------


class ClientCaseUnderTest:
    """The value of the ``ftp_client_case`` fixture: one client case, and a way to judge a client
    on it. ``judge(client)`` runs `client` (see :func:`ftpspec.run_client`) against the case's
    scripted server and makes its verdict the test's outcome; it returns the CaseResult."""

    def __init__(self, case: ftpspec.ClientCase) -> None:
        self.case = case

    def judge(self, client, **options) -> ftpspec.CaseResult:
        result = ftpspec.run_client(client, cases=[self.case], **options).cases[0]
        _enforce_verdict(self.case, result, at_case=False)
        return result

    def __repr__(self) -> str:
        return f"<ClientCaseUnderTest {self.case.id}>"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that asks for ``ftp_client_case`` runs once per client case its marker selects."""
    if "ftp_client_case" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("ftp_client_cases")
    globs = list(marker.args) if marker else []
    suites = (marker.kwargs.get("suites") if marker else None) or [_shipped_client_suite()]
    cases = [case for case in ftpspec.load_client_cases(suites)
             if not globs or any(fnmatch.fnmatchcase(case.id, glob) for glob in globs)]
    if not cases:
        raise pytest.UsageError(f"{metafunc.definition.nodeid}: no client case matches {globs} in {suites}")
    metafunc.parametrize("ftp_client_case", [ClientCaseUnderTest(case) for case in cases],
                         ids=[case.id for case in cases])


def _shipped_client_suite() -> Path:
    """The client suite this package carries (:data:`ftpspec.CLIENT_SUITE_DIR`)."""
    suite = ftpspec.CLIENT_SUITE_DIR
    if not suite.is_dir():
        raise pytest.UsageError(f"@pytest.mark.ftp_client_cases needs suites=[...]: {suite} is not here")
    return suite


def _skip_at_case(reason: str) -> BaseException:
    """A skip reported at the case's location (``-rs`` shows file:line of the scenario, not of this
    plugin), as pytest does for skip markers; plain ``pytest.skip`` on pytest versions without it."""
    try:
        return pytest.skip.Exception(reason, _use_item_location=True)
    except TypeError:  # pytest < 7
        return pytest.skip.Exception(reason)


def _failure_report(case: ftpspec.Case, result: ftpspec.CaseResult) -> str:
    """What a failed case shows: verdict, level and RFC, the deciding step's evidence, and the
    transcript of that step (or the end of the case's transcript)."""
    lines = [
        f"{case.id}: {str(result.verdict).upper()} ({case.level}, RFC {', '.join(case.rfc)}) "
        f"{case.title}",
        f"  reason:   {result.reason}",
    ]
    step = result.deciding_step
    transcript = ""
    if step is not None:
        lines += [
            f"  at:       {step.location}: {step.source.strip()}",
            f"  expected: {step.expected}",
            f"  actual:   {step.actual}",
        ]
        transcript = step.transcript
    if not transcript:
        transcript = "\n".join(result.transcript.splitlines()[-TRANSCRIPT_TAIL_LINES:])
    lines += ["", "transcript:", transcript.rstrip()]
    return "\n".join(lines)
