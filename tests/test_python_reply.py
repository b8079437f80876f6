"""ftpspec.Reply and the exception hierarchy (no network)."""
from __future__ import annotations

import pickle

import pytest

import ftpspec


def test_single_line_reply_exposes_code_text_and_kind():
    reply = ftpspec.Reply(230, "User logged in")
    assert reply.code == 230
    assert reply.lines == ["230 User logged in"]
    assert reply.text == "User logged in"
    assert reply.kind == ftpspec.ReplyKind.POSITIVE_COMPLETION
    assert reply.function_digit == 3
    assert reply.is_positive and not reply.is_negative and not reply.is_preliminary
    assert not reply.is_multiline
    assert reply.wire == b"230 User logged in\r\n"
    assert str(reply) == "230 User logged in"
    assert repr(reply) == "<Reply 230 'User logged in'>"


def test_multiline_reply_uses_rfc959_form():
    reply = ftpspec.Reply(211, "Features:\nEPSV\n1 digit first\nEnd")
    assert reply.lines[0] == "211-Features:"
    assert reply.lines[-1] == "211 End"
    # RFC 959 §4.2: an inner line starting with a digit gets a leading space.
    assert " 1 digit first" in reply.lines
    assert reply.is_multiline
    assert reply.text.splitlines()[0] == "Features:"
    assert repr(reply).endswith("+3 lines>")


def test_reply_from_raw_lines_keeps_them():
    reply = ftpspec.Reply(150, ["150 Opening data connection"])
    assert reply.is_preliminary and reply.kind == ftpspec.ReplyKind.POSITIVE_PRELIMINARY
    assert reply.lines == ["150 Opening data connection"]


@pytest.mark.parametrize(
    "code, negative, kind",
    [(421, True, ftpspec.ReplyKind.TRANSIENT_NEGATIVE), (530, True, ftpspec.ReplyKind.PERMANENT_NEGATIVE),
     (331, False, ftpspec.ReplyKind.POSITIVE_INTERMEDIATE)],
)
def test_reply_kinds(code, negative, kind):
    reply = ftpspec.Reply(code, "x")
    assert reply.is_negative is negative
    assert reply.kind == kind


def test_meaning_comes_from_the_rfc_table():
    assert ftpspec.Reply(227, "Entering Passive Mode").meaning.startswith("Entering Passive Mode")
    assert ftpspec.describe_code(530) is not None
    assert ftpspec.Reply(299, "x").meaning is None
    assert ftpspec.describe_code(299) is None


def test_reply_equality_and_hash():
    assert ftpspec.Reply(200, "OK") == ftpspec.Reply(200, "OK")
    assert ftpspec.Reply(200, "OK") != ftpspec.Reply(200, "Ok")
    assert len({ftpspec.Reply(200, "OK"), ftpspec.Reply(200, "OK")}) == 1


def test_non_utf8_text_survives_as_surrogate_escapes():
    reply = ftpspec.Reply(550, [b"550 caf\xe9 not found"])
    assert reply.text == "caf\udce9 not found"
    assert reply.wire == b"550 caf\xe9 not found\r\n"


@pytest.mark.parametrize("code", [99, 600, 0])
def test_reply_code_out_of_range_is_rejected(code):
    with pytest.raises(ValueError):
        ftpspec.Reply(code, "x")


def test_exception_hierarchy_follows_ftplib_and_builtins():
    assert issubclass(ftpspec.error_temp, ftpspec.error_reply)
    assert issubclass(ftpspec.error_perm, ftpspec.error_reply)
    assert issubclass(ftpspec.error_reply, ftpspec.Error)
    assert issubclass(ftpspec.ProtocolError, ftpspec.Error)
    assert issubclass(ftpspec.Timeout, TimeoutError) and issubclass(ftpspec.Timeout, ftpspec.Error)
    assert issubclass(ftpspec.ConnectionFailed, ConnectionError)
    assert issubclass(ftpspec.codec.CodecError, ftpspec.Error)
    assert issubclass(ftpspec.codec.CodecError, ValueError)
    assert ftpspec.Error.__module__ == "ftpspec"
    assert ftpspec.error_perm.__doc__ and "5yz" in ftpspec.error_perm.__doc__
    assert ftpspec.Timeout in ftpspec.all_errors or issubclass(ftpspec.Timeout, ftpspec.all_errors)


def test_public_names_are_documented_and_live_in_ftpspec():
    for name in ["Reply", "Session", "ReferenceServer", "TransferResult", "Transcript"]:
        cls = getattr(ftpspec, name)
        assert cls.__module__ == "ftpspec", name
        assert cls.__doc__, name
    assert set(ftpspec.__all__) <= set(dir(ftpspec))


def test_parse_url():
    assert ftpspec.parse_url("ftp://u%40x:p%3Aw@127.0.0.1:2121") == ("127.0.0.1", 2121, "u@x", "p:w")
    assert ftpspec.parse_url("ftp://[::1]") == ("::1", 21, None, None)
    with pytest.raises(ValueError):
        ftpspec.parse_url("http://example.invalid/")


def test_exception_pickles_by_public_name():
    error = pickle.loads(pickle.dumps(ftpspec.error_perm("550 nope")))
    assert type(error) is ftpspec.error_perm and str(error) == "550 nope"
