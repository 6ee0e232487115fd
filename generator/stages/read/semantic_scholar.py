"""Parser for the JSON answers of Semantic Scholar's Graph API (api.semanticscholar.org/graph/v1).

A search answer {"total", "offset", "next", "data": [paper, ...]}, a bulk search answer
{"total", "token", "data": [...]}, a batch answer (a list of papers, null where an id was not
found), a citations or references answer (each item holds a `citingPaper` or `citedPaper`), a
recommendations answer {"recommendedPapers": [...]}, or one paper.
"""

from __future__ import annotations

from typing import Any

from generator.errors import SourceError
from generator.stages.read.fields import (
    arxiv_id,
    check_sizes,
    clean_names,
    collect,
    parse_date,
    record,
    strip_html,
)
from generator.stages.read.hf_listing import Parsed, RawListing
from generator.stages.read.scholarly_answer import answer_items, as_dict, as_list, as_str, read_answer

S2_SHAPES = ('a Semantic Scholar Graph API answer: a search {"total", "offset", "data": [paper, ...]}, '
             'a bulk search {"total", "token", "data": [...]}, a batch list of papers, or one '
             'paper with "paperId"')


def parse_semantic_scholar(text: str, path: str) -> Parsed:
    """Papers from a Semantic Scholar Graph API answer (shapes in the module docstring)."""
    answer = read_answer(text, path, ("data", "recommendedPapers"))
    items = answer_items(answer, path, "paperId", S2_SHAPES)
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
    title = strip_html(as_str(paper.get("title")))
    abstract = strip_html(as_str(paper.get("abstract")))  # null when S2 may not show it
    check_sizes(path, line, title, abstract)
    ids = as_dict(paper.get("externalIds"))
    url, pdf_url = as_str(paper.get("url")), as_str(as_dict(paper.get("openAccessPdf")).get("url"))
    ident = (arxiv_id(as_str(ids.get("ArXiv")), bare=True) or arxiv_id(as_str(ids.get("DOI")))
             or arxiv_id(pdf_url) or arxiv_id(url))
    authors = [as_dict(a).get("name") for a in as_list(paper.get("authors"))]
    return record(title, abstract, line, authors=clean_names(authors), ident=ident,
                  published=parse_date(as_str(paper.get("publicationDate"))), url=url,
                  pdf_url=pdf_url)
