"""Locust users that speak FTP through ftpspec's engine (``ftpspec.Session``): ``ftpspec.locust``.

One Locust process drives as many users as its CPU allows; Locust's distributed mode (one
``--master``, many ``--worker`` processes on many machines) goes past one machine without any
cluster code of ours. See docs/performance.md. Locust itself is not a dependency of ftpspec
(Debian: python3-locust; ``pip install ftpspec[locust]``).

Start it with ``python -m ftpspec.locust``, which is Locust's own command line with this module's
``FtpUser`` as the locustfile (any Locust option works; ``-f`` names another locustfile):

    python -m ftpspec.locust --headless -u 50 -r 10 -t 1m --host ftp://USER:PASS@HOST:PORT

Your own locustfile can use or extend the users: ``from ftpspec.locust import FtpUser, FtpClient``.

Every FTP operation is one Locust request: request_type "FTP", name the operation ("RETR",
"STOR", "LIST", "login"), response_time in ms, response_length the data bytes, exception when
the server refused it or the conversation failed.

Environment: FTPSPEC_LOCUST_DIR (writable server directory, default "/"),
FTPSPEC_LOCUST_FILE_SIZE (bytes per upload and download, default 4096).
"""
from __future__ import annotations

import itertools
import os
import time
from typing import Any, Callable

import gevent
from locust import User, constant, task

import ftpspec

DIRECTORY = os.environ.get("FTPSPEC_LOCUST_DIR", "/").rstrip("/") + "/"
FILE_SIZE = int(os.environ.get("FTPSPEC_LOCUST_FILE_SIZE", "4096"))
_user_numbers = itertools.count()


def _blocking(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Runs a blocking ftpspec call on gevent's thread pool.

    Locust users are greenlets on one OS thread; ftpspec.Session blocks in C++ (with the GIL
    released), which would stop every other greenlet. On a pool thread only this user waits.
    """
    return gevent.get_hub().threadpool.apply(call, args, kwargs)


class FtpClient:
    """An ftpspec.Session whose operations are reported to Locust as request events."""

    def __init__(self, environment, url: str, timeout: float = 10.0):
        self.environment = environment
        self.host, self.port, self.user, self.password = ftpspec.parse_url(url)
        self.session = ftpspec.Session(connect_timeout=timeout, reply_timeout=timeout, data_timeout=timeout)

    def _measure(self, name: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        result, exception, length = None, None, 0
        try:
            result = _blocking(call, *args, **kwargs)
            length = _data_length(result)
        except Exception as error:  # noqa: BLE001 - every failure is a Locust failure
            exception = error
        self.environment.events.request.fire(
            request_type="FTP",
            name=name,
            response_time=(time.perf_counter() - started) * 1000.0,
            response_length=length,
            exception=exception,
            context={},
        )
        return result

    def login(self) -> None:
        def connect_and_login():
            self.session.connect(self.host, self.port)
            self.session.login(self.user or "anonymous", self.password or "ftpspec@")
            # Through the session, so its codec knows: image type, bytes as they are (RFC 959 §3.1.1.3).
            self.session.set_representation(type="I")

        self._measure("login", connect_and_login)

    def retr(self, path: str) -> bytes | None:
        return self._measure("RETR", self.session.retr, path)

    def stor(self, path: str, data: bytes):
        return self._measure("STOR", self.session.stor, path, data)

    def list(self, path: str = ""):
        return self._measure("LIST", self.session.list, path)

    def noop(self):
        return self._measure("NOOP", self.session.cmd, "NOOP", expect=200)

    def quit(self) -> None:
        try:
            _blocking(self.session.quit)
        except ftpspec.all_errors:
            pass


def _data_length(result: Any) -> int:
    if isinstance(result, (bytes, bytearray)):
        return len(result)
    data = getattr(result, "data", None)
    return len(data) if data is not None else 0


class FtpUser(User):
    """Logs in, uploads its own file, then downloads, uploads and lists (8:2:1)."""

    wait_time = constant(0)

    def on_start(self) -> None:
        number = next(_user_numbers)
        self.path = f"{DIRECTORY}locust-{os.getpid()}-{number}.dat"
        self.payload = bytes((i * 7 + number) % 256 for i in range(FILE_SIZE))
        self.client = FtpClient(self.environment, self.host)
        self.client.login()
        self.client.stor(self.path, self.payload)

    def on_stop(self) -> None:
        self.client.quit()

    @task(8)
    def download(self) -> None:
        data = self.client.retr(self.path)
        if data is not None and data != self.payload:
            # The bytes are checked, not just counted: a wrong download is a failure.
            self.environment.events.request.fire(
                request_type="FTP", name="RETR content", response_time=0, response_length=len(data),
                exception=AssertionError(f"{self.path}: {len(data)} bytes differ from the upload"), context={},
            )

    @task(2)
    def upload(self) -> None:
        self.client.stor(self.path, self.payload)

    @task(1)
    def listing(self) -> None:
        self.client.list(DIRECTORY)

