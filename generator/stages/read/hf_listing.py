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

from generator.errors import SourceError

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
    # Filled by the structured formats (generator/stages/read/fields.py); text dumps have none.
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


# Explicit bidi controls: the embeddings and overrides (LRE, RLE, LRO, RLO, closed by PDF) and
# the isolates (LRI, RLI, FSI, closed by PDI). One left open reorders everything after its
# field on the line: an RLO in an author name reversed the rest of the byline and the title bar.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_PDF, _PDI = "\u202c", "\u2069"
_ISOLATES = frozenset("\u2066\u2067\u2068")


def _clean(text: str) -> str:
    """The one cleaning every parser's text goes through (titles, abstracts, each name):
    control characters dropped, white space folded, bidi controls confined to the field."""
    return _close_bidi(re.sub(r"\s+", " ", _CONTROL.sub("", text)).strip())


def _close_bidi(text: str) -> str:
    """The text with each bidi embedding, override or isolate it leaves open closed at its end
    and each closer that closes nothing dropped, as the Unicode bidi algorithm pairs them.

    A field is put beside other text where no markup can isolate it (a page's <title>, a
    feed entry, the search index, a byline of names joined by commas), so it must reorder
    nothing but itself there. Balanced controls are kept as written: nothing is lost.
    """
    if not _BIDI.search(text):
        return text
    kept: list[str] = []
    opened: list[str] = []
    for char in text:
        if char == _PDF:
            if not opened or opened[-1] in _ISOLATES:  # a PDF never closes an isolate
                continue
            opened.pop()
        elif char == _PDI:
            if not _ISOLATES.intersection(opened):
                continue
            while opened.pop() not in _ISOLATES:  # a PDI also ends what opened inside it
                pass
        elif _BIDI.match(char):
            opened.append(char)
        kept.append(char)
    return "".join(kept) + "".join(_PDI if c in _ISOLATES else _PDF for c in reversed(opened))


def _short(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
