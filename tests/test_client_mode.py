"""Client mode end to end (docs/client-mode.md): `ftpspec client` judging real clients (curl,
Python's ftplib) on a subset of scenarios/clients, a deliberately broken client failing the cases
that show its bug while ftplib passes them, the Python API with in-process callables, the pytest
plugin's client cases, `ftpspecd --script FILE --case ID`, and the reports of a client run.
"""
from __future__ import annotations

import ftplib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

import ftpspec

ROOT = Path(__file__).resolve().parent.parent
BUILD = Path(os.environ.get("FTPSPEC_BUILD_DIR", ROOT / "build" / "release"))
FTPSPEC = BUILD / "engine" / "ftpspec"
FTPSPECD = BUILD / "reference_server" / "ftpspecd"
SUITE = ROOT / "scenarios" / "clients"
PROFILES = SUITE / "profiles"
BROKEN = ROOT / "tests" / "clients" / "broken.profile"

# One case per theme, all fast: the end-to-end subset for curl and ftplib.
SUBSET = ["op-download", "op-upload", "op-list", "op-resume", "op-delete", "op-mkdir", "op-tls-download",
          "multiline-one-byte-segments", "multiline-final-reply-inner-failure-code", "transfer-150-and-226-together",
          "size-refused-550", "epsv-refused-500", "binary-download-type-i", "resume-rest-ignored",
          "download-426-then-226", "download-150-then-451", "greeting-120-then-220", "tls-reuse-required-download",
          "tls-download-fin-without-close-notify"]
# The hand-checked verdicts of those cases (tests/client_baselines/ holds every case's).
EXPECTED = {
    "curl": {"multiline-final-reply-inner-failure-code": "warn", "size-refused-550": "fail",
             "resume-rest-ignored": "fail", "greeting-120-then-220": "fail"},
    "ftplib": {"resume-rest-ignored": "fail", "greeting-120-then-220": "fail", "tls-reuse-required-download": "warn",
               "tls-download-fin-without-close-notify": "fail"},
}
# What the broken client gets wrong, and what it still does right.
BROKEN_FAILS = ["download-426-then-226", "download-150-then-451", "drop-data-download-kept"]
BROKEN_PASSES = ["op-download", "op-upload"]

pytestmark = pytest.mark.skipif(not FTPSPEC.exists(), reason=f"ftpspec is not built at {FTPSPEC}")


def ftpspec_client(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([str(FTPSPEC), "client", *args], capture_output=True, text=True, timeout=timeout)


def verdicts(report_dir: Path) -> dict[str, str]:
    document = json.loads((report_dir / "ftpspec-results.json").read_text())
    return {case["id"]: case["verdict"] for case in document["cases"]}


@pytest.mark.parametrize("client", ["curl", "ftplib"])
def test_real_clients_on_a_subset(client, tmp_path):
    if client == "curl" and shutil.which("curl") is None:
        pytest.fail("curl is not installed (scripts/debian-packages.txt)")
    args = [f"--profile={PROFILES / f'{client}.profile'}", "--format=json", f"--report-dir={tmp_path}"]
    done = ftpspec_client(*args, *(f"--case={case}" for case in SUBSET))
    got = verdicts(tmp_path)
    expected = {case: EXPECTED[client].get(case, "pass") for case in SUBSET}
    assert got == expected, done.stderr[-3000:]
    assert done.returncode == 1  # MUST cases failed


def test_broken_client_fails_what_ftplib_passes(tmp_path):
    """The broken client keeps truncated files and ignores a 4yz after the 150: the cases that show
    it fail; the same cases pass for ftplib, whose errors the broken client swallows."""
    suite = tmp_path / "extra.ftpclient"
    # A plain cut download (every RETR), on top of the shipped cases that show the bug.
    suite.write_text("""
case drop-data-download-kept
  title   "A download cut after 5000 bytes (426 every time) is not kept as complete"
  rfc     959 §3.4.1, §4.2
  level   MUST
  operation download data.bin
  server-file data.bin random:200000
  on RETR serve cut=5000
  expect exit!=0
""")
    cases = [f"--case={case}" for case in BROKEN_FAILS + BROKEN_PASSES]
    suites = [f"--suite={SUITE}", f"--suite={suite}"]
    broken = ftpspec_client(f"--profile={BROKEN}", "--format=json", f"--report-dir={tmp_path / 'broken'}", *suites, *cases)
    good = ftpspec_client(f"--profile={PROFILES / 'ftplib.profile'}", "--format=json", f"--report-dir={tmp_path / 'good'}",
                          *suites, *cases)
    assert verdicts(tmp_path / "broken") == {**{c: "fail" for c in BROKEN_FAILS}, **{c: "pass" for c in BROKEN_PASSES}}, \
        broken.stderr[-3000:]
    assert broken.returncode == 1
    assert verdicts(tmp_path / "good") == {c: "pass" for c in BROKEN_FAILS + BROKEN_PASSES}, good.stderr[-3000:]
    assert good.returncode == 0
    # The evidence says what happened: the bytes kept, the 426 the client ignored.
    document = json.loads((tmp_path / "broken" / "ftpspec-results.json").read_text())
    kept = next(case for case in document["cases"] if case["id"] == "drop-data-download-kept")
    assert "exit status 0" in kept["reason"]
    assert "S> 426 " in kept["transcript"]
    # Each failing case is a finding of its own, named by what the client was asked to do.
    assert sorted(f["failed"][0] for f in document["findings"]) == sorted(BROKEN_FAILS)
    assert any(f["command"] == "download data.bin" for f in document["findings"])
    # Known defects written down with `ftpspec expect` no longer fail the run (CI for a client).
    expected = tmp_path / "expected.json"
    subprocess.run([str(FTPSPEC), "expect", str(tmp_path / "broken" / "ftpspec-results.json"), "-o", str(expected),
                    "--server", "broken"], check=True, capture_output=True, timeout=30)
    again = ftpspec_client(f"--profile={BROKEN}", f"--expect={expected}", *suites, *cases)
    assert again.returncode == 0, again.stdout[-3000:]
    assert f"{len(BROKEN_FAILS + BROKEN_PASSES)} as expected" in again.stdout


# ---- the Python API: callables run in this process ----------------------------------------------

def ftplib_download(request: ftpspec.ClientRequest) -> None:
    client = ftplib.FTP(timeout=5)
    client.connect(request.host, request.port)
    client.login(request.user, request.password)
    with open(request.local, "wb") as out:
        client.retrbinary(f"RETR {request.path}", out.write)
    client.quit()


def ftplib_download_keeping_truncated(request: ftpspec.ClientRequest) -> None:
    try:
        ftplib_download(request)
    except ftplib.error_temp:
        pass  # the bug


def ftplib_list(request: ftpspec.ClientRequest) -> list[str]:
    client = ftplib.FTP(timeout=5)
    client.connect(request.host, request.port)
    client.login(request.user, request.password)
    names = client.nlst(request.path)
    client.quit()
    return [name.rsplit("/", 1)[-1] for name in names]


def test_run_client_judges_python_callables():
    cases = ["op-download", "download-426-then-226", "op-list", "op-upload"]
    result = ftpspec.run_client({"download": ftplib_download, "list": ftplib_list}, case=cases)
    assert result.target == "client:python:ftplib_download"
    assert {c.id: str(c.verdict) for c in result.cases} == {
        "op-download": "pass", "download-426-then-226": "pass", "op-list": "pass", "op-upload": "unsupported"}
    broken = ftpspec.run_client(ftplib_download_keeping_truncated, case="download-426-then-226")
    assert str(broken.cases[0].verdict) == "fail"
    assert broken.exit_code == 1
    assert "S> 426 " in broken.cases[0].transcript


def test_run_client_a_hanging_callable_is_judged_at_its_deadline():
    def hangs(request):
        client = ftplib.FTP()  # no timeout: the black-holed final reply blocks it
        client.connect(request.host, request.port)
        client.login(request.user, request.password)
        client.retrbinary(f"RETR {request.path}", lambda block: None)

    result = ftpspec.run_client(hangs, case="final-reply-never-comes", deadline=1.0)
    assert str(result.cases[0].verdict) == "fail"
    assert "was killed" in result.cases[0].reason or "still running" in result.cases[0].reason


def test_run_client_rejects_bad_clients_and_cases(tmp_path):
    with pytest.raises(ValueError, match="unknown operation 'fetch'"):
        ftpspec.run_client({"fetch": ftplib_download})
    with pytest.raises(TypeError):
        ftpspec.run_client(42)
    with pytest.raises(ValueError, match="no client case selected"):
        ftpspec.run_client(ftplib_download, case="no-such-case-*")
    bad = tmp_path / "bad.ftpclient"
    bad.write_text("case x\n  title \"t\"\n  rfc 959 §4\n  level MUST\n  operation fetch x\n")
    with pytest.raises(ftpspec.ScriptError) as raised:
        ftpspec.load_client_cases(bad)
    assert f"{bad}:5:13: expected download, upload" in str(raised.value)


# ---- the pytest plugin -----------------------------------------------------------------------------

pytest_plugins = ["pytester"]


def test_plugin_runs_a_test_once_per_client_case(pytester):
    pytester.makeconftest("""
import importlib.metadata
if not any(ep.name == "ftpspec" for ep in importlib.metadata.entry_points(group="pytest11")):
    pytest_plugins = ["ftpspec.pytest_plugin"]
""")
    pytester.makepyfile("""
import ftplib
import pytest

def download(request, keep_truncated=False):
    client = ftplib.FTP(timeout=5)
    client.connect(request.host, request.port)
    client.login(request.user, request.password)
    with open(request.local, "wb") as out:
        try:
            client.retrbinary("RETR " + request.path, out.write)
        except ftplib.error_temp:
            if not keep_truncated:
                raise

@pytest.mark.ftp_client_cases("op-download", "download-426-then-226", "op-upload")
def test_good(ftp_client_case):
    ftp_client_case.judge({"download": download})

@pytest.mark.ftp_client_cases("download-426-then-226")
def test_broken(ftp_client_case):
    ftp_client_case.judge({"download": lambda request: download(request, keep_truncated=True)})
""")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-rs")
    # op-upload: the callables cannot upload, so that case is skipped (unsupported).
    result.assert_outcomes(passed=2, skipped=1, failed=1)
    result.stdout.fnmatch_lines(["*download-426-then-226: FAIL (MUST*"])


# ---- ftpspecd --script FILE --case ID ----------------------------------------------------------------

def test_ftpspecd_serves_one_client_case_by_hand(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    process = subprocess.Popen([str(FTPSPECD), "--script", str(SUITE / "abort-replies.ftpclient"),
                                "--case", "download-426-then-226", "--root", str(root)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = int(process.stdout.readline().rsplit(":", 1)[1])
        assert "ask the client to download data.bin (ftp://alice:s3cret@127.0.0.1:" in process.stderr.readline()
        assert (root / "data.bin").stat().st_size == 200000  # the case's file, written into --root
        client = ftplib.FTP(timeout=5)
        client.connect("127.0.0.1", port)
        client.login("alice", "s3cret")
        received = io.BytesIO()
        with pytest.raises(ftplib.error_temp, match="^426"):
            client.retrbinary("RETR data.bin", received.write)
        assert len(received.getvalue()) == 20000
        client.close()
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=5)
    assert "C> RETR data.bin\\r\\n" in stderr  # the record, live on stderr
    assert "S> 426 Connection closed; transfer aborted\\r\\n226 Abort successful\\r\\n" in stderr


def test_ftpspecd_script_errors_are_clear(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    missing = subprocess.run([str(FTPSPECD), "--script", str(SUITE / "abort-replies.ftpclient"), "--case", "nope",
                              "--root", str(root)], capture_output=True, text=True, timeout=10)
    assert missing.returncode == 2
    assert f"--case: no case 'nope' in {SUITE / 'abort-replies.ftpclient'}" in missing.stderr
    (root / "data.bin").write_bytes(b"mine")
    occupied = subprocess.run([str(FTPSPECD), "--script", str(SUITE / "abort-replies.ftpclient"),
                               "--case", "download-426-then-226", "--root", str(root)],
                              capture_output=True, text=True, timeout=10)
    assert occupied.returncode == 2
    assert "exists; give an empty --root" in occupied.stderr
    assert (root / "data.bin").read_bytes() == b"mine"  # never overwritten


# ---- the command line and the reports --------------------------------------------------------------

def test_check_list_and_usage_errors(tmp_path):
    listed = ftpspec_client("--list")
    assert listed.returncode == 0
    assert "op-download" in listed.stdout and "client cases" in listed.stderr
    bad = tmp_path / "bad.ftpclient"
    bad.write_text("case x\n  title \"t\"\n  rfc 959 §4\n  level MUST\n  operation download x\n  on RETR serve cut=lots\n"
                   "  expect exit=0\n")
    checked = ftpspec_client("--check", str(bad))
    assert checked.returncode == 1
    assert checked.stdout.strip() == f"{bad}:6:21: expected a byte count after 'cut='"
    assert ftpspec_client().returncode == 2  # no client given
    unknown = ftpspec_client("--client-download", "curl {uri}")
    assert unknown.returncode == 2 and "unknown placeholder '{uri}'" in unknown.stderr


def test_client_reports_validate_and_compare(tmp_path):
    """A client run's JSON follows the report schema, and two runs make a client matrix."""
    cases = ["--case=op-download", "--case=size-refused-550", "--case=op-upload"]
    for name, profile in [("curl", "curl.profile"), ("ftplib", "ftplib.profile")]:
        ftpspec_client(f"--profile={PROFILES / profile}", "--format=json,junit,html", f"--report-dir={tmp_path / name}", *cases)
    schema = json.loads((ROOT / "docs" / "report-json.schema.json").read_text())
    for name in ("curl", "ftplib"):
        document = json.loads((tmp_path / name / "ftpspec-results.json").read_text())
        jsonschema.Draft202012Validator(schema).validate(document)
        assert document["target"] == f"client:{name}"
    shutil.copy(tmp_path / "curl" / "ftpspec-results.json", tmp_path / "curl.json")
    shutil.copy(tmp_path / "ftplib" / "ftpspec-results.json", tmp_path / "ftplib.json")
    matrix = subprocess.run([str(FTPSPEC), "report", "--compare", str(tmp_path / "curl.json"), str(tmp_path / "ftplib.json"),
                             "--markdown", str(tmp_path / "matrix.md")], capture_output=True, text=True, timeout=60)
    assert matrix.returncode == 0, matrix.stderr
    text = (tmp_path / "matrix.md").read_text()
    assert "size-refused-550" in text and "curl" in text and "ftplib" in text
