"""Turn a dump's bytes into clean text, or say exactly where it is not text."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import SourceError


def line_of(data: bytes | str, offset: int) -> int:
    """The 1-based line number of a byte or character offset."""
    newline = b"\n" if isinstance(data, bytes) else "\n"
    return data.count(newline, 0, offset) + 1  # type: ignore[arg-type]


MAX_FILE_BYTES = 100 * 1024 * 1024  # a listing dump is a few hundred KB; more is not a dump


@dataclass(frozen=True, slots=True)
class Decoded:
    """A dump's text with \n line ends, and the lines that were not valid UTF-8."""

    text: str
    bad_lines: dict[int, str]  # line number -> what was wrong with it


def decode_text(data: bytes, path: str) -> Decoded:
    """Decode UTF-8 (a BOM is allowed) and normalise line ends; refuse empty or binary input.

    A line that is not valid UTF-8 is decoded with replacement characters and reported, so
    that the records on it are skipped while the rest of the file is read.
    """
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(path, 1, f"the file is {len(data):,} bytes, over the limit of "
                          f"{MAX_FILE_BYTES:,} for one dump")
    if not data.strip():
        raise SourceError(path, 1, "the file is empty")
    data = data.removeprefix(b"\xef\xbb\xbf")
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise SourceError(path, line_of(data, nul), "binary data (a NUL byte), not a text dump")
    try:
        return Decoded(text=data.decode("utf-8"), bad_lines={})
    except UnicodeDecodeError:
        pass
    lines, bad = [], {}
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError as err:
            bad[number] = f"not UTF-8 text (byte 0x{raw[err.start]:02x} at column {err.start + 1})"
            lines.append(raw.decode("utf-8", errors="replace"))
    return Decoded(text="\n".join(lines), bad_lines=bad)
