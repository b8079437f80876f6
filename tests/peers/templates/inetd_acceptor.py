"""A one-service inetd for ftpspec tests: serve a stdin/stdout FTP server on any port.

GNU inetutils ftpd binds only port 21 in daemon mode (-D), but without -D it serves one control
connection on fd 0/1, as started by inetd(8). This listens on 127.0.0.1:PORT and, for each
accepted connection, starts PROGRAM with the socket as fd 0 and 1 (stderr stays ours), with
NAME=VALUE added to its environment; it reaps finished sessions as it goes. On SIGTERM or SIGINT
it stops listening, sends its sessions SIGTERM and exits 0.

Usage: python3 inetd_acceptor.py PORT [--env NAME=VALUE]... -- PROGRAM [ARG]...
"""
import argparse
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading

HOST = "127.0.0.1"
POLL_SECONDS = 0.5  # how often finished sessions are reaped while no connection comes
SESSION_GRACE = 3.0  # seconds sessions get after SIGTERM before they are killed


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="inetd_acceptor.py")
    parser.add_argument("port", type=int)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        parser.error("no PROGRAM given after --")
    split = argv.index("--")
    args = parser.parse_args(argv[:split])
    args.program = argv[split + 1:]
    bad = [item for item in args.env if "=" not in item]
    if bad:
        parser.error(f"--env wants NAME=VALUE, got {bad[0]!r}")
    return args


def reap(sessions: list[subprocess.Popen]) -> list[subprocess.Popen]:
    """The sessions still running; the finished ones are waited for (no zombies)."""
    for session in sessions:
        if session.poll() is not None:
            print(f"inetd_acceptor: session {session.pid} exited with {session.returncode}",
                  file=sys.stderr, flush=True)
    return [session for session in sessions if session.returncode is None]


def stop_sessions(sessions: list[subprocess.Popen]) -> None:
    for session in sessions:
        session.terminate()
    for session in sessions:
        try:
            session.wait(timeout=SESSION_GRACE)
        except subprocess.TimeoutExpired:
            session.kill()
            session.wait()


def main() -> int:
    args = parse_arguments(sys.argv[1:])
    env = dict(os.environ, **dict(item.split("=", 1) for item in args.env))
    stopping = threading.Event()  # set by SIGTERM/SIGINT; seen within POLL_SECONDS
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: stopping.set())

    listener = socket.create_server((HOST, args.port))
    print(f"inetd_acceptor: listening on {HOST}:{listener.getsockname()[1]} "
          f"for {args.program[0]}", file=sys.stderr, flush=True)
    sessions: list[subprocess.Popen] = []
    with listener, selectors.DefaultSelector() as selector:
        selector.register(listener, selectors.EVENT_READ)
        while not stopping.is_set():
            if selector.select(timeout=POLL_SECONDS):
                try:
                    connection, _ = listener.accept()
                except OSError as error:  # e.g. the client reset before accept
                    print(f"inetd_acceptor: accept: {error}", file=sys.stderr, flush=True)
                    continue
                with connection:  # the session keeps its own copies of the socket
                    try:
                        sessions.append(subprocess.Popen(args.program, stdin=connection,
                                                         stdout=connection, env=env))
                    except OSError as error:  # the client sees the connection close
                        print(f"inetd_acceptor: cannot start {args.program[0]}: {error}",
                              file=sys.stderr, flush=True)
            sessions = reap(sessions)
    stop_sessions(sessions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
