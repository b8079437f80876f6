"""docs/ci.md, run as written, so the recipe cannot rot.

The page's blocks are found by their names (the word after the language of a fence):
`record-expected-results`, `.github/workflows/ftp-conformance.yml` and `.gitlab-ci.yml`. The record
block makes ci/ftpspec-expected.json in a stand-in repository of a server under test (with the
packages in ci/ as the page assumes them); then each job runs in a throw-away copy of this machine
(an overlay over `/`: its apt-get install, /opt and /tmp vanish afterwards; apt offline, its package
sources empty; the checkout hidden), driven by tests/ci_recipe_runner.py as GitHub Actions or GitLab
CI would drive it. Every step must succeed, the ftpspec that ran must be the installed package's,
and every path the job publishes must hold the reports of the whole suite.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import ftpspec
from ftpspecd_process import Ftpspecd
from tool_packages import BUILD, REPO, check_reports, clean_env, in_machine_copy, needs_namespaces

DOC = REPO / "docs" / "ci.md"
SUITE_CASES = len(ftpspec.load_cases(REPO / "scenarios"))
#: The job's account on the stand-in server (docs/ci.md's FTP_USER and FTP_PASSWORD).
CI_USER, CI_PASSWORD = "ci", "ci-secret"


def doc_blocks() -> dict[str, str]:
    """docs/ci.md's named code blocks: ```LANGUAGE NAME ... ```."""
    return {name: body for _, name, body in re.findall(r"^```(\w+) (\S+)\n(.*?)^```$", DOC.read_text(), re.M | re.S)}


BLOCKS = doc_blocks()


@pytest.fixture(scope="module")
def server_repository(tool_packages, tmp_path_factory) -> Path:
    """A repository of a server under test, as docs/ci.md assumes it: ci/ holds the .deb, the wheel
    and the expected results, recorded with the page's record block."""
    repository = tmp_path_factory.mktemp("server-repository")
    (repository / "ci").mkdir()
    for package in (tool_packages.deb, tool_packages.wheel):
        shutil.copy(package, repository / "ci")
    # The record block as a developer runs it once: `ftpspec` is the build tree's here.
    tools = tmp_path_factory.mktemp("tools")
    (tools / "ftpspec").symlink_to(BUILD / "engine" / "ftpspec")
    root = tmp_path_factory.mktemp("ftp-root")
    server = Ftpspecd(root, ["--user", f"{CI_USER}:{CI_PASSWORD}"])
    try:
        env = dict(clean_env(tools), FTP_TARGET=server.url(user=CI_USER, password=CI_PASSWORD))
        record = subprocess.run(["bash", "-e", "-c", BLOCKS["record-expected-results"]], capture_output=True,
                                text=True, timeout=300, env=env, cwd=repository)
    finally:
        server.stop()
    assert record.returncode == 0, record.stdout[-3000:] + record.stderr[-3000:]
    expected = json.loads((repository / "ci" / "ftpspec-expected.json").read_text())
    assert expected["schema"] == "ftpspec-expected/1" and len(expected["cases"]) == SUITE_CASES
    shutil.rmtree(repository / "ftpspec-baseline")  # the developer's run, not committed
    return repository


@pytest.fixture
def machine_tools(tmp_path) -> Path:
    """The runner and an apt configuration with no package sources: `apt-get update` reads
    nothing and `apt-get install` takes what is installed here or given as a file."""
    tools = tmp_path / "runner"
    tools.mkdir()
    shutil.copy(Path(__file__).with_name("ci_recipe_runner.py"), tools)
    (tools / "sources.list").touch()
    (tools / "sources.list.d").mkdir()
    (tools / "apt.conf").write_text('Dir::Etc::sourcelist "/runner/sources.list";\n'
                                    'Dir::Etc::sourceparts "/runner/sources.list.d";\n')
    return tools


def test_doc_has_the_blocks_this_test_runs():
    assert {"record-expected-results", ".github/workflows/ftp-conformance.yml", ".gitlab-ci.yml"} <= BLOCKS.keys()


@needs_namespaces
@pytest.mark.parametrize("system,job_file,installed_suite", [
    ("github", ".github/workflows/ftp-conformance.yml", r"/usr/share/ftpspec/scenarios"),
    ("gitlab", ".gitlab-ci.yml", r"/opt/ftpspec/lib/python3\.\d+/site-packages/ftpspec/scenarios"),
])
def test_recipe_runs_as_written(system, job_file, installed_suite, server_repository, machine_tools, tmp_path):
    workspace = tmp_path / "workspace"
    shutil.copytree(server_repository, workspace)
    (workspace / job_file).parent.mkdir(parents=True, exist_ok=True)
    (workspace / job_file).write_text(BLOCKS[job_file])
    command = in_machine_copy(tmp_path / "machine", {workspace: "/workspace", machine_tools: "/runner"}, [
        "env", "APT_CONFIG=/runner/apt.conf", "python3", "/runner/ci_recipe_runner.py", system,
        f"/workspace/{job_file}", "/workspace"])
    result = subprocess.run(command, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    job = json.loads(result.stdout.splitlines()[-1])
    ran = [step for step in job["steps"] if "returncode" in step]
    assert ran and not [s for s in job["steps"] if s.get("skipped")]
    for step in ran:
        assert step["returncode"] == 0, f"{step['name']}:\n{step['output']}"
    output = "\n".join(step["output"] for step in ran)
    # The installed package ran, with its own suite, and compared with the expected results.
    suite = re.search(rf"suite: {SUITE_CASES} cases in ({installed_suite})\n", output)
    assert suite, output[-3000:]
    assert f"Expected results (ci/ftpspec-expected.json): {SUITE_CASES} as expected" in output
    # What the job publishes: the JUnit XML and the folder with the HTML report.
    published = [workspace / path for path in job["published"]]
    assert workspace / "ftpspec-report" / "ftpspec-junit.xml" in published
    assert workspace / "ftpspec-report" in [p.parent if p.is_file() else p for p in published]
    assert all(p.exists() for p in published), job["published"]
    check_reports(workspace / "ftpspec-report", SUITE_CASES, Path(suite.group(1)))
