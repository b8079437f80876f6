"""A raw FTP control client and an ftpspecd process for hostile-client tests.

The client speaks bytes, not ftplib, so tests can send what no well-behaved client would; its
reply parser is strict (RFC 959 §4.2) so a malformed reply fails the test instead of being
papered over.
"""
from __future__ import annotations

import hashlib
import os
import pathlib
import random
import re
import socket
import time

from ftpspecd_process import FTPSPECD, PASSWORD, USER
from ftpspecd_process import Ftpspecd as FtpspecdProcess

__all__ = ["FTPSPECD", "PASSWORD", "USER", "Control", "Ftpspecd", "ReplyError", "parse_replies", "payload", "sha256"]

_FIRST_LINE = re.compile(rb"^([1-5][0-9][0-9])([ -])(.*)$", re.S)


class ReplyError(AssertionError):
    """The server sent bytes that are not an RFC 959 §4.2 reply."""


def parse_replies(data: bytes) -> tuple[list[tuple[int, list[bytes]]], bytes]:
    """Splits complete replies off `data` (RFC 959 §4.2: "ddd text" or "ddd-" ... "ddd text");
    returns them and the unparsed rest. Raises ReplyError on a line that cannot start a reply."""
    replies = []
    while True:
        end = data.find(b"\r\n")
        if end < 0:
            return replies, data
        match = _FIRST_LINE.match(data[:end])
        if not match:
            raise ReplyError(f"not a reply line: {data[:end][:200]!r}")
        code, sep = match.group(1), match.group(2)
        if sep == b" ":
            replies.append((int(code), [data[:end]]))
            data = data[end + 2:]
            continue
        # Multi-line: ends at a line starting with the same code and SP.
        lines, pos = [data[:end]], end + 2
        while True:
            nxt = data.find(b"\r\n", pos)
            if nxt < 0:
                return replies, data  # incomplete multi-line reply
            line = data[pos:nxt]
            lines.append(line)
            pos = nxt + 2
            if line.startswith(code + b" "):
                break
        replies.append((int(code), lines))
        data = data[pos:]


class Control:
    """One control connection with a receive buffer; every wait is bounded by `timeout`."""

    def __init__(self, port: int, timeout: float = 10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""
        self.timeout = timeout

    def read_reply(self, timeout: float | None = None) -> tuple[int, bytes]:
        """The next complete reply as (code, all lines joined); raises on close or timeout."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            replies, _ = parse_replies(self.buffer)
            if replies:
                code, lines = replies[0]
                consumed = sum(len(line) + 2 for line in lines)
                self.buffer = self.buffer[consumed:]
                return code, b"\r\n".join(lines)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no complete reply; buffered {self.buffer[:200]!r}")
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"server closed the connection; buffered {self.buffer[:200]!r}")
            self.buffer += chunk

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def cmd(self, line: str | bytes, timeout: float | None = None) -> tuple[int, bytes]:
        self.send((line.encode() if isinstance(line, str) else line) + b"\r\n")
        return self.read_reply(timeout)

    def login(self, user: str = USER, password: str = PASSWORD) -> None:
        code, text = self.read_reply()
        assert code == 220, text
        code, text = self.cmd(f"USER {user}")
        assert code == 331, text
        code, text = self.cmd(f"PASS {password}")
        assert code == 230, text

    def pasv(self) -> tuple[str, int]:
        code, text = self.cmd("PASV")
        assert code == 227, text
        numbers = [int(n) for n in re.search(rb"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", text).groups()]
        return ".".join(map(str, numbers[:4])), numbers[4] * 256 + numbers[5]

    def read_until_close(self, timeout: float) -> bytes:
        """Everything until the server closes (bounded); returns the unparsed bytes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not chunk:
                break
            self.buffer += chunk
        return self.buffer

    def close(self) -> None:
        self.sock.close()


class Ftpspecd(FtpspecdProcess):
    """ftpspecd configured through a config file: user alice, no failed-login delay."""

    def __init__(self, root: pathlib.Path, workdir: pathlib.Path, idle_timeout: int = 30,
                 data_timeout: int = 5, extra_config: str = "", max_open_files: int | None = None):
        config = workdir / "ftpspecd.conf"
        config.write_text(
            f"idle_timeout = {idle_timeout}\n"
            f"data_timeout = {data_timeout}\n"
            "login_failure_delay_ms = 0\n"
            f"user {USER} {PASSWORD}\n" + extra_config)
        super().__init__(root, ["--config", str(config)], max_open_files=max_open_files)

    def healthy(self) -> None:
        """The server process runs and a fresh session logs in and answers NOOP with 200."""
        assert self.alive(), f"ftpspecd died (exit {self.process.returncode}): {self.stderr_text()[-2000:]}"
        client = Control(self.port, timeout=10)
        try:
            client.login()
            assert client.cmd("NOOP")[0] == 200
            client.cmd("QUIT")
        finally:
            client.close()

    def open_fds(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/fd"))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def payload(size: int, seed: int = 7) -> bytes:
    """Deterministic random bytes (every byte value, NUL and 0xFF included)."""
    return random.Random(seed).randbytes(size)
