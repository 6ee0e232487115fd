"""Turn a dump's bytes into clean text, or say exactly where it is not text."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from generator.errors import SourceError


def line_of(data: bytes | str, offset: int) -> int:
    """The 1-based line number of a byte or character offset."""
    newline = b"\n" if isinstance(data, bytes) else "\n"
    return data.count(newline, 0, offset) + 1  # type: ignore[arg-type]


MAX_FILE_BYTES = 100 * 1024 * 1024  # a listing dump is a few hundred KB; more is not a dump
# A file with more lines than this that are not UTF-8 is in another encoding (Latin-1,
# Windows-1252), not a UTF-8 dump with a damaged line or two: it is refused with one error.
MAX_BAD_LINES = 5


def too_big(size: int) -> str:
    """The reason a file of `size` bytes is refused (it names the size and the limit)."""
    return f"the file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,} for one dump"


def read_dump(path: Path, shown: str) -> bytes:
    """A dump's bytes, refused by its size before any of them is read: a 200 MB file is not
    a dump, and reading it whole first would cost its size in memory and seconds for
    nothing. At most the limit is read, so a file that grows meanwhile (or a special file
    whose size says 0) is refused too. Raises OSError if it cannot be opened."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_FILE_BYTES:
            raise SourceError(shown, 1, too_big(size))
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(shown, 1, too_big(len(data)))
    return data


@dataclass(frozen=True, slots=True)
class Decoded:
    """A dump's text with \n line ends, and the lines that were not valid UTF-8."""

    text: str
    bad_lines: dict[int, str]  # line number -> what was wrong with it


def decode_text(data: bytes, path: str) -> Decoded:
    """Decode UTF-8 (a BOM is allowed) and normalise line ends; refuse empty or binary input.

    A line that is not valid UTF-8 is decoded with replacement characters and reported, so
    that the records on it are skipped while the rest of the file is read. A file with more
    than MAX_BAD_LINES such lines is in another encoding and is refused with one error at
    its first bad byte (not one per record: a Latin-1 CSV gave 50,000). No other encoding
    is guessed: Latin-1 decodes any bytes, so a guess could never be told wrong, and a UTF-8
    file with one damaged line would have every other accent turned to nonsense.
    """
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(path, 1, too_big(len(data)))
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
    decoded = _by_line(data)
    if len(decoded.bad_lines) > MAX_BAD_LINES:
        first = min(decoded.bad_lines)
        raise SourceError(path, first, f"{decoded.bad_lines[first]}, and "
                          f"{len(decoded.bad_lines) - 1:,} more lines are not UTF-8 either: "
                          "the file is in another encoding (Latin-1 or Windows-1252?); "
                          "save it as UTF-8 (iconv -f windows-1252 -t utf-8) and try again")
    return decoded


def _by_line(data: bytes) -> Decoded:
    """Each line decoded on its own; the lines that are not UTF-8 with replacement
    characters, and what was wrong with each (its first bad byte)."""
    lines, bad = [], {}
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError as err:
            bad[number] = f"not UTF-8 text (byte 0x{raw[err.start]:02x} at column {err.start + 1})"
            lines.append(raw.decode("utf-8", errors="replace"))
    return Decoded(text="\n".join(lines), bad_lines=bad)
