"""pyftpdlib in the foreground for ftpspec tests: one read-write user over a root directory.

Usage: python3 pyftpdlib_server.py ROOT PORT USER PASSWORD
"""
import logging
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer


def main() -> None:
    root, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    authorizer = DummyAuthorizer()
    authorizer.add_user(user, password, root, perm="elradfmwMT")
    handler = FTPHandler
    handler.authorizer = authorizer
    handler.banner = "pyftpdlib ready for ftpspec"
    handler.masquerade_address = None
    server = FTPServer(("127.0.0.1", port), handler)
    server.serve_forever(handle_exit=True)


if __name__ == "__main__":
    main()
