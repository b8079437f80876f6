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


def hexdump(data: bytes | bytearray | memoryview, width: int = 16) -> str:
    """``data`` as lines of offset, hex bytes and printable ASCII (``.`` for the rest), the classic
    ``hexdump -C`` layout: the way to look at what a codec put on the wire::

        >>> print(hexdump(encode(b"hi\\n", mode="B")))
        00000000  40 00 04 68 69 0d 0a                             |@..hi..|
    """
    if width < 1:
        raise ValueError("width must be positive")
    data = bytes(data)
    lines = []
    for offset in range(0, len(data), width):
        chunk = data[offset : offset + width]
        hex_part = " ".join(f"{byte:02x}" for byte in chunk)
        text = "".join(chr(byte) if 0x20 <= byte < 0x7F else "." for byte in chunk)
        lines.append(f"{offset:08x}  {hex_part:<{width * 3 - 1}}  |{text}|")
    return "\n".join(lines)


__all__ = ["CodecError", "decode", "encode", "hexdump", "unsupported_reason"]
