"""Drives Python's ftplib through one operation of a client case, the way a program using ftplib
would write it (scenarios/clients/profiles/ftplib.profile): ftpspec judges ftplib, not this file.

    python3 ftplib_client.py OPERATION URL LOCAL [--tls]

OPERATION: download, upload, list, resume, delete, mkdir. URL: ftp://USER:PASS@HOST:PORT/PATH
(RFC 1738; the path is relative to the login directory). --tls: FTP_TLS (AUTH TLS, PBSZ 0,
PROT P), certificate not verified. Exit status 0 when ftplib raised nothing, 1 when it raised.
"""
import ftplib
import os
import ssl
import sys
import urllib.parse

TIMEOUT = 5  # every wait of the client is bounded, below the cases' deadlines


def connect(url: urllib.parse.SplitResult, tls: bool) -> ftplib.FTP:
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        client = ftplib.FTP_TLS(context=context, timeout=TIMEOUT)
    else:
        client = ftplib.FTP(timeout=TIMEOUT)
    client.connect(url.hostname, url.port or 21)
    client.login(urllib.parse.unquote(url.username), urllib.parse.unquote(url.password))
    if tls:
        client.prot_p()
    return client


def main(operation: str, url_text: str, local: str, tls: bool) -> None:
    url = urllib.parse.urlsplit(url_text)
    path = urllib.parse.unquote(url.path[1:])
    client = connect(url, tls)
    if operation == "download":
        with open(local, "wb") as out:
            client.retrbinary(f"RETR {path}", out.write)
    elif operation == "resume":
        offset = os.path.getsize(local) if os.path.exists(local) else 0
        with open(local, "ab") as out:
            client.retrbinary(f"RETR {path}", out.write, rest=offset or None)
    elif operation == "upload":
        with open(local, "rb") as source:
            client.storbinary(f"STOR {path}", source)
    elif operation == "list":
        client.retrlines(f"LIST {path.rstrip('/')}")
    elif operation == "delete":
        client.delete(path)
    elif operation == "mkdir":
        client.mkd(path)
    else:
        raise SystemExit(f"unknown operation {operation!r}")
    client.quit()


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--tls"]
    if len(arguments) != 3:
        raise SystemExit(__doc__)
    try:
        main(*arguments, tls="--tls" in sys.argv)
    except (ftplib.all_errors + (ssl.SSLError,)) as error:
        print(f"ftplib: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
