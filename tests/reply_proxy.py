"""A control-connection proxy that makes a correct server (ftpspecd) answer some commands the way a
real, defective server does, so a test can pin how ftpspec judges that defect.

    with ReplyProxy(upstream_port, {r"^TYPE A N$": b"504 Unsupported type.\r\n"}) as proxy:
        run ftpspec against 127.0.0.1:proxy.port

Each command line the client sends is matched against the rules (regular expressions over the line
without its CRLF, decoded as Latin-1); the first rule that matches answers it with its bytes and the
command never reaches the server. `lose=(pattern, count, more_than)` plays a server that loses
commands when busy: while more than `more_than` sessions are open through the proxy, the first
`count` commands matching `pattern` are swallowed (never answered). Everything else is relayed
unchanged, both ways. Data connections
do not pass through the proxy: PASV/EPSV replies name the server's own ports on the same loopback
host. After AUTH the bytes are relayed without looking (they are TLS).
"""
from __future__ import annotations

import re
import socket
import threading


class ReplyProxy:
    def __init__(self, upstream_port: int, rules: dict[str, bytes], host: str = "127.0.0.1",
                 lose: tuple[str, int, int] | None = None) -> None:
        self._upstream = (host, upstream_port)
        self._rules = [(re.compile(pattern), reply) for pattern, reply in rules.items()]
        self._lose = (re.compile(lose[0]), lose[1], lose[2]) if lose else None
        self.lost: list[str] = []  # the commands swallowed by `lose`, in order
        self.open_sessions = 0
        self._listener = socket.create_server((host, 0))
        self.port = self._listener.getsockname()[1]
        self.answered: list[str] = []  # the commands the proxy answered itself, in order
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._stopping = False
        self._acceptor = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> "ReplyProxy":
        self._acceptor.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping = True
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
        self._acceptor.join(timeout=5)

    def _accept(self) -> None:
        while not self._stopping:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self._upstream, timeout=10)
            upstream.settimeout(None)
            with self._lock:
                self._sockets += [client, upstream]
                self.open_sessions += 1
            write_lock = threading.Lock()  # both directions write to the client
            threading.Thread(target=self._relay, args=(upstream, client, write_lock), daemon=True).start()
            threading.Thread(target=self._commands, args=(client, upstream, write_lock), daemon=True).start()

    def _loses(self, text: str) -> bool:
        if not self._lose:
            return False
        pattern, count, more_than = self._lose
        with self._lock:
            if len(self.lost) < count and self.open_sessions > more_than and pattern.search(text):
                self.lost.append(text)
                return True
        return False

    @staticmethod
    def _relay(source: socket.socket, target: socket.socket, write_lock: threading.Lock) -> None:
        try:
            while chunk := source.recv(65536):
                with write_lock:
                    target.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _commands(self, client: socket.socket, upstream: socket.socket, write_lock: threading.Lock) -> None:
        pending = b""
        raw = False
        try:
            while chunk := client.recv(65536):
                if raw:
                    upstream.sendall(chunk)
                    continue
                pending += chunk
                while not raw and b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    text = line.rstrip(b"\r").decode("latin-1")
                    if self._loses(text):
                        continue
                    reply = next((reply for pattern, reply in self._rules if pattern.search(text)), None)
                    if reply is not None:
                        self.answered.append(text)
                        with write_lock:
                            client.sendall(reply)
                        continue
                    upstream.sendall(line + b"\n")
                    if text[:4].upper() == "AUTH":
                        raw = True  # a TLS handshake may follow: relay blindly from here on
                        upstream.sendall(pending)
                        pending = b""
                if pending and not raw and len(pending) > 65536:
                    upstream.sendall(pending)  # no line end in sight: not a command line to judge
                    pending = b""
            if pending:
                upstream.sendall(pending)
        except OSError:
            pass
        finally:
            with self._lock:
                self.open_sessions -= 1
            try:
                upstream.shutdown(socket.SHUT_WR)
            except OSError:
                pass
