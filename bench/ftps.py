#!/usr/bin/python3
"""FTPS benchmarks (RFC 4217 explicit FTP over TLS, PROT P): ftpspecd beside vsftpd, ProFTPD
(mod_tls) and pure-ftpd, all started at once and measured in alternating rounds, so a slow
minute of the machine hits every server alike. Prints each metric's median per server and the
ratio of ftpspecd to the best peer (docs/performance.md, "FTPS").

    /usr/bin/python3 bench/ftps.py [--build-dir build/release] [--peers ftpspecd,vsftpd,...]
                                   [--only retr,stor,small,sessions,curl-small] [--rounds 3]
                                   [--quick] [--json results.json]

Rows, per round and server:
  retr, stor   1 GiB with curl --ssl-reqd (AUTH TLS, PBSZ 0, PROT P), from /dev/shm
  small        500 x 4 KiB RETR in one Python ftplib session; every data connection is a TLS
               handshake that resumes the control connection's session (RFC 4217 §10.2)
  curl-small   the same 500 files with one curl, which keeps one control connection and reuses
               the TLS session on each data connection: the current curl (8.x) that
               scripts/curl-backports.sh unpacks. Without it the row is left out by default:
               Debian 12's curl 7.88 waits 0.2-1 s per file here (between its ClientHello on the
               data connection and the replies to TYPE/SIZE), against every server alike, so its
               1-3 files/s measure curl only (`--only ...,curl-small` still runs it).
  sessions     1,000 concurrent sessions: each logs in over AUTH TLS + PBSZ 0 + PROT P; when all
               are in, the server's RSS (its process and descendants) is read, then each does
               NOOP and one 4 KiB RETR and quits. Failures are counted. Runs after all the
               transfer rounds; the RSS per session is the first round's (a fresh server).
The forking peers get their session limit raised to the session count (ProFTPD MaxInstances,
pure-ftpd -c; vsftpd as launched has none). Run as root.
"""
from __future__ import annotations

import argparse
import ftplib
import json
import os
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (bench/run.py: curl transfers, test files, RSS of a process tree)

CURL_TLS = ("--ssl-reqd", "-k")  # explicit AUTH TLS, then PBSZ 0 + PROT P; self-signed peers
SMALL_FILES, SMALL_SIZE = 500, 4096
SESSIONS = 1000
CONNECTING_AT_ONCE = 64  # handshakes in flight: a listen backlog never overflows into SYN retries
# (key, label, unit, higher_is_better)
METRICS = [
    ("retr_mbps", "RETR {size} PROT P (curl)", "MB/s", True),
    ("stor_mbps", "STOR {size} PROT P (curl -T)", "MB/s", True),
    ("small_files_per_s", "{files} x 4 KiB RETR PROT P, 1 session (ftplib, session reuse)", "files/s", True),
    ("curl_small_files_per_s", "{files} x 4 KiB RETR PROT P, 1 session ({curl})", "files/s", True),
    ("sessions_per_s", "{sessions} concurrent TLS logins", "logins/s", True),
    ("sessions_failed", "{sessions} concurrent TLS sessions, failed", "", False),
    ("idle_kib_per_session", "RSS per logged-in TLS session (at {sessions})", "KiB", False),
]


def client_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the peers' certificates are throwaway self-signed ones
    return context


class ReusingFTP_TLS(ftplib.FTP_TLS):
    """FTP_TLS whose data connections resume the control connection's TLS session, as RFC 4217
    §10.2 recommends and vsftpd (require_ssl_reuse) and ProFTPD (mod_tls) require."""

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session)
        return conn, size


def login_tls(peer, timeout: float = 60) -> ReusingFTP_TLS:
    """Connected, AUTH TLS, logged in, PBSZ 0 + PROT P (RFC 4217 §4, §8, §9)."""
    ftp = ReusingFTP_TLS(context=client_context(), timeout=timeout)
    try:
        ftp.connect(peer.host, peer.port)
        ftp.auth()
        ftp.login(peer.user, peer.password)
        ftp.prot_p()
    except BaseException:
        ftp.close()
        raise
    return ftp


def ftp_dir(peer, name: str) -> str:
    return f"{peer.writable_dir.rstrip('/')}/{name}"


def bench_small(peer, files: int) -> float | None:
    """Files per second, one session, one TLS data connection per file."""
    sink = bytearray()
    try:
        ftp = login_tls(peer)
        try:
            ftp.cwd(ftp_dir(peer, "small"))
            start = time.perf_counter()
            for index in range(files):
                sink.clear()
                ftp.retrbinary(f"RETR ftpspec-load-{index}.dat", sink.extend)
                if len(sink) != SMALL_SIZE:
                    raise ftplib.Error(f"file {index}: {len(sink)} bytes")
            elapsed = time.perf_counter() - start
            ftp.quit()
        finally:
            ftp.close()
    except (OSError, ftplib.Error, EOFError) as error:
        bench.log(f"    {peer.name}: small files failed: {error!r}")
        return None
    return files / elapsed


def bench_curl_small(peer, files: int, work: Path, curl: bench.Curl) -> float | None:
    """Files per second with one curl for every URL: one control connection, TLS session reused."""
    config = work / f"curl-{peer.name}.conf"
    base = f"{peer.url}{ftp_dir(peer, 'small')}"
    config.write_text("".join(f'url = "{base}/ftpspec-load-{i}.dat"\noutput = "/dev/null"\n' for i in range(files)))
    start = time.perf_counter()
    result = subprocess.run([curl.program, "-sS", *CURL_TLS, "-K", str(config)], capture_output=True, text=True,
                                  timeout=300)
    elapsed = time.perf_counter() - start
    config.unlink()
    if result.returncode != 0:
        bench.log(f"    {peer.name}: {curl.name} failed ({result.returncode}): {result.stderr.strip()[:300]}")
        return None
    return files / elapsed


class SessionCrowd:
    """`count` concurrent FTPS sessions, one thread each: log in (TLS, PROT P), wait until the
    caller has looked at the idle crowd, then NOOP, RETR one small file, QUIT."""

    def __init__(self, peer, count: int, directory: str) -> None:
        self.peer, self.count, self.directory = peer, count, directory
        self.connecting = threading.Semaphore(CONNECTING_AT_ONCE)
        self.lock = threading.Lock()
        self.logged_in = self.failed = self.done = 0
        self.errors: dict[str, int] = {}
        self.reported = threading.Condition(self.lock)
        self.go = threading.Event()

    def _fail(self, error: BaseException) -> None:
        with self.lock:
            self.failed += 1
            kind = f"{type(error).__name__}: {str(error)[:80]}"
            self.errors[kind] = self.errors.get(kind, 0) + 1
            self.reported.notify_all()

    def _session(self, index: int) -> None:
        try:
            with self.connecting:
                ftp = login_tls(self.peer)
        except Exception as error:  # noqa: BLE001  (every failure counts, whatever it is)
            self._fail(error)
            return
        try:
            with self.lock:
                self.logged_in += 1
                self.reported.notify_all()
            self.go.wait()
            ftp.voidcmd("NOOP")
            sink = bytearray()
            ftp.retrbinary(f"RETR {self.directory}/ftpspec-load-{index % 16}.dat", sink.extend)
            if len(sink) != SMALL_SIZE:
                raise ftplib.Error(f"RETR got {len(sink)} bytes")
            ftp.quit()
            with self.lock:
                self.done += 1
                self.reported.notify_all()
        except Exception as error:  # noqa: BLE001
            self._fail(error)
        finally:
            ftp.close()

    def run(self, pid: int, deadline_s: float = 300) -> dict:
        threading.stack_size(256 << 10)
        baseline = bench.tree_rss_kib(pid)
        threads = [threading.Thread(target=self._session, args=(i,), daemon=True) for i in range(self.count)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + deadline_s
        with self.lock:
            while self.logged_in + self.failed < self.count and time.monotonic() < deadline:
                self.reported.wait(1)
            login_s = time.perf_counter() - start
            held = self.logged_in
        time.sleep(1.0)  # let the server settle after the last 230
        idle = bench.tree_rss_kib(pid)
        self.go.set()
        for thread in threads:
            thread.join(max(1.0, deadline - time.monotonic()))
        result = {"sessions_requested": self.count, "sessions_logged_in": held,
                  "sessions_per_s": held / login_s if held else None,
                  "sessions_failed": self.count - self.done, "session_errors": self.errors}
        if held:
            result["idle_kib_per_session"] = round((idle - baseline) / held, 1)
        return result


def bench_sessions(peer, count: int) -> dict:
    crowd = SessionCrowd(peer, count, ftp_dir(peer, "small"))
    result = crowd.run(peer.process.pid)
    settle(peer.process.pid)
    if result["sessions_failed"]:
        bench.log(f"    {peer.name}: {result['sessions_failed']} failed: {result['session_errors']}")
    return result


def rotated(peers: dict, round_number: int) -> list:
    """The servers in order, starting one further each round (no server always goes first)."""
    items = list(peers.items())
    shift = (round_number - 1) % len(items) if items else 0
    return items[shift:] + items[:shift]


def settle(pid: int, longest_s: float = 60) -> None:
    """Waits until the server's session processes have exited (forking servers), so the next
    server's crowd does not share the machine with 1,000 exiting processes."""
    deadline = time.monotonic() + longest_s
    while len(bench.process_tree(pid)) > 3 and time.monotonic() < deadline:
        time.sleep(0.5)


def summarize(figures: dict[str, dict[str, list[float]]]) -> dict[str, dict]:
    """Per metric: each server's median, the best peer, and ftpspecd's ratio to it."""
    summary = {}
    for key, _, _, higher in METRICS:
        medians = {name: statistics.median(values) for name, values in figures.get(key, {}).items() if values}
        peers = {name: value for name, value in medians.items() if name != "ftpspecd"}
        entry: dict = {"medians": medians}
        if "ftpspecd" in medians and peers:
            best = (max if higher else min)(peers, key=peers.get)
            entry["best_peer"] = best
            ours, theirs = medians["ftpspecd"], peers[best]
            if higher:
                entry["ratio"] = ours / theirs if theirs else None
            else:  # lower is better: ratio above 1 means ftpspecd is better, as for the other rows
                entry["ratio"] = theirs / ours if ours else (1.0 if theirs == 0 else None)
        summary[key] = entry
    return summary


def print_table(names: list[str], summary: dict, labels: dict) -> None:
    print("| metric | " + " | ".join(names) + " | ftpspecd vs best peer |")
    print("|---|" + "---|" * len(names) + "---|")
    for key, label, unit, higher in METRICS:
        entry = summary.get(key)
        if not entry or not entry["medians"]:
            continue
        cells = [bench.fmt_value(entry["medians"].get(name)) for name in names]
        ratio = ""
        if entry.get("ratio") is not None:
            ratio = f"{entry['ratio']:.2f}x of {entry['best_peer']}"
            if not higher:
                ratio += " (best / ours)"
        unit_text = f" ({unit})" if unit else ""
        print(f"| {label.format(**labels)}{unit_text} | " + " | ".join(cells) + f" | {ratio} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    bench.add_common_arguments(parser, "release")
    parser.add_argument("--peers", default="ftpspecd,vsftpd,proftpd,pure-ftpd")
    parser.add_argument("--only", help="default: retr,stor,small,curl-small,sessions "
                        "(curl-small only with the curl of scripts/curl-backports.sh)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="64 MiB transfers, 50 small files, 50 sessions")
    parser.add_argument("--size-mib", type=int, help="transfer size (default 1024, --quick 64)")
    parser.add_argument("--files", type=int, help=f"small files (default {SMALL_FILES})")
    parser.add_argument("--sessions", type=int, help=f"concurrent sessions (default {SESSIONS})")
    args = parser.parse_args()
    size_mib = args.size_mib or (64 if args.quick else 1024)
    files = args.files or (50 if args.quick else SMALL_FILES)
    sessions = args.sessions or (50 if args.quick else SESSIONS)
    curls = bench.curls()
    # The small-files row with curl wants the current curl (module docstring); 7.88 on request.
    curl = curls.get("curl-backports") or curls["curl"]
    if args.only:
        only = set(args.only.split(","))
    else:
        only = {"retr", "stor", "small", "sessions"} | ({"curl-small"} if curl.name == "curl-backports" else set())
        if "curl-small" not in only:
            bench.log("curl-small: left out (Debian 12's curl measures itself; scripts/curl-backports.sh unpacks a current one)")
    bench.use_build_dir(args.build_dir)
    bench.raise_descriptor_limit()
    from tests.peers.launch import PeerUnavailable, start_peer

    names = args.peers.split(",")
    # pure-ftpd -c 60 greeted only 38 of 50 concurrent TLS clients (the rest waited without a 220),
    # -c 500 all of them: the limits get twice the session count.
    max_sessions = 2 * sessions + 10
    figures: dict[str, dict[str, list[float]]] = {key: {name: [] for name in names} for key, *_ in METRICS}
    details: dict[str, list[dict]] = {name: [] for name in names}
    unavailable: dict[str, str] = {}
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="bench-ftps-", dir=args.work_dir) as work_text:
        work = Path(work_text)
        source = work / "source.bin"
        if only & {"retr", "stor"}:
            bench.write_transfer_source(source, size_mib << 20)
            os.sync()
        peers = {}
        for name in names:
            root = work / name
            root.mkdir()
            os.chmod(root, 0o755)
            try:
                peer = stack.enter_context(start_peer(name, root, max_sessions=max_sessions))
            except PeerUnavailable as error:
                unavailable[name] = str(error)
                bench.log(f"{name}: {error}")
                continue
            if not peer.tls:
                unavailable[name] = "no AUTH TLS"
                continue
            peers[name] = peer
            bench.make_files(peer.local_path(ftp_dir(peer, "small")), max(files, 16), SMALL_SIZE)
        def record(key: str, name: str, value: float | None) -> None:
            if value is not None:
                figures[key][name].append(value)

        # The transfers first, all rounds, then the crowds: a forking server's 1,000 exiting
        # processes would slow whatever runs next. Each round starts with the next server.
        for round_number in range(1, args.rounds + 1):
            bench.log(f"transfers, round {round_number} of {args.rounds}")
            for name, peer in rotated(peers, round_number):
                writable = peer.local_path(peer.writable_dir)
                if "retr" in only:
                    record("retr_mbps", name, bench.bench_retr(peer, writable, source, 1, CURL_TLS))
                if "stor" in only:
                    record("stor_mbps", name, bench.bench_stor(peer, writable, source, 1, CURL_TLS))
                if "small" in only:
                    record("small_files_per_s", name, bench_small(peer, files))
                if "curl-small" in only:
                    record("curl_small_files_per_s", name, bench_curl_small(peer, files, work, curl))
        for round_number in range(1, args.rounds + 1 if "sessions" in only else 1):
            bench.log(f"sessions, round {round_number} of {args.rounds}")
            for name, peer in rotated(peers, round_number):
                bench.log(f"  {name}: {sessions} sessions")
                result = bench_sessions(peer, sessions)
                details[name].append(result)
                for key in ("sessions_per_s", "sessions_failed"):
                    record(key, name, result.get(key))
                if round_number == 1:
                    # A fresh process only: later rounds reuse the heap the first crowd left.
                    record("idle_kib_per_session", name, result.get("idle_kib_per_session"))
        for name in peers:
            shutil.rmtree(work / name, ignore_errors=True)

    summary = summarize(figures)
    present = [name for name in names if name not in unavailable]
    labels = {"size": f"{size_mib} MiB" if size_mib < 1024 else f"{size_mib // 1024} GiB",
              "files": f"{files:,}", "sessions": f"{sessions:,}", "curl": curl.version}
    print(f"FTPS, explicit AUTH TLS + PROT P, medians of {args.rounds} alternating rounds\n")
    print_table(present, summary, labels)
    for name, reason in unavailable.items():
        print(f"\n{name}: not measured ({reason})")
    if args.json:
        Path(args.json).write_text(json.dumps({"figures": figures, "summary": summary, "sessions": details,
                                               "unavailable": unavailable, "size_mib": size_mib,
                                               "files": files, "session_count": sessions,
                                               "rounds": args.rounds, "curl_small_with": curl.version}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
