"""The owner's library and "not interested" lists, read into entries and matched to papers.

A library file is any format a listing dump may be (read/: BibTeX, CSL-JSON, the plain
lists, ...) or, when it is none of them, a reading list: one paper per line, as a title, an
arXiv id or an arXiv URL, with `#` comments. An entry that matches a paper of the digest (by
arXiv id, else by normalised title) is read with that paper's text; one that matches none is
used with its own title and abstract, and one with neither (a bare arXiv id of a paper the
digest never listed) cannot be used, which the For you page says.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.errors import SourceError
from generator.models import Paper, record
from generator.stages.interests.settings import Interests
from generator.stages.merge import normalise_title
from generator.stages.read import PARSERS, sniff_format
from generator.stages.read.bibtex import entry_record, read_bibtex
from generator.stages.read.fields import ARXIV_ID, arxiv_id, arxiv_urls, clean_text, json_items
from generator.stages.read.hf_listing import RawListing
from generator.stages.read.text import decode_text, read_dump

# Fields that say when an entry entered the library (BibDesk, JabRef, Better BibTeX,
# bibsonomy), then when its page was last opened (Zotero fills `urldate` on saving), which
# stands in for it.
ADDED_FIELDS = ("date-added", "dateadded", "creationdate", "added-at", "timestamp", "urldate")
_DAY = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})")


@record
class LibraryEntry:
    """A paper the owner listed: what the file says of it and where."""

    title: str  # "" for a bare arXiv id
    abstract: str
    arxiv_id: str
    authors: tuple[str, ...]
    dated: dt.date | None  # when it entered the library if the file says, else its date
    url: str  # http(s) or ""
    file: str  # as messages name it (relative to the content folder)
    line: int


@dataclass(frozen=True, slots=True)
class Library:
    """Everything the interests name: the library's entries, the entries not wanted (files
    and the papers written in digest.yaml) and each problem met reading them."""

    entries: tuple[LibraryEntry, ...]
    negatives: tuple[LibraryEntry, ...]
    follow: tuple[str, ...]
    problems: tuple[SourceError, ...]


def read_library(interests: Interests, content_dir: Path) -> Library:
    """Read every file the interests name; a bad entry or an unreadable file is a problem
    (file and line) and the rest is read."""
    problems: list[SourceError] = []
    entries = _read_all(interests.library, content_dir, problems)
    negatives = _read_all(interests.not_interested, content_dir, problems)
    for i, text in enumerate(interests.not_interested_papers):
        negatives.append(listed_entry(text, f"digest.yaml: interests.not_interested_papers[{i}]", 0))
    unwanted = {k for e in negatives for k in entry_keys(e)}
    kept = []
    for entry in entries:
        if unwanted.intersection(entry_keys(entry)):
            problems.append(SourceError(entry.file, entry.line, "this paper is also marked not "
                                        "interested; it is left out of the library"))
        else:
            kept.append(entry)
    return Library(tuple(kept), tuple(negatives), interests.follow_authors, tuple(problems))


def entry_keys(entry: LibraryEntry) -> tuple[str, ...]:
    """What makes two entries one paper: its arXiv id, its normalised title."""
    return tuple(k for k in (f"arxiv:{entry.arxiv_id}" if entry.arxiv_id else "",
                             normalise_title(entry.title)) if k)


def _read_all(files: Sequence[str], content_dir: Path, problems: list[SourceError]
              ) -> list[LibraryEntry]:
    out: list[LibraryEntry] = []
    for name in files:
        try:
            found, bad = read_entries(content_dir / name, name)
        except SourceError as err:
            problems.append(err)
            continue
        except OSError as err:
            problems.append(SourceError(name, 1, f"cannot read the file: {err.strerror}"))
            continue
        out.extend(found)
        problems.extend(bad)
    return out


def read_entries(path: Path, shown: str) -> tuple[list[LibraryEntry], list[SourceError]]:
    """The entries of one library file, in file order, and its bad entries."""
    text = decode_text(read_dump(path, shown), shown).text
    try:
        name = sniff_format(text, shown)
    except SourceError:
        return parse_reading_list(text, shown)
    if name == "bibtex":
        bib, problems = read_bibtex(text, shown)
        entries = []
        for entry in bib:
            try:
                raw = entry_record(entry, shown)
            except SourceError as err:
                problems.append(err)
                continue
            added = next((d for d in map(_day, (entry.fields.get(k, "") for k in ADDED_FIELDS))
                          if d is not None), None)
            entries.append(_entry(raw, shown, added))
        return entries, problems
    records, problems = PARSERS[name](text, shown)
    added_at = _csl_added(text, shown) if name == "csl-json" else {}
    return [_entry(r, shown, added_at.get((r.line, r.title))) for r in records], problems


def _entry(raw: RawListing, shown: str, added: dt.date | None) -> LibraryEntry:
    return LibraryEntry(title=raw.title, abstract=raw.abstract, arxiv_id=raw.arxiv_id,
                        authors=raw.authors, dated=added or raw.published, url=raw.url,
                        file=shown, line=raw.line)


def _csl_added(text: str, shown: str) -> dict[tuple[int, str], dt.date]:
    """CSL-JSON items' `accessed` day (Zotero's date of saving), by the item's line and
    title (a minified export has every item on one line)."""
    from generator.stages.read.csl_json import csl_date, item_title

    found: dict[tuple[int, str], dt.date] = {}
    for line, item in json_items(text, shown):
        day = csl_date(item.get("accessed")) if isinstance(item, dict) else None
        if day is not None:
            found.setdefault((line, item_title(item)), day)
    return found


def _day(text: str) -> dt.date | None:
    found = _DAY.search(text)
    if found is None:
        return None
    try:
        return dt.date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


def parse_reading_list(text: str, shown: str) -> tuple[list[LibraryEntry], list[SourceError]]:
    """One paper per line: a title, an arXiv id or URL, or a title followed by its arXiv URL;
    blank lines and lines starting with # are skipped."""
    entries: list[LibraryEntry] = []
    problems: list[SourceError] = []
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped[0] in "@{[<":
            problems.append(SourceError(shown, number, "this looks like BibTeX, JSON or XML "
                                        "that could not be read as such; a reading list has "
                                        "one title or arXiv id per line; skipped"))
            continue
        entries.append(listed_entry(stripped, shown, number))
    if not entries and not problems:
        problems.append(SourceError(shown, 1, "no entries: expected BibTeX, CSL-JSON, or one "
                                    "title or arXiv id per line"))
    return entries, problems


_URL = re.compile(r"https?://\S+")


def listed_entry(text: str, shown: str, line: int) -> LibraryEntry:
    """An entry of a reading list: a bare arXiv id, an arXiv URL, or a title (with an arXiv
    URL or "arXiv:<id>" after it, if written)."""
    ident = arxiv_id(text)
    if not ident and ARXIV_ID.fullmatch(text.strip()):
        ident = arxiv_id(text, bare=True)
    title = "" if ARXIV_ID.fullmatch(text.strip()) else clean_text(
        re.sub(r"(?i)\barxiv:\s*\S+", "", _URL.sub("", text)).strip(" \t-–—,;|"))
    url = arxiv_urls(ident)[0] if ident else ""
    return LibraryEntry(title=title, abstract="", arxiv_id=ident, authors=(), dated=None,
                        url=url, file=shown, line=line)


def match_papers(entries: Sequence[LibraryEntry], papers: Sequence[Paper]
                 ) -> list[str | None]:
    """For each entry the id of the digest's paper it is (arXiv id first, then normalised
    title), or None."""
    by_arxiv, by_title = _index(papers)
    return [by_arxiv.get(e.arxiv_id) if e.arxiv_id and e.arxiv_id in by_arxiv
            else by_title.get(normalise_title(e.title)) if e.title else None
            for e in entries]


_INDEX: list[tuple[Sequence[Paper], dict[str, str], dict[str, str]]] = []  # the last one


def _index(papers: Sequence[Paper]) -> tuple[dict[str, str], dict[str, str]]:
    """The papers' ids by arXiv id and by normalised title; the last sequence's is kept, as
    a build matches the library and the unwanted papers against the same papers several
    times (normalising 10,000 titles takes a tenth of a second)."""
    if _INDEX and _INDEX[0][0] is papers:
        return _INDEX[0][1], _INDEX[0][2]
    by_arxiv = {p.arxiv_id: p.id for p in papers if p.arxiv_id}
    by_title: dict[str, str] = {}
    for p in papers:
        by_title.setdefault(normalise_title(p.title), p.id)
    _INDEX[:] = [(papers, by_arxiv, by_title)]
    return by_arxiv, by_title
