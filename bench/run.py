#!/usr/bin/python3
"""Side-by-side benchmarks of ftpspecd and the peer FTP servers, one server at a time, with the
same clients in one run (docs/performance.md has the results and how to read them).

    /usr/bin/python3 bench/run.py [--build-dir build/perf] [--peers ftpspecd,vsftpd,...]
                                  [--only retr,stor,small,concurrent,idle,codec] [--quick]
                                  [--json results.json]

Per server: RETR and STOR of 1 GiB with curl (best of --repeat runs), 2,000 x 4 KiB RETR in one
session with `ftpspec load` as the client (in stream mode, then with `--mode best`: MODE B and one
kept data connection where the server accepts it), 100 sessions doing LIST + RETR with `ftpspec load`,
and the server's RSS per logged-in idle session (10,000 sessions for ftpspecd; forking servers
are capped, and the figure is per session either way). Then codec MB/s from codec_bench.
Prints a Markdown table with the ratio ftpspecd / best peer. Run as root for every peer.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

GIB = 1 << 30
SMALL_FILES, SMALL_SIZE = 2000, 4096
IDLE_SESSIONS = {"ftpspecd": 10_000, "pyftpdlib": 500}  # pyftpdlib's default max_cons is 512
IDLE_SESSIONS_FORKING = 50  # vsftpd, proftpd, pure-ftpd: a process per session (pure-ftpd allows 50, ProFTPD 30 as launched)
CONCURRENT_SESSIONS, CONCURRENT_SECONDS = 100, 5
# (key, label, unit, higher_is_better)
METRICS = [
    ("retr_mbps", "RETR 1 GiB (curl)", "MB/s", True),
    ("stor_mbps", "STOR 1 GiB (curl -T)", "MB/s", True),
    ("small_files_per_s", "2,000 x 4 KiB RETR, 1 session", "files/s", True),
    ("small_files_best_per_s", "the same, `--mode best` (MODE B where the server offers it)", "files/s", True),
    ("concurrent_ops_per_s", f"{CONCURRENT_SESSIONS} sessions LIST+RETR", "ops/s", True),
    ("concurrent_p99_ms", f"{CONCURRENT_SESSIONS} sessions, p99 RETR", "ms", False),
    ("concurrent_failed", f"{CONCURRENT_SESSIONS} sessions, failed ops", "", False),
    ("idle_kib_per_session", "RSS per idle session", "KiB", False),
]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- measurements against one running peer ---------------------------------------------------

def ftp_url(peer, path: str) -> str:
    return f"{peer.url}{path}"


class Curl(NamedTuple):
    """A curl program to measure with."""
    name: str  # how --clients and the tables call it: "curl" or "curl-backports"
    program: str
    version: str  # "curl 8.14.1"


def curls() -> dict[str, Curl]:
    """Debian 12's curl (7.88.1) and, when scripts/curl-backports.sh has unpacked it, the current
    curl from bookworm-backports: 7.88.1 sometimes waits 1 s before a data connection (and over
    FTPS 0.2-1 s per file), which decides any loopback figure of many small files."""
    from tests.peers.launch import peers_dir
    candidates = {"curl": shutil.which("curl"), "curl-backports": str(peers_dir() / "curl-backports" / "curl")}
    found = {}
    for name, program in candidates.items():
        if not program or not os.access(program, os.X_OK):
            continue
        result = subprocess.run([program, "--version"], capture_output=True, text=True)
        if result.returncode == 0 and result.stdout.startswith("curl "):
            found[name] = Curl(name, program, " ".join(result.stdout.split()[:2]))
    return found


def curl_speed(args: list[str], field: str, timeout: float = 300) -> float | None:
    """Bytes/s that curl reports in -w %{field}, None when curl failed."""
    result = subprocess.run(["curl", "-sS", "--max-time", str(int(timeout)), "-w", f"%{{{field}}}", *args],
                            capture_output=True, text=True, timeout=timeout + 10)
    if result.returncode != 0:
        log(f"    curl failed ({result.returncode}): {result.stderr.strip()}")
        return None
    return float(result.stdout.strip() or 0)


def bench_retr(peer, writable: Path, source: Path, repeat: int, curl_args: tuple[str, ...] = ()) -> float | None:
    """RETR of `source`, hard-linked into the server's directory: one real file whose pages stay
    in the page cache across servers (a sparse file would measure the kernel zero-filling holes).
    `curl_args` go before the URL (bench/ftps.py: --ssl-reqd -k)."""
    big = writable / "bench-big.bin"
    try:
        os.link(source, big)
    except OSError:
        shutil.copyfile(source, big)
    os.chmod(big, 0o644)
    url = ftp_url(peer, f"{peer.writable_dir.rstrip('/')}/bench-big.bin")
    speeds = [curl_speed([*curl_args, "-o", "/dev/null", url], "speed_download") for _ in range(repeat)]
    big.unlink()
    ok = [s for s in speeds if s]
    return max(ok) / 1e6 if ok else None


def bench_stor(peer, writable: Path, source: Path, repeat: int, curl_args: tuple[str, ...] = ()) -> float | None:
    url = ftp_url(peer, f"{peer.writable_dir.rstrip('/')}/bench-upload.bin")
    speeds = []
    for _ in range(repeat):
        # Every upload starts with no dirty pages: writeback of an earlier file (or of `source`,
        # just written) competing with this one made single runs vary 361-2,862 MB/s (run F).
        os.sync()
        speeds.append(curl_speed([*curl_args, "-T", str(source), url], "speed_upload"))
        uploaded = writable / "bench-upload.bin"
        if uploaded.exists() and uploaded.stat().st_size != source.stat().st_size:
            log(f"    STOR stored {uploaded.stat().st_size} of {source.stat().st_size} bytes")
            speeds[-1] = None
        uploaded.unlink(missing_ok=True)
    ok = [s for s in speeds if s]
    return max(ok) / 1e6 if ok else None


def write_transfer_source(path: Path, size: int) -> None:
    """The file every server sends (RETR) and receives (STOR): `size` bytes of a repeating
    1 MiB pattern, not zeros."""
    block = bytes(range(256)) * 4096
    with open(path, "wb") as f:
        for _ in range(size // len(block)):
            f.write(block)


def default_work_dir() -> str | None:
    """Where the servers' roots and the 1 GiB files go: /dev/shm when it is a tmpfs, so STOR
    measures the server and not this machine's disk. On the ext4 virtual disk, uploads of the
    same server varied 334-2,862 MB/s with the state of writeback and discard (run F)."""
    shm = Path("/dev/shm")
    try:
        with open("/proc/mounts") as mounts:
            if any(line.split()[1:3] == [str(shm), "tmpfs"] for line in mounts):
                return str(shm)
    except OSError:
        pass
    return None  # the system's temporary directory


def add_common_arguments(parser: argparse.ArgumentParser, build_dir: str) -> None:
    """--build-dir, --json and --work-dir, which every side-by-side benchmark here takes."""
    parser.add_argument("--build-dir", default=str(REPO / "build" / build_dir))
    parser.add_argument("--json", help="also write every figure here")
    parser.add_argument("--work-dir", default=default_work_dir(),
                        help="servers' roots and test files (default: /dev/shm if tmpfs, else the temp dir)")


def raise_descriptor_limit(wanted: int = 65536) -> None:
    """Sessions need descriptors here and in the servers, which inherit the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), max(hard, wanted)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def use_build_dir(build_dir: str | Path) -> Path:
    """Makes tests.peers.launch start the ftpspecd of `build_dir`; returns it, absolute."""
    build = Path(build_dir).absolute()
    os.environ["FTPSPEC_BUILD_DIR"] = str(build)
    return build


def make_files(directory: Path, count: int, size: int) -> None:
    directory.mkdir(exist_ok=True)
    os.chmod(directory, 0o755)
    payload = bytes(ord("a") + i % 26 for i in range(size))
    for index in range(count):
        path = directory / f"ftpspec-load-{index}.dat"
        path.write_bytes(payload)
        os.chmod(path, 0o644)


def ftpspec_load(ftpspec: Path, peer, directory: str, *args: str, timeout: float = 180) -> dict | None:
    result = subprocess.run([str(ftpspec), "load", "--target", peer.url, "--dir", directory, "--no-prepare",
                             "--json", *args], capture_output=True, text=True, timeout=timeout)
    if not result.stdout.strip():
        log(f"    ftpspec load failed ({result.returncode}): {result.stderr.strip()}")
        return None
    report = json.loads(result.stdout)
    if report["errors"]:
        log(f"    errors: {report['errors']}")
    return report


def time_wait_sockets() -> int:
    """TCP sockets in TIME-WAIT on this machine: each costs the kernel time when a server binds a
    passive port (docs/performance.md, profile), so the tables report how many there were."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        count += sum(1 for line in lines if line.split()[3] == "06")
    return count


def settle_time_wait(limit: int = 2000, longest_s: float = 75) -> int:
    """Waits (at most the 60 s TIME-WAIT period and a bit) until few sockets are in TIME-WAIT, so
    every server starts the connection-heavy benchmarks from the same kernel state."""
    deadline = time.monotonic() + longest_s
    while time_wait_sockets() > limit and time.monotonic() < deadline:
        time.sleep(2)
    return time_wait_sockets()


def bench_small(ftpspec: Path, peer, writable: Path, mode: str = "S") -> tuple[float | None, str | None]:
    """Files per second, and the mode the session used: with `mode` "best" the client asks for
    MODE B and keeps one data connection open (RFC 959 §3.3) where the server accepts it."""
    make_files(writable / "small", SMALL_FILES, SMALL_SIZE)
    report = ftpspec_load(ftpspec, peer, f"{peer.writable_dir.rstrip('/')}/small", "--sessions", "1",
                          "--mix", "retr:100", "--file-size", str(SMALL_SIZE), "--files", str(SMALL_FILES),
                          "--ops", str(SMALL_FILES), "--duration", "120", "--mode", mode)
    shutil.rmtree(writable / "small", ignore_errors=True)
    if not report or report["ops"].get("retr", {}).get("ok", 0) == 0:
        return None, None
    return report["ops"]["retr"]["ok"] / report["elapsed_s"], "B" if report["block_mode_logins"] else "S"


def bench_concurrent(ftpspec: Path, peer, writable: Path) -> dict:
    make_files(writable / "conc", 16, SMALL_SIZE)
    report = ftpspec_load(ftpspec, peer, f"{peer.writable_dir.rstrip('/')}/conc", "--sessions",
                          str(CONCURRENT_SESSIONS), "--duration", str(CONCURRENT_SECONDS), "--mix", "retr:80,list:20",
                          "--file-size", str(SMALL_SIZE), "--files", "16", "--timeout", "10000")
    shutil.rmtree(writable / "conc", ignore_errors=True)
    if not report:
        return {}
    retr = report["ops"].get("retr", {"latency_ms": {"p99": None}})
    return {"concurrent_ops_per_s": report["ops_per_second"], "concurrent_p99_ms": retr["latency_ms"]["p99"],
            "concurrent_failed": report["failed"]}


def process_tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def tree_rss_kib(pid: int) -> int:
    """VmRSS of `pid` and all its descendants (forking servers: one process per session)."""
    total = 0
    for member in process_tree(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def open_idle_sessions(peer, count: int, deadline_s: float = 120) -> list[socket.socket]:
    """`count` control connections, each logged in (220, USER → 331, PASS → 230), then left idle.
    Returns the logged-in sockets; the others are closed."""
    selector = selectors.DefaultSelector()
    state: dict[socket.socket, list] = {}
    logged_in: list[socket.socket] = []
    deadline = time.monotonic() + deadline_s
    pending = count
    while (pending or state) and time.monotonic() < deadline:
        # Connect in batches so the listen backlog never overflows (SYN retries take seconds).
        for _ in range(min(pending, 200 - len(state))):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex((peer.host, peer.port))
            state[s] = [b"", 0]
            selector.register(s, selectors.EVENT_READ)
            pending -= 1
        for key, _ in selector.select(0.5):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                selector.unregister(s)
                s.close()
                del state[s]
                continue
            buffer, step = state[s]
            buffer += data
            while b"\r\n" in buffer:
                line, buffer = buffer.split(b"\r\n", 1)
                if len(line) < 4 or line[3:4] != b" ":
                    continue
                code = int(line[:3])
                if step == 0 and code == 220:
                    s.sendall(f"USER {peer.user}\r\n".encode())
                    step = 1
                elif step == 1 and code == 331:
                    s.sendall(f"PASS {peer.password}\r\n".encode())
                    step = 2
                elif step in (1, 2) and code == 230:
                    step = 3
                elif code >= 400:
                    step = -1
            if step in (3, -1):
                selector.unregister(s)
                del state[s]
                if step == 3:
                    logged_in.append(s)
                else:
                    s.close()
            else:
                state[s] = [buffer, step]
    for s in state:
        s.close()
    return logged_in


def still_open(s: socket.socket) -> bool:
    """False when the server closed the connection (EOF or reset waiting to be read)."""
    try:
        return s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def bench_idle(peer) -> dict:
    count = IDLE_SESSIONS.get(peer.name, IDLE_SESSIONS_FORKING)
    time.sleep(0.5)
    baseline = tree_rss_kib(peer.process.pid)
    sockets = open_idle_sessions(peer, count)
    time.sleep(1.0)
    after = tree_rss_kib(peer.process.pid)
    held = sum(1 for s in sockets if still_open(s))  # a server may drop sessions after 230
    for s in sockets:
        s.close()
    result = {"idle_sessions": held, "idle_requested": count}
    if held:
        result["idle_kib_per_session"] = round((after - baseline) / held, 1)
    return result


def bench_peer(name: str, args, ftpspec: Path, upload_source: Path) -> dict:
    from tests.peers.launch import PeerUnavailable, start_peer
    results: dict = {"server": name}
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-", dir=args.work_dir) as root_text:
        root = Path(root_text)
        os.chmod(root, 0o755)
        try:
            with start_peer(name, root) as peer:
                writable = peer.local_path(peer.writable_dir)
                if "idle" in args.only:
                    log(f"  {name}: idle sessions")
                    results.update(bench_idle(peer))
                if "retr" in args.only:
                    log(f"  {name}: RETR")
                    results["retr_mbps"] = bench_retr(peer, writable, upload_source, args.repeat)
                if "stor" in args.only:
                    log(f"  {name}: STOR")
                    results["stor_mbps"] = bench_stor(peer, writable, upload_source, args.repeat)
                if "small" in args.only:
                    results["time_wait_at_small"] = settle_time_wait()
                    log(f"  {name}: small files ({results['time_wait_at_small']} TIME-WAIT sockets)")
                    results["small_files_per_s"], _ = bench_small(ftpspec, peer, writable)
                    results["time_wait_at_small_best"] = settle_time_wait()
                    results["small_files_best_per_s"], results["small_best_mode"] = \
                        bench_small(ftpspec, peer, writable, "best")
                if "concurrent" in args.only:
                    results["time_wait_at_concurrent"] = settle_time_wait()
                    log(f"  {name}: concurrent sessions ({results['time_wait_at_concurrent']} TIME-WAIT sockets)")
                    results.update(bench_concurrent(ftpspec, peer, writable))
        except PeerUnavailable as error:
            results["unavailable"] = str(error)
    return results


# --- codecs -------------------------------------------------------------------------------------

def bench_codecs(build: Path, quick: bool) -> list[dict]:
    program = build / "bench" / "codec_bench"
    if not program.exists():
        log(f"  {program} missing (configure with -DFTPSPEC_BUILD_BENCH=ON)")
        return []
    result = subprocess.run([str(program), "--benchmark_format=json",
                             f"--benchmark_min_time={0.05 if quick else 0.3}"],
                            capture_output=True, text=True, timeout=900, check=True)
    return [{"name": b["name"], "mb_per_s": b["bytes_per_second"] / 1e6}
            for b in json.loads(result.stdout)["benchmarks"]]


# --- report -------------------------------------------------------------------------------------

def fmt_value(value) -> str:
    if value is None:
        return "failed"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"


def print_tables(results: list[dict], codecs: list[dict]) -> None:
    names = [r["server"] for r in results]
    print("| metric | " + " | ".join(names) + " | ftpspecd / best peer |")
    print("|---|" + "---|" * len(names) + "---|")
    for key, label, unit, higher in METRICS:
        values = [r.get(key) for r in results]
        if all(v is None for v in values):
            continue
        ours = next((r.get(key) for r in results if r["server"] == "ftpspecd"), None)
        peers = [r.get(key) for r in results if r["server"] != "ftpspecd" and r.get(key) is not None]
        ratio = ""
        if ours is not None and peers:
            best = max(peers) if higher else min(peers)
            ratio = f"{ours / best:.2f}x" if best else ("equal" if ours == best else "-")
            ratio += " (higher is better)" if higher else " (lower is better)"
        cells = [fmt_value(v) for v in values]
        unit_text = f" ({unit})" if unit else ""
        print(f"| {label}{unit_text} | " + " | ".join(cells) + f" | {ratio} |")
    modes = [f"{r['server']} MODE {r['small_best_mode']}" for r in results if r.get("small_best_mode")]
    if modes:
        print(f"\nModes in the `--mode best` row: {', '.join(modes)}")
    held = [f"{r['server']} {r['idle_sessions']}/{r['idle_requested']}" for r in results if "idle_sessions" in r]
    if held:
        print(f"\nIdle sessions held (logged in / opened): {', '.join(held)}")
    for r in results:
        if "unavailable" in r:
            print(f"\n{r['server']}: not measured ({r['unavailable']})")
    if codecs:
        print("\n| codec benchmark | MB/s |\n|---|---|")
        for c in codecs:
            print(f"| {c['name']} | {c['mb_per_s']:,.0f} |")


def main() -> int:
    from tests.peers.launch import PEERS
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_arguments(parser, "perf")
    parser.add_argument("--peers", default=",".join(PEERS))
    parser.add_argument("--only", default="idle,retr,stor,small,concurrent,codec")
    parser.add_argument("--repeat", type=int, default=3, help="curl runs per transfer; the best counts")
    parser.add_argument("--quick", action="store_true", help="64 MiB transfers, one run each, short codec runs")
    args = parser.parse_args()
    args.only = set(args.only.split(","))
    args.size = 64 << 20 if args.quick else GIB
    if args.quick:
        args.repeat = 1
    build = use_build_dir(args.build_dir)
    ftpspec = build / "engine" / "ftpspec"
    raise_descriptor_limit()  # 10,000 sessions
    results, codecs = [], []
    with tempfile.TemporaryDirectory(prefix="bench-upload-", dir=args.work_dir) as upload_dir:
        upload_source = Path(upload_dir) / "upload.bin"
        if args.only & {"retr", "stor"}:
            write_transfer_source(upload_source, args.size)
        for name in args.peers.split(","):
            log(f"{name}:")
            results.append(bench_peer(name, args, ftpspec, upload_source))
    if "codec" in args.only:
        log("codecs")
        codecs = bench_codecs(build, args.quick)
    print_tables(results, codecs)
    if args.json:
        Path(args.json).write_text(json.dumps({"servers": results, "codecs": codecs}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
