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
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.errors import SourceError
from generator.stages.read.fields import (
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
    strip_html,
)
from generator.stages.read.hf_listing import Parsed, RawListing

SNIFF_CHARS = 16_000  # how far into a list the sniffer reads papers before it gives up
_OPENALEX_WORK = re.compile(r"https://openalex\.org/W\d+")
# The members of an answer that hold its papers; the reader knows them by these names too.
_S2_LISTS, _OPENALEX_LISTS = ("data", "recommendedPapers"), ("results",)
_S2_ITEM_KEYS = ("paperId", "authorId", "citingPaper", "citedPaper")  # in a `data` list
_PLAIN, _S2, _OPENALEX = "plain", "semantic-scholar", "openalex"

S2_SHAPES = ('a Semantic Scholar Graph API answer: a search {"total", "offset", "data": [paper, ...]}, '
             'a bulk search {"total", "token", "data": [...]}, a batch list of papers, or one '
             'paper with "paperId"')
OPENALEX_SHAPES = ('an OpenAlex works answer: a list {"meta", "results": [work, ...]}, a list of '
                   'works, or one work with "id": "https://openalex.org/W..."')


def sniff_scholarly(text: str) -> str | None:
    """'semantic-scholar' or 'openalex' when the JSON text has the structure of their answers.
    Run before the plain-JSON sniffer: these answers are JSON lists or objects too.

    Structure, not a key met anywhere, decides, because a wrong guess loses fields without a
    word (a hand-made list read as OpenAlex loses its abstracts and authors). OpenAlex: an
    object {"meta", "results"}, or works with `authorships`, `abstract_inverted_index` or
    their own id https://openalex.org/W...; Semantic Scholar: an object whose `data` (or
    `recommendedPapers`) lists papers (`paperId`) or authors, or papers with `externalIds` or
    authors as objects with `authorId`. A paper whose authors are strings is a hand-made
    list's: neither API writes names so. Only the top level and the first papers are decoded;
    text that is not valid JSON there is left to the reader it is named for.
    """
    pos = skip_space(text, 0)
    if text.startswith("[", pos):
        try:
            for item in _peek(json.JSONDecoder(), text, pos):
                if kind := _paper_kind(item):
                    return None if kind == _PLAIN else kind
        except SourceError:  # broken or nested too deeply: the plain reader will say where
            pass
        return None
    if text.startswith("{", pos):
        return _sniff_object(text, pos)
    return None


def _sniff_object(text: str, pos: int) -> str | None:
    """The kind of a top-level JSON object: an answer holding a list of papers, or one paper."""
    decoder = json.JSONDecoder()
    members: dict[str, Any] = {}
    pos = skip_space(text, pos + 1)
    try:
        while text.startswith('"', pos):
            name, pos = json_value(decoder, text, pos, "")
            pos = skip_space(text, pos)
            if not text.startswith(":", pos):
                break
            pos = skip_space(text, pos + 1)
            if name in _S2_LISTS + _OPENALEX_LISTS and text.startswith("[", pos):
                members[name] = []
                first = next((i for i in _peek(decoder, text, pos) if isinstance(i, dict)), None)
                if name == "recommendedPapers" or (name == "data" and first is not None and (
                        any(key in first for key in _S2_ITEM_KEYS)
                        or _paper_kind(first) == _S2)):
                    return _S2
                if name == "results" and ("meta" in members or (
                        first is not None and _paper_kind(first) == _OPENALEX)):
                    return _OPENALEX
                if name == "data" and first is not None:
                    return None  # a list of something else
            members[name], pos = json_value(decoder, text, pos, "")
            pos = skip_space(text, pos)
            if not text.startswith(",", pos):
                break
            pos = skip_space(text, pos + 1)
    except SourceError:  # broken JSON: decide on the members before it; the reader says where
        pass
    if "data" in members and ("total" in members or "token" in members):
        return _S2  # a search that found nothing (or whose first paper is broken)
    if "meta" in members and "results" in members:
        return _OPENALEX
    kind = _paper_kind(members)  # one paper
    if kind is None and "paperId" in members:
        return _S2
    return kind if kind != _PLAIN else None


def _peek(decoder: json.JSONDecoder, text: str, pos: int) -> Iterator[Any]:
    """The first elements of the JSON list whose "[" is at `pos`: as many as begin within
    SNIFF_CHARS of it (always the first), decoded one by one."""
    start = pos
    pos = skip_space(text, pos + 1)
    while pos - start < SNIFF_CHARS and not text.startswith("]", pos):
        value, pos = json_value(decoder, text, pos, "")
        yield value
        pos = skip_space(text, pos)
        if not text.startswith(",", pos):
            return
        pos = skip_space(text, pos + 1)


def _paper_kind(item: Any) -> str | None:
    """Whose paper this is by its structure: _S2, _OPENALEX, _PLAIN (authors as strings), or
    None when it cannot tell (a paper with a title alone)."""
    if not isinstance(item, dict):
        return None
    if isinstance(item.get("citingPaper"), dict) or isinstance(item.get("citedPaper"), dict):
        return _S2  # a citations or references answer's item
    authors = item.get("authors")
    if isinstance(authors, str) or any(isinstance(a, str) for a in _list(authors)):
        return _PLAIN
    if ("authorships" in item or "abstract_inverted_index" in item
            or _OPENALEX_WORK.fullmatch(_str(item.get("id")))):
        return _OPENALEX
    people = [a for a in _list(authors) if isinstance(a, dict)]
    if "externalIds" in item or any("authorId" in a for a in people) or (
            "paperId" in item and any("name" in a for a in people)):
        return _S2
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
    # Titles and abstracts may hold the publisher's markup (<i>, <sub>, JATS <jats:p>).
    title = strip_html(_str(paper.get("title")))
    abstract = strip_html(_str(paper.get("abstract")))  # null when S2 may not show it
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
    # OpenAlex passes on the publisher's markup: "CO<sub>2</sub>", <i>, JATS <jats:p> words.
    title = strip_html(_str(work.get("title")) or _str(work.get("display_name")))
    abstract = strip_html(_abstract(work.get("abstract_inverted_index"), path, line))
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
