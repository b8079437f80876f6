"""ftpspec.codec: TYPE x STRU x MODE codecs on in-memory bytes (RFC 959 §3.1-§3.4)."""
from __future__ import annotations

import pytest

import ftpspec
from ftpspec import codec


def test_type_a_encode_turns_lf_into_crlf():
    # RFC 959 §3.1.1.1: ASCII data on the wire ends lines with CRLF.
    assert codec.encode(b"one\ntwo\n", type="A") == b"one\r\ntwo\r\n"


def test_type_a_decode_turns_crlf_into_lf():
    assert codec.decode(b"one\r\ntwo\r\n", type="A") == b"one\ntwo\n"


def test_type_a_round_trip_of_every_byte_but_cr():
    local = bytes(b for b in range(256) if b != 0x0D) * 3
    assert codec.decode(codec.encode(local)) == local


def test_type_i_passes_bytes_unchanged():
    payload = bytes(range(256))
    assert codec.encode(payload, type="I") == payload
    assert codec.decode(payload, type="I") == payload


def test_accepts_any_bytes_like():
    assert codec.encode(bytearray(b"a\n")) == b"a\r\n"
    assert codec.encode(memoryview(b"a\n")) == b"a\r\n"


@pytest.mark.parametrize("kwargs", [{"type": "X"}, {"stru": "Q"}, {"mode": "Z"}])
def test_invalid_arguments_raise_value_error(kwargs):
    with pytest.raises(ValueError, match="invalid"):
        codec.encode(b"x", **kwargs)


def test_unsupported_reason_is_none_for_the_default():
    assert codec.unsupported_reason() is None
    assert codec.unsupported_reason(type="I") is None


def test_codec_error_is_raised_for_unsupported_or_malformed_input():
    # Block mode (RFC 959 §3.4.2) needs a 3-byte header; one byte cannot be valid. Where the codec
    # matrix does not support a representation yet, CodecError says so instead.
    with pytest.raises(codec.CodecError):
        codec.decode(b"\x40", type="I", mode="B")
    with pytest.raises(ftpspec.Error):
        codec.decode(b"\x40", type="I", mode="B")
