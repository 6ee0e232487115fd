"""Read the listing dumps named in the manifest into Listing records (each with file and line).

A parser is a plain function `(text, path) -> list[RawListing]`; `PARSERS` maps a format name
to one, and `sniff_format` picks the name by looking at the content, because every dump is a
`.txt` file and the suffix says nothing about the layout inside.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import SourceError
from ..models import Listing, SourceInfo
from .hf_listing import RawListing, parse_layout_a, parse_layout_b, sniff_hf_layout
from .text import decode_text

Parser = Callable[[str, str], list[RawListing]]

PARSERS: dict[str, Parser] = {
    "hf-listing-a": parse_layout_a,
    "hf-listing-b": parse_layout_b,
}


def sniff_format(text: str, path: str) -> str:
    """Name the parser for this content, or raise a SourceError saying what was expected."""
    layout = sniff_hf_layout(text)
    if layout is None:
        raise SourceError(path, 1, "unrecognised format: expected a Hugging Face Papers "
                          "listing dump (layout A starts with 'new', layout B with "
                          "'Get trending papers in your email inbox')")
    return layout


def read_source(path: Path, source: SourceInfo, display: str | None = None) -> tuple[Listing, ...]:
    """Parse one dump file into Listings tagged with its manifest entry."""
    shown = display or str(path)
    text = decode_text(path.read_bytes(), shown)
    parser = PARSERS[sniff_format(text, shown)]
    return tuple(Listing(title=r.title, abstract=r.abstract, source=source, line=r.line)
                 for r in parser(text, shown))


def read_sources(sources_dir: Path, sources: tuple[SourceInfo, ...]) -> tuple[Listing, ...]:
    """Parse every dump in the manifest, in manifest order."""
    listings: list[Listing] = []
    for source in sources:
        path = sources_dir / source.file
        listings.extend(read_source(path, source, display=str(path)))
    return tuple(listings)
