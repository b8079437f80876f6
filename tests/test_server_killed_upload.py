"""Issue #18: a real `curl -T` killed mid-upload never replaces the file it was uploading over.

A killed curl's data connection ends with a FIN, which stream mode reads as the end of the file
(RFC 959 §3.4.1), and its control connection closes at the same moment, before any 226. ftpspecd
commits an upload only once its completion reply reached a live control connection, so the old
file stays byte for byte. With --keep-partial-uploads the bytes that arrived stay under the name
instead, and `curl -C - -T` resumes the upload (RFC 3659 §5).

The transfer is slowed so that curl is still sending when it is killed: by curl's --limit-rate
(ftpspecd then takes its plain recv(2) path) or by ftpspecd's --misbehave throttle (the codec path).
"""
import shutil
import subprocess
import time

import pytest

from test_server_clients import FTPSPECD, TIMEOUT, Ftpspecd, payload

pytestmark = [
    pytest.mark.skipif(not FTPSPECD.exists(), reason=f"ftpspecd is not built at {FTPSPECD}"),
    pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed"),
]

STAGING_PREFIX = ".ftpspecd-upload."  # upload.hpp: where an upload waits for its 226
RATE = 4_000_000  # bytes per second: a 4 MiB upload takes 1 s, and is killed after 1/16 of it
SLOWED_BY = {
    "curl-limit-rate": ([], ["--limit-rate", str(RATE)]),
    "server-throttle": (["--misbehave", f"throttle={RATE}"], []),
}


def staged_bytes(root):
    return sum(p.stat().st_size for p in root.iterdir() if p.name.startswith(STAGING_PREFIX))


def wait_for(condition, what):
    """Polls `condition` every 20 ms; fails the test after TIMEOUT seconds."""
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.02)


def kill_curl_mid_upload(server, local, name, curl_args=()):
    """curl -T `local` to `name`, SIGKILLed once ftpspecd has 256 KiB of it; then waits until the
    server has settled the dead upload (no staged file left)."""
    curl = subprocess.Popen(["curl", "-sS", *curl_args, "-T", str(local), server.url(name)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: staged_bytes(server.root) >= 256 * 1024, "the upload to reach the server")
        assert curl.poll() is None, "curl finished before it could be killed"
    finally:
        curl.kill()
        curl.wait(timeout=TIMEOUT)
        curl.stderr.close()
    wait_for(lambda: staged_bytes(server.root) == 0 and not any(
        p.name.startswith(STAGING_PREFIX) for p in server.root.iterdir()), "the dead upload to be settled")


@pytest.fixture(params=sorted(SLOWED_BY))
def slowed(request, tmp_path):
    """(start a server with extra args, curl args) for one way of slowing the upload."""
    server_args, curl_args = SLOWED_BY[request.param]
    started = []

    def start(*extra):
        root = tmp_path / f"root{len(started)}"
        root.mkdir()
        started.append(Ftpspecd(root, [*server_args, *extra]))
        return started[-1]

    yield start, curl_args
    for server in started:
        server.stop()
        assert server.process.returncode == 0


def test_killed_curl_upload_leaves_the_old_file_intact(slowed, tmp_path):
    start, curl_args = slowed
    server = start()
    old = payload(8 * 1024 * 1024)
    (server.root / "keep.bin").write_bytes(old)
    new = tmp_path / "new.bin"
    new.write_bytes(bytes(reversed(payload(4 * 1024 * 1024))))

    kill_curl_mid_upload(server, new, "keep.bin", curl_args)
    got = (server.root / "keep.bin").read_bytes()
    assert got == old, f"the unacknowledged upload replaced keep.bin ({len(got)} bytes)"
    kill_curl_mid_upload(server, new, "fresh.bin", curl_args)
    assert not (server.root / "fresh.bin").exists()

    # The same upload, not killed, replaces the file.
    subprocess.run(["curl", "-sS", "-T", str(new), server.url("keep.bin")],
                   capture_output=True, timeout=TIMEOUT, check=True)
    assert (server.root / "keep.bin").read_bytes() == new.read_bytes()


def test_with_keep_partial_uploads_curl_resumes_the_killed_upload(slowed, tmp_path):
    start, curl_args = slowed
    server = start("--keep-partial-uploads")
    (server.root / "keep.bin").write_bytes(payload(1024 * 1024))
    new = tmp_path / "new.bin"
    new.write_bytes(bytes(reversed(payload(4 * 1024 * 1024))))

    kill_curl_mid_upload(server, new, "keep.bin", curl_args)
    partial = (server.root / "keep.bin").read_bytes()
    assert 256 * 1024 <= len(partial) < 4 * 1024 * 1024
    assert partial == new.read_bytes()[:len(partial)], "what arrived is kept under the name"

    # curl -C - asks SIZE and sends the rest from there (RFC 3659 §5).
    subprocess.run(["curl", "-sS", "-C", "-", "-T", str(new), server.url("keep.bin")],
                   capture_output=True, timeout=TIMEOUT, check=True)
    assert (server.root / "keep.bin").read_bytes() == new.read_bytes()


class InProcessServer:
    """ftpspec.ReferenceServer with the two things kill_curl_mid_upload uses: .root and .url()."""

    def __init__(self, server):
        self.server = server
        self.root = server.root

    def url(self, name):
        return f"ftp://user:pass@{self.server.host}:{self.server.port}/{name}"


@pytest.mark.parametrize("keep", [False, True])
def test_python_reference_server_keep_partial_uploads(tmp_path, keep):
    """ftpspec.ReferenceServer(keep_partial_uploads=...) is ftpspecd --keep-partial-uploads."""
    ftpspec = pytest.importorskip("ftpspec")
    root = tmp_path / "root"
    root.mkdir()
    old = payload(1024 * 1024)
    (root / "keep.bin").write_bytes(old)
    new = tmp_path / "new.bin"
    new.write_bytes(bytes(reversed(payload(4 * 1024 * 1024))))
    with ftpspec.ReferenceServer(root, misbehave=f"throttle={RATE}", keep_partial_uploads=keep) as server:
        kill_curl_mid_upload(InProcessServer(server), new, "keep.bin")
    got = (root / "keep.bin").read_bytes()
    if keep:
        assert 256 * 1024 <= len(got) < len(new.read_bytes()) and got == new.read_bytes()[:len(got)]
    else:
        assert got == old
