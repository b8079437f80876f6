"""The report formats of a real run: `ftpspec run` against ftpspecd (launched with --launch) writes
JSON, JUnit XML and HTML; the JSON validates against docs/report-json.schema.json, the JUnit XML
against tests/schemas/junit.xsd, and `ftpspec report` re-renders and compares saved runs."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD = Path(os.environ.get("FTPSPEC_BUILD_DIR", ROOT / "build" / "main"))
FTPSPEC = BUILD / "engine" / "ftpspec"
FTPSPECD = BUILD / "reference_server" / "ftpspecd"
JSON_SCHEMA = ROOT / "docs" / "report-json.schema.json"
JUNIT_XSD = ROOT / "tests" / "schemas" / "junit.xsd"

pytestmark = pytest.mark.timeout(180)


def run_suite(report_dir: Path, serve_root: Path, *extra: str) -> subprocess.CompletedProcess:
    """Runs the whole suite against a freshly launched ftpspecd; exit 0 or 1 (a case failed) is fine."""
    serve_root.mkdir(exist_ok=True)
    command = [str(FTPSPEC), "run", "--target", "ftp://ftpspec:ftpspec@127.0.0.1:0",
               "--launch", f"{FTPSPECD} --listen 127.0.0.1:0 --root {serve_root} --user ftpspec:ftpspec",
               "--report-dir", str(report_dir), "--timeout", "5000", *extra]
    done = subprocess.run(command, capture_output=True, text=True, timeout=150, env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode in (0, 1), done.stderr
    return done


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    for binary in (FTPSPEC, FTPSPECD):
        assert binary.exists(), f"{binary} is not built (set FTPSPEC_BUILD_DIR)"
    base = tmp_path_factory.mktemp("reports")
    done = run_suite(base / "out", base / "root", "--format", "terminal,json,junit,html")
    (base / "out" / "terminal.txt").write_text(done.stdout)
    return base / "out"


def test_json_validates_against_the_schema(reports):
    schema = json.loads(JSON_SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    document = json.loads((reports / "ftpspec-results.json").read_text())
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors[:10])
    assert document["schema"] == "ftpspec-results/2"
    assert document["greeting"][0].startswith("220")
    assert "EPSV" in document["features"]
    assert document["summary"]["total"] == len(document["cases"]) > 40
    assert sum(document["summary"][v] for v in ("pass", "fail", "warn", "unsupported", "blocked", "skipped", "error")) \
        == document["summary"]["total"]
    noop = next(c for c in document["cases"] if "C> NOOP" in c["transcript"])
    assert "S> 200" in noop["transcript"]


def test_json_schema_rejects_what_it_should(reports):
    """The schema is not a rubber stamp: a wrong verdict, a password in the target, a missing key."""
    schema = json.loads(JSON_SCHEMA.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    document = json.loads((reports / "ftpspec-results.json").read_text())
    for mutate in (lambda d: d["cases"][0].update(verdict="maybe"),
                   lambda d: d.update(target="ftp://user:secret@127.0.0.1:21"),
                   lambda d: d["cases"][0].pop("transcript"),
                   lambda d: d.update(schema="ftpspec-results/1"),
                   lambda d: d["summary"].pop("findings"),
                   lambda d: d["cases"][0].update(finding="first")):
        broken = json.loads(json.dumps(document))
        mutate(broken)
        assert not validator.is_valid(broken)


def test_junit_validates_against_the_xsd(reports):
    junit = reports / "ftpspec-junit.xml"
    done = subprocess.run(["xmllint", "--noout", "--schema", str(JUNIT_XSD), str(junit)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    root = ElementTree.parse(junit).getroot()
    document = json.loads((reports / "ftpspec-results.json").read_text())
    cases = root.findall("testsuite/testcase")
    assert len(cases) == len(document["cases"])
    assert len({(c.get("classname"), c.get("name")) for c in cases}) == len(cases)
    assert int(root.get("failures")) == document["summary"]["fail"]
    assert {s.get("name") for s in root.findall("testsuite")} >= {"RFC 959", "RFC 2428", "RFC 3659"}
    assert all(c.find("system-out") is not None and "verdict: " in c.find("system-out").text for c in cases)


def test_terminal_summary_groups_by_rfc_and_section(reports):
    text = (reports / "terminal.txt").read_text()
    assert "\x1b" not in text, "no colour when stdout is not a terminal"
    lines = text.splitlines()
    rfc959 = next(i for i, line in enumerate(lines) if line.startswith("RFC 959 "))
    assert lines[rfc959 + 1].startswith("  §"), "sections follow their RFC"
    assert lines[-1].startswith(f"{len(json.loads((reports / 'ftpspec-results.json').read_text())['cases'])} cases in")


def test_report_rerenders_a_saved_run(reports, tmp_path):
    done = subprocess.run([str(FTPSPEC), "report", str(reports / "ftpspec-results.json"), "--format", "json,html",
                           "--report-dir", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "ftpspec-results.json").read_bytes() == (reports / "ftpspec-results.json").read_bytes()
    assert (tmp_path / "ftpspec-report.html").read_bytes() == (reports / "ftpspec-report.html").read_bytes()


def test_report_rejects_bad_input(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "ftpspec-results/9"}')
    done = subprocess.run([str(FTPSPEC), "report", "--compare", str(bad), "-o", str(tmp_path / "m.html")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "schema is 'ftpspec-results/9'" in done.stderr


def test_compare_draws_the_matrix(reports, tmp_path):
    """Two runs, one of them edited to stand for another server: the matrix shows where they differ."""
    document = json.loads((reports / "ftpspec-results.json").read_text())
    first = next(c for c in document["cases"] if c["verdict"] == "pass")
    first.update(verdict="fail", reason="pretend <server> broke it")
    document["cases"].pop()  # a case the other server did not run
    (tmp_path / "ftpspecd.json").write_bytes((reports / "ftpspec-results.json").read_bytes())
    (tmp_path / "other.json").write_text(json.dumps(document))
    done = subprocess.run([str(FTPSPEC), "report", "--compare", str(tmp_path / "ftpspecd.json"), str(tmp_path / "other.json"),
                           "-o", str(tmp_path / "matrix.html"), "--markdown", str(tmp_path / "matrix.md")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "matrix.html").read_text()
    assert "<th" in page and ">ftpspecd</th>" in page and ">other</th>" in page
    assert 'title="pretend &lt;server&gt; broke it"' in page
    assert page.count('data-differs="yes"') == 2  # the edited case and the missing one
    markdown = (tmp_path / "matrix.md").read_text()
    assert "| case | level | ftpspecd | other |" in markdown
    assert f"| {first['id']} " in markdown and "**fail**: pretend &lt;server&gt; broke it" in markdown
    if shutil.which("xmllint"):
        assert subprocess.run(["xmllint", "--html", "--noout", str(tmp_path / "matrix.html")],
                              capture_output=True, timeout=60).returncode == 0
