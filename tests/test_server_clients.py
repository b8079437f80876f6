"""ftpspecd against real FTP clients: Python's ftplib, curl and wget (RFC 959 interoperability).

Starts the built `ftpspecd` binary (FTPSPEC_BUILD_DIR, default /work/main/build/main) on an
ephemeral loopback port over a temporary root and checks bytes on disk and downloaded bytes.
"""
import ftplib
import io
import pathlib
import shutil
import subprocess

import pytest

from ftpspecd_process import FTPSPECD, PASSWORD, USER
from ftpspecd_process import Ftpspecd as FtpspecdProcess

TIMEOUT = 20

pytestmark = pytest.mark.skipif(not FTPSPECD.exists(), reason=f"ftpspecd is not built at {FTPSPECD} (set FTPSPEC_BUILD_DIR)")


class Ftpspecd(FtpspecdProcess):
    """ftpspecd with the users the client tests log in as: alice (read-write), reader (read-only)."""

    def __init__(self, root: pathlib.Path, extra_args=()):
        super().__init__(root, ["--user", f"{USER}:{PASSWORD}", "--user", "reader:pw:ro", *extra_args])


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    srv = Ftpspecd(root)
    yield srv
    srv.stop()
    assert srv.process.returncode == 0, "SIGTERM must stop ftpspecd cleanly"


@pytest.fixture
def ftp(server):
    client = ftplib.FTP()
    client.connect("127.0.0.1", server.port, timeout=TIMEOUT)
    client.login(USER, PASSWORD)
    yield client
    try:
        client.quit()
    except (ftplib.Error, OSError):
        client.close()


def payload(size):
    return bytes((i * 7 + i // 251) & 0xFF for i in range(size))


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, timeout=TIMEOUT, check=True, **kwargs)


# ---- ftplib ----

def test_ftplib_binary_round_trip(ftp, server):
    data = payload(500_000)
    assert ftp.storbinary("STOR up.bin", io.BytesIO(data)).startswith("226")
    assert (server.root / "up.bin").read_bytes() == data
    received = bytearray()
    assert ftp.retrbinary("RETR up.bin", received.extend).startswith("226")
    assert bytes(received) == data
    assert ftp.size("up.bin") == len(data)


def test_ftplib_rest_resume(ftp, server):
    (server.root / "r.bin").write_bytes(b"0123456789")
    received = bytearray()
    ftp.retrbinary("RETR r.bin", received.extend, rest=6)
    assert bytes(received) == b"6789"


def test_ftplib_ascii_lines(ftp, server):
    ftp.storlines("STOR lines.txt", io.BytesIO(b"alpha\nbeta\n"))
    assert (server.root / "lines.txt").read_bytes() == b"alpha\nbeta\n"  # CRLF on the wire, LF on disk
    lines = []
    ftp.retrlines("RETR lines.txt", lines.append)
    assert lines == ["alpha", "beta"]


def test_ftplib_directories_and_listing(ftp, server):
    assert ftp.mkd("sub") == "/sub"
    ftp.cwd("sub")
    assert ftp.pwd() == "/sub"
    ftp.storbinary("STOR f.txt", io.BytesIO(b"x"))
    assert ftp.nlst() == ["f.txt"]
    listing = []
    ftp.retrlines("LIST", listing.append)
    assert len(listing) == 1 and listing[0].startswith("-rw-r--r-- 1 ftp ftp") and listing[0].endswith(" f.txt")
    ftp.rename("f.txt", "g.txt")
    ftp.delete("g.txt")
    ftp.cwd("..")
    ftp.rmd("sub")
    assert not (server.root / "sub").exists()


def test_ftplib_mlsd_and_mlst(ftp, server):
    (server.root / "m.bin").write_bytes(b"12345")
    (server.root / "sub").mkdir()
    entries = dict(ftp.mlsd(facts=["type", "size", "perm"]))
    assert entries["m.bin"] == {"type": "file", "size": "5", "perm": "adfrw"}
    assert entries["sub"]["type"] == "dir"
    assert entries["."]["type"] == "cdir"
    assert ftp.sendcmd("MLST m.bin").splitlines()[1] == " type=file;size=5;perm=adfrw; /m.bin"
    with pytest.raises(ftplib.error_perm, match="^501"):
        list(ftp.mlsd("m.bin"))


@pytest.mark.skipif(shutil.which("lftp") is None, reason="lftp is not installed")
def test_lftp_lists_with_mlsd(server):
    (server.root / "one.txt").write_bytes(b"1")
    (server.root / "two").mkdir()
    script = (f"set net:max-retries 1; set net:timeout 10; set ftp:use-mlsd true; "
              f"open -u {USER},{PASSWORD} -p {server.port} 127.0.0.1; cls -1 --classify; bye")
    result = subprocess.run(["lftp", "-d", "-c", script], capture_output=True, timeout=TIMEOUT, check=True)
    assert sorted(result.stdout.decode().split()) == ["one.txt", "two/"]
    assert "MLSD" in result.stderr.decode()  # lftp -d logs the commands it sent


def test_ftplib_active_mode(ftp, server):
    (server.root / "a.bin").write_bytes(b"active")
    ftp.set_pasv(False)
    received = bytearray()
    ftp.retrbinary("RETR a.bin", received.extend)
    assert bytes(received) == b"active"


def test_ftplib_wrong_password(server):
    client = ftplib.FTP()
    client.connect("127.0.0.1", server.port, timeout=TIMEOUT)
    with pytest.raises(ftplib.error_perm, match="^530"):
        client.login(USER, "wrong")
    client.close()


# ---- curl ----

@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_download_upload_resume_listing(server, tmp_path):
    data = payload(200_000)
    (server.root / "d.bin").write_bytes(data)
    out = tmp_path / "out.bin"
    run(["curl", "-sS", "--ftp-pasv", "-o", str(out), server.url("d.bin")])
    assert out.read_bytes() == data

    active = tmp_path / "active.bin"
    run(["curl", "-sS", "-P", "127.0.0.1", "-o", str(active), server.url("d.bin")])
    assert active.read_bytes() == data

    src = tmp_path / "src.bin"
    src.write_bytes(data[:12345])
    run(["curl", "-sS", "-T", str(src), server.url("uploaded.bin")])
    assert (server.root / "uploaded.bin").read_bytes() == data[:12345]

    partial = tmp_path / "partial.bin"
    partial.write_bytes(data[:1000])
    run(["curl", "-sS", "-C", "-", "-o", str(partial), server.url("d.bin")])
    assert partial.read_bytes() == data

    listing = run(["curl", "-sS", server.url("")]).stdout.decode()
    assert any(line.endswith(" d.bin") for line in listing.splitlines())
    names = run(["curl", "-sS", "--list-only", server.url("")]).stdout.decode().splitlines()
    assert sorted(names) == ["d.bin", "uploaded.bin"]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_read_only_user_cannot_upload(server, tmp_path):
    src = tmp_path / "src.txt"
    src.write_bytes(b"no")
    result = subprocess.run(["curl", "-sS", "-T", str(src), server.url("ro.txt", "reader", "pw")],
                            capture_output=True, timeout=TIMEOUT)
    assert result.returncode != 0
    assert not (server.root / "ro.txt").exists()


# ---- wget ----

@pytest.mark.skipif(shutil.which("wget") is None, reason="wget is not installed")
def test_wget_download(server, tmp_path):
    data = payload(100_000)
    (server.root / "w.bin").write_bytes(data)
    out = tmp_path / "w.bin"
    run(["wget", "-q", "-O", str(out), server.url("w.bin")])
    assert out.read_bytes() == data


# ---- the command line ----

def test_bad_option_exits_2(tmp_path):
    result = subprocess.run([str(FTPSPECD), "--bogus"], capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 2
    assert "unknown option '--bogus'" in result.stderr


def test_help_exits_0():
    result = subprocess.run([str(FTPSPECD), "--help"], capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0 and "--listen HOST:PORT" in result.stdout


def test_port_file(tmp_path):
    port_file = tmp_path / "port"
    srv = Ftpspecd(tmp_path, ["--port-file", str(port_file)])
    try:
        assert int(port_file.read_text()) == srv.port
    finally:
        srv.stop()


# ---- the config file, limits ----

def test_config_file_users_roots_and_anonymous(tmp_path):
    root, bob_root = tmp_path / "root", tmp_path / "bob"
    root.mkdir()
    bob_root.mkdir()
    (root / "shared.txt").write_bytes(b"shared")
    (bob_root / "bob.txt").write_bytes(b"bob's")
    config = tmp_path / "ftpspecd.conf"
    config.write_text(f"root = {root}\nanonymous = true\nmax_login_attempts = 2\nlogin_failure_delay_ms = 100\n"
                      f"user bob pw ro root={bob_root}\n")
    process = subprocess.Popen([str(FTPSPECD), "--config", str(config)], stdout=subprocess.PIPE, text=True)
    try:
        port = int(process.stdout.readline().rsplit(":", 1)[1])
        bob = ftplib.FTP()
        bob.connect("127.0.0.1", port, timeout=TIMEOUT)
        bob.login("bob", "pw")
        assert bob.nlst() == ["bob.txt"]
        with pytest.raises(ftplib.error_perm, match="^553"):
            bob.storbinary("STOR x", io.BytesIO(b"x"))
        bob.quit()
        anon = ftplib.FTP()
        anon.connect("127.0.0.1", port, timeout=TIMEOUT)
        anon.login()  # anonymous
        assert anon.nlst() == ["shared.txt"]
        anon.quit()
        guesser = ftplib.FTP()
        guesser.connect("127.0.0.1", port, timeout=TIMEOUT)
        with pytest.raises(ftplib.error_perm, match="^530"):
            guesser.login("bob", "wrong")
        with pytest.raises(ftplib.error_temp, match="^421"):  # the second failure ends the session
            guesser.login("bob", "wrong")
        guesser.close()
    finally:
        process.terminate()
        process.wait(timeout=5)
        process.stdout.close()


def test_config_file_error_names_the_line(tmp_path):
    config = tmp_path / "bad.conf"
    config.write_text("root = /tmp\nmax_sessions = lots\n")
    result = subprocess.run([str(FTPSPECD), "--config", str(config)], capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 2
    assert f"{config}:2: expected a number, got 'lots'" in result.stderr
