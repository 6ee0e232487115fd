"""build(config): the whole pipeline, read -> merge -> themes -> relate/map -> weeks -> render ->
publish."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import itertools
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from generator.config import Config
from generator.errors import BuildError, SourceProblems, write_failure
from generator.models import Paper
from generator.publish.search import SearchIndexer
from generator.publish.sitefolder import MARKER, check_out_dir, site_lock
from generator.publish.writer import PublishReport, publish_site
from generator.render.site import default_templates_dir, make_env, render_site
from generator.speed.cached_read import Corpus, read_corpus, remember_merge
from generator.speed.kept_pages import Identity, Recorded, Reuse, Stamps, program_key
from generator.speed.skip import (
    Changes,
    fingerprint,
    last_build,
    read_record,
    recorded_pages,
    recorded_site,
    remember_build,
    site_state,
    state_changes,
    with_changes,
)
from generator.speed.store import (
    behind_little,
    cache_folder,
    cached,
    cached_each,
    inputs_key,
    paper_keys,
    store,
    stored,
    themes_key,
)
from generator.speed.workers import Beside, Deferred, Shares, frozen_heap, one_thread
from generator.stages.digest import Digest, assemble_digest
from generator.stages.enrich import apply_enrichment, load_enrichment
from generator.stages.read.content_links import links_leaving
from generator.stages.read.fields import LAST_DAY, outside_dates
from generator.stages.read.notes import read_notes
from generator.stages.weeks import schedule_weeks

if TYPE_CHECKING:
    from generator.stages.related import Neighbourhood
    from generator.stages.themes import ThemeResult, ThemeSettings

# The model stages (themes, related papers, the map) import scikit-learn and SciPy, about a
# second of a small build; they are imported where used, after the search indexer has started,
# so that it runs on another core meanwhile (and a skipped build never imports them).

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
          strict: bool = False, cache_dir: Path | None = None,
          keep: list[object] | None = None) -> BuildReport:
    """Build the site for config into out_dir; the previous site survives any failure.

    Bad records in the dumps are skipped and listed in the report's warnings; with
    strict=True any of them fails the build before anything is written. With a cache_dir the
    parsed dumps and model stages are reused when their inputs are unchanged, the pages the
    last build wrote are kept when what they show is unchanged (reuse.py), the site is
    updated in place, and a build whose inputs and output are as the last build left them is
    skipped (same result, less time).

    `keep`: the build's papers, digest and record are added to it instead of freed when
    build returns (0.15 s at 100,000 papers), for a caller that exits right after.

    Nothing is written anywhere before out_dir is accepted (sitefolder.check_out_dir); then
    the build holds the output's lock (one build at a time per output) until it returns.
    """
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
        with site_lock(out_dir):
            return _build(config, out_dir, progress, strict, cache_dir, keep, started)
    except OSError as err:  # reading errors are the stages' (with file and line): a write
        raise write_failure(err) from err


def _build(config: Config, out_dir: Path, progress: Progress | None, strict: bool,
           cache_dir: Path | None, keep: list[object] | None, started: float) -> BuildReport:
    """build() once the output is accepted and locked."""
    step = progress or (lambda stage, done, total: None)
    print_ = fingerprint(config, default_templates_dir()) if cache_dir is not None else None
    record = read_record(cache_dir, out_dir) if cache_dir is not None else None
    if print_ is not None:
        last = last_build(record, out_dir, print_)
        if last is not None:  # nothing changed since the last build into out_dir
            return _unchanged(last, out_dir, strict, started)

    # The output folder's files are listed (for reuse.py) by a worker process while the dumps
    # are read and the model stages run (at 100,000 papers it takes longer than reading;
    # in a thread they would take turns). It sends back how they differ from the record.
    then = recorded_site(record)
    with contextlib.ExitStack() as stack:
        listing = (stack.enter_context(Beside(lambda: _listed(out_dir, then)))
                   if cache_dir is not None else None)
        step("read", 0, 1)
        corpus = read_papers(config, strict, cache_dir)
        log.info("read %d papers: %.2f s", len(corpus.papers), time.perf_counter() - started)
        # The merge is kept for the next build by a worker (about a second at 100,000 papers).
        state, sources = corpus.state, config.sources_dir
        keeping = (stack.enter_context(Beside(lambda: remember_merge(cache_dir, sources, state)))
                   if cache_dir is not None and state is not None else None)
        report, digest, warnings = _derive_and_write(config, out_dir, cache_dir, step, started,
                                                     record, listing, corpus, strict)
        if keeping is not None:
            keeping.result()  # done long since (or, without a worker, done now)
    counts = {t.slug: len(digest.papers_in(t.slug)) for t in digest.themes}
    elapsed = time.perf_counter() - started
    log.info("built %d pages in %.2fs", report.written + report.unchanged, elapsed)
    result = BuildReport(listings=corpus.listings, papers=len(corpus.papers),
                         weeks=tuple(w.key for w in digest.weeks), theme_counts=counts,
                         pages=report.written + report.unchanged, publish=report,
                         seconds=elapsed, out_dir=out_dir, warnings=warnings)
    if cache_dir is not None and print_ is not None:
        remember_build(cache_dir, out_dir, print_, result, report.pages, report.state)
    if keep is not None:
        keep.extend((corpus, digest, record))
    return result


def _derive_and_write(config: Config, out_dir: Path, cache_dir: Path | None, step: Progress,
                      started: float, record: dict[str, Any] | None,
                      listing: Beside[Changes | None] | None, corpus: Corpus,
                      strict: bool) -> tuple[PublishReport, Digest, tuple[str, ...]]:
    """build() once the papers are read: the model stages, the digest, the pages written;
    the publish report, the digest and the warnings (the corpus' and the notes'). `listing`:
    the worker listing the output folder, whose result is first needed for reuse."""
    papers, warnings = corpus.papers, corpus.warnings
    # From here worker processes run beside this one: the search index (it needs only the
    # papers; started first, see the imports), then related papers, and the map.
    # The training papers are chosen here, so that the related papers' worker inherits them.
    training = training_of(papers, corpus.keys)
    with frozen_heap(), \
            SearchIndexer(papers, config.language, out_dir, config.search_shard_size) as search, \
            related_stage(papers, cache_dir, training) as related, \
            map_stage(config, papers, cache_dir) as positions:
        digest, more_warnings = derive_digest(config, papers, cache_dir, step, started,
                                              related, positions, training)
        warnings += more_warnings
        if strict and warnings:
            raise SourceProblems(warnings)
        # Reading ends here; from now on everything is derived from `digest` and written out.
        env = make_env(config.templates_dir)
        changes = listing.result() if listing is not None else None
        live = with_changes(recorded_site(record), changes) if changes is not None else {}
        reuse = reuse_of(config, out_dir, cache_dir, live, record)
        # Every paper stamped once, here: the paper-page worker forked below shares them.
        # Meanwhile the related papers' worker finishes; its result is taken before that
        # fork (a Deferred is only resolved by the process that made it).
        stamps = Stamps(digest, reuse, training.keys).fill() if reuse is not None else None
        step("related", 0, 1)
        len(digest.related)
        log.info("related papers: %.2f s", time.perf_counter() - started)
        # Paper pages are rendered by a worker process while this one renders the rest (the
        # progress bar counts the rest).
        total = expected_pages(digest) - len(digest.papers)
        done = 0

        def on_page(_path: str) -> None:
            nonlocal done
            done += 1
            step("render", done, total)

        # Both processes take chunks of the paper pages from `share`: the worker from the
        # start, this one once the rest is written, so neither waits long for the other.
        share = Shares(len(digest.papers))
        pages = itertools.chain(
            render_site(digest, env, on_page=on_page, part="rest", stamps=stamps),
            render_site(digest, env, part="papers", share=share, stamps=stamps))
        report = publish_site(pages, out_dir, config.base_url,
                              finish=search.finish, reuse=reuse,
                              side_pages=lambda: render_site(digest, env, part="papers",
                                                             share=share, stamps=stamps))
    return report, digest, warnings


def _listed(out_dir: Path, then: dict[str, Identity]) -> Changes | None:
    """How uptodate.site_state(out_dir) differs from `then` (the recorded state), if out_dir
    is a site this program wrote; else None (as for a folder that cannot be listed)."""
    try:
        return state_changes(site_state(out_dir), then) if (out_dir / MARKER).is_file() else None
    except OSError:
        return None


def reuse_of(config: Config, out_dir: Path, cache_dir: Path | None,
             live: dict[str, Identity] | None = None,
             record: dict[str, Any] | None = None) -> Reuse | None:
    """What lets this build keep the last one's unchanged pages and the next build keep this
    one's (reuse.py), or None: no cache, or templates of the digest's own (they may show
    anything, so every page is rendered). `live`: the output folder's files, if listed;
    `record`: the last build's record (uptodate.read_record), if read."""
    if cache_dir is None or _own_templates(config):
        return None
    site = (out_dir / MARKER).is_file()
    if site and record is None:
        record = read_record(cache_dir, out_dir)
    recorded = recorded_pages(record) if site else None
    if live is None:
        live = site_state(out_dir) if site else {}
    return Reuse(recorded=recorded or Recorded(pages={}, state={}),
                 live=live if site else {},
                 program=program_key(config, default_templates_dir()))


def _own_templates(config: Config) -> bool:
    """Whether the digest has templates of its own (beside assets/, which are copied)."""
    folder = config.templates_dir
    return folder.is_dir() and any(p.is_file() and "assets" not in p.relative_to(folder).parts
                                   for p in folder.rglob("*"))


class Training(NamedTuple):
    """The papers the models are fitted on and the papers they score (growth.split_training),
    the training papers' key (cache.inputs_key) and every paper's cache.paper_key: all model
    stages need them, so they are made once, before the workers fork."""

    trained: tuple[Paper, ...]
    rest: tuple[Paper, ...]
    key: str
    keys: dict[str, bytes]


def training_of(papers: tuple[Paper, ...], keys: dict[str, bytes] | None = None
                ) -> Training:
    """The Training of these papers; `keys`: their paper_keys, if made."""
    from generator.stages.training import split_training

    keys = keys if keys is not None else paper_keys(papers)
    trained, rest = split_training(papers)
    return Training(trained, rest, inputs_key(trained, keys=keys), keys)


def related_stage(papers: tuple[Paper, ...], cache_dir: Path | None,
                  training: Training | None = None) -> Beside[dict[str, tuple[str, ...]]]:
    """Each paper's related papers, computed by a worker process (see parallel.py) and cached
    by a key of exactly their inputs; what the search keeps (similar.Neighbourhood) is cached
    by the training papers' key, so a new week computes only the pairs of its papers.
    `training`: training_of(papers), if made."""
    from generator.stages.related import Neighbourhood, relate_papers

    later: list[Callable[[], None]] = []  # stores made once the result is sent

    def run() -> dict[str, tuple[str, ...]]:
        made = training or training_of(papers)
        trained_key, keys = made.key, made.keys
        # Which papers are the training ones (by their dates too) is in the key through it.
        key = inputs_key(papers, trained_key, keys=keys)
        found = stored(cache_dir, "related", key, dict)
        if found is not None:
            return found  # type: ignore[no-any-return]
        previous = stored(cache_dir, "neighbours", trained_key, Neighbourhood)
        related, kept = relate_papers(papers, previous=previous, keys=keys)
        # What the next build extends is about 100 MB at 100,000 papers: stored after the
        # result is sent, while the main process goes on, and only once the stored one
        # lacks more than cache.STALE of it (a later build extends that one as well).
        if not _behind_little(previous, kept):
            later.append(lambda: store(cache_dir, "neighbours", trained_key, kept))
        later.append(lambda: store(cache_dir, "related", key, related))
        return related

    def store_later() -> None:
        for work in later:
            work()

    # The keys too are computed in the worker (from the papers' keys, made before the fork).
    return Beside(run, then=store_later)


def _behind_little(previous: Neighbourhood | None, kept: Neighbourhood) -> bool:
    """Whether `previous` holds every row of `kept` but a few new ones (cache.STALE)."""
    if (previous is None or previous.vectorizer is not kept.vectorizer
            or (previous.candidates is None) != (kept.candidates is None)):
        return False  # (a corpus grown past EXACT_LIMIT has candidates to keep)
    return (behind_little(len(kept.keys) - len(previous.keys), len(previous.keys))
            and set(previous.keys) <= set(kept.keys))


def map_stage(config: Config, papers: tuple[Paper, ...], cache_dir: Path | None
              ) -> Beside[dict[str, tuple[float, float]]]:
    """The map's positions, cached likewise, computed by another worker: only map.html needs
    them, and it is rendered last, so the layout runs while the other pages render."""
    from generator.stages.map_layout import map_papers, mapped

    def run() -> dict[str, tuple[float, float]]:  # all in the worker, the key too
        shown = mapped(papers)  # the newest papers: all the layout reads
        dates = [(p.id, p.first_seen.isoformat()) for p in shown]
        key = inputs_key(shown, config.random_state, dates)
        return cached(cache_dir, "map", key, lambda: map_papers(papers, config.random_state),
                      dict)

    return Beside(run)


def derive_digest(config: Config, papers: tuple[Paper, ...], cache_dir: Path | None,
                  step: Progress, started: float,
                  related_worker: Beside[dict[str, tuple[str, ...]]],
                  map_worker: Beside[dict[str, tuple[float, float]]],
                  training: Training | None = None) -> tuple[Digest, tuple[str, ...]]:
    """Themes (cached by a key of exactly their inputs), the workers' related papers and map
    (both still being computed: parallel.Deferred; the map's layout is first needed by the
    last page), weeks and notes: the digest, and the notes' warnings."""
    step("themes", 0, 1)
    with one_thread() if related_worker.forked else contextlib.nullcontext():
        themes = theme_stage(config, papers, cache_dir, training)
    log.info("themes assigned: %.2f s", time.perf_counter() - started)
    weeks = schedule_weeks(papers, config.week_start)
    notes, note_problems = read_notes(config.notes_dir, {t.slug for t in config.themes})
    digest, note_warnings = assemble_digest(config, papers, themes, weeks,
                                            built_date(config, papers), notes,
                                            related=Deferred(related_worker.result),
                                            positions=Deferred(map_worker.result))
    return digest, tuple(str(p) for p in note_problems) + tuple(note_warnings)


def theme_stage(config: Config, papers: tuple[Paper, ...], cache_dir: Path | None,
                training: Training | None = None) -> ThemeResult:
    """The themes of every paper: the model's fit on its training papers (growth.py: they
    change only when the corpus has grown by a quarter) and its score of each other paper,
    both cached, so a new week scores its new papers only; then the two combined (a fraction
    of a second at 100,000 papers). Each is keyed by exactly its inputs, so a cached build
    equals a cold one. `training`: training_of(papers), if made."""
    from generator.stages.themes import ThemeFit, combine, fit_themes, score_papers

    settings, specs = theme_settings(config), config.themes
    trained, rest, key, keys = training or training_of(papers)
    fit_key = themes_key(key, specs, settings)
    fit = cached(cache_dir, "theme-fit", fit_key, lambda: fit_themes(trained, specs, settings),
                 ThemeFit)
    scores = cached_each(cache_dir, "theme-scores", fit_key, rest,
                         lambda missing: score_papers(fit, missing, specs, settings), keys)
    return combine(fit, scores, specs, settings)


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


def read_papers(config: Config, strict: bool = False, cache_dir: Path | None = None
                ) -> Corpus:
    """Read every dump and merge the listings into papers (reading.py), filled in from
    content/enrich.yaml (enrichment.py); the corpus' problems become warnings. With a
    cache_dir each dump's parse is kept by a hash of its bytes, and
    the merge by the dumps it covers, so a new week's build reads and merges its dump only."""
    corpus = read_corpus(config.sources_dir, config.sources, cache_dir)
    enrichment = load_enrichment(config.enrich_file)  # what `digest enrich` looked up
    if enrichment:
        corpus = dataclasses.replace(corpus, papers=apply_enrichment(corpus.papers, enrichment))
    warnings = corpus.warnings
    if strict and warnings:
        raise SourceProblems(warnings)
    if not corpus.papers:
        raise SourceProblems((*warnings, f"{config.content_dir / 'sources.yaml'}: no paper was "
                              "read; refusing to publish an empty digest"))
    return corpus


def theme_settings(config: Config) -> ThemeSettings:
    from generator.stages.themes import ThemeSettings

    return ThemeSettings(random_state=config.random_state)


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
