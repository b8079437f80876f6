"""ftpspec.Session against the in-process ReferenceServer and hand-written socket peers."""
from __future__ import annotations

import errno
import socket
import threading
import time

import pytest

import ftpspec


@pytest.fixture
def server(tmp_path):
    with ftpspec.ReferenceServer(tmp_path, users={"user": "pass"}) as running:
        yield running


@pytest.fixture
def session(server):
    with ftpspec.Session(server.host, server.port, reply_timeout=10) as s:
        s.login("user", "pass")
        yield s


def test_connect_login_and_noop(server):
    with ftpspec.Session(reply_timeout=10) as s:
        greeting = s.connect(server.host, server.port)
        assert greeting.code == 220 and s.connected
        assert s.welcome == greeting.text and s.greeting[-1] == greeting
        assert s.login("user", "pass").code == 230
        noop = s.cmd("NOOP")
        assert noop.code == 200 and noop.is_positive
        assert s.remote_address.startswith("127.0.0.1")
    assert not s.connected  # __exit__ quit


def test_cmd_returns_negative_replies_without_raising(session):
    reply = session.cmd("XYZZ")
    assert reply.code in (500, 502)
    with pytest.raises(ftpspec.error_perm) as caught:
        session.cmd("XYZZ", expect=200)
    assert caught.value.reply.code in (500, 502)
    assert session.cmd("NOOP", expect=2).code == 200


def test_wrong_password_raises_error_perm_with_reply(server):
    with ftpspec.Session(server.host, server.port) as s:
        with pytest.raises(ftpspec.error_perm) as caught:
            s.login("user", "wrong")
    assert caught.value.reply.code == 530
    assert str(caught.value).startswith("530")
    assert isinstance(caught.value, ftpspec.error_reply)


def test_retr_returns_the_file_bytes(session, tmp_path):
    payload = bytes(range(256)) * 64
    (tmp_path / "blob.bin").write_bytes(payload)
    assert session.retr("blob.bin", type="I") == payload
    assert session.representation[0] == "I"


def test_retr_type_a_converts_line_endings(session, tmp_path):
    (tmp_path / "text.txt").write_bytes(b"one\ntwo\n")
    assert session.retr("text.txt", type="A") == b"one\ntwo\n"
    transcript = session.transcript.entries()
    wire = b"".join(e.data for e in transcript if e.channel == "data" and e.direction == "server")
    assert wire == b"one\r\ntwo\r\n"  # RFC 959 §3.1.1.1: CRLF on the wire


def test_retr_missing_file_raises_error_perm(session):
    with pytest.raises(ftpspec.error_perm) as caught:
        session.retr("no-such-file")
    assert caught.value.reply.code == 550


@pytest.mark.parametrize("via", ["epsv", "pasv", "port", "eprt"])
def test_stor_writes_the_bytes_to_disk(session, tmp_path, via):
    payload = b"\x00\xff\r\n binary " * 100
    result = session.stor(f"up-{via}.bin", payload, type="I", via=via)
    assert result.ok and result.final_reply.code in (226, 250)
    assert any(reply.is_preliminary for reply in result.replies)  # 150/125 before the data
    assert result.replies[-1] == result.final_reply
    assert (tmp_path / f"up-{via}.bin").read_bytes() == payload


def test_keep_open_and_via_kept_reuse_one_block_mode_data_connection(session, tmp_path):
    # RFC 959 §3.3: the documented example of docs/python.md, against ftpspecd.
    payload = bytes(range(256)) * 300
    first = session.stor("kept.bin", payload, type="I", mode="B", keep_open=True)
    assert first.final_reply.code == 250 and first.data_connection_kept
    again = session.transfer("RETR kept.bin", via="kept", keep_open=True, check=True)
    assert again.data == payload and again.replies[0].code == 125 and again.data_connection_kept
    assert session.retr("kept.bin", via="kept") == payload  # no keep_open: the client closes it
    with pytest.raises(ValueError, match="no data connection was kept open"):
        session.retr("kept.bin", via="kept")
    assert (tmp_path / "kept.bin").read_bytes() == payload


def test_appe_appends(session, tmp_path):
    session.stor("log.txt", b"first\n", type="I")
    session.appe("log.txt", b"second\n", type="I")
    assert (tmp_path / "log.txt").read_bytes() == b"first\nsecond\n"


def test_list_and_nlst(session, tmp_path):
    (tmp_path / "alpha.txt").write_bytes(b"a")
    (tmp_path / "beta.txt").write_bytes(b"bb")
    listing = session.list()
    assert listing.ok and any("alpha.txt" in line for line in listing.lines)
    assert sorted(session.nlst().lines) == ["alpha.txt", "beta.txt"]


def test_transfer_returns_failures_without_raising(session):
    result = session.transfer("RETR no-such-file")
    assert not result.ok and result.final_reply.code == 550
    assert result.data == b""
    assert "550" in repr(result)


def test_transcript_renders_both_directions(session):
    session.cmd("NOOP")
    text = str(session.transcript)
    assert "C> NOOP" in text or "NOOP" in text
    assert "220" in text and "230" in text
    assert len(session.transcript) > 0
    directions = {entry.direction for entry in session.transcript.entries()}
    assert {"client", "server"} <= directions
    html = session.transcript._repr_html_()
    assert 'class="client"' in html and 'class="server"' in html and "NOOP" in html
    assert "<script" not in html


def test_invalid_arguments(session):
    with pytest.raises(ValueError):
        session.retr("x", via="carrier-pigeon")
    with pytest.raises(ValueError):
        session.retr("x", type="Q")
    with pytest.raises(ValueError):
        session.cmd("NOOP\r\nQUIT")  # RFC 959 §4.1: one command per line
    with pytest.raises(ValueError):
        ftpspec.Session(reply_timeout=0)


def _silent_listener():
    """A TCP server that accepts (through the kernel backlog) and never says a word."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    return listener


def test_silent_server_raises_timeout():
    with _silent_listener() as listener:
        port = listener.getsockname()[1]
        session = ftpspec.Session(reply_timeout=0.3)
        with pytest.raises(TimeoutError) as caught:
            session.connect("127.0.0.1", port)
        assert isinstance(caught.value, ftpspec.Timeout)
        session.close()


def test_read_reply_timeout_argument(session):
    with pytest.raises(ftpspec.Timeout):
        session.read_reply(timeout=0.2)


def test_refused_connection_raises_connection_error():
    with _silent_listener() as listener:
        port = listener.getsockname()[1]
    # The port was just released: nothing listens there now.
    with pytest.raises(ConnectionError) as caught:
        ftpspec.Session(connect_timeout=2).connect("127.0.0.1", port)
    assert isinstance(caught.value, ftpspec.ConnectionFailed)
    assert caught.value.errno == errno.ECONNREFUSED


def test_gil_is_released_while_a_call_blocks():
    """The server is a Python thread that greets only once the Session is waiting: if the Session
    held the GIL while waiting, that thread could never run and connect() would time out."""
    listener = _silent_listener()
    port = listener.getsockname()[1]
    ticks = 0

    def python_server():
        nonlocal ticks
        connection, _ = listener.accept()
        with connection:
            deadline = time.monotonic() + 0.3
            while time.monotonic() < deadline:  # pure Python work while connect() blocks
                ticks += 1
            connection.sendall(b"220 greeted from a Python thread\r\n")
            connection.recv(64)  # until QUIT or close

    thread = threading.Thread(target=python_server, daemon=True)
    thread.start()
    try:
        session = ftpspec.Session(reply_timeout=5)
        greeting = session.connect("127.0.0.1", port)
        assert greeting.text == "greeted from a Python thread"
        assert ticks > 0
        session.close()
    finally:
        thread.join(5)
        listener.close()
    assert not thread.is_alive()


def test_session_shared_between_threads_serializes_calls(session):
    replies = []

    def worker():
        for _ in range(5):
            replies.append(session.cmd("NOOP").code)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert replies == [200] * 15


def test_raw_send_and_read_reply(session):
    session.send(b"NOOP\r\n")
    assert session.read_reply().code == 200
    session.send("NOOP\r\n")
    assert session.expect(200).code == 200


def test_connect_helper_logs_in_from_url(server):
    with ftpspec.connect(server.url) as s:
        assert s.cmd("PWD").code == 257


def test_mlsd_returns_names_and_facts_like_ftplib(session, tmp_path):
    (tmp_path / "a.txt").write_bytes(b"12345")
    (tmp_path / "sub").mkdir()
    entries = dict(session.mlsd())
    assert entries["a.txt"]["type"] == "file" and entries["a.txt"]["size"] == "5"
    assert entries["sub"]["type"] == "dir"
    assert all(name == name.strip() for name in entries)  # RFC 3659 §7.2: the SP is not part of the name
    with pytest.raises(ftpspec.error_perm):
        session.mlsd("no-such-dir")


def test_mlsd_line_breaking_the_grammar_raises_protocol_error():
    # A scripted server whose MLSD entry has a fact without "=" (RFC 3659 §7.2).
    listener = socket.create_server(("127.0.0.1", 0))
    data_listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        conn, _ = listener.accept()
        with conn, conn.makefile("rb") as lines:
            conn.sendall(b"220 hi\r\n")
            for line in lines:
                verb = line.split()[0].upper() if line.split() else b""
                if verb == b"EPSV":
                    conn.sendall(b"229 ok (|||%d|)\r\n" % data_listener.getsockname()[1])
                elif verb == b"MLSD":
                    conn.sendall(b"150 here\r\n")
                    data, _ = data_listener.accept()
                    data.sendall(b"type=file;sizeless; broken.txt\r\n")
                    data.close()
                    conn.sendall(b"226 done\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"200 ok\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    with ftpspec.Session("127.0.0.1", listener.getsockname()[1], reply_timeout=5) as s:
        with pytest.raises(ftpspec.ProtocolError, match="RFC 3659"):
            s.mlsd()
        assert s.cmd("NOOP").code == 200  # the session stayed in step
    thread.join(5)
    listener.close()
    data_listener.close()


def test_abort_cuts_a_transfer_driven_by_hand(tmp_path):
    import os

    (tmp_path / "big.bin").write_bytes(os.urandom(400_000))  # 4 s at 100 kB/s
    with ftpspec.ReferenceServer(tmp_path, misbehave="throttle=100000") as server:
        with ftpspec.Session(server.host, server.port, reply_timeout=5) as s:
            s.login("user", "pass")
            s.cmd("TYPE I", expect=200)
            port = int(s.cmd("EPSV", expect=229).text.split("|")[3])
            data = socket.create_connection((server.host, port), timeout=5)
            s.send(b"RETR big.bin\r\n")
            assert s.read_reply().code == 150
            assert data.recv(4096)
            closing = s.abort()
            assert closing.code in (225, 226)
            assert "426" in str(s.transcript)  # the transfer was cut, not completed
            assert "\\xFF\\xF4" in str(s.transcript)  # Telnet IP went out before the Synch
            data.close()
            assert s.cmd("NOOP").code == 200
