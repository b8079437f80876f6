"""ftpspec.ReferenceServer: ftpspecd in-process, checked with Python's own ftplib."""
from __future__ import annotations

import ftplib
import io
import socket

import pytest

import ftpspec


def test_starts_on_an_ephemeral_port_and_stops(tmp_path):
    server = ftpspec.ReferenceServer(tmp_path)
    assert not server.running and server.port == 0
    with server as running:
        assert running is server and server.running
        assert 1024 <= server.port <= 65535
        assert server.host == "127.0.0.1"
        assert server.url == f"ftp://user:pass@127.0.0.1:{server.port}"
        assert f"127.0.0.1:{server.port}" in repr(server) and "pass" not in repr(server)
        with socket.create_connection((server.host, server.port), timeout=5) as probe:
            probe.settimeout(5)
            assert probe.recv(4).startswith(b"220")
        port = server.port
    assert not server.running
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    server.stop()  # idempotent


def test_two_servers_get_different_ports(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with ftpspec.ReferenceServer(tmp_path / "a") as a, ftpspec.ReferenceServer(tmp_path / "b") as b:
        assert a.port != b.port


def test_url_percent_encodes_credentials(tmp_path):
    with ftpspec.ReferenceServer(tmp_path, users={"us er": "p@ss:w"}) as server:
        assert server.url == f"ftp://us%20er:p%40ss%3Aw@127.0.0.1:{server.port}"
        assert ftpspec.parse_url(server.url)[2:] == ("us er", "p@ss:w")
        assert server.users == {"us er": "p@ss:w"}


def test_root_must_be_a_directory(tmp_path):
    with pytest.raises(NotADirectoryError):
        ftpspec.ReferenceServer(tmp_path / "missing")


def test_ftplib_in_the_same_process(tmp_path):
    """The server thread never needs the GIL: a pure-Python client in this process works."""
    (tmp_path / "hello.txt").write_bytes(b"hello\r\nworld\n")
    with ftpspec.ReferenceServer(tmp_path, users={"alice": "secret"}) as server:
        with ftplib.FTP(timeout=10) as ftp:
            welcome = ftp.connect(server.host, server.port)
            assert welcome.startswith("220")
            assert ftp.login("alice", "secret").startswith("230")
            received = io.BytesIO()
            ftp.retrbinary("RETR hello.txt", received.write)
            assert received.getvalue() == b"hello\r\nworld\n"
            ftp.storbinary("STOR from-ftplib.bin", io.BytesIO(b"\x00\xffpayload"))
            assert "hello.txt" in ftp.nlst()
    assert (tmp_path / "from-ftplib.bin").read_bytes() == b"\x00\xffpayload"


def test_ftplib_wrong_password_gets_530(tmp_path):
    with ftpspec.ReferenceServer(tmp_path) as server:
        with ftplib.FTP(timeout=10) as ftp:
            ftp.connect(server.host, server.port)
            with pytest.raises(ftplib.error_perm, match="^530"):
                ftp.login("user", "wrong")
