#!/usr/bin/env python3
"""Soak test: minutes of mixed FTP load against ftpspecd, watching its memory and descriptors.

Starts the built ftpspecd (--build-dir, default $FTPSPEC_BUILD_DIR or build/main) on a temporary
root, then runs load in rounds until --minutes have passed:
  * `ftpspec load` (the perf engineer's load generator) when the build has it, with a mix of
    RETR, STOR, LIST, NLST and NOOP over several sessions; otherwise ftplib threads doing the same;
  * alongside, a churn thread opening and dropping connections (some mid-login, some with RST),
    the pattern that leaks descriptors when a server forgets a session.
Every --interval seconds (default 10) it samples VmRSS from /proc/PID/status and the number of
open descriptors from /proc/PID/fd, prints a table, and ends with a verdict: "no growth" when the
last third's maximum is at most the first third's maximum x 1.1 plus a small absolute slack
(4 MiB of RSS, 8 descriptors); "GROWTH" otherwise (exit status 1). CI does not run this.

Usage: /usr/bin/python3 bench/soak.py [--minutes 30] [--build-dir build/main] [--sessions 8]
"""
from __future__ import annotations

import argparse
import ftplib
import io
import json
import os
import pathlib
import random
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

USER, PASSWORD = "soak", "soak"
RSS_SLACK_KB = 4096
FD_SLACK = 8


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--build-dir", default=os.environ.get("FTPSPEC_BUILD_DIR", "build/main"))
    parser.add_argument("--sessions", type=int, default=8, help="concurrent load sessions")
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--round", type=int, default=60, help="seconds per load round")
    parser.add_argument("--load-tool", help="the `ftpspec` binary with the load subcommand (default: BUILD_DIR/engine/ftpspec)")
    parser.add_argument("--no-load-tool", action="store_true", help="use ftplib threads even if `ftpspec load` exists")
    return parser.parse_args()


class Server:
    def __init__(self, binary: pathlib.Path, root: pathlib.Path, workdir: pathlib.Path):
        config = workdir / "ftpspecd.conf"
        config.write_text(f"idle_timeout = 30\ndata_timeout = 10\nlogin_failure_delay_ms = 0\nuser {USER} {PASSWORD}\n")
        self.process = subprocess.Popen([str(binary), "--listen", "127.0.0.1:0", "--root", str(root),
                                         "--config", str(config)], stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("ftpspecd listening on "):
            self.process.kill()
            raise SystemExit(f"ftpspecd did not start: {line!r}")
        self.port = int(line.rsplit(":", 1)[1])

    def sample(self) -> tuple[int, int]:
        """(VmRSS in KiB, open descriptors)."""
        pid = self.process.pid
        rss = 0
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        return rss, len(os.listdir(f"/proc/{pid}/fd"))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Counter:
    def __init__(self):
        self.ok = 0
        self.errors = 0
        self.lock = threading.Lock()

    def add(self, ok: bool) -> None:
        with self.lock:
            if ok:
                self.ok += 1
            else:
                self.errors += 1


def churn(port: int, stop: threading.Event, counter: Counter) -> None:
    """Connections that vanish: before the greeting, mid-login, with an RST."""
    rng = random.Random(1)
    while not stop.is_set():
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            kind = rng.randrange(3)
            if kind == 1:
                sock.recv(1024)
                sock.sendall(f"USER {USER}\r\n".encode())
            elif kind == 2:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            counter.add(True)
        except OSError:
            counter.add(False)
        time.sleep(0.02)


def ftplib_worker(port: int, stop: threading.Event, counter: Counter, index: int) -> None:
    """The fallback load: one session doing STOR, RETR, LIST, NLST and NOOP in a loop."""
    rng = random.Random(index)
    data = bytes(rng.randrange(256) for _ in range(16384))
    while not stop.is_set():
        try:
            with ftplib.FTP() as ftp:
                ftp.connect("127.0.0.1", port, timeout=10)
                ftp.login(USER, PASSWORD)
                for _ in range(20):
                    if stop.is_set():
                        break
                    name = f"soak-{index}-{rng.randrange(8)}.bin"
                    operation = rng.choice(["stor", "retr", "list", "nlst", "noop"])
                    if operation == "stor":
                        ftp.storbinary(f"STOR {name}", io.BytesIO(data))
                    elif operation == "retr":
                        try:
                            ftp.retrbinary(f"RETR {name}", lambda _: None)
                        except ftplib.error_perm:
                            pass  # not uploaded yet
                    elif operation == "list":
                        ftp.retrlines("LIST", lambda _: None)
                    elif operation == "nlst":
                        ftp.nlst()
                    else:
                        ftp.voidcmd("NOOP")
                    counter.add(True)
        except (ftplib.Error, OSError, EOFError):
            counter.add(False)


def load_rounds(args, tool: pathlib.Path | None, server: Server, root: pathlib.Path, stop: threading.Event,
                counter: Counter) -> None:
    """Runs `ftpspec load` round after round (emptying the upload folder between rounds)."""
    while not stop.is_set():
        for stale in root.glob("ftpspec-load-up-*"):
            stale.unlink(missing_ok=True)
        process = subprocess.Popen(
            [str(tool), "load", "--target", f"ftp://{USER}:{PASSWORD}@127.0.0.1:{server.port}",
             "--sessions", str(args.sessions), "--duration", str(args.round), "--threads", "1",
             "--mix", "retr:35,stor:25,list:15,nlst:10,noop:15", "--file-size", "16384", "--json"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + args.round + 120
        while process.poll() is None and not stop.is_set() and time.monotonic() < deadline:
            time.sleep(0.5)
        if process.poll() is None:  # the soak is over (or the round hung): end it
            process.terminate()
            process.communicate(timeout=10)
            break
        stdout, stderr = process.communicate(timeout=10)
        try:  # the load report's totals: operations done and failed this round
            report = json.loads(stdout)
            with counter.lock:
                counter.ok += int(report["ok"])
                counter.errors += int(report["failed"])
        except (ValueError, KeyError, TypeError):
            counter.add(False)
        if process.returncode != 0:
            print(f"soak: ftpspec load exited {process.returncode}: {stderr.strip()[-300:]}", file=sys.stderr)
            time.sleep(1)


def verdict(samples: list[tuple[float, int, int]]) -> tuple[bool, str]:
    third = max(1, len(samples) // 3)
    first, last = samples[:third], samples[-third:]
    lines, ok = [], True
    for label, column, slack in (("RSS KiB", 1, RSS_SLACK_KB), ("fds", 2, FD_SLACK)):
        first_max = max(s[column] for s in first)
        last_max = max(s[column] for s in last)
        bound = first_max * 1.1 + slack
        grew = last_max > bound
        ok &= not grew
        lines.append(f"{label}: first third max {first_max}, last third max {last_max}, bound {bound:.0f}"
                     f" -> {'GROWTH' if grew else 'ok'}")
    return ok, "\n".join(lines)


def main() -> int:
    args = parse_args()
    build = pathlib.Path(args.build_dir)
    binary = build / "reference_server" / "ftpspecd"
    tool = pathlib.Path(args.load_tool) if args.load_tool else build / "engine" / "ftpspec"
    if not binary.exists():
        raise SystemExit(f"no ftpspecd at {binary} (--build-dir)")
    use_tool = not args.no_load_tool and tool.exists() and subprocess.run(
        [str(tool), "load", "--help"], capture_output=True).returncode == 0
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="ftpspec-soak-"))
    root = workdir / "root"
    root.mkdir()
    server = Server(binary, root, workdir)
    stop = threading.Event()
    load_counter, churn_counter = Counter(), Counter()
    threads = [threading.Thread(target=churn, args=(server.port, stop, churn_counter), daemon=True)]
    if use_tool:
        threads.append(threading.Thread(target=load_rounds, args=(args, tool, server, root, stop, load_counter), daemon=True))
    else:
        threads += [threading.Thread(target=ftplib_worker, args=(server.port, stop, load_counter, i), daemon=True)
                    for i in range(args.sessions)]
    print(f"soak: ftpspecd pid {server.process.pid} port {server.port}; load: "
          f"{'ftpspec load' if use_tool else 'ftplib threads'} x {args.sessions} sessions + connection churn; "
          f"{args.minutes} min", flush=True)
    for thread in threads:
        thread.start()
    samples: list[tuple[float, int, int]] = []
    start = time.monotonic()
    print(f"{'t (s)':>7} {'RSS KiB':>9} {'fds':>5} {'ops ok/err':>12} {'churn ok/err':>13}", flush=True)
    try:
        while time.monotonic() - start < args.minutes * 60:
            time.sleep(args.interval)
            if server.process.poll() is not None:
                print(f"soak: ftpspecd DIED with status {server.process.returncode}")
                return 1
            rss, fds = server.sample()
            elapsed = time.monotonic() - start
            samples.append((elapsed, rss, fds))
            print(f"{elapsed:7.0f} {rss:9d} {fds:5d} {load_counter.ok:>6}/{load_counter.errors:<5} "
                  f"{churn_counter.ok:>7}/{churn_counter.errors:<5}", flush=True)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    ok, details = verdict(samples)
    print(details)
    print("verdict: no growth" if ok else "verdict: GROWTH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
