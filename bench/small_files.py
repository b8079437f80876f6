#!/usr/bin/python3
"""Small files in stream mode with unmodified clients: N files of 4 KiB fetched over one control
connection, each over its own data connection (RFC 959 §3.4.1: in stream mode the close ends the
file), from ftpspecd and the peer servers side by side.

    /usr/bin/python3 bench/small_files.py [--build-dir build/release] [--peers ftpspecd,pure-ftpd,...]
                                          [--files 2000] [--curl-files 50] [--rounds 5]
                                          [--backports-curl-files 300]
                                          [--clients ftplib,curl,curl-backports] [--baseline BUILD_DIR]
                                          [--json out.json]

Every server is started at once. Each round, each server in turn (the order rotates from round to
round, so the TIME-WAIT sockets left by the one before fall on every server alike) is measured
with each client:

- ftplib: Python's ftplib (/usr/bin/python3), one session, `retrbinary("RETR f")` per file
  (TYPE I, PASV, RETR, read to the close, 226). Files/s: N over the time from the first RETR to
  the last 226.
- curl: one curl process given every URL in a --config file; it keeps the control connection
  (EPSV, SIZE, RETR per file; CWD and TYPE once). Files/s: N over the process's run (its login
  included, ~1 ms). curl 7.88.1 sometimes waits 1 s before it connects a data connection (see
  STALL_S), which dominates that figure, so the table also gives "curl per transfer", 1 / the
  median of curl's own %{time_total} over the URLs that did not stall, and the stalls per run.
- curl-backports: the same with the current curl (8.x from bookworm-backports, unpacked by
  scripts/curl-backports.sh; left out with a note when it is not there), which does not stall.

Prints the medians over the rounds, every figure, and the ratio of ftpspecd's median to the best
peer's per client. Run as root for vsftpd.
"""
from __future__ import annotations

import argparse
import ftplib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (bench/run.py: logging, work dir, TIME-WAIT counting)

SIZE = 4096
BASELINE = "ftpspecd-baseline"  # --baseline: a second ftpspecd, from another build tree
DIRECTORY = "small"
# curl 7.88.1 waits a whole second before it connects the data connection when the 229 reply was
# already readable as it sent EPSV (its DO phase ends with no socket to wait on; multi poll
# timeout 1 s). Whether that happens is a race with the server's reply time, so it is counted.
STALL_S = 0.5  # under each server's root: readable by every login


CLOCK_TICK = os.sysconf("SC_CLK_TCK")


def server_cpu_s(pid: int) -> float:
    """CPU seconds of the server: its process (all threads), the children it has reaped, and the
    live session processes below it (forking servers). Clock-tick precision (10 ms)."""
    from tests.peers.launch import descendants
    total = 0
    for each in [pid, *descendants(pid)]:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime (proc(5))
    return total / CLOCK_TICK


def make_files(root: Path, count: int) -> list[str]:
    directory = root / DIRECTORY
    directory.mkdir(exist_ok=True)
    os.chmod(directory, 0o755)
    payload = bytes(ord("a") + i % 26 for i in range(SIZE))
    names = []
    for index in range(count):
        name = f"f{index}.dat"
        (directory / name).write_bytes(payload)
        os.chmod(directory / name, 0o644)
        names.append(name)
    return names


def run_ftplib(peer, names: list[str]) -> float | None:
    """Files/s over one ftplib session, or None when a file came short or a command failed."""
    received = 0

    def sink(block: bytes) -> None:
        nonlocal received
        received += len(block)

    try:
        with ftplib.FTP() as ftp:
            ftp.connect(peer.host, peer.port, timeout=30)
            ftp.login(peer.user, peer.password)
            ftp.cwd(DIRECTORY)
            start = time.perf_counter()
            for name in names:
                ftp.retrbinary(f"RETR {name}", sink)
            elapsed = time.perf_counter() - start
            ftp.quit()
    except (OSError, ftplib.Error) as error:
        bench.log(f"    ftplib failed: {error}")
        return None
    if received != SIZE * len(names):
        bench.log(f"    ftplib received {received} of {SIZE * len(names)} bytes")
        return None
    return len(names) / elapsed


class CurlRun(NamedTuple):
    files_per_s: float  # N over the process's whole run
    per_transfer_per_s: float  # 1 / median of curl's own time_total over the URLs that did not stall
    stalls: int  # transfers whose data connection waited STALL_S or more before it started


def run_curl(peer, names: list[str], work: Path, curl: bench.Curl) -> CurlRun | None:
    """One curl process fetching every URL over one control connection."""
    config = work / f"{curl.name}-{peer.name}-{peer.port}.conf"
    with open(config, "w") as out:
        for name in names:
            out.write(f'url = "{peer.url}/{DIRECTORY}/{name}"\noutput = "/dev/null"\n')
    start = time.perf_counter()
    result = subprocess.run([curl.program, "-sS", "--config", str(config), "-w",
                             "%{size_download} %{time_total} %{time_pretransfer}\n"],
                            capture_output=True, text=True, timeout=1800)
    elapsed = time.perf_counter() - start
    rows = [line.split() for line in result.stdout.splitlines() if line.strip()]
    got = sum(int(row[0]) for row in rows)
    if result.returncode != 0 or got != SIZE * len(names):
        bench.log(f"    {curl.name} failed ({result.returncode}, {got} of {SIZE * len(names)} bytes): "
                  f"{result.stderr.strip()[:300]}")
        return None
    stalled = [float(row[2]) >= STALL_S for row in rows]
    # The median over the transfers that did not stall: with the stalls in, it would move with
    # their number (a run with 40 % stalls has its median at the 83rd percentile of the others).
    smooth = [float(row[1]) for row, stall in zip(rows, stalled) if not stall] or [float(row[1]) for row in rows]
    return CurlRun(len(names) / elapsed, 1 / statistics.median(smooth), sum(stalled))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    bench.add_common_arguments(parser, "release")
    parser.add_argument("--peers", default="ftpspecd,vsftpd,proftpd,pure-ftpd",
                        help="comma-separated; pyftpdlib may be added")
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--curl-files", type=int, default=50,
                        help="URLs per run of Debian 12's curl (each 1 s stall costs as much as ~2,000 transfers)")
    parser.add_argument("--backports-curl-files", type=int, default=300, help="URLs per run of curl-backports")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", default="ftplib,curl,curl-backports")
    parser.add_argument("--baseline", metavar="BUILD_DIR",
                        help="also run the ftpspecd of this build tree, as 'ftpspecd-baseline' (before/after in one run)")
    args = parser.parse_args()
    bench.use_build_dir(args.build_dir)
    from tests.peers.launch import PeerUnavailable, start_peer

    names = args.peers.split(",")
    if args.baseline:
        names.insert(1, BASELINE)
    wanted = args.clients.split(",")
    available_curls = bench.curls()
    curls = [available_curls[c] for c in ("curl", "curl-backports") if c in wanted and c in available_curls]
    for name in sorted(set(wanted) - set(available_curls) - {"ftplib"}):
        bench.log(f"{name}: not available" + (" (scripts/curl-backports.sh unpacks it)" if name == "curl-backports" else ""))
    clients = (["ftplib"] if "ftplib" in wanted else []) + [curl.name for curl in curls]
    # "<curl> per transfer": 1 / median of curl's time_total per URL (without the stalls' weight).
    series = clients + [f"{curl.name} per transfer" for curl in curls]
    figures = {kind: {name: [] for name in names} for kind in series}
    stalls: dict[str, dict[str, list[int]]] = {curl.name: {name: [] for name in names} for curl in curls}
    cpu: dict[str, list[float]] = {name: [] for name in names}  # server CPU us per file, ftplib runs
    time_wait: list[int] = []
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="bench-small-", dir=args.work_dir) as work_text:
        work = Path(work_text)
        os.chmod(work, 0o755)
        peers = {}
        files: list[str] = []
        for name in names:
            root = work / name
            root.mkdir()
            os.chmod(root, 0o755)
            files = make_files(root, args.files)
            try:
                if name == BASELINE:
                    bench.use_build_dir(args.baseline)
                    peers[name] = stack.enter_context(start_peer("ftpspecd", root))
                    bench.use_build_dir(args.build_dir)
                else:
                    peers[name] = stack.enter_context(start_peer(name, root))
            except PeerUnavailable as error:
                bench.log(f"{name}: {error}")
        order = list(peers)
        for round_number in range(args.rounds):
            shift = round_number % len(order)
            turn = order[shift:] + order[:shift]
            time_wait.append(bench.time_wait_sockets())
            bench.log(f"round {round_number + 1} of {args.rounds} ({time_wait[-1]} TIME-WAIT sockets): {', '.join(turn)}")
            for name in turn:
                if "ftplib" in clients:
                    before = server_cpu_s(peers[name].process.pid)
                    speed = run_ftplib(peers[name], files)
                    time.sleep(0.1)  # a forking server reaps the session process: its time moves to cutime
                    cpu_us = (server_cpu_s(peers[name].process.pid) - before) * 1e6 / len(files)
                    if speed:
                        figures["ftplib"][name].append(speed)
                        cpu[name].append(cpu_us)
                    bench.log(f"  {name} ftplib: {speed or 0:,.0f} files/s, server CPU {cpu_us:,.0f} us per file")
                for curl in curls:
                    count = args.backports_curl_files if curl.name == "curl-backports" else args.curl_files
                    run = run_curl(peers[name], files[:count], work, curl)
                    if run:
                        figures[curl.name][name].append(run.files_per_s)
                        figures[f"{curl.name} per transfer"][name].append(run.per_transfer_per_s)
                        stalls[curl.name][name].append(run.stalls)
                        bench.log(f"  {name} {curl.name}: {run.files_per_s:,.0f} files/s, {run.per_transfer_per_s:,.0f} "
                                  f"per transfer, {run.stalls} stalls of 1 s")

    summary = {}
    print(f"\n4 KiB RETR in stream mode, one session ({args.files:,} files with ftplib, {args.curl_files:,} with curl, "
          f"{args.backports_curl_files:,} with curl-backports), "
          f"{args.rounds} alternating rounds (files/s)" +
          "".join(f"; {curl.name} is {curl.version}" for curl in curls) + "\n")
    print("| client | server | median | runs |")
    print("|---|---|---|---|")
    for client in series:
        medians = {}
        for name, values in figures[client].items():
            if not values:
                continue
            medians[name] = statistics.median(values)
            runs = " ".join(f"{v:,.0f}" for v in values)
            print(f"| {client} | {name} | {medians[name]:,.0f} | {runs} |")
        peers_only = {n: m for n, m in medians.items() if not n.startswith("ftpspecd")}
        if "ftpspecd" in medians and peers_only:
            best = max(peers_only, key=peers_only.get)
            summary[client] = {"best_peer": best, "ratio": medians["ftpspecd"] / peers_only[best],
                               "medians": medians}
            if BASELINE in medians:
                summary[client]["baseline_ratio"] = medians[BASELINE] / peers_only[best]
    if "ftplib" in clients:
        print("\nserver CPU per file during the ftplib runs (us, median): " +
              "; ".join(f"{n} {statistics.median(v):,.0f}" for n, v in cpu.items() if v))
    for curl, by_server in stalls.items():
        print(f"\n{curl} stalls of 1 s per run: " + "; ".join(f"{n} {' '.join(map(str, v))}" for n, v in by_server.items() if v))
    print()
    for client, s in summary.items():
        print(f"{client}: ftpspecd / best peer ({s['best_peer']}), by median: {s['ratio']:.2f}x")
        if "baseline_ratio" in s:
            print(f"{client}: {BASELINE} / best peer ({s['best_peer']}), by median: {s['baseline_ratio']:.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps({"files": args.files, "size": SIZE, "rounds": args.rounds,
                                               "curl_files": args.curl_files, "backports_curl_files": args.backports_curl_files,
                                               "curl_versions": {curl.name: curl.version for curl in curls}, "figures": figures, "summary": summary, "curl_stalls": stalls, "server_cpu_us_per_file_ftplib": cpu,
                                               "time_wait_at_round_start": time_wait}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
