"""The Debian package and `cmake --install` (cmake/FtpspecInstall.cmake, scripts/package.sh).

The .deb is made from the build tree under test and unpacked with `dpkg -x` into a temporary root
outside the checkout; its /usr/bin/ftpspec then runs the whole suite from its own
/usr/share/ftpspec/scenarios against its own ftpspecd with the checkout hidden (tests/test_ci_recipe.py
installs it with apt-get). The man pages render and name every option the programs accept.
"""
from __future__ import annotations

import gzip
import re
import subprocess
from pathlib import Path

import pytest

import ftpspec
from tool_packages import (BUILD, PASSWORD, REPO, USER, check_reports, needs_namespaces, project_version,
                           without_checkout)

SUITE_CASES = len(ftpspec.load_cases(REPO / "scenarios"))
#: Debian 12 runtime libraries the programs link (dpkg-shlibdeps must find each).
RUNTIME_LIBRARIES = {"libc6", "libstdc++6", "libgcc-s1", "libfmt9", "libssl3", "libboost-program-options1.74.0"}


@pytest.fixture(scope="module")
def unpacked(tool_packages, tmp_path_factory) -> Path:
    """The .deb unpacked (dpkg -x) into a temporary root."""
    root = tmp_path_factory.mktemp("deb-root")
    subprocess.run(["dpkg-deb", "-x", str(tool_packages.deb), str(root)], check=True, timeout=120)
    return root


def control_field(deb: Path, field: str) -> str:
    return subprocess.run(["dpkg-deb", "-f", str(deb), field], capture_output=True, text=True, check=True,
                          timeout=60).stdout.strip()


def test_deb_names_debian_12_runtime_libraries(tool_packages):
    deb = tool_packages.deb
    assert deb.name == f"ftpspec_{project_version()}_{control_field(deb, 'Architecture')}.deb"
    assert control_field(deb, "Package") == "ftpspec"
    assert control_field(deb, "Version") == project_version()
    depends = {re.match(r"[^ (]+", item.strip()).group(0) for item in control_field(deb, "Depends").split(",")}
    assert depends == RUNTIME_LIBRARIES
    # Each is a Debian package this machine (Debian 12) has: apt-get can resolve them all.
    installed = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Status}\n", *sorted(depends)],
                               capture_output=True, text=True, timeout=60).stdout
    assert installed.count("install ok installed") == len(depends), installed


def test_deb_contents(unpacked):
    usr = unpacked / "usr"
    for program in ("ftpspec", "ftpspecd"):
        assert (usr / "bin" / program).stat().st_mode & 0o111
    suite = usr / "share" / "ftpspec" / "scenarios"
    shipped = {str(p.relative_to(suite)) for p in suite.rglob("*") if p.is_file()}
    in_checkout = {str(p.relative_to(REPO / "scenarios")) for p in (REPO / "scenarios").rglob("*")
                   if p.is_file() and p.suffix not in (".py", ".pyc")}
    assert shipped == in_checkout  # all but the Python package's marker file
    docs = usr / "share" / "doc" / "ftpspec"
    assert (docs / "README.md").exists() and (docs / "docs" / "ci.md").exists()
    for page in ("ftpspec.1.gz", "ftpspecd.1.gz"):
        assert gzip.decompress((usr / "share" / "man" / "man1" / page).read_bytes()).startswith(b".\\\"")


@needs_namespaces
def test_unpacked_deb_runs_the_suite_without_the_checkout(unpacked, tmp_path):
    usr = unpacked / "usr"
    suite = usr / "share" / "ftpspec" / "scenarios"
    version = subprocess.run(without_checkout([str(usr / "bin" / "ftpspec"), "--version"]), capture_output=True,
                             text=True, timeout=60, cwd=tmp_path)
    assert version.stdout == f"ftpspec {project_version()}\nsuite: {SUITE_CASES} cases in {suite}\n", version.stderr
    root = tmp_path / "root"
    root.mkdir()
    report = tmp_path / "report"
    result = subprocess.run(
        without_checkout([
            str(usr / "bin" / "ftpspec"), "run", "--target", f"ftp://{USER}:{PASSWORD}@127.0.0.1:0",
            "--launch", f"{usr / 'bin' / 'ftpspecd'} --listen 127.0.0.1:0 --root {root} --user {USER}:{PASSWORD}",
            "--jobs", "8", "--format", "json,junit,html", "--report-dir", str(report)]),
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    check_reports(report, SUITE_CASES, suite)


def test_build_tree_binary_uses_the_source_suite_and_a_copy_does_not(tmp_path):
    """The fallback to the source tree is for a binary inside its build tree only: a copy elsewhere
    with no share/ftpspec/scenarios beside it says where it looked, and --suite still works."""
    built = BUILD / "engine" / "ftpspec"
    version = subprocess.run([str(built), "--version"], capture_output=True, text=True, timeout=60)
    assert version.stdout.endswith(f"suite: {SUITE_CASES} cases in {REPO / 'scenarios'}\n")
    copy = tmp_path / "bin" / "ftpspec"
    copy.parent.mkdir()
    copy.write_bytes(built.read_bytes())
    copy.chmod(0o755)
    missing = tmp_path / "share" / "ftpspec" / "scenarios"
    version = subprocess.run([str(copy), "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.endswith(f"suite: none at {missing} (give --suite DIR)\n")
    listing = subprocess.run([str(copy), "list"], capture_output=True, text=True, timeout=60)
    assert listing.returncode == 2
    assert f"no suite at {missing}" in listing.stderr and "give --suite DIR" in listing.stderr
    listing = subprocess.run([str(copy), "list", "--suite", str(REPO / "scenarios" / "rfc2389")],
                             capture_output=True, text=True, timeout=60)
    assert listing.returncode == 0 and "feat-syntax" in listing.stdout


def test_cmake_install_lays_out_a_prefix(tmp_path):
    prefix = tmp_path / "prefix"
    subprocess.run(["cmake", "--install", str(BUILD), "--prefix", str(prefix)], check=True, capture_output=True,
                   timeout=300)
    for path in ("bin/ftpspec", "bin/ftpspecd", "share/ftpspec/scenarios/rfc959", "share/doc/ftpspec/README.md",
                 "share/doc/ftpspec/docs/scenario-format.md", "share/man/man1/ftpspec.1.gz",
                 "share/man/man1/ftpspecd.1.gz"):
        assert (prefix / path).exists(), path
    # Any prefix works: the suite is found relative to bin/.
    version = subprocess.run([str(prefix / "bin" / "ftpspec"), "--version"], capture_output=True, text=True,
                             timeout=60)
    assert version.stdout.endswith(f"suite: {SUITE_CASES} cases in {prefix / 'share/ftpspec/scenarios'}\n")


def _long_options(help_text: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", help_text))


@pytest.mark.parametrize("program,helps", [
    ("ftpspec", [["--help"], ["load", "--help"], ["client", "--help"]]),
    ("ftpspecd", [["--help"]]),
])
def test_man_page_renders_and_names_every_option(program, helps, unpacked):
    page = gzip.decompress((unpacked / "usr/share/man/man1" / f"{program}.1.gz").read_bytes()).decode()
    title = next(line for line in page.splitlines() if line.startswith(".TH "))
    assert f'"ftpspec {project_version()}"' in title  # the package's version
    rendered = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z"], input=page, capture_output=True, text=True,
                              timeout=60)
    assert rendered.returncode == 0 and rendered.stderr == "", rendered.stderr
    # A wide line: no option name is hyphenated across lines.
    text = subprocess.run(["groff", "-man", "-Tutf8", "-rLL=200n", "-P", "-cbou"], input=page, capture_output=True,
                          text=True, timeout=60).stdout
    binary = unpacked / "usr" / "bin" / program
    options = set()
    for arguments in helps:
        options |= _long_options(subprocess.run([str(binary), *arguments], capture_output=True, text=True,
                                                timeout=60).stdout)
    assert len(options) > 5
    missing = sorted(o for o in options if o not in _long_options(text.replace("\u2010", "-")))
    assert not missing, f"{program}.1 does not mention {missing}"
