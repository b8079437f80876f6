"""Start real FTP servers ("peers") on demand, as foreground processes owned by the caller.

Each peer listens on 127.0.0.1 on a free port, serves a given root directory, and offers a login
that can read and write (upload, mkdir, delete) in ``Peer.writable_dir``; ``Peer.tls`` says
whether it offers explicit FTPS (AUTH TLS, RFC 4217). Binaries of vsftpd, ProFTPD (with mod_tls),
pure-ftpd and GNU inetutils ftpd come from ``scripts/peers.sh`` (unpacked under build/peers/);
pyftpdlib and Twisted are Debian's python3-pyftpdlib and python3-twisted run by /usr/bin/python3;
ftpspecd comes from the ftpspec build.

    with start_peer("proftpd", root) as peer:
        ftplib.FTP().connect(peer.host, peer.port) ...

Command line (from the repository root), runs until Ctrl-C / SIGTERM:
    /usr/bin/python3 -m tests.peers.launch NAME ROOT [--port N]
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import grp
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Callable, Iterator, NamedTuple
from urllib.parse import quote

PEERS = ["ftpspecd", "vsftpd", "proftpd", "pure-ftpd", "pyftpdlib", "twisted", "inetutils"]

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = Path(__file__).resolve().parent / "templates"
PYTHON = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
LOGIN = "ftpspec"  # user and password of every peer that has its own user database
HOST = "127.0.0.1"
START_TIMEOUT = 10.0  # seconds until the 220 greeting
STOP_GRACE = 3.0  # seconds between SIGTERM and SIGKILL
GREETING_POLL = 2.0  # seconds one greeting attempt may take before the process is checked again
PORT_ATTEMPTS = 3
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>  # a picked free port may be taken before the server binds it


class PeerUnavailable(RuntimeError):
    """The peer's program is not installed (run scripts/peers.sh, or build ftpspecd)."""


class PeerStartError(RuntimeError):
    """The peer was installed but did not come up; the message carries its log."""


@dataclass
class Peer:
    """A running FTP server and the login that can write into ``writable_dir``."""

    name: str
    host: str
    port: int
    user: str
    password: str
    writable_dir: str  # FTP-side path where uploads, mkdir and delete are allowed
    process: subprocess.Popen
    root: Path  # the served directory on disk
    log_path: Path = field(repr=False)
    tls: bool = False  # offers AUTH TLS (RFC 4217 explicit FTPS) beside plain FTP

    @property
    def url(self) -> str:
        login = f"{quote(self.user, safe='')}:{quote(self.password, safe='')}"
        return f"ftp://{login}@{self.host}:{self.port}"

    def local_path(self, ftp_path: str) -> Path:
        """Where an absolute FTP path of this peer lives on disk."""
        return self.root / ftp_path.lstrip("/")

    def log(self) -> str:
        """What the server wrote to its stdout/stderr and log file so far."""
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")
        return ""


# --- where the programs are ---------------------------------------------------------------

def peers_dir() -> Path:
    return Path(os.environ.get("FTPSPEC_PEERS_DIR", REPO_ROOT / "build" / "peers")).absolute()


def build_dir() -> Path:
    return Path(os.environ.get("FTPSPEC_BUILD_DIR", REPO_ROOT / "build" / "release")).absolute()


def program_path(name: str) -> Path:
    """The main executable of peer ``name`` (it may not exist)."""
    paths = {
        "ftpspecd": build_dir() / "reference_server" / "ftpspecd",
        "vsftpd": peers_dir() / "vsftpd" / "usr" / "sbin" / "vsftpd",
        "proftpd": peers_dir() / "proftpd" / "usr" / "sbin" / "proftpd",
        "pure-ftpd": peers_dir() / "pure-ftpd" / "usr" / "sbin" / "pure-ftpd",
        "pyftpdlib": Path(PYTHON),
        "twisted": Path(PYTHON),
        "inetutils": peers_dir() / "inetutils" / "usr" / "sbin" / "ftpd",
    }
    if name not in paths:
        raise ValueError(f"unknown peer {name!r}; known: {', '.join(PEERS)}")
    return paths[name]


PYTHON_PEERS = {"pyftpdlib": "python3-pyftpdlib", "twisted": "python3-twisted"}  # module: package


def missing_reason(name: str) -> str | None:
    """Why peer ``name`` cannot start here, or None when it can."""
    if name in PYTHON_PEERS:
        try:
            subprocess.run([PYTHON, "-c", f"import {name}"], check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError):
            return (f"{name} is not importable by /usr/bin/python3: "
                    f"apt-get install {PYTHON_PEERS[name]}")
        return None
    path = program_path(name)
    if not os.access(path, os.X_OK):
        if name == "ftpspecd":
            return f"{path} is not built (set FTPSPEC_BUILD_DIR or build the ftpspecd target)"
        return f"{path} is missing: run scripts/peers.sh"
    if name in ("vsftpd", "inetutils") and os.getuid() != 0:
        return f"{name} needs root (it chroots and switches user per session)"
    if name in ("vsftpd", "pure-ftpd", "inetutils") and os.getuid() == 0:
        try:
            pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            return f"system user {SYSTEM_USER!r} is missing: run scripts/peers.sh"
    if name == "inetutils":
        return _inetutils_missing_reason()
    return None


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago (bind port 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


# --- per-server launch recipes ------------------------------------------------------------

@dataclass
class Recipe:
    """How to run one server: its argv, environment, login, and FTP-side writable directory."""

    argv: list[str]
    user: str = LOGIN
    password: str = LOGIN
    writable_dir: str = "/"
    env: dict[str, str] | None = None
    # For servers that print the port they bound (ftpspecd with port 0): parse it from the log.
    port_from_log: re.Pattern[str] | None = None
    tls: bool = False  # the configuration offers AUTH TLS (RFC 4217)


def _render(template: str, target: Path, **values: object) -> Path:
    text = Template((TEMPLATES / template).read_text()).substitute(**values)
    target.write_text(text)
    return target


def _sha512_crypt(password: str) -> str:
    """A crypt(3) SHA-512 hash; openssl does it without Python's deprecated crypt module."""
    out = subprocess.run(["openssl", "passwd", "-6", "-stdin"], input=password, text=True,
                         capture_output=True, check=True)
    return out.stdout.strip()


PROFTPD_MAX_INSTANCES = 30  # ProFTPD's session processes unless start_peer asks for more
SYSTEM_USER = "ftpspec"  # unprivileged account scripts/peers.sh creates (useradd) for root runs


def _system_user() -> pwd.struct_passwd:
    """The account servers switch to when they refuse to run a session as root."""
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        raise PeerUnavailable(f"system user {SYSTEM_USER!r} is missing: run scripts/peers.sh") from None


def _writable_subdir(root: Path, owner: pwd.struct_passwd) -> Path:
    """root/pub, owned by ``owner``: where an unprivileged session account may write."""
    writable = root / "pub"
    writable.mkdir(exist_ok=True)
    os.chown(writable, owner.pw_uid, owner.pw_gid)
    writable.chmod(0o755)
    return writable


def _certificate(work: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate and key for FTP over TLS (RFC 4217), in ``work``."""
    cert, key = work / "tls-cert.pem", work / "tls-key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                    "-days", "2", "-keyout", str(key), "-out", str(cert)], capture_output=True, check=True)
    key.chmod(0o600)
    return cert, key


def _vsftpd(root: Path, port: int, work: Path, max_sessions: int | None = None) -> Recipe:
    # Anonymous only (see templates/vsftpd.conf): sessions run as SYSTEM_USER, whose home
    # must exist (vsftpd chdirs there before chrooting into anon_root), and write into /pub
    # since vsftpd refuses a chroot root writable by the session user.
    if os.getuid() != 0:
        raise PeerUnavailable("vsftpd needs root (it chroots and switches user per session)")
    account = _system_user()
    _writable_subdir(root, account)
    root.chmod(root.stat().st_mode & ~0o022)  # vsftpd: 500 OOPS on a writable chroot root
    empty = work / "empty"
    empty.mkdir(mode=0o755)
    work.chmod(0o755)
    cert, key = _certificate(work)
    conf = _render("vsftpd.conf", work / "vsftpd.conf", port=port, root=root, ftp_user=account.pw_name,
                   writable_name="pub", empty_dir=empty, log_file=work / "vsftpd.log",
                   tls_cert=cert, tls_key=key)
    return Recipe(argv=[str(program_path("vsftpd")), str(conf)], user="anonymous",
                  password="ftpspec@example.org", writable_dir="/pub", tls=True)


def _proftpd(root: Path, port: int, work: Path, max_sessions: int | None = None) -> Recipe:
    # The virtual user has the launching user's ids (uid 0 needs "RootLogin on").
    uid, gid = os.getuid(), os.getgid()
    (work / "ftpd.passwd").write_text(
        f"{LOGIN}:{_sha512_crypt(LOGIN)}:{uid}:{gid}::{root}:/bin/false\n")
    (work / "ftpd.group").write_text(f"{LOGIN}:x:{gid}:{LOGIN}\n")
    for secret in ("ftpd.passwd", "ftpd.group"):  # password hashes stay private
        (work / secret).chmod(0o600)
    if os.getuid() == 0:  # ProFTPD drops to User/Group between sessions
        run_user, run_group = "nobody", "nogroup"
    else:
        run_user, run_group = pwd.getpwuid(uid).pw_name, grp.getgrgid(gid).gr_name
    cert, key = _certificate(work)
    modules = peers_dir() / "proftpd" / "usr" / "lib" / "proftpd"  # mod_tls.so: proftpd-mod-crypto
    conf = _render("proftpd.conf", work / "proftpd.conf", port=port, work=work,
                   run_user=run_user, run_group=run_group, modules=modules,
                   tls_cert=cert, tls_key=key, max_instances=max_sessions or PROFTPD_MAX_INSTANCES)
    return Recipe(argv=[str(program_path("proftpd")), "-n", "-q", "-c", str(conf)], tls=True)


def _pure_ftpd(root: Path, port: int, work: Path, max_sessions: int | None = None) -> Recipe:
    # pure-pw refuses uid 0 for a virtual user: as root, map it to SYSTEM_USER and write in /pub.
    writable_dir = "/"
    uid, gid = os.getuid(), os.getgid()
    if uid == 0:
        account = _system_user()
        uid, gid = account.pw_uid, account.pw_gid
        _writable_subdir(root, account)
        writable_dir = "/pub"
    pure_pw = peers_dir() / "pure-ftpd" / "usr" / "bin" / "pure-pw"
    passwd, pdb = work / "pureftpd.passwd", work / "pureftpd.pdb"
    # A SHA-512 crypt hash: pure-pw's own argon2id hashes cost ~2 s to make and to check.
    # The trailing "/./" of the home directory chroots the user there (pure-pw(8)).
    passwd.write_text(f"{LOGIN}:{_sha512_crypt(LOGIN)}:{uid}:{gid}::{root}/./::::::::::::\n")
    passwd.chmod(0o600)
    subprocess.run([str(pure_pw), "mkdb", str(pdb), "-f", str(passwd)], capture_output=True,
                   check=True)
    argv = [str(program_path("pure-ftpd")),
            "-S", f"{HOST},{port}",  # bind address and port
            "-l", f"puredb:{pdb}",  # virtual users only
            "-E",  # no anonymous login
            "-A",  # chroot everyone
            "-H",  # no reverse DNS
            "-g", str(work / "pure-ftpd.pid"),
            "-O", f"clf:{work / 'xfer.log'}",
            "-Y", "1",  # TLS offered, not required (RFC 4217)
            "-2", "{},{}".format(*_certificate(work)),
            "-f", "none"]  # no syslog: nothing listens on /dev/log in a container
    if max_sessions:
        argv += ["-c", str(max_sessions)]  # at most this many clients (default 50)
    return Recipe(argv=argv, writable_dir=writable_dir, tls=True)


def _pyftpdlib(root: Path, port: int, work: Path, max_sessions: int | None = None) -> Recipe:
    script = TEMPLATES / "pyftpdlib_server.py"
    return Recipe(argv=[PYTHON, str(script), str(root), str(port), LOGIN, LOGIN])


def _twisted(root: Path, port: int, work: Path, max_sessions: int | None = None) -> Recipe:
    script = TEMPLATES / "twisted_server.py"
    return Recipe(argv=[PYTHON, str(script), str(root), str(port), LOGIN, LOGIN])


# GNU inetutils ftpd checks logins against the passwd database (getpwnam + crypt) and chroots
# a user into its home only when /etc/ftpchroot lists the name. nss_wrapper (Debian
# libnss-wrapper, LD_PRELOADed) gives each launch a private passwd file in which LOGIN has a
# password hash, the served root as home and SYSTEM_USER's ids; the host's /etc/passwd and
# /etc/shadow stay untouched. scripts/peers.sh lists LOGIN in /etc/ftpchroot once.
FTPCHROOT = Path("/etc/ftpchroot")
NSS_WRAPPER_GLOBS = ("/usr/lib/*/libnss_wrapper.so", "/usr/lib/libnss_wrapper.so")


def _nss_wrapper() -> Path | None:
    for pattern in NSS_WRAPPER_GLOBS:
        found = sorted(Path("/").glob(pattern.lstrip("/")))
        if found:
            return found[0]
    return None


def _inetutils_missing_reason() -> str | None:
    # Without the /etc/ftpchroot line a session would see the whole host file system.
    if _nss_wrapper() is None:
        return "libnss_wrapper.so is missing: run scripts/peers.sh (apt-get install libnss-wrapper)"
    try:
        listed = LOGIN in FTPCHROOT.read_text().split()
    except OSError:
        listed = False
    if not listed:
        return f"{FTPCHROOT} does not list {LOGIN!r}, so sessions would not be chrooted: run scripts/peers.sh"
    return None


def _inetutils(root: Path, port: int, work: Path, max_sessions: int | None = None) -> Recipe:
    account = _system_user()
    _writable_subdir(root, account)  # the session's effective uid is SYSTEM_USER's
    passwd, group = work / "passwd", work / "group"
    # /bin/sh: ftpd refuses a shell that getusershell(3) does not list; nobody logs in with it.
    passwd.write_text(f"{LOGIN}:{_sha512_crypt(LOGIN)}:{account.pw_uid}:{account.pw_gid}:"
                      f"ftpspec test peer:{root}:/bin/sh\n")
    group.write_text(f"{grp.getgrgid(account.pw_gid).gr_name}:x:{account.pw_gid}:\n")
    passwd.chmod(0o600)  # the password hash stays private
    wrapper = _nss_wrapper()
    argv = [PYTHON, str(TEMPLATES / "inetd_acceptor.py"), str(port),
            "--env", f"LD_PRELOAD={wrapper}",
            "--env", f"NSS_WRAPPER_PASSWD={passwd}",
            "--env", f"NSS_WRAPPER_GROUP={group}",
            "--", str(program_path("inetutils")),
            "--auth=default",  # passwd database, not PAM
            "--umask=022",  # default 027
            "--timeout=120"]  # idle seconds, as the other peers
    return Recipe(argv=argv, writable_dir="/pub")


def _ftpspecd(root: Path, port: int, work: Path, max_sessions: int | None = None) -> Recipe:
    cert, key = _certificate(work)
    return Recipe(argv=[str(program_path("ftpspecd")), "--listen", f"{HOST}:{port}", "--root",
                        str(root), "--user", f"{LOGIN}:{LOGIN}", "--tls-cert", str(cert), "--tls-key", str(key)],
                  port_from_log=re.compile(r"listening on [\d.]+:(\d+)"), tls=True)


RECIPES: dict[str, Callable[[Path, int, Path, int | None], Recipe]] = {
    "ftpspecd": _ftpspecd, "vsftpd": _vsftpd, "proftpd": _proftpd,
    "pure-ftpd": _pure_ftpd, "pyftpdlib": _pyftpdlib, "twisted": _twisted,
    "inetutils": _inetutils,
}


# --- starting, waiting, stopping ----------------------------------------------------------

def _read_greeting(port: int, deadline: float) -> str | None:
    """The complete 220 greeting (RFC 959 §4.2: a multi-line reply ends with "220 "), or None
    when the port does not answer yet."""
    # Short waits, so the caller notices a server that died meanwhile (whoever else holds the
    # port would keep us waiting for a greeting that never comes).
    wait = max(0.1, min(GREETING_POLL, deadline - time.monotonic()))
    try:
        with socket.create_connection((HOST, port), timeout=wait) as s:
            s.settimeout(wait)
            data = b""
            while not re.search(rb"(^|\r?\n)220 [^\n]*\n", data):
                chunk = s.recv(4096)
                if not chunk:
                    return None
                data += chunk
            with contextlib.suppress(OSError):
                s.sendall(b"QUIT\r\n")
                s.recv(4096)
            return data.decode(errors="replace")
    except OSError:
        return None


class ProcessStatus(NamedTuple):
    state: str  # R, S, D, Z (zombie), ...
    parent: int
    start_time: int  # clock ticks after boot: tells a process from a later one with its pid


def process_status(pid: int) -> ProcessStatus | None:
    """Process ``pid`` as /proc/PID/stat shows it (proc(5)), or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()  # after "(comm)"
        return ProcessStatus(fields[0], int(fields[1]), int(fields[19]))
    except (OSError, IndexError, ValueError):
        return None


def descendants(pid: int) -> dict[int, int]:
    """pid -> start time of every live descendant of ``pid``, also those that left its process
    group (vsftpd runs each session in a new session, setsid(2))."""
    children: dict[int, list[tuple[int, int]]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        status = process_status(int(entry.name))
        if status is not None and status.state != "Z":
            children.setdefault(status.parent, []).append((int(entry.name), status.start_time))
    found: dict[int, int] = {}
    todo = [pid]
    while todo:
        for child, start_time in children.get(todo.pop(), []):
            found[child] = start_time
            todo.append(child)
    return found


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM the server's process group and its descendants, SIGKILL them after STOP_GRACE
    seconds, and reap the server. The group holds the per-session children that ProFTPD,
    pure-ftpd and the inetutils acceptor start; vsftpd's sessions leave it, so descendants are
    looked up too, before the server dies and they move to another parent."""
    family = descendants(process.pid)

    def signal_all(sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)
        for pid, start_time in family.items():
            status = process_status(pid)
            if status is not None and status.start_time == start_time:  # not a reused pid
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, sig)

    if process.poll() is None:
        signal_all(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            signal_all(signal.SIGKILL)
            process.wait(timeout=STOP_GRACE)
    signal_all(signal.SIGKILL)  # session processes that outlived their master


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM when the launching process dies (Linux
    PR_SET_PDEATHSIG), so a test runner killed by a timeout leaves no server behind."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _start_once(name: str, root: Path, port: int, work: Path, max_sessions: int | None) -> Peer:
    recipe = RECIPES[name](root, port, work, max_sessions)
    log_path = work / "server.log"
    env = dict(os.environ, **(recipe.env or {}))
    with open(log_path, "wb") as log:
        process = subprocess.Popen(recipe.argv, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, env=env, cwd=work,
                                   start_new_session=True, preexec_fn=_die_with_parent)
    peer = Peer(name=name, host=HOST, port=port, user=recipe.user, password=recipe.password,
                writable_dir=recipe.writable_dir, process=process, root=root, log_path=log_path,
                tls=recipe.tls)
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise PeerStartError(f"{name} exited with status {process.returncode} "
                                     f"before greeting:\n{_all_logs(work)}")
            if recipe.port_from_log is not None and peer.port == 0:
                found = recipe.port_from_log.search(peer.log())
                if not found:
                    time.sleep(0.05)
                    continue
                peer.port = int(found.group(1))
            if _read_greeting(peer.port, deadline) is not None:
                return peer
            time.sleep(0.05)
        raise PeerStartError(f"{name} sent no 220 greeting on {HOST}:{peer.port} within "
                             f"{START_TIMEOUT:.0f} s:\n{_all_logs(work)}")
    except BaseException:
        _stop(process)
        raise


def _all_logs(work: Path) -> str:
    parts = []
    for path in sorted(work.glob("*.log")):
        with contextlib.suppress(OSError):
            parts.append(f"--- {path.name}\n{path.read_text(errors='replace')}")
    return "\n".join(parts) or "(no log output)"


@contextlib.contextmanager
def start_peer(name: str, root: Path, port: int = 0, max_sessions: int | None = None) -> Iterator[Peer]:
    """Run peer ``name`` over ``root`` on 127.0.0.1:``port`` (0: a free port) until the block ends.

    ``max_sessions`` raises the session limit of the servers that have one as launched (ProFTPD
    MaxInstances 30, pure-ftpd -c 50), for benchmarks with many sessions; None keeps them.

    Raises PeerUnavailable when its program is not installed and PeerStartError when it does not
    greet within START_TIMEOUT seconds (the message carries its log).
    """
    reason = missing_reason(name)
    if reason:
        raise PeerUnavailable(f"{name}: {reason}")
    root = Path(root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"ftpspec-{name}-"))
    peer = None
    try:
        attempts = 1 if port or name == "ftpspecd" else PORT_ATTEMPTS
        for attempt in range(attempts):
            attempt_work = work / f"try{attempt}"
            attempt_work.mkdir()
            chosen = port if port or name == "ftpspecd" else free_port()
            try:
                peer = _start_once(name, root, chosen, attempt_work, max_sessions)
                break
            except PeerStartError:
                if attempt + 1 == attempts:
                    raise
        assert peer is not None
        yield peer
    finally:
        if peer is not None:
            _stop(peer.process)
        shutil.rmtree(work, ignore_errors=True)


# --- command line -------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m tests.peers.launch",
                                     description="Run one FTP peer in the foreground.")
    parser.add_argument("name", choices=PEERS)
    parser.add_argument("root", type=Path, help="directory to serve")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: free)")
    args = parser.parse_args(argv)

    stop = False

    def on_signal(_signum: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        with start_peer(args.name, args.root, args.port) as peer:
            print(f"{peer.name} listening on {peer.host}:{peer.port} user={peer.user} "
                  f"password={peer.password} dir={peer.writable_dir} "
                  f"tls={'yes' if peer.tls else 'no'}", flush=True)
            while not stop and peer.process.poll() is None:
                time.sleep(0.2)
            if not stop:
                print(f"{peer.name} exited with status {peer.process.returncode}:\n{peer.log()}",
                      file=sys.stderr)
                return 1
    except (PeerUnavailable, PeerStartError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
