"""The built `ftpspec run` as a test's client: the one way the Python tests run a selection of the
shipped suite against a server on 127.0.0.1 and read back its JSON report.

FTPSPEC_BUILD_DIR says where it is built (default build/release under the checkout).
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from ftpspecd_process import PASSWORD, USER

REPO = Path(__file__).resolve().parent.parent
BUILD = Path(os.environ.get("FTPSPEC_BUILD_DIR", REPO / "build" / "release"))
FTPSPEC = BUILD / "engine" / "ftpspec"


def run_cases(port: int, cases: list[str], tmp_path: Path, *extra: str,
              formats: str = "json,terminal") -> tuple[int, dict, str]:
    """Runs the suite's cases matching `cases` (globs) against 127.0.0.1:port as USER/PASSWORD, with
    `extra` options; returns the exit code, the JSON report and stdout. Each call writes its reports
    into a new tmp_path/report-N."""
    report = tmp_path / f"report-{len(list(tmp_path.iterdir()))}"
    command = [str(FTPSPEC), "run", "--target", f"ftp://{USER}:{PASSWORD}@127.0.0.1:{port}", "--suite",
               str(REPO / "scenarios"), "--format", formats, "--report-dir", str(report), *extra]
    for glob in cases:
        command += ["--case", glob]
    done = subprocess.run(command, capture_output=True, text=True, timeout=150)
    results = report / "ftpspec-results.json"
    assert results.exists(), done.stderr
    return done.returncode, json.loads(results.read_text()), done.stdout
