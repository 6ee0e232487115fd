"""build(config, out_dir): the whole pipeline, one stage after another.

    read -> merge -> enrich -> themes -> related papers / map layout / For you -> weeks
         -> digest -> render -> publish (with the search index)

The stages are plain functions (stages/, render/, publish/); what makes a build fast is in
speed/ and is visible here only as the places where it wraps a stage: results stored by
their inputs (cached_read, cached_stages), a build skipped when nothing changed and the last
build's unchanged pages kept (skip, kept_pages), and whole stages run in worker processes
beside this one (workers).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import itertools
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.config import Config
from generator.errors import BuildError, SourceProblems, write_failure
from generator.models import Paper
from generator.publish.record import Reuse
from generator.publish.search import SearchIndexer
from generator.publish.sitefolder import check_out_dir, site_lock
from generator.publish.standby import PublishReport
from generator.publish.writer import publish_site
from generator.render import default_templates_dir, make_env, render_paper_pages, render_site
from generator.speed.cached_read import Corpus, keep_merge, read_corpus
from generator.speed.cached_stages import (
    interests_stage,
    map_stage,
    related_stage,
    theme_stage,
    training_of,
)
from generator.speed.kept_pages import Stamps
from generator.speed.skip import LastBuild
from generator.speed.store import cache_folder
from generator.speed.workers import Beside, Deferred, Later, Shares, build_process, frozen_heap
from generator.stages.digest import Digest, assemble_digest
from generator.stages.enrich import apply_enrichment, load_enrichment
from generator.stages.interests.library import read_library
from generator.stages.read.content_links import links_leaving
from generator.stages.read.fields import LAST_DAY, outside_dates
from generator.stages.read.notes import read_notes
from generator.stages.weeks import schedule_weeks

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build read and wrote, for the CLI to print."""

    listings: int
    papers: int
    weeks: tuple[str, ...]
    theme_counts: dict[str, int]
    pages: int
    publish: PublishReport
    seconds: float
    out_dir: Path
    warnings: tuple[str, ...] = ()  # bad records skipped, each "file:line: reason"
    up_to_date: bool = False  # nothing changed since the last build: nothing was done


def build(config: Config, out_dir: Path, progress: Progress | None = None,
          strict: bool = False, cache_dir: Path | None = None) -> BuildReport:
    """Build the site for config into out_dir; the previous site survives any failure.

    Bad records in the dumps are skipped and listed in the report's warnings; with
    strict=True any of them fails the build before anything is written. With a cache_dir,
    work whose inputs did not change is reused (speed/), with the same result. Nothing is
    written anywhere before out_dir is accepted; then the build holds the output's lock
    (one build at a time per output) until it returns."""
    started = time.perf_counter()
    check_out_dir(out_dir, config.content_dir)
    leaving = links_leaving(config.content_dir)
    if leaving:
        raise BuildError("refusing to build: the content folder links to files outside it "
                         "(they would be published):\n" + "\n".join(leaving))
    if cache_dir is not None:
        cache_dir = cache_folder(cache_dir)  # None if it is not safe to use
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        with site_lock(out_dir), build_process():
            return _build(config, out_dir, progress, strict, cache_dir, started)
    except OSError as err:  # reading errors are the stages' (with file and line): a write
        raise write_failure(err) from err


def _build(config: Config, out_dir: Path, progress: Progress | None, strict: bool,
           cache_dir: Path | None, started: float) -> BuildReport:
    """build() once the output is accepted and locked."""
    step = progress or (lambda stage, done, total: None)
    last = LastBuild.read(cache_dir, config, out_dir, default_templates_dir())
    unchanged = last.report_if_unchanged()
    if unchanged is not None:
        return _unchanged(unchanged, out_dir, strict, started)
    with contextlib.ExitStack() as beside:  # worker processes, stopped if the build fails
        listing = _enter(beside, last.list_output())
        step("read", 0, 1)
        corpus = read_papers(config, strict, cache_dir)
        _enter(beside, keep_merge(corpus, cache_dir, config.sources_dir))
        beside.enter_context(frozen_heap())  # (before the first model worker forks)
        search = beside.enter_context(SearchIndexer(
            corpus.papers, config.language, out_dir, config.search_shard_size,
            beside=functools.partial(Beside, background=True)))
        digest, keys, warnings = _derive(config, corpus, cache_dir, step, beside)
        if strict and warnings:
            raise SourceProblems(warnings)
        # Reading ends here; from now on everything is derived from `digest` and written out.
        reuse = last.reuse(config, default_templates_dir(), listing)
        report = _write(config, digest, out_dir, reuse, keys, search, step)
    elapsed = time.perf_counter() - started
    log.info("built %d pages in %.2fs", report.written + report.unchanged, elapsed)
    result = BuildReport(
        listings=corpus.listings, papers=len(corpus.papers),
        weeks=tuple(w.key for w in digest.weeks),
        theme_counts={t.slug: len(digest.papers_in(t.slug)) for t in digest.themes},
        pages=report.written + report.unchanged, publish=report, seconds=elapsed,
        out_dir=out_dir, warnings=warnings)
    last.remember(result, report.pages, report.state)
    return result


def _enter(stack: contextlib.ExitStack, worker: Beside[Any] | None) -> Beside[Any] | None:
    return stack.enter_context(worker) if worker is not None else None


def read_papers(config: Config, strict: bool = False, cache_dir: Path | None = None
                ) -> Corpus:
    """Read every dump and merge the listings into papers, filled in from content/enrich.yaml
    (what `digest enrich` looked up); the corpus' problems become warnings. With a cache_dir
    only the dumps the stored merge does not cover are read (speed/cached_read.py)."""
    corpus = read_corpus(config.sources_dir, config.sources, cache_dir)
    enrichment = load_enrichment(config.enrich_file)
    if enrichment:
        corpus = dataclasses.replace(corpus, papers=apply_enrichment(corpus.papers, enrichment))
    if strict and corpus.warnings:
        raise SourceProblems(corpus.warnings)
    if not corpus.papers:
        raise SourceProblems((*corpus.warnings, f"{config.content_dir / 'sources.yaml'}: no "
                              "paper was read; refusing to publish an empty digest"))
    return corpus


def _derive(config: Config, corpus: Corpus, cache_dir: Path | None, step: Progress,
            beside: contextlib.ExitStack) -> tuple[Digest, dict[str, bytes], tuple[str, ...]]:
    """Papers -> the digest. Related papers, the map's layout and the For you ranking (when
    digest.yaml names interests; its library is read here) start in worker processes, still
    being computed when the digest is made (Deferred, and the ranking a Later that waits
    for it) while this process assigns the themes; then weeks and notes. Returns the digest,
    every paper's key (models.paper_key) and the warnings (the corpus', the library's and
    the notes')."""
    papers = corpus.papers
    training = training_of(papers, corpus.keys)  # made once, before the workers fork
    related = beside.enter_context(related_stage(papers, cache_dir, training))
    for_you, library_problems = None, tuple[str, ...]()
    if config.interests is not None:  # the library's problems are known before anything runs
        library = read_library(config.interests, config.content_dir)
        library_problems = tuple(str(p) for p in library.problems)
        ranking = beside.enter_context(interests_stage(config, papers, library, cache_dir,
                                                       training))
        for_you = Later(ranking.result)
    positions = beside.enter_context(map_stage(config, papers, cache_dir))
    step("themes", 0, 1)
    themes = theme_stage(config, papers, cache_dir, training)
    weeks = schedule_weeks(papers, config.week_start)
    notes, note_problems = read_notes(config.notes_dir, {t.slug for t in config.themes})
    digest, note_warnings = assemble_digest(
        config, papers, themes, weeks, built_date(config, papers), notes,
        related=Deferred(related.result), positions=Deferred(positions.result),
        for_you=for_you)
    warnings = (corpus.warnings + library_problems + tuple(str(p) for p in note_problems)
                + tuple(note_warnings))
    return digest, training.keys, warnings


def _write(config: Config, digest: Digest, out_dir: Path, reuse: Reuse | None,
           keys: dict[str, bytes], search: SearchIndexer, step: Progress) -> PublishReport:
    """Digest -> pages -> the site. With `reuse` (the last build's record) each page is keyed
    by what it shows (every paper stamped once, here), and a page the last build wrote with
    the same key is kept. The paper pages (most of the files at any size) are rendered and written
    by a worker process and this one, which joins in once it has rendered the rest; the map's
    page comes last of the rest, so its layout has the longest to finish."""
    env = make_env(config.templates_dir)
    keeper = Stamps(digest, reuse, keys).fill() if reuse is not None else None
    step("related", 0, 1)
    len(digest.related)  # the worker's result, taken before the page worker forks
    total, done = expected_pages(digest) - len(digest.papers), 0

    def on_page(_path: str) -> None:
        nonlocal done
        done += 1
        step("render", done, total)

    # Both processes take chunks of the paper pages: the worker from the start, this one once
    # the rest of the site is written.
    shared = Shares(digest.papers)
    pages = itertools.chain(render_site(digest, env, keeper=keeper, on_page=on_page),
                            render_paper_pages(digest, env, keeper=keeper, papers=shared))
    return publish_site(pages, out_dir, config.base_url, finish=search.finish, reuse=reuse,
                        side_pages=lambda: render_paper_pages(digest, env, keeper, shared),
                        beside=Beside)


def _unchanged(report: dict[str, Any], out_dir: Path, strict: bool,
               started: float) -> BuildReport:
    """The report of a build that found its inputs and output as the last build left them
    (`report`: what that build recorded)."""
    warnings = tuple(report["warnings"])
    if strict and warnings:
        raise SourceProblems(warnings)
    log.info("nothing changed since the last build into %s", out_dir)
    return BuildReport(listings=report["listings"], papers=report["papers"],
                       weeks=tuple(report["weeks"]), theme_counts=report["theme_counts"],
                       pages=report["pages"],
                       publish=PublishReport(written=0, unchanged=report["pages"], removed=(),
                                             total_bytes=report["total_bytes"]),
                       seconds=time.perf_counter() - started, out_dir=out_dir,
                       warnings=warnings, up_to_date=True)


def expected_pages(digest: Digest) -> int:
    """A close estimate of the page count, for the progress bar only."""
    themes = len(digest.themes)
    return 4 + len(digest.papers) + len(digest.weeks) * (1 + themes) + themes * 2


def built_date(config: Config, papers: tuple[Paper, ...]) -> dt.date:
    """The date stamped on the build: config, else SOURCE_DATE_EPOCH, else the newest paper."""
    if config.built_at is not None:
        return config.built_at
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        try:
            day = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except (OverflowError, OSError, ValueError):
            day = LAST_DAY + dt.timedelta(days=1)  # refused just below
        if outside_dates(day):
            raise BuildError(f"SOURCE_DATE_EPOCH={epoch}: {outside_dates(day)}")
        return day
    return max(p.first_seen for p in papers)
