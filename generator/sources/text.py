"""Turn a dump's bytes into clean text, or say exactly where it is not text."""

from __future__ import annotations

from ..errors import SourceError


def line_of(data: bytes | str, offset: int) -> int:
    """The 1-based line number of a byte or character offset."""
    newline = b"\n" if isinstance(data, bytes) else "\n"
    return data.count(newline, 0, offset) + 1  # type: ignore[arg-type]


def decode_text(data: bytes, path: str) -> str:
    """Decode UTF-8 (a BOM is allowed), normalise line ends; refuse empty or binary input."""
    if not data.strip():
        raise SourceError(path, 1, "the file is empty")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise SourceError(path, line_of(data, nul), "binary data (a NUL byte), not a text dump")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise SourceError(path, line_of(data, err.start),
                          f"not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start})"
                          ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
