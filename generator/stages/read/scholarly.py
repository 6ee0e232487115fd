"""The JSON answers of two big scholarly APIs, Semantic Scholar's Graph API and OpenAlex: which
of them a JSON dump is (sniff_scholarly), and their parsers (re-exported from
semantic_scholar.py and openalex.py, which share scholarly_answer.py).

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
from collections.abc import Iterator
from typing import Any

from generator.errors import SourceError
from generator.stages.read.fields import json_value, skip_space
from generator.stages.read.openalex import OPENALEX_WORK, parse_openalex
from generator.stages.read.scholarly_answer import as_list, as_str
from generator.stages.read.semantic_scholar import parse_semantic_scholar

__all__ = ["parse_openalex", "parse_semantic_scholar", "sniff_scholarly"]

SNIFF_CHARS = 16_000  # how far into a list the sniffer reads papers before it gives up
# The members of an answer that hold its papers; the reader knows them by these names too.
_S2_LISTS, _OPENALEX_LISTS = ("data", "recommendedPapers"), ("results",)
_S2_ITEM_KEYS = ("paperId", "authorId", "citingPaper", "citedPaper")  # in a `data` list
_PLAIN, _S2, _OPENALEX = "plain", "semantic-scholar", "openalex"


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
    if isinstance(authors, str) or any(isinstance(a, str) for a in as_list(authors)):
        return _PLAIN
    if ("authorships" in item or "abstract_inverted_index" in item
            or OPENALEX_WORK.fullmatch(as_str(item.get("id")))):
        return _OPENALEX
    people = [a for a in as_list(authors) if isinstance(a, dict)]
    if "externalIds" in item or any("authorId" in a for a in people) or (
            "paperId" in item and any("name" in a for a in people)):
        return _S2
    return None
