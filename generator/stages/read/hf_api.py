"""Parser for the Hugging Face daily papers API: a JSON list of entries, each with a `paper`."""

from __future__ import annotations

import re
from typing import Any

from generator.errors import SourceError
from generator.stages.read.fields import (
    arxiv_id,
    check_sizes,
    clean_names,
    clean_text,
    collect,
    json_items,
    parse_date,
    record,
)
from generator.stages.read.hf_listing import Parsed, RawListing

_PAPER_KEY = re.compile(r'^\s*\[\s*\{[^\[\]]{0,2000}?"paper"\s*:\s*\{', re.S)


def sniff_hf_api(text: str) -> bool:
    """True when the text is a JSON list whose first entry holds a `paper` object."""
    return _PAPER_KEY.search(text[:20000]) is not None


def parse_hf_api(text: str, path: str) -> Parsed:
    """Each entry's `paper`: id (the arXiv id), title, summary, authors, publishedAt."""
    return collect(json_items(text, path), lambda item: _entry(item[1], item[0], path), path,
                   "the list has no entries")


def _entry(entry: Any, line: int, path: str) -> RawListing:
    paper = entry.get("paper") if isinstance(entry, dict) else None
    if not isinstance(paper, dict):
        raise SourceError(path, line, "expected an entry with a `paper` object; skipped")
    title = clean_text(_str(paper.get("title")) or _str(entry.get("title")))
    abstract = clean_text(_str(paper.get("summary")) or _str(entry.get("summary")))
    check_sizes(path, line, title, abstract)
    authors = paper.get("authors")
    names = [a.get("name") for a in authors if isinstance(a, dict)] \
        if isinstance(authors, list) else []
    published = parse_date(_str(paper.get("publishedAt")) or _str(entry.get("publishedAt")))
    return record(title, abstract, line, authors=clean_names(names),
                  ident=arxiv_id(_str(paper.get("id")), bare=True), published=published)


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""
