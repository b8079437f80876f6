"""The peer launchers (tests/peers/launch.py) start real FTP servers a client can write to.

Each peer is driven with Python's ftplib over 127.0.0.1: login, upload, list, download, mkdir,
delete, with the bytes checked both over FTP and on disk; then it is stopped and must be gone.
A peer whose binaries are missing FAILS (run scripts/peers.sh) unless FTPSPEC_SKIP_PEERS=1;
ftpspecd is skipped while it is not built.
"""
from __future__ import annotations

import ftplib
import io
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # `tests.peers` is imported from the repository root
    sys.path.insert(0, str(REPO_ROOT))

from tests.peers.launch import (  # noqa: E402
    PEERS, PYTHON, PeerStartError, PeerUnavailable, missing_reason, start_peer)

# Bytes a text-mode transfer would alter: CR LF pairs, lone CR/LF, NUL, high bytes.
PAYLOAD = bytes(range(256)) * 64 + b"\r\n\n\r\x00end"


def require_peer(name: str) -> None:
    """Fail (or skip, when allowed) when peer ``name`` cannot run on this machine."""
    reason = missing_reason(name)
    if reason is None:
        return
    if name == "ftpspecd":
        pytest.skip(f"ftpspecd: {reason}")
    if os.environ.get("FTPSPEC_SKIP_PEERS") == "1":
        pytest.skip(f"{name}: {reason} (FTPSPEC_SKIP_PEERS=1)")
    pytest.fail(f"{name}: {reason} (or set FTPSPEC_SKIP_PEERS=1 to skip these tests)")


def port_accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0):
            return True
    except OSError:
        return False


def ftp_path(directory: str, name: str) -> str:
    return directory.rstrip("/") + "/" + name


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", PEERS)
def test_peer_serves_read_write_login(name: str, tmp_path: Path) -> None:
    require_peer(name)
    root = tmp_path / "root"
    try:
        peer_context = start_peer(name, root)
        peer = peer_context.__enter__()
    except PeerUnavailable as error:  # e.g. the system user scripts/peers.sh creates
        pytest.fail(f"{error}")
    try:
        assert peer.host == "127.0.0.1" and peer.port > 0
        login = f"{quote(peer.user, safe='')}:{quote(peer.password, safe='')}"
        assert peer.url == f"ftp://{login}@127.0.0.1:{peer.port}"
        remote_file = ftp_path(peer.writable_dir, "upload.bin")
        remote_dir = ftp_path(peer.writable_dir, "made-by-ftplib")
        on_disk = peer.local_path(remote_file)

        with ftplib.FTP() as ftp:
            ftp.connect(peer.host, peer.port, timeout=10)
            assert ftp.login(peer.user, peer.password).startswith("230")
            assert ftp.storbinary(f"STOR {remote_file}", io.BytesIO(PAYLOAD)).startswith("226")
            assert on_disk.read_bytes() == PAYLOAD

            listed = [Path(entry).name for entry in ftp.nlst(peer.writable_dir)]
            assert "upload.bin" in listed
            long_listing: list[str] = []
            ftp.retrlines(f"LIST {peer.writable_dir}", long_listing.append)
            assert any(line.endswith("upload.bin") for line in long_listing), long_listing

            downloaded = io.BytesIO()
            assert ftp.retrbinary(f"RETR {remote_file}", downloaded.write).startswith("226")
            assert downloaded.getvalue() == PAYLOAD
            assert ftp.size(remote_file) == len(PAYLOAD)

            ftp.mkd(remote_dir)
            assert peer.local_path(remote_dir).is_dir()
            ftp.rmd(remote_dir)
            assert not peer.local_path(remote_dir).exists()

            assert ftp.delete(remote_file).startswith("250")
            assert not on_disk.exists()
            with pytest.raises(ftplib.error_perm, match=r"^55\d"):
                ftp.retrbinary(f"RETR {remote_file}", downloaded.write)
    finally:
        peer_context.__exit__(None, None, None)

    assert peer.process.poll() is not None, f"{name} still runs after stop"
    assert not port_accepts(peer.port), f"{name} still accepts connections on {peer.port}"


def test_missing_binaries_name_the_install_script(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FTPSPEC_PEERS_DIR", str(tmp_path / "nothing-here"))
    for name in ("vsftpd", "proftpd", "pure-ftpd"):
        assert "scripts/peers.sh" in (missing_reason(name) or "")
        with pytest.raises(PeerUnavailable, match="scripts/peers.sh"):
            with start_peer(name, tmp_path / "root"):
                pass


def test_unknown_peer_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown peer"):
        with start_peer("no-such-ftpd", tmp_path):
            pass


@pytest.mark.timeout(30)
def test_start_failure_reports_the_server_log(tmp_path: Path) -> None:
    require_peer("pyftpdlib")
    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        taken = occupant.getsockname()[1]
        with pytest.raises(PeerStartError, match="(?i)address already in use"):
            with start_peer("pyftpdlib", tmp_path, port=taken):
                pass


@pytest.mark.timeout(30)
def test_command_line_runs_a_peer_until_sigterm(tmp_path: Path) -> None:
    require_peer("pyftpdlib")
    process = subprocess.Popen([PYTHON, "-m", "tests.peers.launch", "pyftpdlib", str(tmp_path)],
                               cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("pyftpdlib listening on 127.0.0.1:"), (line, process.stderr.read())
        fields = dict(item.split("=", 1) for item in line.split()[4:])
        port = int(line.split()[3].rsplit(":", 1)[1])
        assert fields == {"user": "ftpspec", "password": "ftpspec", "dir": "/"}
        with ftplib.FTP() as ftp:
            ftp.connect("127.0.0.1", port, timeout=10)
            ftp.login(fields["user"], fields["password"])
            ftp.storbinary("STOR cli.txt", io.BytesIO(b"via the launcher"))
        assert (tmp_path / "cli.txt").read_bytes() == b"via the launcher"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert not port_accepts(port)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
