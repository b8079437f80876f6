"""A deliberately broken FTP client, to show that ftpspec's client mode catches it
(tests/test_client_mode.py). It downloads and uploads with ftplib like
scenarios/clients/profiles/ftplib_client.py, with the bug the brief names: a transfer that fails
after its 1yz (426, 451, 425 after the 150) is ignored, so a truncated download is kept as if
complete and the exit status is 0.

    python3 broken_client.py OPERATION URL LOCAL
"""
import ftplib
import sys
import urllib.parse


def main(operation: str, url_text: str, local: str) -> None:
    url = urllib.parse.urlsplit(url_text)
    path = urllib.parse.unquote(url.path[1:])
    client = ftplib.FTP(timeout=5)
    client.connect(url.hostname, url.port)
    client.login(urllib.parse.unquote(url.username), urllib.parse.unquote(url.password))
    try:
        if operation == "download":
            with open(local, "wb") as out:
                client.retrbinary(f"RETR {path}", out.write)
        elif operation == "upload":
            with open(local, "rb") as source:
                client.storbinary(f"STOR {path}", source)
        else:
            raise SystemExit(f"the broken client only downloads and uploads, not {operation!r}")
    except ftplib.error_temp:
        pass  # THE BUG: a 4yz after the 150 is taken for "done"
    client.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
