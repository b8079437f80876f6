#!/usr/bin/env python3
"""Runs the client cases (scenarios/clients) against every client of the matrix and draws the
case-by-client comparison into docs/client-matrix.html and docs/client-matrix.md, with the
reviewed note of each verdict that is not a pass (tests/client_baselines/<client>.json).

Usage (from the repo root, after scripts/build.sh; the clients from scripts/debian-packages.txt):
    /usr/bin/python3 scripts/client-matrix.py [--build-dir build/release] [CLIENT ...]
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

from tests.test_client_baselines import BASELINES, CLIENTS, run_client  # noqa: E402

NOTES_HEADING = "## Notes: what each client did, and the rule"


def notes_section(clients: list[str], versions: dict[str, str]) -> str:
    """Every verdict other than pass/unsupported, per client, with its reviewed note."""
    lines = ["", NOTES_HEADING, "",
             "Hand-checked against each case's transcript (tests/client_baselines/; `also`: a verdict a "
             "timing-dependent case may get instead).", ""]
    for client in clients:
        baseline = json.loads((BASELINES / f"{client}.json").read_text())
        noted = [(case, entry) for case, entry in baseline["cases"].items() if entry.get("note")]
        lines.append(f"### {client} ({versions.get(client) or 'version unknown'})")
        lines.append("")
        if not noted:
            lines.append("Every case passes, or is unsupported by the client.")
        for case, entry in noted:
            also = f" (also {', '.join(entry['also'])})" if entry.get("also") else ""
            lines.append(f"- `{case}` **{entry['verdict']}**{also}: {entry['note']}")
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default=str(REPO / "build" / "release"))
    parser.add_argument("clients", nargs="*", default=list(CLIENTS))
    args = parser.parse_args()
    os.environ["FTPSPEC_BUILD_DIR"] = str(Path(args.build_dir).resolve())
    ftpspec = Path(args.build_dir).resolve() / "engine" / "ftpspec"
    with tempfile.TemporaryDirectory(prefix="ftpspec-client-matrix-") as work:
        results = []
        versions = {}
        for client in args.clients:
            report = run_client(client).report
            versions[client] = report["greeting"][0] if report["greeting"] else ""
            named = Path(work) / f"{client}.json"
            named.write_text(json.dumps(report))
            results.append(str(named))
            print(f"client-matrix: ran the client cases against {client}", file=sys.stderr)
        subprocess.run([str(ftpspec), "report", "--compare", *results, "-o", str(REPO / "docs" / "client-matrix.html"),
                        "--markdown", str(REPO / "docs" / "client-matrix.md")], check=True)
    markdown = REPO / "docs" / "client-matrix.md"
    text = markdown.read_text().replace("# ftpspec comparison", "# ftpspec client matrix", 1)
    intro = ("\nThe client cases of `scenarios/clients` (docs/client-mode.md) against each client, with the "
             "profile in `scenarios/clients/profiles/`. Regenerate with `scripts/client-matrix.py`; the test "
             "`tests/test_client_baselines.py` compares the verdicts with the reviewed baselines.\n")
    text = text.replace("# ftpspec client matrix\n", "# ftpspec client matrix\n" + intro, 1)
    markdown.write_text(text + notes_section(args.clients, versions))
    print("client-matrix: wrote docs/client-matrix.html and docs/client-matrix.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
