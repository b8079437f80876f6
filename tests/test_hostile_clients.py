"""ftpspecd against hostile clients (RFC 2577 spirit, RFC 959 §4.2 replies): floods, slowloris,
half-open data connections, over-long lines, binary garbage, PORT bounce, path escapes,
concurrent uploads to one file and a full disk.

Starts the built `ftpspecd` (FTPSPEC_BUILD_DIR) on an ephemeral loopback port. After every test
the server process must still run and a fresh session must log in and answer NOOP, and every
upload the server acknowledged with 226 must be on disk byte for byte. Each test is bounded
(pytest-timeout when installed, plus socket timeouts everywhere).
"""
from __future__ import annotations

import os
import random
import select
import shutil
import socket
import struct
import subprocess
import threading
import time

import pytest

from hostile.harness import FTPSPECD, Control, Ftpspecd, parse_replies, payload, sha256

pytestmark = [
    pytest.mark.skipif(not FTPSPECD.exists(), reason=f"ftpspecd is not built at {FTPSPECD} (set FTPSPEC_BUILD_DIR)"),
    pytest.mark.timeout(20),
]


class Uploads:
    """Uploads the server acknowledged with 226: each must be on disk unchanged afterwards."""

    def __init__(self, root):
        self.root = root
        self.acknowledged: dict[str, str] = {}
        self.lock = threading.Lock()

    def stor(self, client: Control, name: str, data: bytes, chunk_delay: float = 0.0) -> int:
        """STOR over PASV in TYPE I; returns the final reply code (or the refusal's)."""
        assert client.cmd("TYPE I")[0] == 200  # TYPE A would rightly rewrite line ends
        host, port = client.pasv()
        code, text = client.cmd(f"STOR {name}")
        if code not in (125, 150):
            return code
        with socket.create_connection((host, port), timeout=10) as data_socket:
            try:
                for start in range(0, len(data), 65536):
                    data_socket.sendall(data[start:start + 65536])
                    if chunk_delay:
                        time.sleep(chunk_delay)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server gave up on the upload (e.g. disk full): its reply says why
        code, text = client.read_reply(timeout=15)
        if code == 226:
            with self.lock:
                self.acknowledged[name] = sha256(data)
        return code

    def verify(self) -> None:
        for name, digest in self.acknowledged.items():
            assert sha256((self.root / name).read_bytes()) == digest, f"226'd upload {name} changed on disk"


@pytest.fixture
def root(tmp_path):
    path = tmp_path / "root"
    path.mkdir()
    (path / "small.txt").write_bytes(b"hello\r\n")
    (path / "big.bin").write_bytes(payload(32 * 1024 * 1024, seed=1))  # fills any socket buffer
    (path / "escape").symlink_to("/etc")
    return path


def start(root, tmp_path, **kwargs) -> Ftpspecd:
    return Ftpspecd(root, tmp_path, **kwargs)


@pytest.fixture
def server(root, tmp_path):
    srv = start(root, tmp_path)
    yield srv
    try:
        srv.healthy()
    finally:
        srv.stop()


@pytest.fixture
def uploads(root):
    tracker = Uploads(root)
    yield tracker
    tracker.verify()


def logged_in(server: Ftpspecd) -> Control:
    client = Control(server.port)
    client.login()
    return client


def test_connection_flood_then_normal_session(server):
    # 500 connections that vanish: after the greeting, before it, and with a TCP reset.
    for i in range(500):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        if i % 3 == 1:
            sock.recv(1024)
        elif i % 3 == 2:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST on close
        sock.close()
    client = logged_in(server)
    assert client.cmd("NOOP")[0] == 200
    client.close()
    # The server let go of every flood connection (no fd leak): back near its resting count.
    deadline = time.monotonic() + 5
    while server.open_fds() > 20 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.open_fds() <= 20


def test_descriptor_exhaustion_then_recovery(root, tmp_path):
    # With 64 descriptors the server runs out while these connections are open (accept: EMFILE);
    # once they close it must accept again.
    srv = start(root, tmp_path, max_open_files=64)
    held = []
    try:
        for _ in range(100):
            held.append(socket.create_connection(("127.0.0.1", srv.port), timeout=5))
        time.sleep(0.5)
        assert srv.alive()
    finally:
        for sock in held:
            sock.close()
    try:
        deadline = time.monotonic() + 10
        while srv.open_fds() > 20 and time.monotonic() < deadline:
            time.sleep(0.1)
        srv.healthy()
    finally:
        srv.stop()


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace to count accept calls")
def test_descriptor_exhaustion_does_not_spin(root, tmp_path):
    srv = start(root, tmp_path, max_open_files=64)
    held = []
    try:
        held = [socket.create_connection(("127.0.0.1", srv.port), timeout=5) for _ in range(100)]
        time.sleep(0.3)
        trace = subprocess.run(["timeout", "-s", "INT", "1", "strace", "-f", "-c", "-e", "trace=accept,accept4",
                                "-p", str(srv.pid)], capture_output=True, text=True, timeout=10)
        calls = sum(int(line.split()[3]) for line in trace.stderr.splitlines()
                    if line.strip().endswith(("accept", "accept4")) and line.split()[3].isdigit())
        # A pending connection the server cannot take: a few retries a second, not thousands.
        assert calls < 200, f"{calls} failed accept() calls in one second"
    finally:
        for sock in held:
            sock.close()
        srv.stop()


def test_slowloris_does_not_block_others_and_idle_connections_time_out(root, tmp_path):
    srv = start(root, tmp_path, idle_timeout=2)
    slow = [socket.create_connection(("127.0.0.1", srv.port), timeout=5) for _ in range(40)]
    silent = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    try:
        for _ in range(10):  # one byte per 100 ms on every slow connection: a line that never ends
            for sock in slow:
                sock.sendall(b"A")
            time.sleep(0.1)
        client = logged_in(srv)  # others are served meanwhile
        assert client.cmd("NOOP")[0] == 200
        client.close()
        # A connection that says nothing is closed after the idle timeout with 421 (RFC 959 §4.2).
        silent.settimeout(6)
        data = b""
        while (chunk := silent.recv(4096)):
            data += chunk
        replies, rest = parse_replies(data)
        assert [code for code, _ in replies] == [220, 421] and rest == b""
        srv.healthy()
    finally:
        for sock in slow:
            sock.close()
        silent.close()
        srv.stop()


def test_slowloris_line_is_timed_out(root, tmp_path):
    srv = start(root, tmp_path, idle_timeout=1)
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    closed = False
    try:
        sock.recv(1024)  # greeting
        deadline = time.monotonic() + 6  # six idle timeouts without one complete command line
        while time.monotonic() < deadline and not closed:
            try:
                sock.sendall(b"A")
                if select.select([sock], [], [], 0.1)[0]:
                    closed = True  # 421 or EOF: the server gave up on the connection
            except OSError:
                closed = True
        assert closed, "a connection that never completes a command line must be timed out"
    finally:
        sock.close()
        srv.healthy()
        srv.stop()


def test_pasv_never_connected_then_abor(server):
    client = logged_in(server)
    client.pasv()  # nobody ever connects
    code, _ = client.cmd("RETR big.bin", timeout=10)
    # RFC 959 §5.4: RETR may answer 150 and then wait for the connection, or 425 after the wait.
    if code in (125, 150):
        code, _ = client.cmd("ABOR", timeout=10)
        assert code in (426, 225, 226)
        if code == 426:
            assert client.read_reply(timeout=10)[0] in (225, 226)
    else:
        assert code == 425
    other = logged_in(server)
    assert other.cmd("NOOP")[0] == 200
    assert client.cmd("NOOP")[0] == 200
    client.close()
    other.close()


@pytest.mark.parametrize("finish", ["ABOR", "QUIT"])
def test_data_connection_that_never_reads(server, finish):
    client = logged_in(server)
    assert client.cmd("TYPE I")[0] == 200
    host, port = client.pasv()
    data_socket = socket.create_connection((host, port), timeout=5)
    data_socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    try:
        assert client.cmd("RETR big.bin")[0] in (125, 150)
        time.sleep(0.5)  # the server's send blocks on a full window
        other = logged_in(server)
        assert other.cmd("NOOP")[0] == 200  # the stuck transfer blocks nobody else
        other.close()
        client.send(finish.encode() + b"\r\n")
        codes = []
        while True:
            try:
                code, _ = client.read_reply(timeout=8)
            except ConnectionError:
                break
            codes.append(code)
            if code in (225, 226, 221):
                break
        if finish == "ABOR":  # RFC 959 §4.1.3: 426 for the transfer, then 226 for ABOR
            assert codes in ([426, 226], [426, 225], [226])
        else:
            assert codes[-1] == 221 or codes == [426] or codes == []
    finally:
        data_socket.close()
        client.close()


def test_overlong_lines_get_500_and_session_continues(server):
    client = logged_in(server)
    for length in (5000, 100_000):
        client.send(b"NOOP " + b"x" * length + b"\r\n")
        assert client.read_reply()[0] == 500
    client.send(b"Y" * 200_000)  # no line end yet
    client.send(b"\r\n")
    assert client.read_reply()[0] == 500
    assert client.cmd("NOOP")[0] == 200
    assert client.cmd("PWD")[0] == 257
    client.close()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_binary_garbage_gets_parseable_replies(server, seed):
    rng = random.Random(seed)
    garbage = bytes(rng.choice([0, 0xFF, 0x0D, 0x0A, rng.randrange(256)]) for _ in range(64 * 1024))
    client = Control(server.port)
    assert client.read_reply()[0] == 220
    client.send(garbage)
    # IAC SE ends a Telnet subnegotiation the garbage may have opened (RFC 854), so QUIT is read.
    client.send(b"\xff\xf0\r\nQUIT\r\n")
    data = client.read_until_close(timeout=8)
    replies, rest = parse_replies(data)  # raises on any reply line that breaks RFC 959 §4.2
    assert replies, "the server answered nothing"
    assert all(100 <= code <= 599 for code, _ in replies)
    assert rest == b"", f"trailing partial reply {rest[:100]!r}"
    client.close()


def listening_connections_to(pid: int, hex_address: str) -> list[str]:
    """Lines of /proc/PID/net/tcp whose remote address is `hex_address` (little-endian IPv4)."""
    with open(f"/proc/{pid}/net/tcp") as table:
        return [line for line in table if line.split()[2].startswith(hex_address + ":")]


def test_port_bounce_is_refused(server):
    client = logged_in(server)
    # RFC 2577 §3: a PORT naming a third host would let a client use the server for a bounce.
    for command in ("PORT 192,0,2,1,0,21", "EPRT |1|192.0.2.1|21|", "LPRT 4,4,192,0,2,1,2,0,21"):
        code, text = client.cmd(command)
        assert 500 <= code <= 599, f"{command} -> {text!r}"
    code, _ = client.cmd("LIST")
    assert code in (425, 503, 500, 501), code  # no data connection was accepted
    assert listening_connections_to(server.pid, "010200C0") == []  # 192.0.2.1 never contacted
    client.close()


def test_path_traversal_and_symlink_escape(server, root):
    client = logged_in(server)
    for path in ("../../../../etc/passwd", "/etc/passwd", "/../etc/passwd", "escape/passwd",
                 "/escape/passwd", "sub/../../etc/passwd"):
        assert client.cmd(f"SIZE {path}")[0] in (550, 553, 501), path
        host, port = client.pasv()
        code, _ = client.cmd(f"RETR {path}")
        if code in (125, 150):  # a transfer started: it must not be /etc/passwd
            with socket.create_connection((host, port), timeout=5) as data_socket:
                received = b""
                while (chunk := data_socket.recv(65536)):
                    received += chunk
            assert b"root:" not in received, path
            client.read_reply()
        else:
            assert code in (450, 550, 553), (path, code)
    for path in ("..", "../..", "/..", "escape", "/escape"):
        client.cmd(f"CWD {path}")
        code, text = client.cmd("PWD")
        assert code == 257 and b'"/"' in text, (path, text)  # never above the root, never /etc
    for target in ("../outside.txt", "escape/evil.conf"):
        host, port = client.pasv()
        code, _ = client.cmd(f"STOR {target}")
        if code in (125, 150):
            socket.create_connection((host, port), timeout=5).close()
            client.read_reply()
    assert not (root.parent / "outside.txt").exists()
    assert not os.path.exists("/etc/evil.conf")
    client.close()


def test_concurrent_stor_to_one_file(server, root, uploads):
    first, second = logged_in(server), logged_in(server)
    data_a, data_b = payload(4 * 1024 * 1024, seed=10), payload(3 * 1024 * 1024, seed=11)
    results = {}
    slow = threading.Thread(target=lambda: results.setdefault("a", uploads.stor(first, "same.bin", data_a, 0.02)))
    slow.start()
    time.sleep(0.3)  # the first upload is under way, holding the file
    results["b"] = uploads.stor(second, "same.bin", data_b)
    slow.join(timeout=15)
    assert not slow.is_alive()
    final = (root / "same.bin").read_bytes()
    assert final in (data_a, data_b), "the file is a mix of two uploads"
    codes = sorted(results.values())
    assert 226 in codes
    loser = [code for code in codes if code != 226]
    assert not loser or 400 <= loser[0] <= 499, codes  # the one that could not write gets 450/4xx
    if codes == [226, 226]:  # both ran in turn: the later one wins completely
        assert final in (data_a, data_b)
    first.close()
    second.close()


def test_uploads_acknowledged_are_intact(server, uploads):
    client = logged_in(server)
    assert client.cmd("TYPE I")[0] == 200
    for i, size in enumerate((0, 1, 65535, 65536, 1_000_003)):
        assert uploads.stor(client, f"up{i}.bin", payload(size, seed=i)) == 226
    client.close()


@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("the full-disk test mounts a 1 MiB tmpfs: run as root (CI does)")
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)],
                            capture_output=True, text=True, timeout=10)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, timeout=10)


def test_full_disk_stor_is_refused_not_acknowledged(small_disk, tmp_path):
    srv = Ftpspecd(small_disk, tmp_path)
    uploads = Uploads(small_disk)
    try:
        client = logged_in(srv)
        assert client.cmd("TYPE I")[0] == 200
        assert uploads.stor(client, "fits.bin", payload(100_000, seed=3)) == 226
        code = uploads.stor(client, "too-big.bin", payload(2 * 1024 * 1024, seed=4))
        # RFC 959 §4.2: 452 insufficient storage, 552 exceeded allocation, 451 local error.
        assert code in (451, 452, 552), code
        # The same over the file that fits: it stays as it was (verify() below), nothing is left.
        assert uploads.stor(client, "fits.bin", payload(2 * 1024 * 1024, seed=5)) in (451, 452, 552)
        assert client.cmd("NOOP")[0] == 200
        assert sorted(p.name for p in small_disk.iterdir()) == ["fits.bin"]
        client.close()
        uploads.verify()
        srv.healthy()
    finally:
        srv.stop()
