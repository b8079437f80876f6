#!/usr/bin/env python3
"""Runs the full suite against ftpspecd and each peer server, in clear and with explicit FTPS
where the peer offers TLS (tests/peers/suite.py: one at a time, the same client), and draws the
case-by-server comparison into docs/matrix.html and docs/matrix.md.

Usage (from the repo root, after scripts/build.sh and scripts/peers.sh):
    /usr/bin/python3 scripts/matrix.py [--build-dir build/release] [RUN ...]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.peers.suite import RUNS, RUNS_BY_NAME, run_suite  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default=str(REPO / "build" / "release"))
    parser.add_argument("runs", nargs="*", metavar="RUN", help=f"default: all ({', '.join(RUNS_BY_NAME)})")
    args = parser.parse_args()
    unknown = [name for name in args.runs if name not in RUNS_BY_NAME]
    if unknown:
        parser.error(f"unknown run {unknown[0]!r}; known: {', '.join(RUNS_BY_NAME)}")
    os.environ["FTPSPEC_BUILD_DIR"] = str(Path(args.build_dir).resolve())
    ftpspec = Path(args.build_dir).resolve() / "engine" / "ftpspec"
    results = []
    with tempfile.TemporaryDirectory(prefix="ftpspec-matrix-") as work:
        for name in args.runs or list(RUNS_BY_NAME):
            result = run_suite(RUNS_BY_NAME[name])
            named = Path(work) / f"{name}.json"
            named.write_text(json.dumps(result.report))
            results.append(str(named))
            print(f"matrix: ran the suite against {name}", file=sys.stderr)
        subprocess.run([str(ftpspec), "report", "--compare", *results, "-o", str(REPO / "docs" / "matrix.html"),
                        "--markdown", str(REPO / "docs" / "matrix.md")], check=True)
    print("matrix: wrote docs/matrix.html and docs/matrix.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
