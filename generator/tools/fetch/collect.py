"""`digest fetch`: ask the declared services for new listings and add them as `ingest` does.

All or nothing: every answer is asked for and checked first (it parses with the parser its
format names, with no bad record), and only then are the dumps that bring at least one new
paper written to content/sources/ and recorded in sources.yaml, in one locked write
(ingest.store_dumps). A failed run changes nothing in content/, and its answers so far are
cached (http.Client), so the next run resumes. A run that finds no new paper writes nothing
and says so; the CLI exits non-zero, so a scheduled run never publishes an empty week quietly.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from generator.config import Config
from generator.errors import FetchError, SourceError
from generator.models import Listing, SourceInfo
from generator.stages.read import parse_dump, read_sources
from generator.tools.fetch import services
from generator.tools.fetch.http import Client, day_cache
from generator.tools.fetch.services import Answer, Window
from generator.tools.ingest import count_papers, skipped_warning, store_dumps

DEFAULT_WINDOW = 7  # days, for a digest with no dump yet


@dataclass(frozen=True, slots=True)
class Stored:
    """A dump a run added (or would add), with what it brings."""

    file: str
    query: str
    listings: int
    new_papers: int


@dataclass(frozen=True, slots=True)
class FetchReport:
    window: Window
    stored: tuple[Stored, ...]  # dumps added to content/
    skipped: tuple[str, ...]  # answers with no new paper, not stored ("what: why")
    requests: int  # made over the network; the others came from the run's cache
    warnings: tuple[str, ...] = ()  # records a build will skip, "url:line: reason"

    @property
    def new_papers(self) -> int:
        return sum(s.new_papers for s in self.stored)


def window_of(config: Config, today: dt.date, since: dt.date | None) -> Window:
    """From --since, else the newest collected date in the manifest, else a week back."""
    newest = max((s.collected for s in config.sources), default=None)
    start = since or newest or today - dt.timedelta(days=DEFAULT_WINDOW)
    if start > today:
        raise FetchError(f"the window starts on {start}, after today ({today}); nothing to ask")
    return Window(since=start, until=today)


def plan(config: Config, window: Window) -> list[str]:
    """What a run asks first, one line per search or feed (for --dry-run; no network)."""
    s = config.fetch
    first = min(s.page_size, s.max_results)
    lines = [f"arXiv API search {q!r}: {services.arxiv_url(s, q, window, 0, first)} (then "
             f"further pages, up to {s.max_results} results)" for q in s.arxiv]
    keep = "items matching a theme's keywords" if s.keep == "themes" else "every item"
    lines += [f"arXiv listing feed {c}: {services.feed_url(s, c)} (keeps {keep})"
              for c in s.arxiv_feeds]
    lines += [f"Hugging Face Papers search {q!r}: {services.hf_search_url(s, q)} (keeps papers "
              f"published since {window.since})" for q in s.huggingface_search]
    if s.huggingface_daily:
        lines += [f"Hugging Face daily papers of {day}: {services.hf_daily_url(s, day)}"
                  for day in services.daily_days(window)]
    return lines


def fetch(config: Config, window: Window, cache_root: Path | None,
          dry_run: bool = False) -> FetchReport:
    """Ask every declared service, check the answers, store those with new papers."""
    s = config.fetch
    if not s.sources:
        raise FetchError(f"{config.content_dir / 'digest.yaml'}: the fetch: section declares "
                         "no search or feed; add arxiv:, arxiv_feeds:, huggingface_search: or "
                         "huggingface_daily: (see README, 'Fetching new papers')")
    with Client(s, day_cache(cache_root, window.until.isoformat())) as client:
        answers: list[Answer] = []
        for query in s.arxiv:
            answers += services.arxiv_search(client, s, query, window)
        for category in s.arxiv_feeds:
            answers += services.arxiv_feed(client, s, category, window, config.themes)
        for query in s.huggingface_search:
            answers += services.hf_search(client, s, query, window)
        if s.huggingface_daily:
            answers += services.hf_daily(client, s, window)

    answers = _unique_names(answers)
    before = read_sources(config.sources_dir, config.sources).listings
    parsed: list[tuple[Answer, SourceInfo, list[Listing]]] = []
    warnings: list[str] = []
    for answer in answers:
        info = SourceInfo(file=answer.name, collected=window.until, query=answer.query,
                          origin=answer.origin, format=answer.format)
        listings, problems = _parse(answer, info)
        warnings += problems + ([answer.capped] if answer.capped else [])
        parsed.append((answer, info, listings))
    counts = count_papers(before, [listings for _, _, listings in parsed])
    keep: list[tuple[Answer, SourceInfo, int, int]] = []
    skipped: list[str] = []
    for (answer, info, listings), (new, _) in zip(parsed, counts, strict=True):
        if new == 0:
            skipped.append(f"{answer.name}: {len(listings)} papers, all already known")
            continue
        keep.append((answer, info, len(listings), new))
    if dry_run or not keep:
        stored = [Stored(a.name, a.query, n, new) for a, _, n, new in keep]
        return FetchReport(window, tuple(stored), tuple(skipped), client.requests,
                           tuple(warnings))
    names = store_dumps(config.content_dir, [(a.name, a.data, info) for a, info, _, _ in keep])
    stored = [Stored(name, a.query, n, new)
              for name, (a, _, n, new) in zip(names, keep, strict=True) if name is not None]
    return FetchReport(window, tuple(stored), tuple(skipped), client.requests, tuple(warnings))


def _unique_names(answers: list[Answer]) -> list[Answer]:
    """Two searches whose queries slugify alike get names of their own (-2, -3, ...)."""
    seen: dict[str, int] = {}
    out = []
    for answer in answers:
        n = seen[answer.name] = seen.get(answer.name, 0) + 1
        if n > 1:
            stem, dot, ext = answer.name.rpartition(".")
            answer = dataclasses.replace(answer, name=f"{stem}-{n}{dot}{ext}")
        out.append(answer)
    return out


def _parse(answer: Answer, info: SourceInfo) -> tuple[list[Listing], list[str]]:
    """The answer's listings, read as a build will read the dump, and its bad records (a
    build skips them with the same warning); an answer that cannot be read at all is a
    FetchError."""
    try:
        result = parse_dump(answer.data, info, answer.url)
    except SourceError as err:
        raise FetchError(f"{err}; nothing in content/ was changed") from None
    return list(result.listings), [skipped_warning(str(p)) for p in result.problems]
