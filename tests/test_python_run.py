"""ftpspec.load_cases / run / probe / run_case and the result objects, against the in-process
ReferenceServer, with the shipped scenarios and small inline ones."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

import ftpspec

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

PASSING_CASE = """\
case py-noop
  title "NOOP answers 200"
  rfc 959 §4.1.3
  level MUST
  > NOOP
  < 200
"""

# The server answers NOOP with 200, so expecting 250 must fail with evidence.
FAILING_CASE = """\
case py-wrong
  title "NOOP expected to answer 250"
  rfc 959 §4.1.3
  level MUST
  > NOOP
  < 250
"""

WARNING_CASE = """\
case py-should
  title "a SHOULD not met"
  rfc 959 §4.1.3
  level SHOULD
  > NOOP
  < 250
"""


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    with ftpspec.ReferenceServer(root, users={"user": "pass"}) as running:
        yield running


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_load_cases_reads_files_and_directories():
    cases = ftpspec.load_cases([SCENARIOS / "rfc959"])
    assert len(cases) > 20
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids))
    first = cases[0]
    assert first.level in ("MUST", "SHOULD", "MAY")
    assert first.file.endswith(".ftpspec") and first.line > 0
    assert first.location.startswith(first.file)
    assert all(c.rfc for c in cases) and any(c.rfc[0].startswith("959") for c in cases)
    assert isinstance(first.steps, list) and first.require in ("nothing", "connection", "login", "scratch")
    # A single path (str or PathLike) works too.
    assert [c.id for c in ftpspec.load_cases(str(first.file))] == [
        c.id for c in cases if c.file == first.file
    ]


def test_script_error_has_file_line_column(tmp_path):
    bad = write(tmp_path, "bad.ftpspec", PASSING_CASE + "  < twohundred\n")
    with pytest.raises(ftpspec.ScriptError) as caught:
        ftpspec.load_cases([bad])
    error = caught.value
    assert isinstance(error, ftpspec.Error) and isinstance(error, ValueError)
    file, line, column, message = error.diagnostics[0]
    assert file.endswith("bad.ftpspec") and line == 7 and column > 0 and message
    assert str(error).startswith(f"{file}:7:{column}: ")


def test_duplicate_ids_across_files_are_a_script_error(tmp_path):
    write(tmp_path, "a.ftpspec", PASSING_CASE)
    write(tmp_path, "b.ftpspec", PASSING_CASE)
    with pytest.raises(ftpspec.ScriptError, match="py-noop"):
        ftpspec.load_cases([tmp_path])


def test_run_reports_pass_and_fail_with_evidence(server, tmp_path):
    cases = ftpspec.load_cases([write(tmp_path, "x.ftpspec", PASSING_CASE + "\n" + FAILING_CASE)])
    result = ftpspec.run(server.url, cases=cases, jobs=2, timeout=5)
    assert result.target == f"ftp://user@127.0.0.1:{server.port}"  # never the password
    assert result.greeting and result.greeting[-1].startswith("220")
    assert "EPSV" in result.features
    assert [c.id for c in result.cases] == ["py-noop", "py-wrong"]  # file order
    passed, failed = result.cases
    assert passed.verdict == ftpspec.Verdict.PASS and passed.reason == "" and passed.deciding_step is None
    assert failed.verdict == ftpspec.Verdict.FAIL and str(failed.verdict) == "fail"
    step = failed.deciding_step
    assert step.location.endswith("x.ftpspec:13:3")  # the `< 250` line
    assert "250" in step.expected and step.actual.startswith("200")
    assert "C> NOOP" in failed.transcript and "S> 200" in failed.transcript
    assert failed.level == "MUST" and failed.rfc == ["959 §4.1.3"] and failed.duration >= 0
    assert result.count(ftpspec.Verdict.FAIL) == 1
    assert result.counts == {"pass": 1, "skipped": 0, "unsupported": 0, "warn": 0, "blocked": 0, "fail": 1, "error": 0}
    assert [f.failed for f in result.findings] == [[failed.id]] and failed.finding == "F1"
    assert result.exit_code == 1
    summary = str(result)
    assert "py-wrong" in summary and "\x1b[" not in summary  # plain text, no colour


def test_run_a_should_is_a_warning_and_exit_code_zero(server, tmp_path):
    result = ftpspec.run(server.url, suites=[write(tmp_path, "w.ftpspec", WARNING_CASE)], jobs=1)
    assert result.cases[0].verdict == ftpspec.Verdict.WARN
    assert result.exit_code == 0


def test_run_selects_cases_by_glob(server):
    result = ftpspec.run(server.url, suites=[SCENARIOS / "rfc959"], case="noop*", timeout=5)
    assert result.cases and all(c.id.startswith("noop") for c in result.cases)
    assert result.counts["fail"] == 0 and result.counts["error"] == 0
    with pytest.raises(ValueError, match="no case selected"):
        ftpspec.run(server.url, suites=[SCENARIOS / "rfc959"], case=["no-such-*"])


def test_run_writes_the_three_reports(server, tmp_path):
    cases = ftpspec.load_cases([write(tmp_path, "x.ftpspec", PASSING_CASE + "\n" + FAILING_CASE)])
    result = ftpspec.run(server.url, cases=cases)
    result.write_json(tmp_path / "r.json")
    result.write_junit(tmp_path / "r.xml")
    result.write_html(tmp_path / "r.html")
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["schema"] == "ftpspec-results/2"
    assert json.loads(result.to_json()) == data
    junit = ElementTree.parse(tmp_path / "r.xml").getroot()
    # The findings suite first (one finding: the failing case), then the cases.
    assert [suite.get("name") for suite in junit.findall("testsuite")][0] == "findings"
    assert len(junit.findall(".//testcase")) == 3 and len(junit.findall(".//failure")) == 2
    assert "py-wrong" in (tmp_path / "r.html").read_text()
    with pytest.raises(OSError):
        result.write_json(tmp_path / "missing-dir" / "r.json")


def test_probe_and_run_case(server, tmp_path):
    header = ftpspec.probe(server.url, timeout=5)
    assert header.cases == [] and "EPSV" in header.features
    (case,) = ftpspec.load_cases([write(tmp_path, "x.ftpspec", FAILING_CASE)])
    result = ftpspec.run_case(case, server.url, features=header.features, timeout=5)
    assert result.id == "py-wrong" and result.verdict == ftpspec.Verdict.FAIL


def test_unreachable_target_and_bad_arguments(server, tmp_path):
    cases = ftpspec.load_cases([write(tmp_path, "x.ftpspec", PASSING_CASE)])
    with pytest.raises(ftpspec.ConnectionFailed, match="unreachable"):
        ftpspec.run(f"ftp://user:wrong@127.0.0.1:{server.port}", cases=cases, timeout=5)
    with pytest.raises(ValueError):
        ftpspec.run("http://example", cases=cases)
    with pytest.raises(ValueError, match="exactly one"):
        ftpspec.run(server.url)
    with pytest.raises(ValueError, match="jobs"):
        ftpspec.run(server.url, cases=cases, jobs=0)


def test_case_errors_are_verdicts_not_exceptions(tmp_path):
    """A server that vanishes after the probe gives ERROR verdicts, exit code 2."""
    root = tmp_path / "root"
    root.mkdir()
    (case,) = ftpspec.load_cases([write(tmp_path, "x.ftpspec", PASSING_CASE)])
    with ftpspec.ReferenceServer(root) as gone:
        url = gone.url
    result = ftpspec.run_case(case, url, timeout=2)
    assert result.verdict == ftpspec.Verdict.ERROR and result.reason
