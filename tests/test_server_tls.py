"""ftpspecd's RFC 4217 FTP over TLS against real clients: curl --ssl-reqd, Python's
ftplib.FTP_TLS (prot_p) and lftp (ftp:ssl-force). A self-signed certificate is made per test
session with the openssl command line in a temporary directory."""
import ftplib
import io
import shutil
import ssl
import subprocess

import pytest

from test_server_clients import FTPSPECD, PASSWORD, TIMEOUT, USER, Ftpspecd, payload, run

pytestmark = [
    pytest.mark.skipif(not FTPSPECD.exists(), reason=f"ftpspecd is not built at {FTPSPECD}"),
    pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed"),
]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                    "-days", "1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=TIMEOUT)
    return cert, key


@pytest.fixture
def tls_server(tmp_path, certificate):
    root = tmp_path / "root"
    root.mkdir()
    cert, key = certificate
    srv = Ftpspecd(root, ["--tls-cert", str(cert), "--tls-key", str(key), "--require-tls"])
    yield srv
    srv.stop()
    assert srv.process.returncode == 0


def ftps_client(server):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    client = ftplib.FTP_TLS(context=context)
    client.connect("127.0.0.1", server.port, timeout=TIMEOUT)
    return client


# ---- ftplib.FTP_TLS ----

def test_ftplib_tls_round_trip_and_listing(tls_server):
    client = ftps_client(tls_server)
    assert client.auth().startswith("234")
    client.login(USER, PASSWORD)
    assert client.prot_p().startswith("200")
    data = payload(400_000)
    assert client.storbinary("STOR secret.bin", io.BytesIO(data)).startswith("226")
    assert (tls_server.root / "secret.bin").read_bytes() == data
    received = bytearray()
    assert client.retrbinary("RETR secret.bin", received.extend).startswith("226")
    assert bytes(received) == data
    assert client.nlst() == ["secret.bin"]
    lines = []
    client.retrlines("LIST", lines.append)
    assert lines[0].endswith(" secret.bin")
    assert client.prot_c().startswith("200")  # clear data on the protected control connection
    received.clear()
    client.retrbinary("RETR secret.bin", received.extend)
    assert bytes(received) == data
    client.quit()


def test_ftplib_ccc_continues_in_clear(tls_server):
    (tls_server.root / "c.txt").write_bytes(b"cleared")
    client = ftps_client(tls_server)
    client.login(USER, PASSWORD)  # FTP_TLS.login sends AUTH TLS first
    client.prot_p()
    assert client.ccc().startswith("200")
    assert client.sock._sslobj is None  # unwrap() leaves the socket in clear
    assert client.voidcmd("NOOP").startswith("200")
    received = bytearray()
    client.retrbinary("RETR c.txt", received.extend)  # the data connection stays protected
    assert bytes(received) == b"cleared"
    client.quit()


def test_require_tls_refuses_clear_login(tls_server):
    client = ftplib.FTP()
    client.connect("127.0.0.1", tls_server.port, timeout=TIMEOUT)
    with pytest.raises(ftplib.error_perm, match="^534"):
        client.login(USER, PASSWORD)
    client.close()


# ---- curl ----

@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_ssl_reqd_download_upload_listing(tls_server, tmp_path):
    data = payload(250_000)
    (tls_server.root / "d.bin").write_bytes(data)
    url = f"ftp://{USER}:{PASSWORD}@127.0.0.1:{tls_server.port}/"
    out = tmp_path / "out.bin"
    run(["curl", "-sS", "--ssl-reqd", "-k", "-o", str(out), url + "d.bin"])
    assert out.read_bytes() == data
    src = tmp_path / "src.bin"
    src.write_bytes(data[:54321])
    run(["curl", "-sS", "--ssl-reqd", "-k", "-T", str(src), url + "up.bin"])
    assert (tls_server.root / "up.bin").read_bytes() == data[:54321]
    names = run(["curl", "-sS", "--ssl-reqd", "-k", "--list-only", url]).stdout.decode().split()
    assert sorted(names) == ["d.bin", "up.bin"]
    listing = run(["curl", "-sS", "--ssl-reqd", "-k", url]).stdout.decode()
    assert any(line.endswith(" d.bin") for line in listing.splitlines())


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_without_tls_is_refused_by_require_tls(tls_server, tmp_path):
    result = subprocess.run(["curl", "-sS", "-o", str(tmp_path / "x"), f"ftp://{USER}:{PASSWORD}@127.0.0.1:{tls_server.port}/"],
                            capture_output=True, timeout=TIMEOUT)
    assert result.returncode == 67  # CURLE_LOGIN_DENIED


# ---- lftp ----

@pytest.mark.skipif(shutil.which("lftp") is None, reason="lftp is not installed")
def test_lftp_ssl_force(tls_server, tmp_path):
    data = payload(100_000)
    (tls_server.root / "l.bin").write_bytes(data)
    local = tmp_path / "local"
    local.mkdir()
    (local / "put.bin").write_bytes(data[:777])
    script = (f"set ftp:ssl-force true; set ssl:verify-certificate no; set ftp:ssl-protect-data true; "
              f"set net:max-retries 1; set net:timeout 10; "
              f"open -u {USER},{PASSWORD} -p {tls_server.port} 127.0.0.1; "
              f"lcd {local}; get l.bin; put put.bin; cls -1; bye")
    result = run(["lftp", "-c", script])
    assert (local / "l.bin").read_bytes() == data
    assert (tls_server.root / "put.bin").read_bytes() == data[:777]
    assert sorted(result.stdout.decode().split()) == ["l.bin", "put.bin"]
