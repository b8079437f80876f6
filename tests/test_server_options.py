"""ftpspecd's performance options on the command line: --passive-ports LOW-HIGH, --threads N and
--spin-us N (docs/ftpspecd.md). The gtests cover the allocator itself; these check the binary's parsing.
"""
import ftplib
import io
import os
import pathlib
import socket
import subprocess

import pytest

from test_server_clients import FTPSPECD, PASSWORD, TIMEOUT, USER, Ftpspecd

pytestmark = pytest.mark.skipif(not FTPSPECD.exists(), reason=f"ftpspecd is not built at {FTPSPECD}")


def free_port_range(size: int) -> tuple[int, int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        low = probe.getsockname()[1]
    low = min(low, 65535 - size)
    return low, low + size - 1


def test_passive_ports_and_threads(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "f.txt").write_bytes(b"hello\n")
    low, high = free_port_range(4)
    server = Ftpspecd(root, ["--passive-ports", f"{low}-{high}", "--threads", "3"])
    try:
        with ftplib.FTP() as ftp:
            ftp.connect("127.0.0.1", server.port, timeout=TIMEOUT)
            ftp.login(USER, PASSWORD)
            for _ in range(6):
                reply = ftp.sendcmd("EPSV")
                port = int(reply.split("|||")[1].split("|")[0])
                assert low <= port <= high, reply
            chunks = []
            ftp.retrbinary("RETR f.txt", chunks.append)
            assert b"".join(chunks) == b"hello\n"
    finally:
        server.stop()
    assert server.process.returncode == 0


@pytest.mark.parametrize("spin", ["0", "1000"])
def test_spin_us_bounds_serve_alike(tmp_path, spin):
    """Never polling and the longest window serve the same bytes (io_loop.hpp)."""
    root = tmp_path / "root"
    root.mkdir()
    payload = os.urandom(100_000)
    (root / "f.bin").write_bytes(payload)
    server = Ftpspecd(root, ["--spin-us", spin, "--threads", "1"])
    try:
        with ftplib.FTP() as ftp:
            ftp.connect("127.0.0.1", server.port, timeout=TIMEOUT)
            ftp.login(USER, PASSWORD)
            for _ in range(20):
                chunks = []
                ftp.retrbinary("RETR f.bin", chunks.append)
                assert b"".join(chunks) == payload
            ftp.storbinary("STOR g.bin", io.BytesIO(payload))
        assert (root / "g.bin").read_bytes() == payload
    finally:
        server.stop()
    assert server.process.returncode == 0


@pytest.mark.parametrize("args", [["--passive-ports", "80-90"], ["--passive-ports", "5000"],
                                  ["--passive-ports", "6000-5000"], ["--threads", "0"],
                                  ["--spin-us", "1001"], ["--spin-us", "soon"]])
def test_bad_values_are_usage_errors(tmp_path, args):
    result = subprocess.run([str(FTPSPECD), "--root", str(tmp_path), "--user", "a:b", *args],
                            capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 2
    assert args[0] in result.stderr
