"""Read the listing dumps named in the manifest into Listing records (each with file and line).

A parser is a plain function `(text, path) -> (records, problems)`; `PARSERS` maps a format
name to one, and `sniff_format` picks the name by looking at the content, because every dump
is a `.txt` file and the suffix says nothing about the layout inside. A bad record is reported
as a problem naming file and line, and skipped; a file that cannot be read at all is one
problem. The build decides whether problems are fatal (`--strict`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import SourceError
from ..models import Listing, SourceInfo
from .hf_listing import Parsed, parse_layout_a, parse_layout_b, sniff_hf_layout
from .text import decode_text

Parser = Callable[[str, str], Parsed]

PARSERS: dict[str, Parser] = {
    "hf-listing-a": parse_layout_a,
    "hf-listing-b": parse_layout_b,
}


@dataclass(frozen=True, slots=True)
class ReadResult:
    """Every listing read, and every problem met on the way (file:line: reason)."""

    listings: tuple[Listing, ...]
    problems: tuple[SourceError, ...]


def sniff_format(text: str, path: str) -> str:
    """Name the parser for this content, or raise a SourceError saying what was expected."""
    layout = sniff_hf_layout(text)
    if layout is None:
        raise SourceError(path, 1, "unrecognised format: expected a Hugging Face Papers "
                          "listing dump (layout A starts with 'new', layout B with "
                          "'Get trending papers in your email inbox')")
    return layout


def read_source(path: Path, source: SourceInfo, display: str | None = None) -> ReadResult:
    """Parse one dump; raise SourceError only when the file as a whole cannot be read."""
    shown = display or str(path)
    decoded = decode_text(path.read_bytes(), shown)
    records, problems = PARSERS[sniff_format(decoded.text, shown)](decoded.text, shown)
    listings = []
    for record in records:
        bad = [n for n in (record.line, record.abstract_line) if n in decoded.bad_lines]
        if bad:
            problems.append(SourceError(shown, bad[0], decoded.bad_lines[bad[0]] +
                                        "; this listing is skipped"))
            continue
        listings.append(Listing(title=record.title, abstract=record.abstract, source=source,
                                line=record.line))
    problems.sort(key=lambda p: p.line)
    return ReadResult(tuple(listings), tuple(problems))


def read_sources(sources_dir: Path, sources: tuple[SourceInfo, ...]) -> ReadResult:
    """Parse every dump in the manifest, in manifest order; an unreadable file is a problem."""
    listings: list[Listing] = []
    problems: list[SourceError] = []
    for source in sources:
        path = sources_dir / source.file
        try:
            result = read_source(path, source, display=str(path))
        except SourceError as err:
            problems.append(err)
            continue
        except OSError as err:
            problems.append(SourceError(str(path), 1, f"cannot read the file: {err.strerror}"))
            continue
        listings.extend(result.listings)
        problems.extend(result.problems)
    return ReadResult(tuple(listings), tuple(problems))
