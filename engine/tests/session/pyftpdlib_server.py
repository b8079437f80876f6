"""A pyftpdlib server for the session tests.

usage: pyftpdlib_server.py ROOT HOST [CERTFILE KEYFILE]

Serves ROOT to user "user" / password "secret" (full permissions) on HOST, an ephemeral port.
Prints one line on stdout: "PORT <n>" once listening, or "SKIP <reason>" when pyftpdlib is missing
or HOST cannot be bound. With CERTFILE and KEYFILE it offers AUTH TLS (RFC 4217) through
TLS_FTPHandler, which needs python3-openssl. Exits when its stdin closes, so it never outlives the test that started it.
"""
import logging
import os
import sys
import threading


def main() -> int:
    root, host = sys.argv[1], sys.argv[2]
    tls_files = sys.argv[3:5]
    try:
        from pyftpdlib.authorizers import DummyAuthorizer
        from pyftpdlib.servers import FTPServer
        if tls_files:
            from pyftpdlib.handlers import TLS_FTPHandler as FTPHandler
        else:
            from pyftpdlib.handlers import FTPHandler
    except ImportError as error:
        print(f"SKIP pyftpdlib (with TLS: python3-openssl) is not importable: {error}", flush=True)
        return 0
    logging.basicConfig(level=logging.CRITICAL)

    authorizer = DummyAuthorizer()
    authorizer.add_user("user", "secret", root, perm="elradfmwMT")

    class Handler(FTPHandler):
        pass

    Handler.authorizer = authorizer
    if tls_files:
        Handler.certfile, Handler.keyfile = tls_files
    try:
        server = FTPServer((host, 0), Handler)
    except OSError as error:
        print(f"SKIP cannot listen on {host}: {error}", flush=True)
        return 0
    print(f"PORT {server.address[1]}", flush=True)

    def exit_when_parent_goes():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=exit_when_parent_goes, daemon=True).start()
    server.serve_forever(timeout=0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
