"""bench/ftps.py end to end, tiny, against ftpspecd only: 4 MiB RETR and STOR under PROT P with
curl, 20 small files over one ftplib session that resumes its TLS session on every data
connection, and 20 concurrent TLS sessions. Checks that the script runs and reports every row
with sane values, never how fast (no timed assertions)."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("FTPSPEC_BUILD_DIR", REPO / "build" / "release"))


def test_ftps_bench_reports_every_row(tmp_path):
    results = tmp_path / "ftps.json"
    run = subprocess.run(
        ["/usr/bin/python3", str(REPO / "bench" / "ftps.py"), "--build-dir", str(BUILD), "--peers", "ftpspecd",
         "--quick", "--rounds", "1", "--size-mib", "4", "--files", "20", "--sessions", "20",
         "--only", "retr,stor,small,sessions", "--json", str(results)],
        capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    assert "| metric | ftpspecd | ftpspecd vs best peer |" in run.stdout, run.stdout
    report = json.loads(results.read_text())
    assert report["unavailable"] == {}, report["unavailable"]
    figures = report["figures"]
    for key in ("retr_mbps", "stor_mbps", "small_files_per_s", "sessions_per_s"):
        # a failed transfer or session records no figure
        assert len(figures[key]["ftpspecd"]) == 1 and figures[key]["ftpspecd"][0] > 0, (key, run.stderr)
    assert figures["sessions_failed"]["ftpspecd"] == [0], report["sessions"]
    (sessions,) = report["sessions"]["ftpspecd"]
    assert sessions["sessions_logged_in"] == 20
    assert sessions["idle_kib_per_session"] is not None


def test_ftps_bench_measures_curl_small_with_the_backports_curl_by_default(tmp_path):
    # Without --only every row runs, the curl-small row with the curl scripts/curl-backports.sh
    # unpacks under FTPSPEC_PEERS_DIR; a launcher of Debian's curl stands in for it here.
    launcher = tmp_path / "peers" / "curl-backports" / "curl"
    launcher.parent.mkdir(parents=True)
    launcher.write_text('#!/bin/sh\nexec curl "$@"\n')
    launcher.chmod(0o755)
    results = tmp_path / "ftps.json"
    run = subprocess.run(
        ["/usr/bin/python3", str(REPO / "bench" / "ftps.py"), "--build-dir", str(BUILD), "--peers", "ftpspecd",
         "--quick", "--rounds", "1", "--size-mib", "4", "--files", "5", "--sessions", "10", "--json", str(results)],
        capture_output=True, text=True, timeout=180,
        env={**os.environ, "FTPSPEC_PEERS_DIR": str(tmp_path / "peers")})
    assert run.returncode == 0, run.stderr
    report = json.loads(results.read_text())
    assert report["curl_small_with"].startswith("curl "), report["curl_small_with"]
    assert f"5 x 4 KiB RETR PROT P, 1 session ({report['curl_small_with']})" in run.stdout, run.stdout
    for key in ("retr_mbps", "stor_mbps", "small_files_per_s", "curl_small_files_per_s", "sessions_per_s"):
        assert len(report["figures"][key]["ftpspecd"]) == 1 and report["figures"][key]["ftpspecd"][0] > 0, (key, run.stderr)


def test_ftps_bench_leaves_curl_small_out_without_the_backports_curl(tmp_path):
    results = tmp_path / "ftps.json"
    run = subprocess.run(
        ["/usr/bin/python3", str(REPO / "bench" / "ftps.py"), "--build-dir", str(BUILD), "--peers", "ftpspecd",
         "--quick", "--rounds", "1", "--size-mib", "4", "--files", "5", "--sessions", "10", "--json", str(results)],
        capture_output=True, text=True, timeout=180, env={**os.environ, "FTPSPEC_PEERS_DIR": str(tmp_path)})
    assert run.returncode == 0, run.stderr
    assert "curl-small: left out" in run.stderr, run.stderr
    report = json.loads(results.read_text())
    assert report["figures"]["curl_small_files_per_s"]["ftpspecd"] == []
    assert report["figures"]["small_files_per_s"]["ftpspecd"], run.stderr
