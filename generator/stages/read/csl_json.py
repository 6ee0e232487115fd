"""Parser for CSL-JSON, the citation format Zotero, Mendeley, Paperpile and pandoc export
("Export Collection..." > CSL JSON): a list of items with `title`, `abstract`, `author` as
{family, given} or {literal}, `issued` as {"date-parts": [[year, month, day]]}, `URL`, `DOI`.

Zotero writes arXiv preprints with the arXiv URL, a DOI of the form 10.48550/arXiv.<id> and
"arXiv:<id>" in `number`; any of them gives the id.
"""

from __future__ import annotations

import datetime as dt
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
    record,
    strip_html,
)
from generator.stages.read.hf_listing import Parsed, RawListing

# A JSON list whose first item has a CSL-only field: names as {family/given/literal} objects,
# dates as {"date-parts": ...}, or a "container-title".
_CSL_START = re.compile(r'\A\s*\[\s*\{')
_CSL_FIELD = re.compile(r'"(?:author|editor)"\s*:\s*\[\s*\{\s*"(?:family|given|literal)"'
                        r'|"(?:issued|accessed)"\s*:\s*\{\s*"(?:date-parts|raw|literal)"'
                        r'|"container-title"\s*:')
_DOI_ARXIV = re.compile(r"10\.48550/arxiv\.(\S+)", re.I)


def sniff_csl_json(text: str) -> bool:
    """True when the text is a JSON list whose opening holds a field only CSL-JSON has."""
    return _CSL_START.match(text) is not None and _CSL_FIELD.search(text[:4000]) is not None


def parse_csl_json(text: str, path: str) -> Parsed:
    """Every item with a title, as a listing at the line its item starts on."""
    return collect(json_items(text, path), lambda item: _item(item[1], item[0], path), path,
                   "the CSL-JSON list has no items")


def _item(item: Any, line: int, path: str) -> RawListing:
    if not isinstance(item, dict):
        raise SourceError(path, line, "expected a CSL-JSON item (an object with a title); "
                          "skipped")
    title = item_title(item)
    abstract = clean_text(strip_html(_text(item.get("abstract"))))
    if not title:
        raise SourceError(path, line, f"item {_text(item.get('id')) or '(no id)'} has no "
                          "title; skipped")
    check_sizes(path, line, title, abstract)
    url = _text(item.get("URL"))
    doi = _DOI_ARXIV.search(_text(item.get("DOI")))
    ident = (arxiv_id(url) or (arxiv_id(doi.group(1), bare=True) if doi else "")
             or arxiv_id(_text(item.get("number"))) or arxiv_id(_text(item.get("note"))))
    return record(title, abstract, line, authors=csl_names(item.get("author")), ident=ident,
                  published=csl_date(item.get("issued")), url=url)


def item_title(item: dict[str, Any]) -> str:
    """An item's title as text (CSL titles may hold HTML markup: <i>, <sup>)."""
    return clean_text(strip_html(_text(item.get("title"))))


def csl_names(names: Any) -> tuple[str, ...]:
    """"Given Family" for each {family, given} name, `literal` as written."""
    if not isinstance(names, list):
        return ()
    out = []
    for name in names:
        if isinstance(name, dict):
            literal = _text(name.get("literal"))
            parts = [_text(name.get(k)) for k in ("given", "non-dropping-particle", "family")]
            out.append(literal or " ".join(p for p in parts if p))
    return clean_names(out)


def csl_date(value: Any) -> dt.date | None:
    """The day of a CSL date ({"date-parts": [[y, m, d]]}, or {"raw": "2024-03-01"}); a
    missing month or day is the first; None when there is no year."""
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        try:
            numbers = [int(p) for p in parts[0][:3]]
            return dt.date(*(numbers + [1, 1])[:3])
        except (TypeError, ValueError):
            return None
    raw = _text(value.get("raw") or value.get("literal"))
    found = re.match(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", raw.strip())
    if found is None:
        return None
    try:
        return dt.date(int(found[1]), int(found[2] or 1), int(found[3] or 1))
    except ValueError:
        return None


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""
