"""In-memory data codecs: the TYPE x STRU x MODE representations of RFC 959 §3.1-§3.4.

``encode`` turns local (Unix) bytes into what a sender puts on the data connection,
``decode`` turns received bytes back into local form::

    >>> ftpspec.codec.encode(b"a\\nb\\n", type="A")
    b'a\\r\\nb\\r\\n'

Arguments use the protocol's own spelling: ``type`` "A", "A N", "E", "I", "L 8";
``stru`` "F", "R", "P"; ``mode`` "S", "B", "C".
"""
from __future__ import annotations

from ._core import codec as _codec

CodecError = _codec.CodecError
encode = _codec.encode
decode = _codec.decode
unsupported_reason = _codec.unsupported_reason

__all__ = ["CodecError", "decode", "encode", "unsupported_reason"]
