"""Runs a Python client callable for :func:`ftpspec.run_client` (bindings/src/bind_client.cpp):
on a daemon thread, so that a client that hangs is judged at its deadline instead of blocking the
run. A thread cannot be killed; the scripted server stops after the case, which usually ends it."""
from __future__ import annotations

import threading
import traceback
from dataclasses import dataclass


@dataclass
class CallReport:
    """What a callable did: its exit status (0 returned, 1 raised), its output, or that it hung."""

    name: str
    hung: bool = False
    exit_status: int = 0
    output: str = ""


class _Call:
    def __init__(self, function, request) -> None:
        self.report = CallReport(name=getattr(function, "__qualname__", repr(function)))
        self._function = function
        self._request = request
        self.thread = threading.Thread(target=self._run, daemon=True,
                                       name=f"ftpspec client {request.operation} {request.path}")

    def _run(self) -> None:
        try:
            self.report.output = _as_text(self._function(self._request))
        except BaseException:  # the client's failure, whatever it raised: its evidence is the traceback
            self.report.exit_status = 1
            self.report.output = traceback.format_exc()


def _as_text(result) -> str:
    """A callable's return value as client output: nothing, a text, or names one per line."""
    if result is None:
        return ""
    if isinstance(result, bytes):
        return result.decode("utf-8", "surrogateescape")
    if isinstance(result, str):
        return result
    try:
        return "\n".join(str(item) for item in result)
    except TypeError:  # not iterable: shown as it is
        return str(result)


def start_call(function, request) -> _Call:
    call = _Call(function, request)
    call.thread.start()
    return call


def wait_call(call: _Call, timeout: float) -> CallReport:
    call.thread.join(timeout)
    if call.thread.is_alive():
        call.report.hung = True
    return call.report
