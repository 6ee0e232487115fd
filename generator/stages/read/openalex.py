"""Parser for the JSON answers of OpenAlex (api.openalex.org/works): a list answer {"meta",
"results": [work, ...], "group_by"}, a plain list of works, or one work.
"""

from __future__ import annotations

import re
from typing import Any

from generator.errors import SourceError
from generator.stages.read.fields import (
    arxiv_id,
    check_sizes,
    clean_names,
    collect,
    parse_date,
    record,
    safe_url,
    strip_html,
)
from generator.stages.read.hf_listing import Parsed, RawListing
from generator.stages.read.scholarly_answer import answer_items, as_dict, as_list, as_str, read_answer

OPENALEX_WORK = re.compile(r"https://openalex\.org/W\d+")
OPENALEX_SHAPES = ('an OpenAlex works answer: a list {"meta", "results": [work, ...]}, a list of '
                   'works, or one work with "id": "https://openalex.org/W..."')


def parse_openalex(text: str, path: str) -> Parsed:
    """Works from an OpenAlex answer (shapes in the module docstring)."""
    answer = read_answer(text, path, ("results",))
    members = answer.members or {}
    if answer.key and not answer.items and as_list(members.get("group_by")):
        raise SourceError(path, answer.line, "a group_by answer counts works and lists none; "
                          "ask again without group_by")
    items = answer_items(answer, path, "id", OPENALEX_SHAPES)
    return collect(items, lambda item: _openalex_work(item[1], item[0], path), path,
                   "the answer lists no works")


def _openalex_work(work: Any, line: int, path: str) -> RawListing:
    ident = work.get("id") if isinstance(work, dict) else None
    if not isinstance(work, dict) or (ident is not None and not (
            isinstance(ident, str) and OPENALEX_WORK.fullmatch(ident))):
        raise SourceError(path, line, f"expected an OpenAlex work (id https://openalex.org/W...), "
                          f"got id {ident!r}; skipped")
    # OpenAlex passes on the publisher's markup: "CO<sub>2</sub>", <i>, JATS <jats:p> words.
    title = strip_html(as_str(work.get("title")) or as_str(work.get("display_name")))
    abstract = strip_html(_abstract(work.get("abstract_inverted_index"), path, line))
    check_sizes(path, line, title, abstract)
    locations = [as_dict(work.get("primary_location")), *map(as_dict, as_list(work.get("locations"))),
                 as_dict(work.get("best_oa_location"))]
    doi = as_str(work.get("doi")) or as_str(as_dict(work.get("ids")).get("doi"))
    found = [arxiv_id(doi)] + [arxiv_id(as_str(place.get(key))) for place in locations
                               for key in ("landing_page_url", "pdf_url")]
    names = [as_dict(a.get("author")).get("display_name") or a.get("raw_author_name")
             for a in map(as_dict, as_list(work.get("authorships")))]
    url = next((u for u in (doi, as_str(locations[0].get("landing_page_url")), as_str(ident))
                if safe_url(u)), "")
    pdf_url = next((as_str(p.get("pdf_url")) for p in locations if as_str(p.get("pdf_url"))), "")
    return record(title, abstract, line, authors=clean_names(names),
                  ident=next((i for i in found if i), ""),
                  published=parse_date(as_str(work.get("publication_date"))), url=url,
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
