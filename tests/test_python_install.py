"""The Python package installed the way a user installs it.

- The wheel (scripts/package.sh, from the build tree under test, so nothing is compiled twice) in a
  fresh venv that holds only it, used with the working directory outside the checkout, no
  PYTHONPATH and the checkout hidden: the `ftpspec` and `ftpspecd` commands and `python -m ftpspec`
  run the whole bundled suite, pytest collects it with `--pyargs ftpspec.scenarios`, and Ctrl-C
  behaves as it does for the executables.
- The documented offline pip install from a copy of the sources, which compiles the whole C++
  engine (minutes on 2 cores): only with FTPSPEC_TEST_INSTALL=1, reported as skipped otherwise,
  never silently passed.
"""
from __future__ import annotations

import ftplib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

import ftpspec
from ftpspecd_process import Ftpspecd
from tool_packages import (BUILD, DEBIAN_PYTHON, PASSWORD, REPO, USER, check_reports, clean_env, fresh_venv,
                           needs_namespaces, project_version, without_checkout)

#: How many cases the suite in the checkout holds; the packages must carry exactly these.
SUITE_CASES = len(ftpspec.load_cases(REPO / "scenarios"))


@pytest.fixture(scope="module")
def venv_bin(tool_packages, tmp_path_factory) -> Path:
    """A fresh venv with only the wheel installed; returns its bin/ folder."""
    return fresh_venv(tmp_path_factory.mktemp("wheel-venv") / "venv", tool_packages.wheel)


@pytest.fixture(scope="module")
def installed_suite(venv_bin) -> Path:
    """Where the installed package's suite is (ftpspec.SUITE_DIR of the venv's ftpspec)."""
    out = subprocess.run([str(venv_bin / "python"), "-c", "import ftpspec; print(ftpspec.SUITE_DIR)"],
                         capture_output=True, text=True, timeout=60, env=clean_env(venv_bin), cwd=venv_bin)
    assert out.returncode == 0, out.stderr
    suite = Path(out.stdout.strip())
    assert suite.is_relative_to(venv_bin.parent), suite
    return suite


def run_hidden(command: list[str], venv_bin: Path, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """`command` with the venv first on PATH, nothing else of ftpspec's around, the checkout hidden."""
    return subprocess.run(without_checkout(command), capture_output=True, text=True, timeout=timeout,
                          env=clean_env(venv_bin), cwd=cwd)


def test_wheel_is_a_whole_tool(tool_packages):
    with zipfile.ZipFile(tool_packages.wheel) as wheel:
        names = set(wheel.namelist())
        info = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = wheel.read(info).decode()
        entry_points = wheel.read(info.replace("METADATA", "entry_points.txt")).decode()
    assert f"\nVersion: {project_version()}\n" in metadata
    # Every scenario file of the checkout, and nothing else, is the package ftpspec.scenarios.
    shipped = {n.removeprefix("ftpspec/scenarios/") for n in names
               if n.startswith("ftpspec/scenarios/") and n.endswith(".ftpspec")}
    in_checkout = {str(p.relative_to(REPO / "scenarios")) for p in (REPO / "scenarios").rglob("*.ftpspec")}
    assert shipped == in_checkout
    # The client cases and the client profiles (with their Python drivers) come along.
    client_files = {str(p.relative_to(REPO / "scenarios")) for p in (REPO / "scenarios" / "clients").rglob("*")
                    if p.suffix in (".ftpclient", ".profile", ".py")}
    assert client_files and client_files <= {n.removeprefix("ftpspec/scenarios/") for n in names}
    for module in ("ftpspec/scenarios/__init__.py", "ftpspec/cli.py", "ftpspec/__main__.py",
                   "ftpspec/pytest_plugin.py", "ftpspec/locust/__init__.py", "ftpspec/locust/__main__.py",
                   "ftpspec/locust/locustfile.py"):
        assert module in names
    assert any(n.startswith("ftpspec/_core") and n.endswith(".so") for n in names)
    assert "[console_scripts]\nftpspec = ftpspec.cli:ftpspec\nftpspecd = ftpspec.cli:ftpspecd" in entry_points
    assert "[pytest11]\nftpspec = ftpspec.pytest_plugin" in entry_points


@needs_namespaces
def test_version_names_the_bundled_suite(venv_bin, installed_suite, tmp_path):
    expected = f"ftpspec {project_version()}\nsuite: {SUITE_CASES} cases in {installed_suite}\n"
    for command in (["ftpspec", "--version"], ["python", "-m", "ftpspec", "--version"]):
        result = run_hidden(command, venv_bin, tmp_path, timeout=60)
        assert (result.returncode, result.stdout) == (0, expected), result.stderr
    result = run_hidden(["ftpspecd", "--version"], venv_bin, tmp_path, timeout=60)
    assert (result.returncode, result.stdout) == (0, f"ftpspecd {project_version()}\n")


@needs_namespaces
def test_client_mode_runs_from_the_wheel(venv_bin, installed_suite, tmp_path):
    """`ftpspec client` finds the bundled client cases and profiles, and judges a real client."""
    cases = len(ftpspec.load_client_cases([REPO / "scenarios" / "clients"]))
    listed = run_hidden(["ftpspec", "client", "--list"], venv_bin, tmp_path, timeout=60)
    assert listed.returncode == 0 and listed.stderr == f"{cases} client cases\n", listed.stderr
    assert len(listed.stdout.splitlines()) == cases
    profile = installed_suite / "clients" / "profiles" / "curl.profile"
    judged = run_hidden(["ftpspec", "client", "--profile", str(profile), "--case", "op-download",
                         "--format", "json", "--report-dir", str(tmp_path / "out")], venv_bin, tmp_path)
    assert judged.returncode == 0, judged.stdout[-2000:] + judged.stderr[-2000:]
    results = json.loads((tmp_path / "out" / "ftpspec-results.json").read_text())
    assert [(c["id"], c["verdict"]) for c in results["cases"]] == [("op-download", "pass")]


@needs_namespaces
@pytest.mark.parametrize("command", [["ftpspec"], ["python", "-m", "ftpspec"]], ids=["console", "python-m"])
def test_the_bundled_suite_runs_from_the_wheel(command, venv_bin, installed_suite, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    report = tmp_path / "report"
    result = run_hidden(
        [*command, "run", "--target", f"ftp://{USER}:{PASSWORD}@127.0.0.1:0",
         "--launch", f"ftpspecd --listen 127.0.0.1:0 --root {root} --user {USER}:{PASSWORD}",
         "--jobs", "8", "--format", "json,junit,html", "--report-dir", str(report)],
        venv_bin, tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    results = check_reports(report, SUITE_CASES, installed_suite)
    # The server was the wheel's ftpspecd command, started by --launch.
    assert "ftpspecd listening on 127.0.0.1:" in results["server_output"]


@needs_namespaces
def test_pytest_runs_the_bundled_suite(venv_bin, installed_suite, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    server = Ftpspecd(root, ["--user", f"{USER}:{PASSWORD}"], program=venv_bin / "ftpspecd",
                      env=clean_env(venv_bin))
    try:
        junit = tmp_path / "junit.xml"
        result = run_hidden(
            ["python", "-m", "pytest", "-q", "-p", "no:cacheprovider",
             "--ftp-target", server.url(user=USER, password=PASSWORD), "--pyargs", "ftpspec.scenarios",
             f"--junitxml={junit}"],
            venv_bin, tmp_path, timeout=900)
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert server.process.returncode == 0  # the ftpspecd command stopped cleanly on SIGTERM
    cases = ET.parse(junit).getroot().findall(".//testcase")
    assert len(cases) == SUITE_CASES
    assert not [c for c in cases if c.find("failure") is not None or c.find("error") is not None]
    assert {c.get("name") for c in cases} == {case.id for case in ftpspec.load_cases(REPO / "scenarios")}
    summary = result.stdout.strip().splitlines()[-1]
    assert "passed" in summary and "failed" not in summary, summary


def _port_closed(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


def _process_gone(pid: int) -> bool:
    """True when `pid` has exited (a zombie nobody reaped counts as exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


@pytest.mark.parametrize("program", ["build-tree", "wheel"])
def test_ctrl_c_ends_the_run_and_stops_the_launched_server(program, venv_bin, tmp_path):
    """SIGINT to `ftpspec run --launch` mid-run: ftpspec ends as Ctrl-C ends a program, and the
    server it launched (in a process group of its own, which the terminal's SIGINT never reaches)
    is stopped too, never left running."""
    if program == "build-tree":
        ftpspec_program, ftpspecd_program, env = BUILD / "engine/ftpspec", BUILD / "reference_server/ftpspecd", None
    else:
        ftpspec_program, ftpspecd_program, env = venv_bin / "ftpspec", venv_bin / "ftpspecd", clean_env(venv_bin)
    root, pid_file, port_file = tmp_path / "root", tmp_path / "server.pid", tmp_path / "server.port"
    root.mkdir()
    # sh writes its pid and execs the server: the pid is the server's. Slow replies keep the run going.
    launch = (f"echo $$ > {pid_file}; exec {ftpspecd_program} --listen 127.0.0.1:0 --root {root} "
              f"--user {USER}:{PASSWORD} --port-file {port_file} --misbehave delay-replies=300")
    progress = tmp_path / "progress"
    with open(progress, "w") as stderr:
        run = subprocess.Popen([str(ftpspec_program), "run", "--target", f"ftp://{USER}:{PASSWORD}@127.0.0.1:0",
                                "--launch", launch, "--format", "json", "--report-dir", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=stderr, env=env, cwd=tmp_path)
    server_pid = None
    try:
        deadline = time.monotonic() + 30
        while "running" not in progress.read_text():
            assert run.poll() is None, progress.read_text()
            assert time.monotonic() < deadline, "the run did not start: " + progress.read_text()
            time.sleep(0.05)
        server_pid, port = int(pid_file.read_text()), int(port_file.read_text())
        assert not _port_closed(port)
        run.send_signal(signal.SIGINT)
        assert run.wait(timeout=20) == -signal.SIGINT
        deadline = time.monotonic() + 10
        while not (_port_closed(port) and _process_gone(server_pid)):
            assert time.monotonic() < deadline, "the launched server still runs after Ctrl-C"
            time.sleep(0.05)
        assert not (tmp_path / "ftpspec-results.json").exists()  # interrupted: no report claims a result
    finally:
        if run.poll() is None:
            run.kill()
            run.wait(timeout=10)
        if server_pid is not None and not _process_gone(server_pid):
            os.kill(server_pid, signal.SIGKILL)


def test_ftpspecd_command_serves_and_stops_on_ctrl_c(venv_bin, tmp_path):
    (tmp_path / "hello.txt").write_bytes(b"hello\r\n")
    server = Ftpspecd(tmp_path, ["--user", f"{USER}:{PASSWORD}"], program=venv_bin / "ftpspecd",
                      env=clean_env(venv_bin))
    try:
        with ftplib.FTP() as client:
            client.connect("127.0.0.1", server.port, timeout=10)
            client.login(USER, PASSWORD)
            assert client.nlst() == ["hello.txt"]
        server.process.send_signal(signal.SIGINT)
        assert server.process.wait(timeout=10) == 0
    finally:
        server.stop()


def test_python_gets_its_signal_handlers_back(venv_bin, tmp_path):
    """While a program runs, signals have their default dispositions; once it returns (ftpspecd
    after its own SIGTERM handling too) Python's are back: SIGINT raises KeyboardInterrupt and
    SIGPIPE is ignored."""
    script = f"""
import os, signal, threading, time
import ftpspec.cli
assert ftpspec.cli.ftpspec(["--version"]) == 0
codes = []
server = threading.Thread(target=lambda: codes.append(ftpspec.cli.ftpspecd(
    ["--root", {str(tmp_path)!r}, "--user", "u:p", "--port-file", {str(tmp_path / "port")!r}])))
server.start()
while not os.path.exists({str(tmp_path / "port")!r}):
    time.sleep(0.02)
os.kill(os.getpid(), signal.SIGTERM)  # ftpspecd's own handler stops it
server.join(10)
assert codes == [0], codes
os.kill(os.getpid(), signal.SIGPIPE)  # ignored, as Python has it
try:
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(5)
except KeyboardInterrupt:
    print("KeyboardInterrupt")
"""
    result = subprocess.run([str(venv_bin / "python"), "-c", script], capture_output=True, text=True, timeout=60,
                            env=clean_env(venv_bin), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("KeyboardInterrupt\n"), result.stdout


def test_locust_user_starts_from_the_wheel(venv_bin, tmp_path):
    """`python -m ftpspec.locust` (docs/python.md) is Locust with ftpspec's FtpUser loaded; the
    load itself is tests/test_load.py's."""
    result = subprocess.run([str(venv_bin / "python"), "-m", "ftpspec.locust", "--list"], capture_output=True,
                            text=True, timeout=120, env=clean_env(venv_bin), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "FtpUser" in result.stdout


def _copy_sources(destination: Path) -> None:
    """The repository without build trees, venvs and caches (a pip build must not see them)."""
    ignored = shutil.ignore_patterns("build", "build-*", "dist", ".venv", ".git", "__pycache__", "*.egg-info")
    shutil.copytree(REPO, destination, ignore=ignored)


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("FTPSPEC_TEST_INSTALL") != "1",
                    reason="set FTPSPEC_TEST_INSTALL=1 to build and pip-install ftpspec (minutes)")
def test_offline_pip_install_into_a_venv(tmp_path):
    python = DEBIAN_PYTHON if Path(DEBIAN_PYTHON).exists() else sys.executable
    source = tmp_path / "src"
    _copy_sources(source)
    venv = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=300)
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FTPSPEC_BUILD_DIR")}
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--no-build-isolation", "--no-index", str(source)],
        check=True, timeout=1500, env=environment, cwd=tmp_path,
    )
    probe = (
        "import importlib.metadata, ftpspec, pathlib;"
        "assert pathlib.Path(ftpspec.__file__).is_relative_to(pathlib.Path(r'%s'));"
        "eps = importlib.metadata.entry_points(group='pytest11');"
        "print(sorted(ep.value for ep in eps if ep.name == 'ftpspec'));"
        "print(ftpspec.codec.encode(b'a\\n'))" % venv
    )
    run = subprocess.run([str(venv / "bin" / "python"), "-c", probe], capture_output=True, text=True,
                         timeout=60, env=environment, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["['ftpspec.pytest_plugin']", "b'a\\r\\n'"]
    # pytest itself loads the plugin from the entry point: its options are in --help.
    help_text = subprocess.run([str(venv / "bin" / "python"), "-m", "pytest", "--help"], capture_output=True,
                               text=True, timeout=120, env=environment, cwd=tmp_path)
    assert "--ftp-target" in help_text.stdout
