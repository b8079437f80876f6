"""bench/alternate.py end to end, tiny: it starts ftpspecd and pyftpdlib, alternates one 8 MiB
RETR and STOR with curl between them, and prints a table with the ratio. Checks that the
script works and that every transfer moved its bytes, never how fast (no timed assertions)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("FTPSPEC_BUILD_DIR", REPO / "build" / "release"))


def test_alternate_measures_every_server_in_every_round(tmp_path):
    results = tmp_path / "alternate.json"
    run = subprocess.run(
        ["/usr/bin/python3", str(REPO / "bench" / "alternate.py"), "--build-dir", str(BUILD),
         "--peers", "ftpspecd,pyftpdlib", "--rounds", "2", "--size-mib", "8", "--json", str(results)],
        capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "RETR 8 MiB, curl, 2 alternating rounds" in run.stdout, run.stdout
    assert "ftpspecd / best peer (pyftpdlib), by median:" in run.stdout, run.stdout
    figures = json.loads(results.read_text())["figures"]
    for kind in ("retr", "stor"):
        for server in ("ftpspecd", "pyftpdlib"):
            # bench_retr/bench_stor return None (not a figure) for a failed or short transfer
            assert len(figures[kind][server]) == 2, (kind, server, run.stderr)
            assert all(speed > 0 for speed in figures[kind][server])


def test_small_files_measures_every_server_with_both_clients(tmp_path):
    # bench/small_files.py, tiny: 20 files with ftplib and 5 with curl from ftpspecd and
    # pyftpdlib, two rounds; every run must have fetched every byte (figures are not judged).
    results = tmp_path / "small.json"
    run = subprocess.run(
        ["/usr/bin/python3", str(REPO / "bench" / "small_files.py"), "--build-dir", str(BUILD),
         "--peers", "ftpspecd,pyftpdlib", "--rounds", "2", "--files", "20", "--curl-files", "5",
         "--json", str(results)],
        capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "ftplib: ftpspecd / best peer (pyftpdlib), by median:" in run.stdout, run.stdout
    assert "curl per transfer: ftpspecd / best peer (pyftpdlib), by median:" in run.stdout, run.stdout
    report = json.loads(results.read_text())
    for client in ("ftplib", "curl", "curl per transfer"):
        for server in ("ftpspecd", "pyftpdlib"):
            assert len(report["figures"][client][server]) == 2, (client, server, run.stderr)
            assert all(speed > 0 for speed in report["figures"][client][server])
