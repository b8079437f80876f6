"""What the package tests share (test_python_install.py, test_deb_package.py, test_ci_recipe.py):
building the .deb and the wheel from the build tree with scripts/package.sh, a fresh venv holding
only the wheel, an environment that knows nothing of the checkout, and ways to run a command with
the checkout hidden (a private mount namespace: an empty tmpfs over the checkout) or in a
throw-away copy of the whole machine (an overlay over `/`, for steps that install with apt).
Both need root, as the CI machines have; without it the tests that need them are skipped, saying so.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BUILD = Path(os.environ.get("FTPSPEC_BUILD_DIR", REPO / "build" / "release")).resolve()
DEBIAN_PYTHON = "/usr/bin/python3"
#: The PATH of a fresh debian:12 container.
DEBIAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#: A user for the servers the tests start.
USER, PASSWORD = "u", "p"


def project_version() -> str:
    """The version CMakeLists.txt gives the project: every package must carry it."""
    match = re.search(r"project\(ftpspec VERSION ([0-9.]+)", (REPO / "CMakeLists.txt").read_text())
    assert match, "CMakeLists.txt: no project(ftpspec VERSION ...)"
    return match.group(1)


@dataclass(frozen=True)
class Packages:
    deb: Path
    wheel: Path


def build_packages(out: Path) -> Packages:
    """scripts/package.sh --no-build: both packages from the tree the tests run against."""
    if not (BUILD / "CPackConfig.cmake").exists():
        pytest.fail(f"{BUILD} is not a configured build tree (FTPSPEC_BUILD_DIR)")
    result = subprocess.run(
        [str(REPO / "scripts" / "package.sh"), "--no-build"],
        env=dict(os.environ, FTPSPEC_BUILD_DIR=str(BUILD), FTPSPEC_PACKAGE_DIR=str(out)),
        capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    printed = [Path(line) for line in result.stdout.split()]
    debs = [p for p in printed if p.suffix == ".deb"]
    wheels = [p for p in printed if p.suffix == ".whl"]
    assert len(debs) == 1 and len(wheels) == 1, result.stdout
    assert debs[0].parent == out and wheels[0].parent == out, "package.sh wrote outside FTPSPEC_PACKAGE_DIR"
    return Packages(deb=debs[0], wheel=wheels[0])


def clean_env(*path_first: Path) -> dict[str, str]:
    """The environment of a user who never saw the checkout: no PYTHONPATH, no FTPSPEC_* variable,
    Debian's PATH with `path_first` in front."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV") and not k.startswith("FTPSPEC_")}
    env["PATH"] = os.pathsep.join([*(str(p) for p in path_first), DEBIAN_PATH])
    return env


def fresh_venv(venv: Path, wheel: Path) -> Path:
    """A new venv holding only `wheel` (Debian's site-packages are visible: pytest comes from there,
    ftpspec never does). Returns its bin/ folder."""
    subprocess.run([DEBIAN_PYTHON, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=300)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-index", "--no-deps", str(wheel)],
                   check=True, timeout=300, env=clean_env(), cwd=venv)
    return venv / "bin"


def _namespaces_work() -> bool:
    probe = subprocess.run(["unshare", "--mount", "--pid", "--fork", "true"], capture_output=True, timeout=60)
    return probe.returncode == 0


needs_namespaces = pytest.mark.skipif(
    os.geteuid() != 0 or not _namespaces_work(),
    reason="hiding the checkout needs root and mount namespaces (unshare --mount)")


def _checkout_dirs() -> list[Path]:
    """The folders an installed ftpspec must not read: the checkout and the build tree."""
    return [REPO] if BUILD.is_relative_to(REPO) else [REPO, BUILD]


def without_checkout(command: list[str]) -> list[str]:
    """`command` run where the checkout and the build tree are empty (a tmpfs over each, in a mount
    namespace of its own): as if the checkout had been moved away."""
    mounts = " && ".join(f"mount -t tmpfs -o size=64k,mode=0755 no-checkout {shlex.quote(str(d))}"
                         for d in _checkout_dirs())
    return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", f'{mounts} && exec "$@"', "sh",
            *command]


def in_machine_copy(scratch: Path, binds: dict[Path, str], command: list[str]) -> list[str]:
    """`command` run as root in a throw-away copy of this machine: an overlay over `/` whose writes
    land on a tmpfs under `scratch` (apt-get install, /opt, /tmp), chrooted, with fresh /proc and
    /tmp, the checkout hidden, and each host folder of `binds` mounted at its path inside (the only
    writes that outlive it). Its own PID namespace: every process it leaves is killed at its end."""
    scratch.mkdir(parents=True, exist_ok=True)
    root = f"{scratch}/layers/root"
    lines = [
        "set -e",
        f"mount -t tmpfs ftpspec-machine-copy {scratch}/layers",  # upper and work must not be on overlayfs
        f"mkdir {scratch}/layers/upper {scratch}/layers/work {root}",
        f"mount -t overlay overlay -o lowerdir=/,upperdir={scratch}/layers/upper,workdir={scratch}/layers/work {root}",
        f"mount --rbind /dev {root}/dev",
        f"mount -t proc proc {root}/proc",
        f"mount -t tmpfs tmpfs {root}/tmp",
        # (mkdir: a checkout under /tmp is hidden by the fresh /tmp already)
        *(f"mkdir -p {root}{d} && mount -t tmpfs -o size=64k,mode=0755 no-checkout {root}{d}"
          for d in _checkout_dirs()),
    ]
    for host, inside in binds.items():
        lines += [f"mkdir -p {root}{inside}", f"mount --bind {shlex.quote(str(host))} {root}{inside}"]
    lines.append(f'exec chroot {root} "$@"')
    (scratch / "layers").mkdir(exist_ok=True)
    return ["unshare", "--mount", "--pid", "--fork", "--propagation", "private", "--",
            "bash", "-c", "\n".join(lines), "bash", *command]


# Reports ----------------------------------------------------------------------------------------


def check_reports(report_dir: Path, cases: int, suite: Path) -> dict:
    """The JSON, JUnit and HTML reports of a whole run of the suite at `suite` against ftpspecd:
    every case there, none failed or erred, each read from `suite`. Returns the JSON report."""
    results = json.loads((report_dir / "ftpspec-results.json").read_text())
    assert len(results["cases"]) == cases and results["summary"]["total"] == cases
    verdicts = [c["verdict"] for c in results["cases"]]
    assert "fail" not in verdicts and "error" not in verdicts, [
        (c["id"], c["verdict"]) for c in results["cases"] if c["verdict"] in ("fail", "error")]
    outside = [c["location"]["file"] for c in results["cases"]
               if not c["location"]["file"].startswith(str(suite) + "/")]
    assert not outside, f"cases read from outside {suite}: {outside[:3]}"
    junit = ET.parse(report_dir / "ftpspec-junit.xml").getroot()
    assert len(junit.findall(".//testcase")) == cases
    html = (report_dir / "ftpspec-report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "ftpspec" in html
    return results
