"""Runs the shipped conformance suite against ftpspecd and each peer server — in clear, and with
explicit FTPS against the peers that offer TLS (tests/peers/suite.py) — and compares every case's
verdict with the reviewed baseline in tests/baselines/<run>.json.

A baseline is an expected-results file (`ftpspec run --expect`, docs/reports.md §CI): case id ->
{"verdict": ..., "note": ..., "also": [...]}. "also" lists other verdicts a timing-dependent case may
get against that server, explained in its note. Every fail, error, blocked and unsupported verdict
carries a note naming the rule, checked by hand against the RFC text. A difference is either a
server change or a case change: look at the case's evidence, then fix the case (when the verdict
disagrees with the RFC) or re-record the baseline:

    /usr/bin/python3 -m tests.test_baselines --update vsftpd [proftpd-explicit-tls ...]

(from the repository root, FTPSPEC_BUILD_DIR set). Updating keeps the notes of verdicts that did not
change and marks the others "TODO: review"; the test refuses a baseline with a TODO.

Each run must also leave the server as it found it: no `ftpspec-*` path may stay behind unless the
report names it in `left_behind`.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BASELINES = REPO / "tests" / "baselines"
sys.path.insert(0, str(REPO))
from tests.peers.launch import PeerUnavailable  # noqa: E402
from tests.peers.suite import RUNS, RUNS_BY_NAME, SuiteResult, SuiteRun, ftpspec_binary, run_suite  # noqa: E402

NEEDS_NOTE = ("fail", "error", "blocked", "unsupported")


def load_baseline(name: str) -> dict[str, dict]:
    return json.loads((BASELINES / f"{name}.json").read_text())["cases"]


def differences(name: str, report: dict, baseline: dict[str, dict]) -> list[str]:
    """One readable line per case whose verdict differs from the baseline (or is new/gone)."""
    actual = {case["id"]: case for case in report["cases"]}
    out = []
    for case_id in sorted(set(actual) | set(baseline)):
        entry = baseline.get(case_id, {})
        expected = entry.get("verdict", "(not in baseline)")
        got = actual[case_id]["verdict"] if case_id in actual else "(not in the suite)"
        if got != expected and got not in entry.get("also", []):
            reason = actual[case_id]["reason"] if case_id in actual else ""
            out.append(f"{name}: {case_id}: baseline {expected}, now {got}" + (f" -- {reason}" if reason else ""))
    return out


def unreviewed(baseline: dict[str, dict]) -> list[str]:
    return [case for case, entry in baseline.items()
            if entry["verdict"] in NEEDS_NOTE and (not entry.get("note") or entry["note"].startswith("TODO"))]


@pytest.mark.parametrize("run", RUNS, ids=lambda run: run.name)
def test_verdicts_match_baseline(run: SuiteRun) -> None:
    if not ftpspec_binary().exists():
        pytest.fail(f"{ftpspec_binary()} is not built (cmake --build ... --target ftpspec)")
    baseline_file = BASELINES / f"{run.name}.json"
    baseline = load_baseline(run.name)
    assert not unreviewed(baseline), f"{run.name}: verdicts without a reviewed RFC note: {unreviewed(baseline)}"
    try:
        # The baseline is an expected-results file: the run's own comparison must agree with ours.
        result = run_suite(run, ("--expect", str(baseline_file)))
    except PeerUnavailable as missing:
        if os.environ.get("FTPSPEC_SKIP_PEERS") == "1":
            pytest.skip(str(missing))
        raise
    diff = differences(run.name, result.report, baseline)
    assert not diff, "verdicts differ from tests/baselines/{}.json:\n  {}".format(run.name, "\n  ".join(diff))
    assert result.exit_code == 0, f"ftpspec run --expect disagrees:\n{result.stderr[-2000:]}"
    assert set(result.made_and_left) <= set(result.report["left_behind"]), (
        f"{run.name}: the run left {result.made_and_left} on the server without naming them")
    assert not result.report["left_behind"], f"{run.name}: the cleanup could not remove {result.report['left_behind']}"


def test_ftpspecd_baseline_fails_are_known_server_findings() -> None:
    """ftpspecd is the reference: each of its fails must be a listed, reviewed server finding."""
    for name in ("ftpspecd", "ftpspecd-explicit-tls"):
        for case_id, entry in load_baseline(name).items():
            if entry["verdict"] in ("fail", "error", "blocked"):
                assert entry.get("note", "").startswith("server bug"), f"{name} {case_id}: {entry}"


def test_every_run_has_a_baseline() -> None:
    assert sorted(p.stem for p in BASELINES.glob("*.json")) == sorted(run.name for run in RUNS)


def update(names: list[str], reports: Path | None = None) -> None:
    for name in names:
        result: SuiteResult = run_suite(RUNS_BY_NAME[name])
        if reports:  # the evidence behind each verdict, for the reviewer of the new notes
            reports.mkdir(parents=True, exist_ok=True)
            (reports / f"{name}.json").write_text(json.dumps(result.report, indent=1))
        path = BASELINES / f"{name}.json"
        old = json.loads(path.read_text())["cases"] if path.exists() else {}
        cases = {}
        for case in result.report["cases"]:
            verdict = case["verdict"]
            previous = old.get(case["id"], {})
            entry = {"verdict": verdict}
            covered = verdict == previous.get("verdict") or verdict in previous.get("also", [])
            note = previous.get("note", "") if covered else ""
            if covered and "also" in previous:
                entry["verdict"] = previous["verdict"]
                entry["also"] = previous["also"]
            if verdict in NEEDS_NOTE and not note:
                note = "TODO: review -- " + case["reason"][:200]
            if note:
                entry["note"] = note
            cases[case["id"]] = entry
        BASELINES.mkdir(exist_ok=True)
        path.write_text(json.dumps({"schema": "ftpspec-expected/1", "server": name, "cases": dict(sorted(cases.items()))},
                                   indent=2, ensure_ascii=False) + "\n")
        todo = sum(1 for e in cases.values() if e.get("note", "").startswith("TODO"))
        print(f"{path}: {todo} verdicts to review; left behind: {result.report['left_behind']}", file=sys.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", nargs="+", choices=sorted(RUNS_BY_NAME), required=True, help="re-record these baselines")
    parser.add_argument("--reports", type=Path, help="also keep each run's JSON report in this directory")
    arguments = parser.parse_args()
    update(arguments.update, arguments.reports)
