"""Runs the client cases (scenarios/clients) against each real client of the matrix and compares
every verdict with the reviewed baseline in tests/client_baselines/<client>.json, as
tests/test_baselines.py does for servers (docs/client-mode.md, docs/client-matrix.md).

A baseline is an expected-results file (`ftpspec client --expect`, as `ftpspec run --expect` reads
for servers): case id -> {"verdict": ..., "note": ..., "also": [...]}. Every verdict other than pass
and unsupported (the profile has no command for the operation) carries a note, checked by hand
against the transcript and the RFC: what the client did and which rule it broke ("also": other
verdicts a timing-dependent case may get, with the reason in its note). curl and ftplib run the
whole suite; the other clients run QUICK, one or two cases per theme chosen among those that end
fast for every client, so the test stays short. Re-record after a client or case change (from the
repository root, FTPSPEC_BUILD_DIR set):

    /usr/bin/python3 -m tests.test_client_baselines --update curl lftp ...

Updating runs the whole suite and writes the file with `ftpspec expect`, which keeps the notes of
verdicts that did not change; new non-pass verdicts get a "TODO: review" note, and the test refuses
a baseline with such notes. FTPSPEC_SKIP_CLIENTS=1 skips clients that are not installed instead of
failing.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BASELINES = REPO / "tests" / "client_baselines"
PROFILES = REPO / "scenarios" / "clients" / "profiles"
INTEROP_NODE = REPO / "tests" / "interop_node"

# The client, and the program it needs on PATH.
CLIENTS = {"curl": "curl", "ftplib": "python3", "lftp": "lftp", "wget": "wget", "aioftp": "python3",
           "basic-ftp": "node", "tnftp": "tnftp", "ncftp": "ncftpget", "inetutils-ftp": "inetutils-ftp",
           "rclone": "rclone"}
FULL = {"curl", "ftplib"}
QUICK = [
    "op-download", "op-upload", "op-list", "op-resume", "op-delete", "op-mkdir", "op-tls-download",
    "multiline-greeting-empty-continuation", "multiline-final-reply-inner-failure-code", "feat-not-implemented",
    "transfer-mark-125", "transfer-final-250", "service-421-then-close", "size-not-implemented",
    "mkdir-experimental-form", "pasv-reply-without-parentheses", "epsv-refused-500", "list-dos-format",
    "list-unix-names-with-spaces", "list-missing-folder", "mlsd-cdir-pdir-entries", "binary-upload-type-i",
    "size-refused-550", "resume-rest-ignored", "resume-rest-refused", "download-426-then-226",
    "download-empty-file", "download-150-then-425", "tls-reuse-required-download",
    "tls-download-fin-without-close-notify", "tls-auth-refused", "utf8-name-download", "mkdir-name-with-quote",
    "greeting-120-then-220", "quit-after-download",
]
JOBS = 4
RUN_TIMEOUT_S = 600


def _build_dir() -> Path:
    return Path(os.environ.get("FTPSPEC_BUILD_DIR", REPO / "build" / "release"))


def _ftpspec() -> Path:
    return _build_dir() / "engine" / "ftpspec"


def ensure_basic_ftp() -> None:
    """basic-ftp lives in tests/interop_node/node_modules (npm ci, as the basic-ftp tests do)."""
    installed = INTEROP_NODE / "node_modules" / "basic-ftp" / "package.json"
    if installed.exists() or shutil.which("npm") is None:
        return
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=INTEROP_NODE, capture_output=True, timeout=300, check=True)


@dataclass
class ClientRun:
    report: dict       # the JSON report (docs/report-json.md)
    exit_code: int     # with --expect: 0 unless a verdict regressed to fail (1) or error (2)
    output: str        # stdout: the terminal report and the comparison with the expected results


def run_client(client: str, cases: list[str] | None = None, report_dir: Path | None = None,
               expect: Path | None = None) -> ClientRun:
    """Runs the client cases (all, or `cases`) against `client`, optionally held against `expect`."""
    if client == "basic-ftp":
        ensure_basic_ftp()
    with tempfile.TemporaryDirectory(prefix=f"ftpspec-client-{client}-") as work:
        out = report_dir or Path(work)
        command = [str(_ftpspec()), "client", "--profile", str(PROFILES / f"{client}.profile"), "--jobs", str(JOBS),
                   "--format", "json", "--report-dir", str(out), *(f"--case={case}" for case in cases or [])]
        if expect:
            command += ["--expect", str(expect)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
        results = out / "ftpspec-results.json"
        if not results.exists():
            raise AssertionError(f"ftpspec client wrote no results (exit {done.returncode}):\n{done.stderr[-3000:]}")
        return ClientRun(json.loads(results.read_text()), done.returncode, done.stdout)


def load_baseline(client: str) -> dict:
    return json.loads((BASELINES / f"{client}.json").read_text())


def differences(client: str, report: dict, baseline: dict[str, dict]) -> list[str]:
    out = []
    ran = {case["id"]: case for case in report["cases"]}
    for case_id, case in sorted(ran.items()):
        entry = baseline.get(case_id, {})
        expected = entry.get("verdict", "(not in baseline)")
        got = case["verdict"]
        if got != expected and got not in entry.get("also", []):
            out.append(f"{client}: {case_id}: baseline {expected}, now {got} -- {case['reason'][:300]}")
    return out


def needs_note(verdict: str) -> bool:
    return verdict not in ("pass", "unsupported")


@pytest.mark.parametrize("client", list(CLIENTS))
def test_client_verdicts_match_baseline(client: str) -> None:
    if not _ftpspec().exists():
        pytest.fail(f"{_ftpspec()} is not built")
    baseline = load_baseline(client)["cases"]
    unreviewed = [case for case, entry in baseline.items()
                  if needs_note(entry["verdict"]) and (not entry.get("note") or entry["note"].startswith("TODO"))]
    assert not unreviewed, f"{client}: verdicts without a reviewed note: {unreviewed}"
    if shutil.which(CLIENTS[client]) is None:
        message = f"{client} is not installed ({CLIENTS[client]} is not on PATH; scripts/debian-packages.txt)"
        if os.environ.get("FTPSPEC_SKIP_CLIENTS") == "1":
            pytest.skip(message)
        pytest.fail(message)
    baseline_file = BASELINES / f"{client}.json"
    run = run_client(client, None if client in FULL else QUICK, expect=baseline_file)
    report = run.report
    if client in FULL:
        missing = sorted(set(baseline) - {case["id"] for case in report["cases"]})
        assert not missing, f"{client}: cases in the baseline but not in the suite: {missing}"
    diff = differences(client, report, baseline)
    assert not diff, "verdicts differ from tests/client_baselines/{}.json:\n  {}".format(client, "\n  ".join(diff))
    # The baseline is an expected-results file: ftpspec's own comparison must agree with ours.
    assert run.exit_code == 0, f"ftpspec client --expect disagrees (exit {run.exit_code}):\n{run.output[-2000:]}"


def test_quick_cases_exist_and_every_baseline_covers_the_suite() -> None:
    ids = set(load_baseline("curl")["cases"])
    assert set(QUICK) <= ids
    for client in CLIENTS:
        assert set(load_baseline(client)["cases"]) == ids, f"{client}: its baseline does not list the same cases as curl's"


def update(clients: list[str]) -> None:
    for client in clients:
        path = BASELINES / f"{client}.json"
        with tempfile.TemporaryDirectory(prefix=f"ftpspec-client-{client}-") as work:
            run_client(client, report_dir=Path(work))
            # `ftpspec expect` keeps the notes (and `also` lists) of the verdicts that did not change.
            subprocess.run([str(_ftpspec()), "expect", str(Path(work) / "ftpspec-results.json"), "-o", str(path),
                            "--server", client], check=True, capture_output=True, timeout=60)
            report = json.loads((Path(work) / "ftpspec-results.json").read_text())
        baseline = json.loads(path.read_text())
        reasons = {case["id"]: case["reason"] for case in report["cases"]}
        for case_id, entry in baseline["cases"].items():
            if needs_note(entry["verdict"]) and not entry.get("note"):
                entry["note"] = "TODO: review -- " + reasons.get(case_id, "")[:200]
        path.write_text(json.dumps(baseline, indent=2, ensure_ascii=False) + "\n")
        todo = sum(1 for e in baseline["cases"].values() if e.get("note", "").startswith("TODO"))
        print(f"{path}: {todo} verdicts to review", file=sys.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", nargs="+", choices=list(CLIENTS), required=True, help="re-record these baselines")
    update(parser.parse_args().update)
