"""Where a paper was listed, in a reader's words: the paper page's Sources section.

A reader is told the service and query a listing came from and the day it was collected
("Hugging Face Papers search results page for “world models”, collected 10 April 2025"),
never the dump's file name and line: those are the owner's, and the build's warnings name
them. The words come from the manifest's `origin:`, which the owner (or `digest fetch`)
writes as a sentence whose first clause names the service and whose rest says how the
dump was made ("…, copied as plain text (layout B)", "…; saved by digest fetch").
"""

from __future__ import annotations

import re

from generator.models import SourceRef
from generator.render.environment import date_words

# The first clause of an origin: up to a comma, semicolon, colon, bracket or dash between
# spaces; the rest says how the dump was made, which a reader does not need.
_FIRST_CLAUSE = re.compile(r"^\s*(.*?)\s*(?:[,;:(\[]|\s[-–—]\s|$)")
# A clause that names a file, a path or a command is the owner's note, not a service.
_OWNERS_NOTE = re.compile(r"[`/\\]|\b[\w-]+\.(?:txt|json|jsonl|xml|rss|atom|bib|csv|tsv|"
                          r"html?|ya?ml|py)\b|\bdigest (?:ingest|fetch)\b", re.IGNORECASE)
FALLBACK = "A listing"


def listing_words(source: SourceRef) -> str:
    """'<service> for “<query>”, collected <day>': the service from the origin's first
    clause (FALLBACK when it names a file or a command, or there is none), the query left
    out when the service already says it ("arXiv listing feed cs.LG" for "cs.LG")."""
    clause = _FIRST_CLAUSE.match(source.origin)
    service = clause.group(1).rstrip(".") if clause else ""
    if not service or _OWNERS_NOTE.search(service):
        service = FALLBACK
    query = " ".join(source.query.split())
    said = f" for “{query}”" if query and query.casefold() not in service.casefold() else ""
    return f"{service}{said}, collected {date_words(source.collected)}"
