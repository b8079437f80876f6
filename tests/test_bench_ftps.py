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
