"""Ctrl-C interrupts long blocking calls: a throttled RETR and a suite run against a slow server.

Each scenario runs in a child Python that sends itself SIGINT after 0.5 s; the child must end with
KeyboardInterrupt well before the transfer or run could have finished (bounded by the subprocess
timeout), and stay usable/cleanly closable afterwards.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

CHILD_TIMEOUT = 20  # seconds; the interrupted calls alone would take over a minute

PRELUDE = """
import os, signal, sys, threading, time
from pathlib import Path
import ftpspec

root = Path(sys.argv[1])
def interrupt_soon():
    threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
"""


def run_child(tmp_path, body: str) -> subprocess.CompletedProcess:
    script = PRELUDE + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        env=dict(os.environ),
    )


def test_ctrl_c_interrupts_a_slow_retr_and_the_session_stays_in_step(tmp_path):
    result = run_child(
        tmp_path,
        """
        (root / "big.bin").write_bytes(os.urandom(1_000_000))
        (root / "small.txt").write_bytes(b"still here")
        # 1 MB at 20 kB/s: 50 s of transfer, never silent long enough for data_timeout.
        with ftpspec.ReferenceServer(root, misbehave="throttle=20000") as server:
            s = ftpspec.Session(server.host, server.port, data_timeout=60)
            s.login("user", "pass")
            interrupt_soon()
            started = time.monotonic()
            try:
                s.retr("big.bin", type="I")
                print("NOT INTERRUPTED")
            except KeyboardInterrupt:
                print(f"interrupted after {time.monotonic() - started:.2f}s")
            # The transfer really stopped: the client closed the data connection and read the
            # server's answer to it, so the next command gets its own reply.
            print("connected:", s.connected)
            print("noop:", s.cmd("NOOP").code)
            print("retr:", s.retr("small.txt", type="I"))
            text = str(s.transcript)
            assert "interrupted (KeyboardInterrupt)" in text, text
            assert "interrupted by the client after" in text, text
            s.quit()
        print("done")
        """,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("interrupted after "), result.stdout
    assert float(lines[0].split()[-1].rstrip("s")) < 5
    assert lines[1:] == ["connected: True", "noop: 200", "retr: b'still here'", "done"], result.stdout


def test_interrupt_from_another_thread_ends_the_call_with_an_error(tmp_path):
    result = run_child(
        tmp_path,
        """
        (root / "big.bin").write_bytes(os.urandom(1_000_000))
        with ftpspec.ReferenceServer(root, misbehave="throttle=20000") as server:
            with ftpspec.Session(server.host, server.port, data_timeout=60) as s:
                s.login("user", "pass")
                threading.Timer(0.5, s.interrupt).start()
                started = time.monotonic()
                try:
                    s.retr("big.bin", type="I")
                    print("NOT INTERRUPTED")
                except ftpspec.Error as e:
                    print(type(e).__name__, "interrupted" in str(e), f"{time.monotonic() - started:.2f}")
                print("noop:", s.cmd("NOOP").code)
        """,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    name, mentioned, took = lines[0].split()
    assert (name, mentioned) == ("Error", "True"), result.stdout
    assert float(took) < 5
    assert lines[1] == "noop: 200", result.stdout


def test_uncaught_ctrl_c_during_retr_ends_the_process(tmp_path):
    result = run_child(
        tmp_path,
        """
        (root / "big.bin").write_bytes(os.urandom(1_000_000))
        server = ftpspec.ReferenceServer(root, misbehave="throttle=20000").start()
        s = ftpspec.Session(server.host, server.port, data_timeout=60)
        s.login("user", "pass")
        interrupt_soon()
        s.retr("big.bin", type="I")
        """,
    )
    assert "KeyboardInterrupt" in result.stderr
    assert result.returncode in (-signal.SIGINT, 128 + signal.SIGINT, 1), result.returncode


def test_ctrl_c_interrupts_a_suite_run(tmp_path):
    scenarios = os.path.join(os.path.dirname(__file__), "..", "scenarios", "rfc959")
    result = run_child(
        tmp_path,
        f"""
        # Every reply 1 s late: the rfc959 suite would take minutes.
        with ftpspec.ReferenceServer(root, misbehave="delay-replies=1000") as server:
            interrupt_soon()
            started = time.monotonic()
            try:
                ftpspec.run(server.url, suites=[{scenarios!r}], jobs=2, timeout=5)
                print("NOT INTERRUPTED")
            except KeyboardInterrupt:
                print(f"interrupted after {{time.monotonic() - started:.2f}}s")
        print("done")
        """,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("interrupted after "), result.stdout
    assert float(lines[0].split()[-1].rstrip("s")) < 5
    assert lines[-1] == "done"


@pytest.mark.parametrize("bad", ["no-such-misbehaviour", "throttle=fast"])
def test_reference_server_rejects_bad_misbehave(tmp_path, bad):
    import ftpspec

    with pytest.raises(ValueError, match="misbehave"):
        ftpspec.ReferenceServer(tmp_path, misbehave=bad)
