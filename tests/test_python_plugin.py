"""The pytest plugin's fixtures, used here as any project would use them."""
from __future__ import annotations

import ftpspec

pytest_plugins = ["pytester"]

# The nested runs load the plugin as tests/conftest.py does: from the source tree, unless pip
# installed it (its pytest11 entry point registers it, and pytest refuses a second registration).
INNER_CONFTEST = """
import importlib.metadata
if not any(ep.name == "ftpspec" for ep in importlib.metadata.entry_points(group="pytest11")):
    pytest_plugins = ["ftpspec.pytest_plugin"]
"""


def test_ftp_session_is_logged_in(ftp_session):
    assert ftp_session.connected
    assert ftp_session.cmd("PWD").code == 257


def test_ftp_target_defaults_to_the_reference_server(ftp_target, ftp_reference_server):
    assert ftp_target == ftp_reference_server.url
    assert ftpspec.parse_url(ftp_target)[1] == ftp_reference_server.port


def test_ftp_session_works_on_the_reference_servers_root(ftp_session, ftp_reference_server):
    ftp_session.stor("written.txt", b"via fixture", type="I")
    assert (ftp_reference_server.root / "written.txt").read_bytes() == b"via fixture"


def test_ftp_target_option_points_sessions_elsewhere(pytester, tmp_path):
    """--ftp-target/--ftp-user/--ftp-password reach the fixtures (run in a nested pytest)."""
    (tmp_path / "served").mkdir()
    (tmp_path / "served" / "marker.txt").write_bytes(b"outer server")
    pytester.makeconftest(INNER_CONFTEST)
    pytester.makepyfile(
        """
        def test_inner(ftp_session, ftp_target, request):
            assert ftp_target == request.config.getoption("--ftp-target")
            assert ftp_session.retr("marker.txt", type="I") == b"outer server"
        """
    )
    with ftpspec.ReferenceServer(tmp_path / "served", users={"outer": "pw"}) as outer:
        target = f"ftp://nobody:nothing@127.0.0.1:{outer.port}"
        result = pytester.runpytest_inprocess(
            f"--ftp-target={target}", "--ftp-user=outer", "--ftp-password=pw", "-p", "no:cacheprovider"
        )
    result.assert_outcomes(passed=1)


def test_options_are_listed_in_help(pytester):
    pytester.makeconftest(INNER_CONFTEST)
    result = pytester.runpytest_inprocess("--help")
    result.stdout.fnmatch_lines(["*--ftp-target=URL*", "*--ftp-user=NAME*", "*--ftp-password=PASSWORD*"])
