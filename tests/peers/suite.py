"""The whole suite against one peer, the way the baselines and the comparison matrix run it.

A run is a peer and how every session is secured: in clear, or with explicit FTPS
(`?tls=explicit`, RFC 4217 §4) against the peers that offer TLS. `run_suite` starts the peer over a
fresh directory, runs `ftpspec run` with the JSON report, and checks the directory afterwards: every
`ftpspec-*` path the run made must be gone, or named in the report's `left_behind`.
"""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.peers.launch import start_peer

REPO = Path(__file__).resolve().parents[2]
REPLY_TIMEOUT_MS = 10000  # pyftpdlib and pure-ftpd delay failed logins by a few seconds
RUN_TIMEOUT_S = 300       # the whole suite against one server


@dataclass(frozen=True)
class SuiteRun:
    server: str
    tls: bool = False  # every session with AUTH TLS, PBSZ 0 and PROT P (RFC 4217)

    @property
    def name(self) -> str:
        """The baseline's file stem and the matrix column: "vsftpd", "vsftpd-explicit-tls"."""
        return f"{self.server}-explicit-tls" if self.tls else self.server


SERVERS = ["ftpspecd", "vsftpd", "proftpd", "pure-ftpd", "pyftpdlib", "twisted", "inetutils"]
TLS_SERVERS = ["ftpspecd", "vsftpd", "proftpd", "pure-ftpd"]  # the peers whose launch offers TLS
RUNS = [SuiteRun(server) for server in SERVERS] + [SuiteRun(server, tls=True) for server in TLS_SERVERS]
RUNS_BY_NAME = {run.name: run for run in RUNS}


@dataclass
class SuiteResult:
    report: dict             # ftpspec-results.json
    exit_code: int
    stderr: str
    made_and_left: list[str]  # ftpspec-* paths under the served root after the run, FTP-side


def ftpspec_binary() -> Path:
    return Path(os.environ.get("FTPSPEC_BUILD_DIR", REPO / "build" / "release")) / "engine" / "ftpspec"


def _ftpspec_paths(root: Path) -> set[str]:
    return {"/" + str(path.relative_to(root)) for path in root.rglob("ftpspec-*")}


def run_suite(run: SuiteRun, extra: tuple[str, ...] = (), intrusive: bool = True) -> SuiteResult:
    """Starts the peer over a fresh directory, runs every case (the intrusive ones too unless told
    otherwise), returns the report and what the run left in the directory."""
    with tempfile.TemporaryDirectory(prefix=f"ftpspec-suite-{run.name}-") as work:
        root = Path(work) / "root"
        root.mkdir()
        root.chmod(0o755)  # servers that switch to an unprivileged account must traverse it
        reports = Path(work) / "reports"
        with start_peer(run.server, root) as peer:
            if run.tls and not peer.tls:
                raise AssertionError(f"{run.server} does not offer TLS in its launch recipe")
            before = _ftpspec_paths(root)
            target = peer.url + ("?tls=explicit" if run.tls else "")
            command = [str(ftpspec_binary()), "run", "--target", target, "--dir", peer.writable_dir,
                       "--timeout", str(REPLY_TIMEOUT_MS),  # and the default --jobs, as a user runs it
                       *(["--intrusive"] if intrusive else []),  # the baselines cover every case
                       "--format", "json", "--report-dir", str(reports), "--suite", str(REPO / "scenarios"), *extra]
            done = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
            after = _ftpspec_paths(root)
            # FTP-side names: the root is what the peer serves, under the user's writable directory or not.
            left = sorted(after - before)
        results = reports / "ftpspec-results.json"
        if not results.exists():
            raise AssertionError(f"ftpspec run wrote no results (exit {done.returncode}):\n{done.stderr[-3000:]}")
        return SuiteResult(json.loads(results.read_text()), done.returncode, done.stderr, left)
