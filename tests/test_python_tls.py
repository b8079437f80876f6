"""Session's RFC 4217 methods (auth_tls, secure_data, ccc) against a ReferenceServer with a
self-signed certificate made by the openssl command line."""
from __future__ import annotations

import shutil
import subprocess

import pytest

import ftpspec

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cert")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                    "-days", "1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def test_auth_tls_then_protected_transfer(tmp_path, certificate):
    cert, key = certificate
    (tmp_path / "secret.txt").write_bytes(b"over TLS\n")
    with ftpspec.ReferenceServer(tmp_path, tls_cert=cert, tls_key=key) as server:
        with ftpspec.Session(server.host, server.port, reply_timeout=5) as s:
            assert not s.control_secure
            assert s.auth_tls().code == 234 and s.control_secure
            s.login("user", "pass")
            assert [r.code for r in s.secure_data("P")] == [200, 200] and s.data_protection == "P"
            assert s.retr("secret.txt", type="I") == b"over TLS\n"
            assert "AUTH TLS" in str(s.transcript)


def test_auth_tls_refused_leaves_the_connection_clear(tmp_path):
    with ftpspec.ReferenceServer(tmp_path) as server:  # no certificate: TLS not offered
        with ftpspec.Session(server.host, server.port, reply_timeout=5) as s:
            reply = s.auth_tls()
            assert reply.code // 100 in (4, 5) and not s.control_secure
            assert s.login("user", "pass").code == 230
    with pytest.raises(ValueError):
        ftpspec.Session().secure_data("X")
    with pytest.raises(ValueError, match="both"):
        ftpspec.ReferenceServer(tmp_path, tls_cert=tmp_path / "c.pem")
