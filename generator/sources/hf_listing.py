"""Parsers for the two layouts of text copied from Hugging Face Papers search pages.

Layout A: a header ("new", "Get trending papers...", "Subscribe", "byAK and the research
community", a day such as "Apr 24"), then title and abstract paragraphs separated by blank lines.
Layout B: two header lines, then title and abstract on alternate lines with no blank lines; the
first title is glued to the word "Subscribe".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..errors import SourceError

HEADER_A = {
    "new",
    "get trending papers in your email inbox!",
    "get trending papers in your email inbox once a day!",
    "subscribe",
    "byak and the research community",
}
DAY_RE = re.compile(r"^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}$")
HEADER_B_START = "get trending papers in your email inbox"
SUBSCRIBE = "Subscribe"
# A title longer than this, or an abstract shorter, means the title/abstract alternation broke:
# a record lost its abstract (or its title) and everything after it would shift by one.
MAX_TITLE_CHARS = 400
MIN_ABSTRACT_CHARS = 80
MAX_ABSTRACT_CHARS = 20_000  # ten times the longest real abstract; more is a broken paste


@dataclass(frozen=True, slots=True)
class RawListing:
    title: str
    abstract: str
    line: int  # the title's line
    abstract_line: int
    # Filled by the structured formats (generator/sources/fields.py); text dumps have none.
    authors: tuple[str, ...] = ()
    arxiv_id: str = ""
    published: dt.date | None = None
    url: str = ""
    pdf_url: str = ""
    categories: tuple[str, ...] = ()


Parsed = tuple[list[RawListing], list[SourceError]]  # the good records, and each bad one


def sniff_hf_layout(text: str) -> str | None:
    """'hf-listing-a', 'hf-listing-b', or None when the text is neither layout."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if not lines:
        return None
    if lines[0].lower() == "new":
        return "hf-listing-a"
    if lines[0].lower().startswith(HEADER_B_START):
        return "hf-listing-b"
    return None


def parse_layout_a(text: str, path: str) -> Parsed:
    """Blank-line separated paragraphs after the page header, alternately title and abstract."""
    paragraphs: list[tuple[int, str]] = []
    in_header = True
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        if in_header and (line.lower() in HEADER_A or DAY_RE.match(line)):
            continue
        in_header = False
        paragraphs.append((number, line))
    return _pair(paragraphs, path)


def parse_layout_b(text: str, path: str) -> Parsed:
    """Alternate title and abstract lines after two header lines; strip the glued 'Subscribe'."""
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line or (not lines and line.lower().startswith(HEADER_B_START)):
            continue
        if not lines and line.startswith(SUBSCRIBE):
            line = line[len(SUBSCRIBE):].strip()
            if not line:
                continue
        lines.append((number, line))
    return _pair(lines, path)


def _pair(items: list[tuple[int, str]], path: str) -> Parsed:
    """Pair titles with abstracts; a broken record is reported and skipped, and pairing
    resynchronises on the next line, so one lost abstract does not shift every later record."""
    if not items:
        raise SourceError(path, 1, "no listings found after the page header")
    records: list[RawListing] = []
    problems: list[SourceError] = []
    i = 0
    while i < len(items):
        line, title = items[i]
        if len(title) > MAX_TITLE_CHARS:
            problems.append(SourceError(path, line, f"expected a title, found a paragraph of "
                                        f"{len(title):,} characters (an abstract without its "
                                        "title?); skipped"))
            i += 1
            continue
        if i + 1 >= len(items):
            problems.append(SourceError(path, line, f"title without abstract: {_short(title)}"))
            break
        abstract_line, abstract = items[i + 1]
        if len(abstract) < MIN_ABSTRACT_CHARS:
            problems.append(SourceError(path, line, f"title without abstract: {_short(title)} "
                                        f"is followed by a short line {abstract_line} "
                                        f"({_short(abstract)}), not an abstract; skipped"))
            i += 1
            continue
        if len(abstract) > MAX_ABSTRACT_CHARS:
            problems.append(SourceError(path, abstract_line, f"abstract of {len(abstract):,} "
                                        f"characters (over {MAX_ABSTRACT_CHARS:,}); skipped"))
            i += 2
            continue
        if not _clean(title):
            problems.append(SourceError(path, line, "the title is only control characters; "
                                        "skipped"))
            i += 2
            continue
        records.append(RawListing(title=_clean(title), abstract=_clean(abstract), line=line,
                                  abstract_line=abstract_line))
        i += 2
    return records, problems


# Control characters are not allowed in XML (feeds) and mean nothing in a title or abstract.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f\ufffe\uffff]")  # \x0b, \x0c, \x1c-\x1f are spaces


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", _CONTROL.sub("", text)).strip()


def _short(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
