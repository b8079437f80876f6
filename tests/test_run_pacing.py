"""How many sessions `ftpspec run` opens at a time, and what it does when the server is at its limit
(engine/run/retry.hpp): a 421 greeting, or a timeout while other sessions were open, runs the case
again with fewer at a time; the report says so. And the cases marked `intrusive` (several wrong
passwords in a row) run only with --intrusive.

Real sockets: the built ftpspec against the built ftpspecd, directly or through tests/reply_proxy.py.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ftpspecd_process import PASSWORD, USER, Ftpspecd  # noqa: E402
from ftpspec_cli import FTPSPEC, REPO, run_cases  # noqa: E402
from reply_proxy import ReplyProxy  # noqa: E402

# Quick cases on one session each that leave nothing to clean up on a fresh session.
QUICK = ["feat-*", "mode-*", "stru-*", "noop-*", "syst-*", "help-*", "site-*"]

pytestmark = pytest.mark.timeout(180)


def run(port: int, cases: list[str], tmp_path: Path, *extra: str) -> tuple[int, dict, str]:
    return run_cases(port, cases, tmp_path, *extra, formats="json,terminal,html")


def verdicts(report: dict) -> dict[str, str]:
    return {case["id"]: case["verdict"] for case in report["cases"]}


def serve(tmp_path: Path, *config_lines: str) -> Ftpspecd:
    root = tmp_path / "root"
    root.mkdir()
    config = tmp_path / "ftpspecd.conf"
    config.write_text("".join(line + "\n" for line in config_lines))
    return Ftpspecd(root, ["--user", f"{USER}:{PASSWORD}", "--config", str(config)])


def test_default_is_eight_at_a_time_and_the_report_says_so(tmp_path):
    server = serve(tmp_path)
    try:
        code, report, stdout = run(server.port, QUICK, tmp_path)
    finally:
        server.stop()
    assert code == 0, stdout
    assert report["jobs"] == {"start": 8, "end": 8, "lowered_because": ""}
    assert all(case["retried_because"] == "" for case in report["cases"])
    assert "Sessions at a time" not in stdout


def test_a_server_that_takes_two_sessions_per_address_gets_two(tmp_path):
    """ftpspecd greets a third session from one address with 421 and closes it (RFC 959 §5.4 lists
    421 as a greeting). Every case still gets its own verdict: the ones refused run again."""
    server = serve(tmp_path)
    try:
        _, alone, _ = run(server.port, QUICK, tmp_path, "--jobs", "1")
    finally:
        server.stop()
    (tmp_path / "root").rename(tmp_path / "root-1")
    server = serve(tmp_path, "max_sessions_per_address = 2")
    try:
        code, report, stdout = run(server.port, QUICK, tmp_path, "--jobs", "8")
    finally:
        server.stop()
    assert code == 0, stdout
    assert verdicts(report) == verdicts(alone)
    assert report["jobs"]["start"] == 8
    assert 1 <= report["jobs"]["end"] <= 2
    assert "the server refused the session (421 greeting)" in report["jobs"]["lowered_because"]
    retried = [case for case in report["cases"] if case["retried_because"]]
    assert retried, "no case was refused: the limit was never reached"
    assert all("421 greeting" in case["retried_because"] for case in retried)
    assert "Sessions at a time: 8 at the start" in stdout
    last = max(tmp_path.glob("report-*"), key=lambda d: int(d.name.split("-")[1]))
    assert "Sessions at a time: 8 at the start" in (last / "ftpspec-report.html").read_text()


def test_a_timeout_beside_other_sessions_runs_again_and_lowers_the_limit(tmp_path):
    """A server that loses one NOOP while it has more than one session (as pyftpdlib loses a data
    connection under load): that case times out, runs again, passes, and the rest of the run uses
    half as many sessions. A timeout with no other session open is the server's answer: an error."""
    server = serve(tmp_path)
    try:
        with ReplyProxy(server.port, {}, lose=(r"^NOOP$", 1, 1)) as proxy:
            code, report, stdout = run(proxy.port, QUICK, tmp_path, "--jobs", "4", "--timeout", "2000")
            assert proxy.lost == ["NOOP"]
        with ReplyProxy(server.port, {}, lose=(r"^NOOP$", 1, 0)) as proxy:
            code_alone, alone, _ = run(proxy.port, ["noop-200"], tmp_path, "--jobs", "1", "--timeout", "1000")
            assert proxy.lost == ["NOOP"]
    finally:
        server.stop()
    assert code == 0, stdout
    assert set(verdicts(report).values()) <= {"pass", "unsupported", "skipped", "warn"}
    retried = [case for case in report["cases"] if case["retried_because"]]
    assert len(retried) == 1, [c["id"] for c in report["cases"] if c["retried_because"]]
    assert "timed out (" in retried[0]["retried_because"] and "other session" in retried[0]["retried_because"]
    assert report["jobs"]["start"] == 4 and report["jobs"]["end"] < 4
    assert "answered when run again" in report["jobs"]["lowered_because"]

    assert code_alone == 2
    assert verdicts(alone) == {"noop-200": "error"}
    assert alone["cases"][0]["retried_because"] == ""
    assert alone["jobs"] == {"start": 1, "end": 1, "lowered_because": ""}


def test_intrusive_cases_run_only_when_asked(tmp_path):
    server = serve(tmp_path)
    try:
        _, default, stdout = run(server.port, ["wrong-pass-*"], tmp_path)
        _, asked, _ = run(server.port, ["wrong-pass-*"], tmp_path, "--intrusive")
    finally:
        server.stop()
    assert verdicts(default) == {"wrong-pass-delay": "pass", "wrong-pass-limit": "skipped"}
    limit = next(case for case in default["cases"] if case["id"] == "wrong-pass-limit")
    assert limit["reason"].startswith("intrusive, run only with --intrusive: three wrong passwords")
    assert limit["steps"] == [] and limit["transcript"] == ""  # never connected
    assert verdicts(asked) == {"wrong-pass-delay": "pass", "wrong-pass-limit": "pass"}


def test_pure_ftpd_with_three_clients_allowed_gets_three(tmp_path):
    """A real server's limit: pure-ftpd started with `-c 3` greets a fourth client with 421 ("the
    maximum number of users are already logged in"). At 8 at a time every case still gets the
    verdict it gets one at a time, and the run ends with fewer at a time."""
    sys.path.insert(0, str(REPO))
    from tests.peers.launch import PeerUnavailable, start_peer

    def run_against(name: str, jobs: str, max_sessions: int | None) -> tuple[int, dict, str]:
        root = tmp_path / name
        root.mkdir()
        root.chmod(0o755)
        with start_peer("pure-ftpd", root, max_sessions=max_sessions) as peer:
            report = tmp_path / f"report-{name}"
            command = [str(FTPSPEC), "run", "--target", peer.url, "--dir", peer.writable_dir, "--suite",
                       str(REPO / "scenarios"), "--format", "json,terminal", "--report-dir", str(report),
                       "--jobs", jobs, *sum((["--case", glob] for glob in QUICK), [])]
            done = subprocess.run(command, capture_output=True, text=True, timeout=150)
            return done.returncode, json.loads((report / "ftpspec-results.json").read_text()), done.stdout

    try:
        _, alone, _ = run_against("alone", "1", None)
    except PeerUnavailable as error:
        pytest.skip(str(error))
    _, limited, stdout = run_against("limited", "8", 3)
    differ = {case: (verdict, verdicts(limited).get(case)) for case, verdict in verdicts(alone).items()
              if verdicts(limited).get(case) != verdict}
    assert not differ, [(case, next(c["reason"] for c in limited["cases"] if c["id"] == case)) for case in differ]
    assert "error" not in verdicts(limited).values()
    # pure-ftpd counts its session processes, which outlive a QUIT for a moment, and checks after
    # the fork, so the limit the run settles on is near 3, not exactly 3.
    assert 1 <= limited["jobs"]["end"] < 8
    assert "421 greeting" in limited["jobs"]["lowered_because"]
    assert any("421 greeting" in case["retried_because"] for case in limited["cases"])
