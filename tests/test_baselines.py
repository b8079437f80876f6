"""Runs the shipped conformance suite against ftpspecd and each peer server and compares every
case's verdict with the reviewed baseline in tests/baselines/<server>.json.

A baseline maps case id -> {"verdict": ..., "note": ..., "also": [...]} ("also": other verdicts a
timing-dependent case may get against that server, explained in its note); every "fail" carries a note naming the
RFC section the server deviates from, checked by hand against /work/shared/rfc/. A difference is
either a server change or a case change: look at the case's evidence in the printed report, then
fix the case (when the verdict disagrees with the RFC) or re-record the baseline:

    /usr/bin/python3 -m tests.test_baselines --update vsftpd [proftpd ...]

(from the repository root, FTPSPEC_BUILD_DIR set). Updating keeps existing notes and marks new
fails "TODO: review"; the test refuses a baseline whose fails have no reviewed note.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BASELINES = REPO / "tests" / "baselines"
SERVERS = ["ftpspecd", "vsftpd", "proftpd", "pure-ftpd", "pyftpdlib"]
REPLY_TIMEOUT_MS = 10000  # pyftpdlib and pure-ftpd delay failed logins by a few seconds
RUN_TIMEOUT_S = 240       # the whole suite against one server (typically 2-60 s)
# pyftpdlib is one single-threaded process: with 4 parallel sessions it sometimes answers EPRT
# after the reply timeout, so it gets two.
JOBS = {"pyftpdlib": 2}

sys.path.insert(0, str(REPO))
from tests.peers.launch import PeerUnavailable, start_peer  # noqa: E402


def _build_dir() -> Path:
    return Path(os.environ.get("FTPSPEC_BUILD_DIR", REPO / "build" / "release"))


def _ftpspec() -> Path:
    return _build_dir() / "engine" / "ftpspec"


def run_suite(server: str) -> dict[str, str]:
    """Starts `server` over a fresh directory, runs every case, returns case id -> verdict."""
    with tempfile.TemporaryDirectory(prefix=f"ftpspec-baseline-{server}-") as work:
        root = Path(work) / "root"
        root.mkdir()
        root.chmod(0o755)  # servers that switch to an unprivileged account must traverse it
        reports = Path(work) / "reports"
        with start_peer(server, root) as peer:
            command = [str(_ftpspec()), "run", "--target", peer.url, "--dir", peer.writable_dir,
                       "--jobs", str(JOBS.get(server, 4)), "--timeout", str(REPLY_TIMEOUT_MS), "--format", "json",
                       "--report-dir", str(reports), "--suite", str(REPO / "scenarios")]
            done = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
        results = reports / "ftpspec-results.json"
        if not results.exists():
            raise AssertionError(f"ftpspec run wrote no results (exit {done.returncode}):\n{done.stderr[-3000:]}")
        report = json.loads(results.read_text())
    return {case["id"]: case["verdict"] for case in report["cases"]} | {
        f"__reason__{case['id']}": case["reason"] for case in report["cases"]}


def load_baseline(server: str) -> dict[str, dict[str, str]]:
    return json.loads((BASELINES / f"{server}.json").read_text())["cases"]


def differences(server: str, actual: dict[str, str], baseline: dict[str, dict[str, str]]) -> list[str]:
    """One readable line per case whose verdict differs from the baseline (or is new/gone)."""
    out = []
    ids = [key for key in actual if not key.startswith("__reason__")]
    for case_id in sorted(set(ids) | set(baseline)):
        entry = baseline.get(case_id, {})
        expected = entry.get("verdict", "(not in baseline)")
        got = actual.get(case_id, "(not in the suite)")
        if got != expected and got not in entry.get("also", []):  # "also": verdicts of a timing-dependent case
            reason = actual.get(f"__reason__{case_id}", "")
            out.append(f"{server}: {case_id}: baseline {expected}, now {got}" + (f" -- {reason}" if reason else ""))
    return out


@pytest.mark.parametrize("server", SERVERS)
def test_verdicts_match_baseline(server: str) -> None:
    if not _ftpspec().exists():
        pytest.fail(f"{_ftpspec()} is not built (cmake --build ... --target ftpspec)")
    baseline = load_baseline(server)
    unreviewed = [case for case, entry in baseline.items()
                  if entry["verdict"] == "fail" and (not entry.get("note") or entry["note"].startswith("TODO"))]
    assert not unreviewed, f"{server}: fails without a reviewed RFC note: {unreviewed}"
    try:
        actual = run_suite(server)
    except PeerUnavailable as missing:
        if os.environ.get("FTPSPEC_SKIP_PEERS") == "1":
            pytest.skip(str(missing))
        raise
    diff = differences(server, actual, baseline)
    assert not diff, "verdicts differ from tests/baselines/{}.json:\n  {}".format(server, "\n  ".join(diff))


def test_ftpspecd_baseline_fails_are_known_server_findings() -> None:
    """ftpspecd is the reference: each of its fails must be a listed, reviewed server finding."""
    for case_id, entry in load_baseline("ftpspecd").items():
        if entry["verdict"] in ("fail", "error"):
            assert entry.get("note", "").startswith("server bug"), f"ftpspecd {case_id}: {entry}"


def update(servers: list[str]) -> None:
    for server in servers:
        actual = run_suite(server)
        path = BASELINES / f"{server}.json"
        old = json.loads(path.read_text())["cases"] if path.exists() else {}
        cases = {}
        for case_id, verdict in actual.items():
            if case_id.startswith("__reason__"):
                continue
            entry = {"verdict": verdict}
            note = old.get(case_id, {}).get("note", "")
            if verdict == "fail" and not note:
                note = "TODO: review -- " + actual[f"__reason__{case_id}"][:200]
            if note and verdict in ("fail", "error", "warn"):
                entry["note"] = note
            if "also" in old.get(case_id, {}):
                entry["also"] = old[case_id]["also"]
                entry.setdefault("note", note)
            cases[case_id] = entry
        BASELINES.mkdir(exist_ok=True)
        path.write_text(json.dumps({"server": server, "cases": dict(sorted(cases.items()))}, indent=2,
                                   ensure_ascii=False) + "\n")
        print(f"{path}: {sum(1 for e in cases.values() if e['verdict'] == 'fail')} fails", file=sys.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", nargs="+", choices=SERVERS, required=True, help="re-record these baselines")
    update(parser.parse_args().update)
