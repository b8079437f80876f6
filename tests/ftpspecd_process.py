"""The built ftpspecd binary as a test's server: the one way the Python tests start it, learn its
port and stop it (the client-interop tests and the hostile-client tests build on it).

FTPSPEC_BUILD_DIR says where it is built (default /work/main/build/main).
"""
from __future__ import annotations

import os
import pathlib
import resource
import subprocess
import tempfile

BUILD_DIR = pathlib.Path(os.environ.get("FTPSPEC_BUILD_DIR", "/work/main/build/main"))
FTPSPECD = BUILD_DIR / "reference_server" / "ftpspecd"
USER, PASSWORD = "alice", "s3cret"


class Ftpspecd:
    """ftpspecd on an ephemeral loopback port over `root`, with `args` added to its command line;
    `program` is another ftpspecd to start (an installed one), `env` its environment.

    Its stderr goes to a temporary file, not a pipe: a pipe nobody reads fills up and would stall
    the server mid-test. `max_open_files` lowers RLIMIT_NOFILE for descriptor-exhaustion tests.
    """

    def __init__(self, root: pathlib.Path, args=(), max_open_files: int | None = None,
                 program: pathlib.Path | str = FTPSPECD, env: dict[str, str] | None = None):
        self.root = root
        self._stderr = tempfile.TemporaryFile()
        limit = (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (max_open_files, max_open_files))) \
            if max_open_files else None
        self.process = subprocess.Popen(
            [str(program), "--listen", "127.0.0.1:0", "--root", str(root), *args],
            stdout=subprocess.PIPE, stderr=self._stderr, text=True, preexec_fn=limit, env=env)
        line = self.process.stdout.readline()  # "ftpspecd listening on 127.0.0.1:PORT", flushed
        if not line.startswith("ftpspecd listening on "):
            self.stop()
            raise RuntimeError(f"ftpspecd did not start: {line!r} {self.stderr_text()}")
        self.port = int(line.rsplit(":", 1)[1])
        self.pid = self.process.pid

    def url(self, path: str = "", user: str = USER, password: str = PASSWORD) -> str:
        return f"ftp://{user}:{password}@127.0.0.1:{self.port}/{path}"

    def alive(self) -> bool:
        return self.process.poll() is None

    def stderr_text(self) -> str:
        """Everything ftpspecd has written to stderr so far."""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 5 s; `process.returncode` tells whether it stopped cleanly."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process.stdout.close()
