"""Every fail must be true: each cause of a false verdict that real servers showed (issue #15) is
pinned here against ftpspecd made to answer like that server (tests/reply_proxy.py), so the cause
cannot come back unnoticed.

  - the representation's spelling: "TYPE A N" refused (pyftpdlib 504, Twisted 501) must not fail
    the LIST/NLST/RETR cases, which send "TYPE A" as clients do;
  - one defect, one finding: a refused TYPE L 8 fails the case about it and blocks the others;
  - fixture cascades: AUTH TLS answered 530 (vsftpd and Twisted without TLS) fails one case, and
    every case that merely needs TLS is unsupported;
  - not implemented is not broken: EPSV/EPRT/LPRT answered 502 are unsupported, STAT answered 502
    (RFC 1123 §4.1.2.13's minimum) is a fail;
  - garbage is a fail, not an error;
  - RFC 959 §5.4's table inside transfer steps (STOU answered 550);
  - negative transfer cases open the data connection first, and AUTH goes before USER;
  - what the cleanup cannot remove is named in the report;
  - `ftpspec run --expect`: a regression exits 1 naming the case, a fix is listed.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ftpspecd_process import Ftpspecd, PASSWORD, USER  # noqa: E402
from ftpspec_cli import FTPSPEC, run_cases  # noqa: E402
from reply_proxy import ReplyProxy  # noqa: E402


pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    srv = Ftpspecd(root, ["--user", f"{USER}:{PASSWORD}"])
    yield srv
    srv.stop()


def run(port: int, cases: list[str], tmp_path: Path, *extra: str) -> tuple[int, dict, str]:
    """Runs the suite's cases matching `cases` (globs) against 127.0.0.1:port; exit code, JSON, stdout."""
    return run_cases(port, cases, tmp_path, "--jobs", "4", "--timeout", "5000", *extra)


def verdicts(report: dict) -> dict[str, str]:
    return {case["id"]: case["verdict"] for case in report["cases"]}


def case(report: dict, case_id: str) -> dict:
    return next(c for c in report["cases"] if c["id"] == case_id)


def test_type_a_is_sent_as_clients_send_it(server, tmp_path):
    with ReplyProxy(server.port, {r"^TYPE A N$": b'504 Unsupported type "A N".\r\n'}) as proxy:
        _, report, _ = run(proxy.port, ["list-crlf-lines", "nlst-names", "retr-ascii-converts-lf", "type-an-200"], tmp_path)
    got = verdicts(report)
    assert got == {"list-crlf-lines": "pass", "nlst-names": "pass", "retr-ascii-converts-lf": "pass", "type-an-200": "fail"}
    assert "C> TYPE A\\r\\n" in case(report, "list-crlf-lines")["transcript"]
    assert proxy.answered == ["TYPE A N"], "only the case about the form code writes it"
    assert [f["failed"] for f in report["findings"]] == [["type-an-200"]]


def test_a_refused_type_l8_is_one_finding(server, tmp_path):
    with ReplyProxy(server.port, {r"^TYPE L 8$": b"504 Not implemented for parameter 'L 8'.\r\n"}) as proxy:
        _, report, stdout = run(proxy.port, ["type-l8-200", "type-l8-equals-image", "rt-l8-f-s"], tmp_path)
    assert verdicts(report) == {"type-l8-200": "fail", "type-l8-equals-image": "blocked", "rt-l8-f-s": "blocked"}
    [finding] = report["findings"]
    assert finding["command"] == "TYPE L 8" and finding["code"] == 504 and finding["level"] == "MUST"
    assert finding["failed"] == ["type-l8-200"]
    assert sorted(finding["blocked"]) == ["rt-l8-f-s", "type-l8-equals-image"]
    blocked = case(report, "rt-l8-f-s")
    assert blocked["blocked_by"] == "type-l8-200" and blocked["finding"] == finding["id"]
    assert blocked["reason"].startswith("blocked by type-l8-200 (F1)")
    assert report["summary"]["fail"] == 1 and report["summary"]["findings"] == 1
    assert "1 finding, 1 at MUST level" in stdout.splitlines()[3], stdout


def test_tls_cases_need_tls_not_a_particular_auth_reply(server, tmp_path):
    # vsftpd and Twisted without TLS answer AUTH with 530, a code RFC 2228 §3 does not list for it.
    with ReplyProxy(server.port, {r"^AUTH ": b"530 Please login with USER and PASS.\r\n"}) as proxy:
        _, report, _ = run(proxy.port, ["tls-*", "auth-*"], tmp_path)
    got = verdicts(report)
    tls_cases = [c for c in got if c.startswith("tls-")]
    assert len(tls_cases) >= 14
    assert {got[c] for c in tls_cases} <= {"unsupported", "skipped"}, got
    assert got["auth-tls-234"] == "fail", "the one case about AUTH's reply judges the 530"
    # One defect: AUTH answered with a code outside its reply list, whichever AUTH case met it.
    [finding] = report["findings"]
    assert finding["command"].startswith("AUTH") and finding["code"] == 530 and finding["rfc"].startswith("2228 §3")
    assert finding["failed"][0] == "auth-tls-234" and all(c.startswith("auth-") for c in finding["failed"])


def test_optional_commands_answered_502_are_unsupported(server, tmp_path):
    # Twisted: "502 Command 'EPSV' not implemented", the same for EPRT, LPRT, STAT and HELP.
    not_implemented = b"502 Command not implemented.\r\n"
    rules = {r"^(EPSV|EPRT|LPRT|LPSV)\b": not_implemented, r"^STAT$": not_implemented,
             r"^FEAT$": b"211-Features:\r\n MDTM\r\n SIZE\r\n211 End\r\n"}  # as Twisted: no EPSV advertised
    with ReplyProxy(server.port, rules) as proxy:
        _, report, _ = run(proxy.port, ["epsv-*", "eprt-*", "lprt-*", "bounce-eprt-*", "list-over-epsv", "stat-idle-211"],
                           tmp_path)
    got = verdicts(report)
    optional = {c: v for c, v in got.items() if c != "stat-idle-211"}
    assert len(optional) >= 12
    assert set(optional.values()) <= {"unsupported", "skipped"}, optional
    assert got["stat-idle-211"] == "fail", "STAT is in RFC 1123 §4.1.2.13's minimum implementation"


def test_an_advertised_command_answered_500_is_implemented_and_judged(server, tmp_path):
    # ProFTPD lists OPTS-worthy features and answers "500 OPTS ... not understood"; vsftpd lists EPRT
    # and answers a bad one with 500: implemented commands, answered wrongly, not "unsupported".
    rules = {r"^EPRT ": b"500 Bad EPRT command.\r\n", r"^OPTS ": b"500 OPTS not understood.\r\n"}
    with ReplyProxy(server.port, rules) as proxy:
        _, report, _ = run(proxy.port, ["eprt-other-delimiter", "opts-unknown-command-501"], tmp_path)
    got = verdicts(report)
    assert got == {"eprt-other-delimiter": "fail", "opts-unknown-command-501": "fail"}, got


def test_a_refused_set_up_line_blocks_the_cases_that_need_it(server, tmp_path):
    # inetutils ftpd implements EPSV but answers "EPSV ALL" with 500: the case about EPSV ALL fails,
    # the three about what EPSV ALL forbids are blocked by it (their `or 5xx blocked` line).
    with ReplyProxy(server.port, {r"^EPSV ALL$": b"500 'EPSV ALL': command not understood.\r\n"}) as proxy:
        _, report, _ = run(proxy.port, ["epsv-all-then-*"], tmp_path)
    got = verdicts(report)
    assert got["epsv-all-then-epsv-works"] == "fail", got
    others = [c for c in got if c != "epsv-all-then-epsv-works"]
    assert len(others) == 3 and all(got[c] == "blocked" for c in others), got
    [finding] = report["findings"]
    assert finding["failed"] == ["epsv-all-then-epsv-works"] and sorted(finding["blocked"]) == sorted(others)
    assert all(case(report, c)["blocked_by"] == "epsv-all-then-epsv-works" for c in others)


def test_garbage_is_the_servers_fail_with_the_bytes(server, tmp_path):
    with ReplyProxy(server.port, {r"^PORT ": b"this line has no reply code\r\n"}) as proxy:
        _, report, _ = run(proxy.port, ["arg-port-too-few-numbers"], tmp_path)
    result = case(report, "arg-port-too-few-numbers")
    assert result["verdict"] == "fail", result["reason"]
    assert "this line has no reply code" in result["steps"][-1]["actual"]
    assert "breaks the protocol" in result["reason"]


def test_reply_table_applies_inside_transfer_steps(server, tmp_path):
    # RFC 959 §5.4 lists 450, 452, 553, 532 and others for STOU, not 550.
    with ReplyProxy(server.port, {r"^STOU": b"550 Not allowed.\r\n"}) as proxy:
        _, report, _ = run(proxy.port, ["stou-creates-new-file"], tmp_path)
    result = case(report, "stou-creates-new-file")
    assert result["verdict"] == "fail", result["reason"]
    assert "not allowed by RFC 959 §5.4" in result["reason"]


def test_negative_transfers_open_the_data_connection_first(server, tmp_path):
    # RFC 959 §5.4 lets a server wait for the data connection before it refuses (vsftpd, ProFTPD):
    # the cases connect as a client does, so the refusal can come either way.
    _, report, _ = run(server.port, ["retr-missing-550", "retr-directory-refused", "traversal-retr-etc-passwd",
                                     "mlsd-on-file-501", "mlsd-missing-550"], tmp_path)
    for result in report["cases"]:
        assert result["verdict"] == "pass", (result["id"], result["reason"])
        transcript = result["transcript"]
        command = next(line for line in transcript.splitlines() if " C> RETR" in line or " C> MLSD" in line)
        assert transcript.index("** data: connected") < transcript.index(command), result["id"]


def test_auth_goes_before_user_as_clients_send_it(server, tmp_path):
    # vsftpd with TLS refuses AUTH after login (500): the cases send it first, as RFC 4217 §4 clients do.
    with ReplyProxy(server.port, {r"^AUTH ": b"504 Unknown mechanism.\r\n"}):
        pass
    _, report, _ = run(server.port, ["auth-tls-234", "auth-unknown-mechanism-504"], tmp_path)
    for result in report["cases"]:
        transcript = result["transcript"]
        assert "C> AUTH" in transcript and "C> USER" not in transcript.split("C> AUTH")[0], result["id"]


def test_what_cleanup_cannot_remove_is_reported(server, tmp_path):
    with ReplyProxy(server.port, {r"^RMD ": b"550 Permission denied.\r\n"}) as proxy:
        _, report, stdout = run(proxy.port, ["list-empty-dir"], tmp_path)
    [left] = report["left_behind"]
    assert left.startswith("/ftpspec-list-empty-dir-")
    assert (server.root / left.lstrip("/")).is_dir()
    assert f"Left on the server (the cleanup could not remove them):\n  {left}" in stdout
    _, clean, _ = run(server.port, ["list-empty-dir"], tmp_path)
    assert clean["left_behind"] == [] and list(server.root.iterdir()) == [server.root / left.lstrip("/")]


def test_expect_flags_regressions_and_lists_fixes(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    expected = tmp_path / "expected.json"

    def suite(misbehaviour: list[str]) -> tuple[int, dict, str, Path]:
        server = Ftpspecd(root, ["--user", f"{USER}:{PASSWORD}", *misbehaviour])
        try:
            code, report, stdout = run(server.port, ["feat-*"], tmp_path, *(["--expect", str(expected)] if expected.exists() else []))
        finally:
            server.stop()
        return code, report, stdout, tmp_path / sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("report-"))[-1]

    # The baseline: ftpspecd putting the code on every line of a multi-line reply (RFC 959 §4.2
    # allows it, RFC 2389 §3.2 does not for FEAT).
    code, report, _, report_dir = suite(["--misbehave", "multiline-codes"])
    broken = sorted(c["id"] for c in report["cases"] if c["verdict"] == "fail")
    assert code == 1 and broken
    subprocess.run([str(FTPSPEC), "expect", str(report_dir / "ftpspec-results.json"), "-o", str(expected),
                    "--server", "ftpspecd-multiline"], check=True, capture_output=True)
    saved = json.loads(expected.read_text())
    assert saved["server"] == "ftpspecd-multiline" and saved["cases"][broken[0]]["verdict"] == "fail"

    # The same server again: nothing new, exit 0 although cases fail.
    code, _, stdout, _ = suite(["--misbehave", "multiline-codes"])
    assert code == 0, stdout
    assert "NEW FAILS" not in stdout

    # A server that fixed them: exit 0, and each fixed case is listed.
    code, _, stdout, _ = suite([])
    assert code == 0, stdout
    assert "fixed: now pass, update the file with `ftpspec expect`" in stdout
    for case_id in broken:
        assert f"{case_id}: expected fail, now pass" in stdout

    # A regression the file does not know: exit 1, naming it.
    subprocess.run([str(FTPSPEC), "expect", str(report_dir / "ftpspec-results.json"), "-o", str(expected)], check=True,
                   capture_output=True)
    saved = json.loads(expected.read_text())
    for case_id in broken:
        saved["cases"][case_id]["verdict"] = "pass"
    saved["cases"][broken[0]]["note"] = "kept through updates"
    expected.write_text(json.dumps(saved))
    code, _, stdout, _ = suite(["--misbehave", "multiline-codes"])
    assert code == 1, stdout
    assert "NEW FAILS: regressions" in stdout and f"{broken[0]}: expected pass, now fail" in stdout


def test_expect_file_errors_name_the_file_and_key(server, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"cases": {"noop-200": {"verdict": "great"}}}))
    done = subprocess.run([str(FTPSPEC), "run", "--target", server.url(), "--case", "noop-200", "--expect", str(bad)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"{bad}: cases.noop-200.verdict: expected a verdict" in done.stderr
