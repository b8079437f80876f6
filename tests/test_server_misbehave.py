"""ftpspecd's misbehaviours (`--misbehave NAME[=VALUE]`, docs/ftpspecd.md) meeting real FTP
clients: each test drives Python's ftplib, curl or lftp into one misbehaviour and checks that the
client sees it (an exception, an exit code, a parsed listing) or copes with it (intact bytes).

Only loopback addresses are used: pasv-address announces 127.0.0.2, where nothing listens.
"""
import ftplib
import io
import re
import shutil
import socket
import subprocess

import pytest

from test_server_clients import FTPSPECD, PASSWORD, TIMEOUT, USER, Ftpspecd, payload

pytestmark = pytest.mark.skipif(not FTPSPECD.exists(), reason=f"ftpspecd is not built at {FTPSPECD}")
needs_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
needs_lftp = pytest.mark.skipif(shutil.which("lftp") is None, reason="lftp is not installed")


@pytest.fixture
def misbehaving(tmp_path):
    """Starts ftpspecd with the given misbehaviours; stops every server it started."""
    started = []

    def start(*names):
        root = tmp_path / f"root{len(started)}"
        root.mkdir()
        args = [arg for name in names for arg in ("--misbehave", name)]
        server = Ftpspecd(root, args)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
        assert server.process.returncode == 0


def login(server, timeout=TIMEOUT):
    client = ftplib.FTP()
    client.connect("127.0.0.1", server.port, timeout=timeout)
    client.login(USER, PASSWORD)
    return client


def curl(*args):
    return subprocess.run(["curl", "-sS", *args], capture_output=True, timeout=TIMEOUT)


def lftp(server, commands):
    script = (f"set net:max-retries 1; set net:timeout 10; set ftp:use-mlsd false; "
              f"open -u {USER},{PASSWORD} -p {server.port} 127.0.0.1; {commands}; bye")
    return subprocess.run(["lftp", "-c", script], capture_output=True, timeout=TIMEOUT, check=True).stdout.decode()


# ---- replies ----

def test_delay_replies_trips_a_client_timeout(misbehaving):
    server = misbehaving("delay-replies=3000")
    impatient = ftplib.FTP()
    with pytest.raises(TimeoutError):  # the 220 comes after 3 s; the client waits 0.3 s
        impatient.connect("127.0.0.1", server.port, timeout=0.3)
    impatient.close()


def test_delay_replies_patient_client_completes(misbehaving):
    server = misbehaving("delay-replies=100")
    (server.root / "d.bin").write_bytes(payload(10_000))
    client = login(server)
    received = bytearray()
    client.retrbinary("RETR d.bin", received.extend)
    assert bytes(received) == payload(10_000)
    client.quit()


def test_multiline_codes_reach_the_client(misbehaving):
    server = misbehaving("multiline-codes")
    client = login(server)
    feat = client.sendcmd("FEAT").splitlines()
    # RFC 959 §4.2: "211-" on every line but the last, which is "211 End".
    assert feat[0] == "211-Features:" and feat[-1] == "211 End"
    assert all(line.startswith("211-") for line in feat[:-1])
    assert "211- EPSV" in feat
    client.quit()


@needs_curl
def test_lf_only_and_multiline_codes_curl_still_downloads(misbehaving, tmp_path):
    server = misbehaving("lf-only", "multiline-codes")
    data = payload(50_000)
    (server.root / "f.bin").write_bytes(data)
    out = tmp_path / "f.bin"
    result = curl("-v", "-o", str(out), server.url("f.bin"))
    assert result.returncode == 0, result.stderr.decode()
    assert out.read_bytes() == data


def test_lf_only_replies_have_no_cr(misbehaving):
    server = misbehaving("lf-only")
    with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as raw:
        greeting = raw.recv(1024)
    assert greeting == b"220 ftpspecd ready\n"
    client = login(server)  # ftplib accepts bare LF
    assert client.pwd() == "/"
    client.quit()


# ---- transfers ----

def test_preliminary_then_4xx_raises_error_temp(misbehaving):
    server = misbehaving("preliminary-then-4xx")
    (server.root / "f.bin").write_bytes(b"never sent")
    client = login(server)
    received = bytearray()
    with pytest.raises(ftplib.error_temp, match="^451"):
        client.retrbinary("RETR f.bin", received.extend)
    assert received == b""
    with pytest.raises(ftplib.error_temp, match="^451"):
        client.nlst()
    client.quit()


@needs_curl
def test_preliminary_then_4xx_curl_fails(misbehaving, tmp_path):
    server = misbehaving("preliminary-then-4xx")
    (server.root / "f.bin").write_bytes(payload(1000))
    result = curl("-o", str(tmp_path / "out"), server.url("f.bin"))
    assert result.returncode == 18, result.stderr  # CURLE_PARTIAL_FILE: 150 said 1000 bytes, none came


@needs_curl
def test_drop_data_gives_curl_a_partial_file(misbehaving, tmp_path):
    server = misbehaving("drop-data=5000")
    (server.root / "big.bin").write_bytes(payload(200_000))
    out = tmp_path / "big.bin"
    result = curl("-o", str(out), server.url("big.bin"))
    assert result.returncode == 18, result.stderr  # CURLE_PARTIAL_FILE
    assert out.read_bytes() == payload(200_000)[:5000]


def test_drop_data_ftplib_sees_426(misbehaving):
    server = misbehaving("drop-data=5000")
    (server.root / "big.bin").write_bytes(payload(200_000))
    client = login(server)
    received = bytearray()
    with pytest.raises(ftplib.error_temp, match="^426"):
        client.retrbinary("RETR big.bin", received.extend)
    assert bytes(received) == payload(200_000)[:5000]
    # Uploads are cut too. The server closes with bytes unread, so the client's send may fail
    # first (EPIPE / reset); the 426 then still waits on the control connection.
    (server.root / "up.bin").write_bytes(b"the old file")
    try:
        client.storbinary("STOR up.bin", io.BytesIO(payload(100_000)))
        pytest.fail("the upload should have been cut")
    except ftplib.error_temp as error:
        assert str(error).startswith("426")
    except OSError:
        with pytest.raises(ftplib.error_temp, match="^426"):
            client.getresp()
    assert (server.root / "up.bin").read_bytes() == b"the old file"  # a failed upload changes nothing
    client.close()


def test_throttle_transfer_is_intact_and_server_rate_within_limit(misbehaving):
    server = misbehaving("throttle=400000")
    data = payload(200_000)
    (server.root / "t.bin").write_bytes(data)
    client = login(server)
    received = bytearray()
    final = client.retrbinary("RETR t.bin", received.extend)
    assert bytes(received) == data
    # The server's own account of the transfer (no clock in this test): a rate it guarantees.
    match = re.search(r"throttled: (\d+) bytes in (\d+) ms", final)
    assert match, final
    sent, elapsed_ms = int(match[1]), int(match[2])
    assert sent == len(data)
    assert sent / max(elapsed_ms, 1) * 1000 <= 400_000 * 1.01
    final = client.storbinary("STOR back.bin", io.BytesIO(data))
    assert "throttled: 200000 bytes" in final
    assert (server.root / "back.bin").read_bytes() == data
    client.quit()


# ---- the control connection ----

def test_close_421_ftplib_error_temp(misbehaving):
    server = misbehaving("close-421=3")
    client = login(server)  # USER, PASS
    with pytest.raises(ftplib.error_temp, match="^421"):
        client.pwd()
    with pytest.raises((EOFError, OSError)):  # the server closed the connection
        client.voidcmd("NOOP")
    client.close()


@needs_curl
def test_close_421_curl_exit_code(misbehaving, tmp_path):
    server = misbehaving("close-421=3")
    (server.root / "f.bin").write_bytes(b"x")
    result = curl("-v", "-o", str(tmp_path / "f.bin"), server.url("f.bin"))
    assert result.returncode == 28, result.stderr  # curl maps a 421 to CURLE_OPERATION_TIMEDOUT
    assert b"< 421 " in result.stderr


# ---- PASV addresses ----

def test_pasv_unroutable_ftplib_substitutes_the_control_address(misbehaving):
    server = misbehaving("pasv-unroutable")
    (server.root / "p.bin").write_bytes(b"passive bytes")
    client = login(server)
    assert client.sendcmd("PASV").startswith("227 Entering Passive Mode (0,0,0,0,")
    client.sendcmd("TYPE I")
    received = bytearray()
    client.retrbinary("RETR p.bin", received.extend)  # ftplib ignores the PASV host by default
    assert bytes(received) == b"passive bytes"
    client.quit()


@needs_curl
def test_pasv_address_curl_trusting_it_fails_skipping_it_works(misbehaving, tmp_path):
    server = misbehaving("pasv-address=127.0.0.2")  # loopback, and nothing listens there
    (server.root / "p.bin").write_bytes(b"passive bytes")
    out = tmp_path / "p.bin"
    trusting = curl("--disable-epsv", "--no-ftp-skip-pasv-ip", "-o", str(out), server.url("p.bin"))
    assert trusting.returncode == 7, trusting.stderr  # CURLE_COULDNT_CONNECT
    skipping = curl("--disable-epsv", "--ftp-skip-pasv-ip", "-o", str(out), server.url("p.bin"))
    assert skipping.returncode == 0, skipping.stderr
    assert out.read_bytes() == b"passive bytes"


@needs_lftp
def test_pasv_unroutable_lftp_fixes_the_address(misbehaving):
    server = misbehaving("pasv-unroutable")
    (server.root / "l.txt").write_bytes(b"lftp got it\n")
    assert lftp(server, "set ftp:prefer-epsv false; cat l.txt") == "lftp got it\n"


# ---- listings ----

@needs_lftp
@pytest.mark.parametrize("list_format", ["dos", "eplf"])
def test_lftp_parses_dos_and_eplf_listings(misbehaving, list_format):
    server = misbehaving(f"list-format={list_format}")
    (server.root / "file.bin").write_bytes(payload(12345))
    (server.root / "folder").mkdir()
    assert lftp(server, "cls -1 --classify").split() == ["file.bin", "folder/"]
    sizes = lftp(server, "cls -s --block-size=1 file.bin").split()
    assert sizes == ["12345", "file.bin"]


def test_dos_listing_as_ftplib_receives_it(misbehaving):
    server = misbehaving("list-format=dos")
    (server.root / "a.txt").write_bytes(b"abc")
    (server.root / "d").mkdir()
    client = login(server)
    lines = []
    client.retrlines("LIST", lines.append)
    assert re.fullmatch(r"\d\d-\d\d-\d\d  \d\d:\d\d[AP]M {20}3 a\.txt", lines[0]), lines
    assert re.fullmatch(r"\d\d-\d\d-\d\d  \d\d:\d\d[AP]M {7}<DIR> {10}d", lines[1]), lines
    client.quit()


# ---- configuration ----

def test_per_user_misbehaviour_from_the_config_file(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "f.txt").write_bytes(b"x")
    config = tmp_path / "m.conf"
    config.write_text(f"root = {root}\nuser plain pw\nuser odd pw misbehave=list-format=eplf,preliminary-then-4xx\n")
    process = subprocess.Popen([str(FTPSPECD), "--config", str(config)], stdout=subprocess.PIPE, text=True)
    try:
        port = int(process.stdout.readline().rsplit(":", 1)[1])
        plain = ftplib.FTP()
        plain.connect("127.0.0.1", port, timeout=TIMEOUT)
        plain.login("plain", "pw")
        lines = []
        plain.retrlines("LIST", lines.append)
        assert lines[0].startswith("-rw")
        plain.quit()
        odd = ftplib.FTP()
        odd.connect("127.0.0.1", port, timeout=TIMEOUT)
        odd.login("odd", "pw")
        with pytest.raises(ftplib.error_temp, match="^451"):
            odd.retrlines("LIST", lines.append)
        odd.quit()
    finally:
        process.terminate()
        process.wait(timeout=5)
        process.stdout.close()


def test_unknown_misbehaviour_exits_2(tmp_path):
    result = subprocess.run([str(FTPSPECD), "--root", str(tmp_path), "--anonymous", "--misbehave", "sing"],
                            capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 2
    assert "--misbehave: unknown misbehaviour 'sing'" in result.stderr
