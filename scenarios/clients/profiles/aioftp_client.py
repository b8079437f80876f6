"""Drives aioftp (Debian python3-aioftp) through one operation of a client case, the way a program
using aioftp would write it (scenarios/clients/profiles/aioftp.profile).

    python3 aioftp_client.py OPERATION URL LOCAL

OPERATION: download, upload, list (prints one name per line), resume, delete, mkdir. aioftp 0.21
has no AUTH TLS (only implicit TLS), so its profile has no +tls commands. Exit status 0 when
aioftp raised nothing, 1 when it raised.
"""
import asyncio
import os
import pathlib
import sys
import urllib.parse

import aioftp

TIMEOUT = 5  # every wait of the client is bounded, below the cases' deadlines


async def main(operation: str, url_text: str, local: str) -> None:
    url = urllib.parse.urlsplit(url_text)
    path = urllib.parse.unquote(url.path[1:])
    client = aioftp.Client(socket_timeout=TIMEOUT, connection_timeout=TIMEOUT, path_timeout=TIMEOUT)
    await client.connect(url.hostname, url.port or 21)
    try:
        await client.login(urllib.parse.unquote(url.username), urllib.parse.unquote(url.password))
        if operation == "download":
            await client.download(path, local, write_into=True)
        elif operation == "resume":
            offset = os.path.getsize(local) if os.path.exists(local) else 0
            with open(local, "ab") as out:
                async with client.download_stream(path, offset=offset) as stream:
                    async for block in stream.iter_by_block():
                        out.write(block)
        elif operation == "upload":
            await client.upload(local, path, write_into=True)
        elif operation == "list":
            for entry, info in await client.list(path.rstrip("/")):
                print(pathlib.PurePosixPath(entry).name)
        elif operation == "delete":
            await client.remove_file(path)
        elif operation == "mkdir":
            await client.make_directory(path, parents=False)
        else:
            raise SystemExit(f"unknown operation {operation!r}")
        await client.quit()
    finally:
        client.close()


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    try:
        asyncio.run(main(*sys.argv[1:]))
    except (aioftp.AIOFTPException, OSError, asyncio.TimeoutError, ValueError, UnicodeDecodeError) as error:
        print(f"aioftp: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
