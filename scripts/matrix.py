#!/usr/bin/env python3
"""Runs the full suite against ftpspecd and each peer server (one at a time, the same client)
and draws the case-by-server comparison into docs/matrix.html and docs/matrix.md.

Usage (from the repo root, after scripts/build.sh and scripts/peers.sh):
    /usr/bin/python3 scripts/matrix.py [--build-dir build/release] [SERVER ...]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.peers.launch import start_peer  # noqa: E402
from tests.test_baselines import JOBS, REPLY_TIMEOUT_MS  # noqa: E402

SERVERS = ["ftpspecd", "vsftpd", "proftpd", "pure-ftpd", "pyftpdlib"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default=str(REPO / "build" / "release"))
    parser.add_argument("servers", nargs="*", default=SERVERS)
    args = parser.parse_args()
    build = Path(args.build_dir).resolve()
    ftpspec = build / "engine" / "ftpspec"
    results = []
    with tempfile.TemporaryDirectory(prefix="ftpspec-matrix-") as work:
        for server in args.servers:
            root = Path(work) / f"{server}-root"
            root.mkdir()
            out = Path(work) / server
            out.mkdir()
            os.environ.setdefault("FTPSPEC_BUILD_DIR", str(build))
            with start_peer(server, root) as peer:
                subprocess.run([str(ftpspec), "run", "--target", peer.url, "--dir", peer.writable_dir,
                                "--jobs", str(JOBS.get(server, 4)), "--timeout", str(REPLY_TIMEOUT_MS),
                                "--format", "json", "--report-dir", str(out), "--suite", str(REPO / "scenarios")],
                               check=False, timeout=900)
            named = Path(work) / f"{server}.json"
            shutil.copy(out / "ftpspec-results.json", named)
            results.append(str(named))
            print(f"matrix: ran the suite against {server}", file=sys.stderr)
        subprocess.run([str(ftpspec), "report", "--compare", *results, "-o", str(REPO / "docs" / "matrix.html"),
                        "--markdown", str(REPO / "docs" / "matrix.md")], check=True)
    print("matrix: wrote docs/matrix.html and docs/matrix.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
