"""The peer launchers (tests/peers/launch.py) start real FTP servers a client can write to.

Each peer is driven with Python's ftplib over 127.0.0.1: login, upload, list, download, mkdir,
delete, with the bytes checked both over FTP and on disk, and no file outside the served root
reachable; then it is stopped and it and its session processes must be gone. Peers that offer TLS
(Peer.tls) do the same round trip over explicit FTPS (RFC 4217); the others must refuse AUTH TLS.
A peer whose binaries are missing FAILS (run scripts/peers.sh) unless FTPSPEC_SKIP_PEERS=1;
ftpspecd is skipped while it is not built.
"""
from __future__ import annotations

import contextlib
import ftplib
import io
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # `tests.peers` is imported from the repository root
    sys.path.insert(0, str(REPO_ROOT))

from tests.peers.launch import (  # noqa: E402
    PEERS, PYTHON, PeerStartError, PeerUnavailable, build_dir, descendants, missing_reason,
    process_status, start_peer)

# Bytes a text-mode transfer would alter: CR LF pairs, lone CR/LF, NUL, high bytes.
PAYLOAD = bytes(range(256)) * 64 + b"\r\n\n\r\x00end"
SECRET = b"outside the served root\n"
EXIT_WAIT = 5.0  # seconds stopped session processes get to disappear from /proc
# Peers that serve each control connection in a child process (inetutils: one the acceptor starts).
SESSION_CHILDREN = {"vsftpd", "proftpd", "pure-ftpd", "inetutils"}


class SessionReusingFTP_TLS(ftplib.FTP_TLS):
    """FTP_TLS whose data connections resume the control connection's TLS session, as vsftpd
    and ProFTPD require (RFC 4217 §10.2); stock ftplib starts a fresh session on each."""

    def ntransfercmd(self, cmd, rest=None):
        connection, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            connection = self.context.wrap_socket(connection, server_hostname=self.host,
                                                  session=self.sock.session)
        return connection, size


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


def running(pid: int) -> bool:
    status = process_status(pid)
    return status is not None and status.state != "Z"


def still_running(pids: set[int]) -> set[int]:
    """Those of ``pids`` that are neither gone nor zombies after up to EXIT_WAIT seconds."""
    deadline = time.monotonic() + EXIT_WAIT
    alive = {pid for pid in pids if running(pid)}
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = {pid for pid in alive if running(pid)}
    return alive


def started(name: str, root: Path):
    """start_peer's context manager, entered; a missing system account fails the test."""
    require_peer(name)
    try:
        context = start_peer(name, root)
        return context, context.__enter__()
    except PeerUnavailable as error:  # e.g. the system user scripts/peers.sh creates
        pytest.fail(f"{error}")


def assert_upload(ftp: ftplib.FTP, peer, remote_file: str) -> None:
    assert ftp.storbinary(f"STOR {remote_file}", io.BytesIO(PAYLOAD)).startswith("226")
    assert peer.local_path(remote_file).read_bytes() == PAYLOAD


def assert_download(ftp: ftplib.FTP, remote_file: str) -> None:
    downloaded = io.BytesIO()
    assert ftp.retrbinary(f"RETR {remote_file}", downloaded.write).startswith("226")
    assert downloaded.getvalue() == PAYLOAD


def assert_delete(ftp: ftplib.FTP, peer, remote_file: str) -> None:
    assert ftp.delete(remote_file).startswith("250")
    assert not peer.local_path(remote_file).exists()


def assert_confined(ftp: ftplib.FTP, peer, outside: Path) -> None:
    """A file next to the served root is out of reach by a relative and an absolute path, and
    so is the host's /etc/passwd (RFC 2577 §9: a user who "can read all files on the system")."""
    relative = "/" + "../" * (len(peer.root.parts) + 1) + str(outside).lstrip("/")
    for path, host_file in ((relative, outside), (str(outside), outside),
                            ("../../../../etc/passwd", Path("/etc/passwd"))):
        got = io.BytesIO()
        with contextlib.suppress(ftplib.error_perm):  # refused: what we want
            ftp.retrbinary(f"RETR {path}", got.write)
        assert got.getvalue() != host_file.read_bytes(), f"{peer.name} served {host_file} as {path}"


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", PEERS)
def test_peer_serves_read_write_login(name: str, tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_bytes(SECRET)
    peer_context, peer = started(name, tmp_path / "root")
    lingering = ftplib.FTP()  # a session still logged in when the peer stops
    try:
        assert peer.host == "127.0.0.1" and peer.port > 0
        login = f"{quote(peer.user, safe='')}:{quote(peer.password, safe='')}"
        assert peer.url == f"ftp://{login}@127.0.0.1:{peer.port}"
        remote_file = ftp_path(peer.writable_dir, "upload.bin")
        remote_dir = ftp_path(peer.writable_dir, "made-by-ftplib")

        with ftplib.FTP() as ftp:
            ftp.connect(peer.host, peer.port, timeout=10)
            assert ftp.login(peer.user, peer.password).startswith("230")
            assert_upload(ftp, peer, remote_file)

            listed = [Path(entry).name for entry in ftp.nlst(peer.writable_dir)]
            assert "upload.bin" in listed
            long_listing: list[str] = []
            ftp.retrlines(f"LIST {peer.writable_dir}", long_listing.append)
            assert any(line.endswith("upload.bin") for line in long_listing), long_listing

            assert_download(ftp, remote_file)
            assert ftp.size(remote_file) == len(PAYLOAD)

            ftp.mkd(remote_dir)
            assert peer.local_path(remote_dir).is_dir()
            ftp.rmd(remote_dir)
            assert not peer.local_path(remote_dir).exists()

            assert_delete(ftp, peer, remote_file)
            with pytest.raises(ftplib.error_perm, match=r"^55\d"):
                ftp.retrbinary(f"RETR {remote_file}", io.BytesIO().write)

            assert_confined(ftp, peer, outside)

        lingering.connect(peer.host, peer.port, timeout=10)
        assert lingering.login(peer.user, peer.password).startswith("230")
        processes = {peer.process.pid, *descendants(peer.process.pid)}
        if name in SESSION_CHILDREN:
            assert len(processes) > 1, f"{name}: no process serves the lingering session"
    finally:
        peer_context.__exit__(None, None, None)

    try:  # the lingering client stays connected: its session must end with the peer anyway
        assert peer.process.poll() is not None, f"{name} still runs after stop"
        assert not still_running(processes), f"{name} left processes behind"
        assert not port_accepts(peer.port), f"{name} still accepts connections on {peer.port}"
    finally:
        lingering.close()


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", PEERS)
def test_peer_tls_attribute_tells_whether_ftps_works(name: str, tmp_path: Path) -> None:
    """Peer.tls True: AUTH TLS, PBSZ 0 / PROT P (RFC 4217 §§4, 8, 9), then an upload and a
    download over TLS data connections. False: AUTH TLS is refused, so `?tls=explicit` runs
    against this peer would be pointless."""
    peer_context, peer = started(name, tmp_path / "root")
    try:
        if not peer.tls:
            with ftplib.FTP() as ftp:
                ftp.connect(peer.host, peer.port, timeout=10)
                with pytest.raises(ftplib.error_perm, match=r"^5\d\d"):
                    ftp.sendcmd("AUTH TLS")
            return
        context = ssl.create_default_context()
        context.check_hostname = False  # the launcher's throwaway self-signed certificate
        context.verify_mode = ssl.CERT_NONE
        with SessionReusingFTP_TLS(context=context) as ftp:
            ftp.connect(peer.host, peer.port, timeout=10)
            assert ftp.auth().startswith("234")
            assert isinstance(ftp.sock, ssl.SSLSocket)
            assert ftp.login(peer.user, peer.password).startswith("230")
            assert ftp.prot_p().startswith("200")  # ftplib sends PBSZ 0 first
            remote_file = ftp_path(peer.writable_dir, "over-tls.bin")
            assert_upload(ftp, peer, remote_file)
            assert_download(ftp, remote_file)
            assert_delete(ftp, peer, remote_file)
    finally:
        peer_context.__exit__(None, None, None)


def test_missing_binaries_name_the_install_script(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FTPSPEC_PEERS_DIR", str(tmp_path / "nothing-here"))
    for name in ("vsftpd", "proftpd", "pure-ftpd", "inetutils"):
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
        assert fields == {"user": "ftpspec", "password": "ftpspec", "dir": "/", "tls": "no"}
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


def test_inetd_acceptor_rejects_a_command_line_without_program() -> None:
    acceptor = REPO_ROOT / "tests" / "peers" / "templates" / "inetd_acceptor.py"
    for argv in (["0"], ["0", "--"], ["0", "--env", "NO_EQUALS_SIGN", "--", "/bin/true"]):
        done = subprocess.run([PYTHON, str(acceptor), *argv], capture_output=True, text=True,
                              timeout=10)
        assert done.returncode == 2, (argv, done.stderr)
        assert "PROGRAM" in done.stderr or "NAME=VALUE" in done.stderr, (argv, done.stderr)


def test_build_dir_defaults_to_this_repository(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("FTPSPEC_BUILD_DIR", raising=False)
    assert build_dir() == REPO_ROOT / "build" / "release"
    monkeypatch.setenv("FTPSPEC_BUILD_DIR", str(tmp_path))
    assert build_dir() == tmp_path
