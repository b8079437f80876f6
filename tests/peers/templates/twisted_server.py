"""Twisted's FTP server (twisted.protocols.ftp) in the foreground for ftpspec tests: one
read-write user whose home is the served root. Anonymous login is off.

Usage: python3 twisted_server.py ROOT PORT USER PASSWORD
"""
import sys

from twisted.cred import credentials, error, portal
from twisted.cred.checkers import ICredentialsChecker
from twisted.internet import defer, reactor
from twisted.protocols import ftp
from twisted.python import filepath, log
from zope.interface import implementer


@implementer(ICredentialsChecker)
class OneUserChecker:
    """Accepts one user name and password. Twisted 22.4's FTP hands over the name as a str
    (a bytes-only entry never matches), the password as given by PASS."""

    credentialInterfaces = (credentials.IUsernamePassword,)

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password

    def requestAvatarId(self, given):
        name = given.username.decode() if isinstance(given.username, bytes) else given.username
        if name == self.user and given.checkPassword(self.password):
            return defer.succeed(name)
        return defer.fail(error.UnauthorizedLogin("wrong user name or password"))


class ServedRootRealm(ftp.BaseFTPRealm):
    """Every authenticated user's home, and so its FTP "/", is the served root."""

    def getHomeDirectory(self, avatarId):
        return self.anonymousRoot


def main() -> None:
    root, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    log.startLogging(sys.stderr)
    factory = ftp.FTPFactory(portal.Portal(ServedRootRealm(filepath.FilePath(root).path),
                                           [OneUserChecker(user, password)]))
    factory.allowAnonymous = False
    factory.welcomeMessage = "Twisted FTP ready for ftpspec"
    # Port 0 only: the kernel picks a free port for each PASV, so peers running side by side
    # never compete for a fixed range.
    factory.passivePortRange = range(0, 1)
    reactor.listenTCP(port, factory, interface="127.0.0.1")
    reactor.run()  # stops on SIGTERM / SIGINT


if __name__ == "__main__":
    main()
