#!/usr/bin/python3
"""Alternating 1 GiB transfers: every server is started at once, then each round downloads (or
uploads) once from each in turn, so a slow minute of the machine hits every server alike.

    /usr/bin/python3 bench/alternate.py [--build-dir build/perf] [--peers ftpspecd,pyftpdlib]
                                        [--only retr,stor] [--rounds 6] [--json results.json]

On this 2-core machine one curl transfer spans 1.8-4.4 GB/s whichever server sends it, so the
best-of-3 of bench/run.py can only tell apart differences beyond about 30 %. This prints each
server's mean and median over the rounds and every single figure, and the ratio of ftpspecd's
median to the best peer's (docs/performance.md, run F). Run as root for every peer.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (bench/run.py: the same curl measurements, one run each)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    bench.add_common_arguments(parser, "perf")
    parser.add_argument("--peers", default="ftpspecd,vsftpd,pure-ftpd,pyftpdlib")
    parser.add_argument("--only", default="retr,stor")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--size-mib", type=int, default=1024)
    args = parser.parse_args()
    bench.use_build_dir(args.build_dir)
    from tests.peers.launch import PeerUnavailable, start_peer

    names = args.peers.split(",")
    kinds = [k for k in ("retr", "stor") if k in args.only.split(",")]
    figures: dict[str, dict[str, list[float]]] = {kind: {name: [] for name in names} for kind in kinds}
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="bench-alternate-", dir=args.work_dir) as work_text:
        work = Path(work_text)
        source = work / "source.bin"
        bench.write_transfer_source(source, args.size_mib << 20)
        os.sync()  # its writeback would slow the first round's transfers
        peers = {}
        for name in names:
            root = work / name
            root.mkdir()
            os.chmod(root, 0o755)
            try:
                peers[name] = stack.enter_context(start_peer(name, root))
            except PeerUnavailable as error:
                bench.log(f"{name}: {error}")
        for round_number in range(1, args.rounds + 1):
            bench.log(f"round {round_number} of {args.rounds}")
            for name, peer in peers.items():
                writable = peer.local_path(peer.writable_dir)
                if "retr" in kinds:
                    speed = bench.bench_retr(peer, writable, source, 1)
                    if speed:
                        figures["retr"][name].append(speed)
                if "stor" in kinds:
                    speed = bench.bench_stor(peer, writable, source, 1)
                    if speed:
                        figures["stor"][name].append(speed)
        for name in peers:
            shutil.rmtree(work / name, ignore_errors=True)

    summary = {}
    for kind in kinds:
        print(f"\n{kind.upper()} {args.size_mib} MiB, curl, {args.rounds} alternating rounds (MB/s)\n")
        print("| server | mean | median | runs |")
        print("|---|---|---|---|")
        medians = {}
        for name, values in figures[kind].items():
            if not values:
                continue
            medians[name] = statistics.median(values)
            runs = " ".join(f"{v:,.0f}" for v in values)
            print(f"| {name} | {statistics.mean(values):,.0f} | {medians[name]:,.0f} | {runs} |")
        peers_only = {n: m for n, m in medians.items() if n != "ftpspecd"}
        if "ftpspecd" in medians and peers_only:
            # By median: a disk stall (ext4 journal commit, discard of a deleted upload) costs
            # any server one run in a few, at a third of its usual rate.
            best = max(peers_only, key=peers_only.get)
            ratio = medians["ftpspecd"] / peers_only[best]
            print(f"\nftpspecd / best peer ({best}), by median: {ratio:.2f}x")
            summary[kind] = {"best_peer": best, "ratio": ratio}
    if args.json:
        Path(args.json).write_text(json.dumps({"figures": figures, "summary": summary}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
