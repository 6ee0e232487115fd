"""`digest enrich`: look up the papers that have no arXiv id, by exact title, and record what
was found in content/enrich.yaml (enrichment.py), which builds read offline.

A paper is matched only when exactly one arXiv paper has its title, compared as the merge
compares titles (stages.merge.normalise_title: case, punctuation, spacing and Unicode form folded):
an unambiguous identity, never a fuzzy guess. The arXiv API's title search is asked first (it
also gives categories); Hugging Face's paper search second, for titles arXiv's search does
not rank. A title with no such match is recorded as not found, with the date, so the next
run does not ask again (delete the entry to have it looked up again).

All or nothing, like fetch: the entries are written only when every lookup of the run has
answered; the answers are cached (http.Client), so a failed run resumes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.config import Config
from generator.errors import SourceError
from generator.models import Paper
from generator.stages.enrich import Enrichment, append_enrichment, load_enrichment
from generator.stages.merge import normalise_title
from generator.stages.read.arxiv import parse_arxiv_api
from generator.stages.read.hf_api import parse_hf_api
from generator.stages.read.hf_listing import RawListing
from generator.tools.fetch import services
from generator.tools.fetch.http import Client, day_cache
from generator.tools.fetch.settings import FetchSettings

LOOKUP_RESULTS = 10  # candidates asked for per title


@dataclass(frozen=True, slots=True)
class EnrichReport:
    found: tuple[Enrichment, ...]
    not_found: tuple[Enrichment, ...]
    waiting: int  # papers without an id left for a later run (over --limit)
    requests: int


def to_look_up(papers: tuple[Paper, ...], known: dict[str, Enrichment]) -> list[Paper]:
    """Papers with no arXiv id and no entry yet, newest first (a new week's papers first)."""
    todo = [p for p in papers if not p.arxiv_id and normalise_title(p.title) not in known]
    return sorted(todo, key=lambda p: (-p.first_seen.toordinal(), p.title))


def enrich(config: Config, papers: tuple[Paper, ...], today: dt.date, cache_root: Path | None,
           limit: int, dry_run: bool = False) -> EnrichReport:
    """Look up to `limit` papers; append what was found (and not found) to enrich.yaml."""
    known = load_enrichment(config.enrich_file)
    todo = to_look_up(papers, known)
    found: list[Enrichment] = []
    missing: list[Enrichment] = []
    with Client(config.fetch, day_cache(cache_root, today.isoformat())) as client:
        for paper in todo[:limit]:
            entry = _look_up(client, config.fetch, paper.title, today)
            (found if entry.arxiv_id else missing).append(entry)
    if not dry_run and (found or missing):
        append_enrichment(config.enrich_file, found + missing)
    return EnrichReport(tuple(found), tuple(missing), max(0, len(todo) - limit), client.requests)


def _look_up(client: Client, settings: FetchSettings, title: str, today: dt.date) -> Enrichment:
    key = normalise_title(title)
    url = services.arxiv_title_url(settings, key, LOOKUP_RESULTS)
    what = f"arXiv API title search for {title!r}"
    data = client.get(url, what, check=lambda d: services.arxiv_page(d, what, url))
    entries, _ = services.arxiv_page(data, what, url)
    records = _records(parse_arxiv_api, data, url) if entries else []
    match = _unique(records, key)
    if isinstance(match, RawListing):
        return _found(title, match, f"arXiv API title search, {today}")
    ambiguous = match
    what = f"Hugging Face Papers search for {title!r}"
    url = services.hf_search_url(settings, title)
    data = client.get(url, what, check=lambda d: services.json_list(d, what, url))
    records = _records(parse_hf_api, data, url) if services.json_list(data, what, url) else []
    match = _unique(records, key)
    if isinstance(match, RawListing):
        return _found(title, match, f"Hugging Face Papers search, {today}")
    ids = sorted(set(ambiguous) | set(match))
    why = (f"ambiguous: {len(ids)} arXiv papers have this title ({', '.join(ids)})" if ids
           else "no paper with this exact title on arXiv or Hugging Face")
    return Enrichment(title=title, not_found=today, found_by=why)


def _records(parse: Callable[[str, str], tuple[list[RawListing], list[SourceError]]],
             data: bytes, url: str) -> list[RawListing]:
    try:
        records, _ = parse(data.decode("utf-8"), url)
    except SourceError:  # no readable entry: no candidate
        return []
    return records


def _unique(records: list[RawListing], key: str) -> RawListing | list[str]:
    """The one record with this title and an arXiv id, or the ids of all such records."""
    same = {r.arxiv_id: r for r in records if r.arxiv_id and normalise_title(r.title) == key}
    if len(same) == 1:
        return next(iter(same.values()))
    return sorted(same)


def _found(title: str, record: RawListing, how: str) -> Enrichment:
    return Enrichment(title=title, arxiv_id=record.arxiv_id, authors=record.authors,
                      published=record.published, categories=record.categories, found_by=how)
