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


def test_small_files_measures_every_server_with_every_client(tmp_path):
    # bench/small_files.py, tiny: 20 files with ftplib and 5 with each curl from ftpspecd and
    # pyftpdlib, two rounds; every run must have fetched every byte (figures are not judged).
    # The second curl is where scripts/curl-backports.sh puts it, under FTPSPEC_PEERS_DIR; here a
    # launcher of Debian's curl stands in for it (ftpspecd and pyftpdlib need no other peer).
    peers = tmp_path / "peers"
    launcher = peers / "curl-backports" / "curl"
    launcher.parent.mkdir(parents=True)
    launcher.write_text('#!/bin/sh\nexec curl "$@"\n')
    launcher.chmod(0o755)
    results = tmp_path / "small.json"
    run = subprocess.run(
        ["/usr/bin/python3", str(REPO / "bench" / "small_files.py"), "--build-dir", str(BUILD),
         "--peers", "ftpspecd,pyftpdlib", "--rounds", "2", "--files", "20", "--curl-files", "5",
         "--backports-curl-files", "5", "--json", str(results)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "FTPSPEC_PEERS_DIR": str(peers)})
    assert run.returncode == 0, run.stderr
    assert "ftplib: ftpspecd / best peer (pyftpdlib), by median:" in run.stdout, run.stdout
    assert "curl per transfer: ftpspecd / best peer (pyftpdlib), by median:" in run.stdout, run.stdout
    assert "curl-backports: ftpspecd / best peer (pyftpdlib), by median:" in run.stdout, run.stdout
    report = json.loads(results.read_text())
    assert set(report["curl_versions"]) == {"curl", "curl-backports"}
    assert all(version.startswith("curl ") for version in report["curl_versions"].values())
    for client in ("ftplib", "curl", "curl per transfer", "curl-backports", "curl-backports per transfer"):
        for server in ("ftpspecd", "pyftpdlib"):
            assert len(report["figures"][client][server]) == 2, (client, server, run.stderr)
            assert all(speed > 0 for speed in report["figures"][client][server])
    for curl in ("curl", "curl-backports"):
        assert len(report["curl_stalls"][curl]["ftpspecd"]) == 2, report["curl_stalls"]


def test_small_files_without_the_backports_curl_says_so(tmp_path):
    run = subprocess.run(
        ["/usr/bin/python3", str(REPO / "bench" / "small_files.py"), "--build-dir", str(BUILD),
         "--peers", "ftpspecd", "--rounds", "1", "--files", "5", "--clients", "ftplib,curl-backports"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "FTPSPEC_PEERS_DIR": str(tmp_path)})
    assert run.returncode == 0, run.stderr
    assert "curl-backports: not available (scripts/curl-backports.sh unpacks it)" in run.stderr, run.stderr
    assert "| ftplib | ftpspecd |" in run.stdout, run.stdout
    assert "| curl" not in run.stdout, run.stdout
