"""The data that flows between pipeline stages: frozen dataclasses, tuples, no mutation."""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, dataclass_transform

R = TypeVar("R")

OTHER_TOPIC = "other"  # the key of a theme's sub-topic of papers that write none of its phrases


@dataclass_transform(frozen_default=True)
def record(cls: type[R]) -> type[R]:
    """A frozen, slotted dataclass that pickles as a constructor call with its fields.

    Pickle's default for slotted dataclasses calls a Python function per object on both
    sides; the cache and the worker processes move hundreds of thousands of these records
    (listings, papers, theme assignments), where a constructor call is two to three times
    faster."""
    made: Any = dataclass(frozen=True, slots=True)(cls)
    fields = operator.attrgetter(*made.__slots__)

    def __reduce__(self: Any) -> tuple[Any, tuple[Any, ...]]:
        return made, fields(self)

    made.__reduce__ = __reduce__
    return made  # type: ignore[no-any-return]


@record
class SourceInfo:
    """One listing dump as the manifest records it."""

    file: str  # path relative to content/sources/
    collected: dt.date
    query: str
    origin: str
    format: str = ""  # a parser name from sources.yaml's `format:`; "" means sniff the content


@record
class Listing:
    """One paper as one dump lists it, with the line its title is on."""

    title: str
    abstract: str
    source: SourceInfo
    line: int
    # What richer formats (arXiv, Hugging Face API, BibTeX) know; plain text dumps leave these.
    authors: tuple[str, ...] = ()
    arxiv_id: str = ""  # without version: 2401.01234, hep-th/9901001
    published: dt.date | None = None
    url: str = ""  # the abstract page; http(s) only
    pdf_url: str = ""  # http(s) only
    categories: tuple[str, ...] = ()


@record
class SourceRef:
    """Where a paper was seen: which dump, which line (for its owner's messages), and the
    dump's query and origin (what a reader is told: where the paper was listed)."""

    file: str
    line: int
    collected: dt.date
    query: str
    origin: str = ""  # the manifest's `origin:` of the dump


@record
class Paper:
    """A distinct paper: the merge of every listing of it."""

    id: str  # stable: derived from the normalised title
    slug: str  # unique, URL-safe, human-readable
    title: str
    abstract: str
    first_seen: dt.date  # earliest collection date among its sources
    sources: tuple[SourceRef, ...]
    # Merged from the listings: each the first non-empty one, earliest source first.
    authors: tuple[str, ...] = ()
    arxiv_id: str = ""  # without version: 2401.01234, hep-th/9901001
    published: dt.date | None = None
    url: str = ""  # the abstract page; http(s) only
    pdf_url: str = ""  # http(s) only
    categories: tuple[str, ...] = ()  # every category any listing gives, first listing's first


@record
class ThemeSpec:
    """A theme as content/themes.yaml declares it."""

    slug: str
    name: str
    description: str  # Markdown
    keywords: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    not_examples: tuple[str, ...] = ()  # titles that are never members (negative seeds)


@record
class Match:
    """A keyword phrase found in a paper: where, and how often."""

    phrase: str
    where: str  # "title" or "abstract"
    count: int


@record
class Assignment:
    """A paper's membership of one theme, with the evidence that explains it."""

    theme: str  # theme slug
    score: float  # the model's probability, 0..1 (not a reader's confidence: see `standing`)
    matches: tuple[Match, ...]
    terms: tuple[str, ...]  # the terms that pushed the model most towards the theme, as written
    # "clear member", "member" or "borderline" (stages/themes/standing.py says the rule)
    standing: str = "member"


@record
class Week:
    """A week that has papers."""

    key: str  # "2025-W17"
    start: dt.date  # its first day (a Monday unless digest.yaml says otherwise)
    end: dt.date  # its last day
    paper_ids: tuple[str, ...]


@record
class Note:
    """An editor's note for a week, or for one theme in a week (content/notes/)."""

    week: str  # "2025-W17"
    theme: str | None  # a theme slug, or None for the whole week
    title: str
    body: str  # Markdown
    highlights: tuple[str, ...]  # paper titles to show first
    file: str


def paper_key(paper: Paper) -> bytes:
    """What a per-paper result depends on of its paper (id, title, abstract), hashed (SHA-256,
    which CPUs with SHA extensions hash faster than BLAKE2b, cut to 16 bytes)."""
    return hashlib.sha256(f"{paper.id}\0{paper.title}\0{paper.abstract}".encode()
                          ).digest()[:16]


def paper_keys(papers: Sequence[Paper]) -> dict[str, bytes]:
    """Paper id -> paper_key, made once per build for every stage that keys by papers (the
    build's store of stage results, the related papers' rows): at
    100,000 papers each pass over their texts takes about a quarter of a second."""
    return {paper.id: paper_key(paper) for paper in papers}
