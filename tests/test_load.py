"""`ftpspec load` (engine/load) and the Locust user (ftpspec.locust, started as documented with
`python -m ftpspec.locust`) against a real ftpspecd on loopback. Bounded in time; no assertion on
how fast anything is."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
BUILD = Path(os.environ.get("FTPSPEC_BUILD_DIR", REPO / "build" / "release"))
FTPSPECD = BUILD / "reference_server" / "ftpspecd"
FTPSPEC = BUILD / "engine" / "ftpspec"
PYTHON = sys.executable  # the interpreter running the tests: it can import ftpspec (build or venv)


@pytest.fixture
def server(tmp_path):
    """ftpspecd on an ephemeral port serving tmp_path/root; yields (url, root)."""
    if not FTPSPECD.exists():
        pytest.fail(f"{FTPSPECD} is missing: build ftpspecd (FTPSPEC_BUILD_DIR={BUILD})")
    root = tmp_path / "root"
    root.mkdir()
    port_file = tmp_path / "port"
    process = subprocess.Popen(
        [str(FTPSPECD), "--root", str(root), "--user", "load:secret", "--port-file", str(port_file)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not (port_file.exists() and port_file.read_text().strip()):
            assert process.poll() is None, "ftpspecd exited at start"
            assert time.monotonic() < deadline, "ftpspecd did not write its port"
            time.sleep(0.05)
        yield f"ftp://load:secret@127.0.0.1:{port_file.read_text().strip()}", root
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_load(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    if not FTPSPEC.exists():
        pytest.fail(f"{FTPSPEC} is missing: build the ftpspec target (FTPSPEC_BUILD_DIR={BUILD})")
    return subprocess.run([str(FTPSPEC), "load", *args], capture_output=True, text=True, timeout=timeout)


def test_mixed_load_reports_operations_and_no_errors(server):
    url, root = server
    result = run_load("--target", url, "--sessions", "4", "--duration", "3", "--file-size", "5000",
                      "--files", "6", "--mix", "retr:60,stor:20,list:10,nlst:5,noop:5", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["failed"] == 0 and report["errors"] == {}
    assert report["ok"] > 0 and report["sessions"] == 4
    ops = report["ops"]
    assert set(ops) <= {"retr", "stor", "list", "nlst", "noop"}
    assert ops["retr"]["ok"] > 0
    # Every RETR moved the whole file: the engine counts data bytes, the server had the files.
    assert ops["retr"]["bytes"] == ops["retr"]["ok"] * 5000
    assert report["connect"]["ok"] == 4 and report["login"]["ok"] == 4
    for stats in ops.values():
        latency = stats["latency_ms"]
        assert 0 <= latency["p50"] <= latency["p90"] <= latency["p99"] <= latency["max"]
    # The setup phase uploaded the RETR files byte-exactly, and STOR wrote per-session files.
    expected = bytes(ord("a") + i % 26 for i in range(5000))
    for index in range(6):
        assert (root / f"ftpspec-load-{index}.dat").read_bytes() == expected
    if "stor" in ops:
        assert sorted(p.name for p in root.glob("ftpspec-load-up-*.dat"))


def test_block_mode_keeps_one_data_connection_per_session(server):
    # RFC 959 §3.3: in MODE B each session opens one data connection, and every later transfer
    # goes over it (ftpspecd answers 125, then 250). 70,000-byte files span two codec chunks.
    url, root = server
    result = run_load("--target", url, "--sessions", "3", "--duration", "2", "--file-size", "70000",
                      "--files", "4", "--mix", "retr:60,stor:30,list:10", "--mode", "B", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["failed"] == 0 and report["errors"] == {}
    assert report["mode"] == "B" and report["block_mode_logins"] == 3
    transfers = sum(report["ops"][op]["ok"] for op in ("retr", "stor", "list") if op in report["ops"])
    assert transfers > 3
    # Only the first transfer of each session opened a data connection.
    assert report["reused_data_connections"] == transfers - 3
    assert report["ops"]["retr"]["bytes"] == report["ops"]["retr"]["ok"] * 70000
    expected = bytes(ord("a") + i % 26 for i in range(70000))
    uploads = sorted(root.glob("ftpspec-load-up-*.dat"))
    assert uploads and all(path.read_bytes() == expected for path in uploads)


def test_block_mode_refused_fails_the_login_and_best_falls_back_to_stream(tmp_path):
    # pyftpdlib implements MODE S only: `--mode B` reports the refusal, `--mode best` carries on in
    # stream mode with a new data connection per transfer.
    from tests.peers.launch import PeerUnavailable, start_peer
    root = tmp_path / "root"
    root.mkdir()
    try:
        peer_context = start_peer("pyftpdlib", root)
        peer = peer_context.__enter__()
    except PeerUnavailable as error:
        pytest.fail(f"pyftpdlib is needed (scripts/debian-packages.txt): {error}")
    try:
        common = ["--target", peer.url, "--dir", peer.writable_dir, "--sessions", "1", "--ops", "6",
                  "--files", "2", "--mix", "retr", "--json"]
        refused = json.loads(run_load(*common, "--mode", "B", "--duration", "1").stdout)
        assert refused["login"]["failed"] >= 1 and refused["ops"] == {}
        assert any(kind.startswith("login: MODE 5") for kind in refused["errors"]), refused["errors"]
        best = run_load(*common, "--mode", "best")
        assert best.returncode == 0, best.stdout + best.stderr
        report = json.loads(best.stdout)
        assert report["block_mode_logins"] == 0 and report["reused_data_connections"] == 0
        assert report["ops"]["retr"]["ok"] == 6 and report["failed"] == 0
    finally:
        peer_context.__exit__(None, None, None)


def test_operation_cap_stops_the_run_early(server):
    url, _ = server
    started = time.monotonic()
    result = run_load("--target", url, "--sessions", "3", "--duration", "60", "--ops", "40",
                      "--mix", "noop:1,list:1", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] == 40
    assert time.monotonic() - started < 50  # stopped by the cap, not by the 60 s duration


def test_refused_login_is_reported_as_errors(server):
    url, _ = server
    bad = url.replace("secret", "wrong")
    result = run_load("--target", bad, "--sessions", "2", "--duration", "1.5", "--mix", "noop", "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] == 0 and report["login"]["failed"] >= 2
    assert any(kind.startswith("login: login 530") for kind in report["errors"]), report["errors"]


def test_missing_retr_files_are_errors_by_reply_code(server):
    url, _ = server
    result = run_load("--target", url, "--sessions", "1", "--ops", "5", "--mix", "retr", "--no-prepare", "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ops"]["retr"]["failed"] == 5 and report["errors"] == {"RETR 550": 5}


@pytest.mark.parametrize("args, message", [
    (["--mix", "retr:80,fly:20"], "unknown operation 'fly'"),
    (["--mix", "retr:0"], "no operation with a weight above 0"),
    (["--sessions", "0"], "--sessions must be"),
    (["--mode", "C"], "--mode: 'C' is not S, B or best"),
])
def test_usage_errors(args, message):
    result = run_load("--target", "ftp://u:p@127.0.0.1:9", *args)
    assert result.returncode == 2 and message in result.stderr


def test_locust_drives_ftpspec_sessions(server, tmp_path):
    # Never import locust here: it monkey-patches the whole pytest process with gevent at import
    # time, and every later test then hangs. Ask a child interpreter instead.
    if subprocess.run([PYTHON, "-c", "import locust"], capture_output=True, timeout=60).returncode != 0:
        pytest.fail("locust is not importable: apt-get install python3-locust (scripts/debian-packages.txt)")
    url, root = server
    prefix = tmp_path / "locust"
    env = dict(os.environ, FTPSPEC_LOCUST_FILE_SIZE="3000")
    result = subprocess.run(
        [PYTHON, "-m", "ftpspec.locust", "--headless", "-u", "5", "-r", "5", "-t", "5s", "--stop-timeout", "10",
         "--host", url, "--only-summary", "--csv", str(prefix)],
        capture_output=True, text=True, timeout=90, env=env, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with open(f"{prefix}_stats.csv", newline="") as f:
        rows = {row["Name"]: row for row in csv.DictReader(f)}
    assert int(rows["Aggregated"]["Request Count"]) > 0
    assert int(rows["Aggregated"]["Failure Count"]) == 0
    for name in ("login", "STOR", "RETR"):
        assert int(rows[name]["Request Count"]) > 0, rows.keys()
    # Each user uploaded its own 3000-byte file through ftpspec.Session.
    uploads = list(root.glob("locust-*.dat"))
    assert sorted(p.stat().st_size for p in uploads) == [3000] * 5
