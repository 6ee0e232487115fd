"""Parsers for the JSON answers of two big scholarly APIs: Semantic Scholar's Graph API and OpenAlex.

Semantic Scholar (api.semanticscholar.org/graph/v1): a search answer {"total", "offset", "next",
"data": [paper, ...]}, a bulk search answer {"total", "token", "data": [...]}, a batch answer (a
list of papers, null where an id was not found), a citations or references answer (each item
holds a `citingPaper` or `citedPaper`), a recommendations answer {"recommendedPapers": [...]},
or one paper. OpenAlex (api.openalex.org/works): a list answer {"meta", "results": [work, ...],
"group_by"}, a plain list of works, or one work.

Each paper keeps the line its object starts on. An answer of any other shape is an error that
names the shapes expected, never a guess: these answers hold authors, ids and dates in nested
objects, so a reader for flat lists would lose them without a word.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ..errors import SourceError
from .fields import (
    arxiv_id,
    check_sizes,
    clean_names,
    clean_text,
    collect,
    json_array,
    json_items,
    json_value,
    line_at,
    parse_date,
    record,
    safe_url,
    skip_space,
)
from .hf_listing import Parsed, RawListing

SNIFF_CHARS = 16_000  # the first paper's keys come well within this; a long abstract may not
_S2_ANCHOR = re.compile(r'"paperId"\s*:')
# One more key only Semantic Scholar papers have, so a hand-made list with a paperId column
# stays plain JSON; `externalIds` is missing when a search asked for fields=title,authors.
_S2_KEYS = re.compile(r'"(?:externalIds|authorId|openAccessPdf|publicationDate)"\s*:')
_OPENALEX = re.compile(r'"authorships"\s*:|"https://openalex\.org/W\d')
_OPENALEX_WORK = re.compile(r"https://openalex\.org/W\d+")

S2_SHAPES = ('a Semantic Scholar Graph API answer: a search {"total", "offset", "data": [paper, ...]}, '
             'a bulk search {"total", "token", "data": [...]}, a batch list of papers, or one '
             'paper with "paperId"')
OPENALEX_SHAPES = ('an OpenAlex works answer: a list {"meta", "results": [work, ...]}, a list of '
                   'works, or one work with "id": "https://openalex.org/W..."')


def sniff_scholarly(text: str) -> str | None:
    """'semantic-scholar' or 'openalex' when the first few KB of a JSON text carry their keys.
    Run before the plain-JSON sniffer: these answers are JSON lists or objects too."""
    head = text[:SNIFF_CHARS]
    if head.lstrip()[:1] not in ("{", "["):
        return None
    if _S2_ANCHOR.search(head) and _S2_KEYS.search(head):
        return "semantic-scholar"
    if _OPENALEX.search(head):
        return "openalex"
    return None


# -- the answer's top level, with lines --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    """A JSON answer's top level: its own members (an object's) and the items of its list
    (the whole text's, or the member named `key`), each with the line it starts on."""

    line: int  # where the top-level value starts
    members: dict[str, Any] | None  # None when the whole text is a list
    key: str  # the member whose list became `items`; "" if none
    items: list[tuple[int, Any]]


def read_answer(text: str, path: str, list_keys: tuple[str, ...]) -> Answer:
    """Decode a JSON object member by member, so the list under one of `list_keys` can be read
    element by element and each element keeps its line (json.loads would forget them)."""
    decoder = json.JSONDecoder()
    pos = skip_space(text, 0)
    line = line_at(text, pos)
    if text.startswith("[", pos):
        return Answer(line, None, "", list(json_items(text, path)))
    if not text.startswith("{", pos):
        raise SourceError(path, line, "expected a JSON object or list")
    members: dict[str, Any] = {}
    items: list[tuple[int, Any]] = []
    key = ""
    pos = skip_space(text, pos + 1)
    closed = text.startswith("}", pos)
    while not closed:
        if not text.startswith('"', pos):
            raise SourceError(path, line_at(text, pos), "invalid JSON: expected a member name")
        name, pos = json_value(decoder, text, pos, path)
        pos = skip_space(text, pos)
        if not text.startswith(":", pos):
            raise SourceError(path, line_at(text, pos), "invalid JSON: expected ':'")
        pos = skip_space(text, pos + 1)
        if name in list_keys and not key and text.startswith("[", pos):
            key = name
            items, pos = json_array(decoder, text, pos, path)
        else:
            members[name], pos = json_value(decoder, text, pos, path)
        pos = skip_space(text, pos)
        if text.startswith(",", pos):
            pos = skip_space(text, pos + 1)
            continue
        if not text.startswith("}", pos):
            raise SourceError(path, line_at(text, pos), "invalid JSON: expected ',' or '}'")
        closed = True
    if text[pos + 1:].strip():
        raise SourceError(path, line_at(text, pos + 1), "invalid JSON: extra data after the object")
    return Answer(line, members, key, items)


def _items(answer: Answer, path: str, single: str, shapes: str) -> list[tuple[int, Any]]:
    """The answer's papers: its list, or the answer itself when it is one paper (it has the
    key `single`). An error answer or an object of another shape is a SourceError."""
    if answer.members is None or answer.key:
        return answer.items
    if single in answer.members:
        return [(answer.line, answer.members)]
    said = answer.members.get("error") or answer.members.get("message")
    if isinstance(said, str):
        raise SourceError(path, answer.line, f"the answer is an error: {clean_text(said)}")
    keys = ", ".join(list(answer.members)[:6]) or "none"
    raise SourceError(path, answer.line, f"expected {shapes}; this object's keys: {keys}")


# -- Semantic Scholar --------------------------------------------------------------------------


def parse_semantic_scholar(text: str, path: str) -> Parsed:
    """Papers from a Semantic Scholar Graph API answer (shapes in the module docstring)."""
    answer = read_answer(text, path, ("data", "recommendedPapers"))
    items = _items(answer, path, "paperId", S2_SHAPES)
    return collect(items, lambda item: _s2_paper(item[1], item[0], path), path,
                   "the answer lists no papers")


def _s2_paper(item: Any, line: int, path: str) -> RawListing:
    if item is None:  # the batch endpoint's answer for an id it does not know
        raise SourceError(path, line, "null: Semantic Scholar found no paper for this id; skipped")
    cited = (item.get("citingPaper") or item.get("citedPaper")) if isinstance(item, dict) else None
    paper = cited if isinstance(cited, dict) else item
    if not isinstance(paper, dict) or not ("paperId" in paper or "title" in paper):
        raise SourceError(path, line, "expected a Semantic Scholar paper (an object with paperId "
                          "and title); skipped")
    title = clean_text(_str(paper.get("title")))
    abstract = clean_text(_str(paper.get("abstract")))  # null when S2 may not show it
    check_sizes(path, line, title, abstract)
    ids = _dict(paper.get("externalIds"))
    url, pdf_url = _str(paper.get("url")), _str(_dict(paper.get("openAccessPdf")).get("url"))
    ident = (arxiv_id(_str(ids.get("ArXiv")), bare=True) or arxiv_id(_str(ids.get("DOI")))
             or arxiv_id(pdf_url) or arxiv_id(url))
    authors = [_dict(a).get("name") for a in _list(paper.get("authors"))]
    return record(title, abstract, line, authors=clean_names(authors), ident=ident,
                  published=parse_date(_str(paper.get("publicationDate"))), url=url,
                  pdf_url=pdf_url)


# -- OpenAlex ----------------------------------------------------------------------------------


def parse_openalex(text: str, path: str) -> Parsed:
    """Works from an OpenAlex answer (shapes in the module docstring)."""
    answer = read_answer(text, path, ("results",))
    members = answer.members or {}
    if answer.key and not answer.items and _list(members.get("group_by")):
        raise SourceError(path, answer.line, "a group_by answer counts works and lists none; "
                          "ask again without group_by")
    items = _items(answer, path, "id", OPENALEX_SHAPES)
    return collect(items, lambda item: _openalex_work(item[1], item[0], path), path,
                   "the answer lists no works")


def _openalex_work(work: Any, line: int, path: str) -> RawListing:
    ident = work.get("id") if isinstance(work, dict) else None
    if not isinstance(work, dict) or (ident is not None and not (
            isinstance(ident, str) and _OPENALEX_WORK.fullmatch(ident))):
        raise SourceError(path, line, f"expected an OpenAlex work (id https://openalex.org/W...), "
                          f"got id {ident!r}; skipped")
    title = clean_text(_str(work.get("title")) or _str(work.get("display_name")))
    abstract = clean_text(_abstract(work.get("abstract_inverted_index"), path, line))
    check_sizes(path, line, title, abstract)
    locations = [_dict(work.get("primary_location")), *map(_dict, _list(work.get("locations"))),
                 _dict(work.get("best_oa_location"))]
    doi = _str(work.get("doi")) or _str(_dict(work.get("ids")).get("doi"))
    found = [arxiv_id(doi)] + [arxiv_id(_str(place.get(key))) for place in locations
                               for key in ("landing_page_url", "pdf_url")]
    names = [_dict(a.get("author")).get("display_name") or a.get("raw_author_name")
             for a in map(_dict, _list(work.get("authorships")))]
    url = next((u for u in (doi, _str(locations[0].get("landing_page_url")), _str(ident))
                if safe_url(u)), "")
    pdf_url = next((_str(p.get("pdf_url")) for p in locations if _str(p.get("pdf_url"))), "")
    return record(title, abstract, line, authors=clean_names(names),
                  ident=next((i for i in found if i), ""),
                  published=parse_date(_str(work.get("publication_date"))), url=url,
                  pdf_url=pdf_url)


def _abstract(index: Any, path: str, line: int) -> str:
    """OpenAlex may not publish abstracts as text, so it gives {word: [positions]}; the words
    in position order are the text. Sorting pairs, not filling a list, keeps a huge position
    from costing memory."""
    if index is None:
        return ""
    if not isinstance(index, dict):
        raise SourceError(path, line, "abstract_inverted_index: expected {word: [positions]}; "
                          "skipped")
    placed: list[tuple[int, str]] = []
    for word, positions in index.items():
        if not isinstance(positions, list) or not all(
                isinstance(p, int) and not isinstance(p, bool) for p in positions):
            raise SourceError(path, line, f"abstract_inverted_index: expected a list of positions "
                              f"for {word!r}; skipped")
        placed.extend((p, word) for p in positions)
    return " ".join(word for _, word in sorted(placed))


# -- small helpers -----------------------------------------------------------------------------


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
