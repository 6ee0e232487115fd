"""The `digest` command line: flags in, config loaded, a stage called, a report printed."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from generator import __version__
from generator.errors import GeneratorError

CONTENT_HELP = "The digest's content directory (sources/, sources.yaml, themes.yaml, digest.yaml)."
# What `digest build` leaves unfreed: the process ends right after the build, without freeing
# anything (see main), so the build's objects are handed here rather than freed one by one.


class _Progress:
    """A progress bar for page rendering when stderr is a terminal; silent otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if stage != "render":
            click.echo(f"{stage}…", err=True)
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="render", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _parser_names() -> list[str]:
    from generator.stages.read import PARSERS

    return list(PARSERS)


class _Day(click.DateTime):
    """A YYYY-MM-DD option (--date, --since), refused outside the dates a digest takes
    (sources/fields.py): a day in year 9999 was stored and broke every later build."""

    def __init__(self) -> None:
        super().__init__(formats=["%Y-%m-%d"])

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> dt.datetime:
        from generator.stages.read.fields import outside_dates

        day = super().convert(value, param, ctx)
        if outside := outside_dates(day):
            self.fail(outside, param, ctx)
        return day


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="digest")
def cli() -> None:
    """Turn collected paper listings into a static, weekly literature digest.

    Start with `digest build` in a folder that has a content/ directory; open
    site/index.html in a browser to read the result.
    """


@cli.command()
@click.option("--content", "content_dir", type=click.Path(path_type=Path), default=Path("content"),
              show_default=True, help=CONTENT_HELP)
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("site"),
              show_default=True,
              help="Where to write the site. It is replaced only after the whole build succeeded.")
@click.option("--base-url", help="The URL the site will be published at (overrides digest.yaml's "
              "base_url), e.g. https://USER.github.io/REPO/.")
@click.option("--strict", is_flag=True, help="Fail on any bad record in the dumps instead of "
              "skipping it with a warning.")
@click.option("--no-cache", is_flag=True, help="Recompute everything instead of reusing what "
              "the project's .digest-cache/ (beside the content directory) holds: parsed "
              "dumps, the models and their scores, and the record of the last build that "
              "lets unchanged pages be kept and an unchanged build be skipped. The result "
              "is the same.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors and warnings.")
@click.option("-v", "--verbose", is_flag=True, help="Also print each stage as it runs.")
def build(content_dir: Path, out_dir: Path, base_url: str | None, strict: bool, no_cache: bool,
          quiet: bool, verbose: bool) -> None:
    """Build the site from the listings in the content directory.

    Reads every dump named in sources.yaml, merges listings of the same paper,
    sorts papers into the themes of themes.yaml and their first-seen weeks, and
    writes the pages, the public data (data/papers.json and the parts it lists)
    and assets into the output directory.
    Pages whose content did not change since the last build are kept as they are.
    """
    from generator.config import load_config
    from generator.pipeline import build as run_build

    _setup_logging(quiet, verbose)
    progress = _Progress(enabled=not quiet and (verbose or sys.stderr.isatty()))
    try:
        config = load_config(content_dir, base_url=base_url)
        report = run_build(config, out_dir, progress=progress, strict=strict,
                           cache_dir=None if no_cache else project_cache_dir(content_dir))
    except GeneratorError as err:
        raise click.ClickException(str(err)) from None
    finally:
        progress.close()
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if quiet:
        return
    themes = ", ".join(f"{slug} {n}" for slug, n in report.theme_counts.items())
    pub = report.publish
    weeks = len(report.weeks)
    click.echo(f"Read {report.listings} listings: {report.papers} papers in {weeks} "
               f"{'week' if weeks == 1 else 'weeks'} ({report.weeks[0]} to {report.weeks[-1]}).")
    click.echo(f"Themes: {themes}.")
    if report.up_to_date:
        click.echo(f"Nothing changed since the last build: {report.out_dir} is up to date "
                   f"({report.pages} files; checked in {report.seconds:.2f} s).")
        click.echo(f"Open {(report.out_dir / 'index.html').resolve().as_uri()}")
        return
    click.echo(f"Wrote {report.pages} files to {report.out_dir} ({pub.written} new or changed, "
               f"{pub.unchanged} unchanged, {len(pub.removed)} removed; "
               f"{pub.total_bytes / 1e6:.1f} MB) in {report.seconds:.2f} s.")
    if pub.kept:
        click.echo(f"{pub.kept} of the unchanged files were kept from the last build without "
                   "rendering them again.")
    click.echo(f"Open {(report.out_dir / 'index.html').resolve().as_uri()}")


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--content", "content_dir", type=click.Path(path_type=Path), default=Path("content"),
              show_default=True, help=CONTENT_HELP)
@click.option("--date", "collected", type=_Day(),
              help="The day the listing was collected, YYYY-MM-DD  [default: today]. Papers "
              "not seen before belong to this date's week.")
@click.option("--query", default="", help="The search query the listing came from.")
@click.option("--format", "fmt", type=click.Choice(sorted(_parser_names())), default=None,
              help="The file's format, when sniffing its content picks wrong (recorded in "
              "sources.yaml as `format:`).  [default: sniffed]")
@click.option("--strict", is_flag=True, help="Refuse the file if any record in it is bad, "
              "instead of adding it and listing the records a build will skip.")
def ingest(file: Path, content_dir: Path, collected: dt.datetime | None, query: str,
           fmt: str | None, strict: bool) -> None:
    """Add a listing dump FILE to the digest's sources.

    FILE is a Hugging Face Papers page dump, an arXiv API response or listing
    feed, Hugging Face daily papers JSON, a BibTeX export, or a JSON, YAML or
    CSV list of papers; the format is recognised from the content unless
    --format names it.

    Checks that FILE parses, copies it into content/sources/ and records it in
    sources.yaml with its date and query. Bad records (no title, an oversized
    field, ...) are listed with file and line and skipped, as `digest build`
    skips them; --strict refuses the file instead. A file that does not parse,
    or has no good record, is refused and nothing changes; ingesting the same
    file again changes nothing. The new and known papers are counted as the
    next build will merge them. Run `digest build` afterwards to publish it.
    """
    from generator.tools.ingest import ingest_file

    day = collected.date() if collected else dt.date.today()
    try:
        report = ingest_file(content_dir, file, day, query=query, fmt=fmt or "", strict=strict)
    except GeneratorError as err:
        raise click.ClickException(str(err)) from None
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if report.added:
        click.echo(f"Added {report.file} ({report.listings} listings, collected {day}): "
                   f"{report.new_papers} new papers, {report.known_papers} already known.")
    else:
        click.echo(f"Already ingested as {report.file}; nothing changed "
                   f"({report.known_papers} papers, all already known).")


NOTHING_NEW = 3  # `digest fetch`'s exit status when no service had a new paper


@cli.command()
@click.option("--content", "content_dir", type=click.Path(path_type=Path), default=Path("content"),
              show_default=True, help=CONTENT_HELP)
@click.option("--since", type=_Day(),
              help="The window's first day, YYYY-MM-DD  [default: the newest collected date in "
              "sources.yaml].")
@click.option("--date", "today", type=_Day(),
              help="The collection date recorded for the new dumps, and the window's last "
              "day, YYYY-MM-DD  [default: today, UTC].")
@click.option("--dry-run", is_flag=True, help="Ask the services and say what would be stored, "
              "but change nothing in the content directory.")
def fetch(content_dir: Path, since: dt.datetime | None, today: dt.datetime | None,
          dry_run: bool) -> None:
    """Collect new listings from the services digest.yaml's fetch: section declares.

    Asks the arXiv API (searches, newest first, within the date window), arXiv's
    daily listing feeds (keeping the items that match a theme's keywords) and
    Hugging Face Papers (searches and daily papers). Each answer that brings a
    paper not seen before is stored in content/sources/ and recorded in
    sources.yaml, as `digest ingest` does, so builds stay offline and
    reproducible. One request per host every pause_seconds (3 s), retries that
    honour Retry-After, and a cache of answers in .digest-cache/fetch/ beside
    the content directory, so an interrupted run resumes.

    Exits 0 when new papers were added, 3 when no service had a new paper
    (nothing is written), 1 on an error (nothing is written either).
    """
    from generator.config import load_config
    from generator.tools.fetch.collect import fetch as run_fetch
    from generator.tools.fetch.collect import plan, window_of

    day = today.date() if today else dt.datetime.now(dt.UTC).date()
    try:
        config = load_config(content_dir)
        window = window_of(config, day, since.date() if since else None)
        click.echo(f"Window: {window.since} to {window.until}.")
        if dry_run:
            click.echo("Would ask first:")
            for line in plan(config, window):
                click.echo(f"  {line}")
        report = run_fetch(config, window, fetch_cache_dir(content_dir), dry_run=dry_run)
    except GeneratorError as err:
        raise click.ClickException(str(err)) from None
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for line in report.skipped:
        click.echo(f"Not stored: {line}.")
    verb = "Would add" if dry_run else "Added"
    for dump in report.stored:
        click.echo(f"{verb} {dump.file} ({dump.listings} papers, {dump.new_papers} new; "
                   f"{dump.query})")
    asked = f"{report.requests} requests made, the rest answered from the cache"
    if not report.stored:
        click.echo(f"No new papers from {config.fetch.sources} searches and feeds ({asked}); "
                   f"nothing in {content_dir} was changed.", err=True)
        sys.exit(NOTHING_NEW)
    done = "would be collected" if dry_run else f"collected {window.until}; run `digest build`"
    click.echo(f"{report.new_papers} new papers in {len(report.stored)} dumps, {done} ({asked}).")


@cli.command()
@click.option("--content", "content_dir", type=click.Path(path_type=Path), default=Path("content"),
              show_default=True, help=CONTENT_HELP)
@click.option("--limit", default=100, show_default=True, type=click.IntRange(0),
              help="Most papers looked up in one run (newest first); the rest wait for the next.")
@click.option("--date", "today", type=_Day(),
              help="The date recorded with each entry, YYYY-MM-DD  [default: today, UTC].")
@click.option("--dry-run", is_flag=True, help="Look the titles up and say what was found, but "
              "write nothing.")
def enrich(content_dir: Path, limit: int, today: dt.datetime | None, dry_run: bool) -> None:
    """Look up arXiv ids, authors and dates for papers whose listings lack them.

    Each paper without an arXiv id and without an entry in content/enrich.yaml is
    looked up by its title (arXiv API title search, then Hugging Face Papers
    search). Only an exact title match (case, punctuation and spacing folded)
    with a single arXiv paper counts; the id, authors, published date and
    categories are appended to content/enrich.yaml with where they came from,
    and titles without such a match are recorded as not found. Review and edit
    the file like any other content: builds read it offline, and every paper
    with an id links to its arXiv page, PDF and Hugging Face page.
    """
    from generator.config import load_config
    from generator.pipeline import read_papers
    from generator.tools.fetch.enrich import enrich as run_enrich

    day = today.date() if today else dt.datetime.now(dt.UTC).date()
    try:
        config = load_config(content_dir)
        papers = read_papers(config).papers
        report = run_enrich(config, papers, day, fetch_cache_dir(content_dir), limit,
                            dry_run=dry_run)
    except GeneratorError as err:
        raise click.ClickException(str(err)) from None
    for entry in report.found:
        click.echo(f"Found arXiv:{entry.arxiv_id} for {_clip(entry.title, 80)} "
                   f"({entry.found_by.split(',')[0]})")
    for entry in report.not_found:
        click.echo(f"Not found: {_clip(entry.title, 80)} ({entry.found_by})")
    looked = len(report.found) + len(report.not_found)
    if not looked:
        click.echo(f"{report.waiting} papers wait to be looked up (--limit 0)." if report.waiting
                   else "Every paper has an arXiv id or an entry in enrich.yaml; nothing to "
                   "look up.")
        return
    where = "nothing was written" if dry_run else f"recorded in {config.enrich_file}"
    click.echo(f"Looked up {looked} titles: {len(report.found)} found, "
               f"{len(report.not_found)} not found; {where} ({report.requests} requests)."
               + (f" {report.waiting} more wait for the next run (--limit)." if report.waiting
                  else ""))


@cli.command()
@click.option("--content", "content_dir", type=click.Path(path_type=Path), default=Path("content"),
              show_default=True, help=CONTENT_HELP)
@click.option("--boundary", default=5, show_default=True,
              help="How many close calls to list per theme.")
def themes(content_dir: Path, boundary: int) -> None:
    """Report, per theme, what the model decided and which papers were close calls.

    For each theme: how many papers it holds, how many were clear keyword matches,
    the terms the model weighs most, its sub-topics, and the papers nearest the
    decision threshold, so a curator can refine keywords and exclusions.
    """
    from generator.config import load_config
    from generator.pipeline import read_papers
    from generator.speed.cached_stages import theme_settings
    from generator.stages.themes import assign_themes

    try:
        config = load_config(content_dir)
        corpus = read_papers(config)
        papers, warnings = corpus.papers, corpus.warnings
    except GeneratorError as err:
        raise click.ClickException(str(err)) from None
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    result = assign_themes(papers, config.themes, theme_settings(config))
    by_id = {p.id: p for p in papers}
    other = sum(1 for p in papers if not result.assignments[p.id])
    click.echo(f"{len(papers)} papers; {other} in no theme (listed under Other).")
    for spec in config.themes:
        st = result.stats[spec.slug]
        click.echo("")
        click.secho(f"{spec.name} ({spec.slug}): {st.count} papers", bold=True)
        click.echo(f"  clear keyword matches (model seeds): {st.seeds}; admitted without any "
                   f"keyword: {st.admitted_without_keyword}; keyword mentions rejected: "
                   f"{st.rejected_with_keyword}")
        click.echo(f"  top terms: {', '.join(st.top_terms) or '(too few examples to train)'}")
        for topic in result.subtopics[spec.slug]:
            click.echo(f"  sub-topic {topic.name}: {len(topic.paper_ids)} papers")
        click.echo("  closest to the decision boundary:")
        for pid, probability, evidence, inside in st.boundary[:boundary]:
            mark = "in " if inside else "out"
            click.echo(f"    {mark} p={probability:.2f} evidence={evidence:g}  "
                       f"{_clip(by_id[pid].title, 90)}")


@cli.command(name="eval")
@click.argument("labels", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--content", "content_dir", type=click.Path(path_type=Path), default=Path("content"),
              show_default=True, help=CONTENT_HELP)
def eval_command(labels: Path, content_dir: Path) -> None:
    """Score the themes against a hand-labelled LABELS file (JSON).

    LABELS is a list of {"title", "labels": [theme slugs], "uncertain": [theme slugs]}.
    Prints precision, recall and F1 per theme and the macro-F1; a row is skipped for a
    theme listed as uncertain. The labels are only read here, never by a build.
    """
    from generator.config import load_config
    from generator.pipeline import read_papers
    from generator.speed.cached_stages import theme_settings
    from generator.stages.merge import normalise_title
    from generator.stages.themes import assign_themes
    from generator.tools.evaluate import evaluate, load_labels

    try:
        config = load_config(content_dir)
        rows = load_labels(labels)
        papers = read_papers(config).papers
    except GeneratorError as err:
        raise click.ClickException(str(err)) from None
    result = assign_themes(papers, config.themes, theme_settings(config))
    predicted = {normalise_title(p.title): {a.theme for a in result.assignments[p.id]}
                 for p in papers}
    report = evaluate(predicted, rows, [t.slug for t in config.themes])
    click.echo(f"{report.rows} labelled papers scored"
               + (f"; {len(report.unmatched)} label rows match no paper" if report.unmatched else ""))
    click.echo(f"{'theme':<26} {'P':>6} {'R':>6} {'F1':>6} {'TP':>5} {'FP':>5} {'FN':>5}")
    for sc in report.scores:
        click.echo(f"{sc.theme:<26} {sc.precision:6.3f} {sc.recall:6.3f} {sc.f1:6.3f} "
                   f"{sc.tp:5d} {sc.fp:5d} {sc.fn:5d}")
    click.echo(f"{'macro-F1':<26} {'':>6} {'':>6} {report.macro_f1:6.3f}")


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--package", "package_spec", metavar="SPEC",
              help="What the new project's workflows pip-install to get digest (written to "
              "requirements.txt)  [default: a wheel of this digest, copied into vendor/].")
def init(directory: Path, package_spec: str | None) -> None:
    """Create a new digest project in DIRECTORY (new or empty).

    It builds as it is: content/ with digest.yaml, themes.yaml, a manifest and one
    example dump, notes/, an About page, a README for you, GitHub Actions workflows
    that publish the site on GitHub Pages (on each push, and weekly with new papers
    fetched), and in vendor/ a wheel of this digest for them to install.
    """
    from generator.tools.init import init_project

    try:
        written = init_project(directory, package_spec)
    except GeneratorError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Created a digest in {directory} ({len(written)} files):")
    for rel in written:
        click.echo(f"  {rel}")
    click.echo(f"Next: cd {directory} && digest build, then open site/index.html.")


@cli.command()
@click.argument("site", type=click.Path(path_type=Path, file_okay=False), default=Path("site"))
@click.option("--base-url", help="The URL the site is published at, for its root-relative links "
              "(404.html)  [default: the one it was built with].")
@click.option("--content", "content_dir", type=click.Path(path_type=Path), default=Path("content"),
              show_default=True, help="The content folder the site is built from: checked for "
              "symbolic links that lead out of it (skipped if it does not exist).")
def check(site: Path, base_url: str | None, content_dir: Path) -> None:
    """Check a built SITE (default: site) without network.

    Every internal link, asset and #anchor must resolve; every feed must parse;
    no symbolic links, pipes or unreadable files; total size and the largest
    file within GitHub Pages' limits; no symbolic link in the content folder
    that leads out of it. Exits 1 with the list of problems.
    """
    from generator.publish.sitefolder import built_base_url
    from generator.render.hosting import base_path
    from generator.stages.read.content_links import links_leaving
    from generator.tools.check import check_site

    url = base_url or built_base_url(site) or "/"
    problems = check_site(site, base_path(url))
    if content_dir.is_dir():
        problems += links_leaving(content_dir)
    for problem in problems:
        click.echo(problem)
    if problems:
        raise click.ClickException(f"{len(problems)} problems in {site}")
    click.echo(f"{site}: no problems (served under {base_path(url)})")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@cli.command()
@click.option("--content", "content_dir", type=click.Path(path_type=Path), default=Path("content"),
              show_default=True, help=CONTENT_HELP)
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("site"),
              show_default=True, help="Where to write the site.")
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1 (0: any free).")
def serve(content_dir: Path, out_dir: Path, port: int) -> None:
    """Build, serve the site on 127.0.0.1 and rebuild when content/ or templates change.

    The site is served under the path of its base URL (e.g. /REPO/ for a GitHub
    project page), so links are tested as they will be published. A rebuild that
    fails prints the error and keeps serving the previous site. Stop with Ctrl-C.
    """
    import threading

    from generator.config import load_config
    from generator.pipeline import build as run_build
    from generator.render import default_templates_dir
    from generator.render.hosting import base_path
    from generator.tools.serve import make_server, watch

    _setup_logging(False, False)
    cache = project_cache_dir(content_dir)

    def rebuild() -> str:
        config = load_config(content_dir)
        report = run_build(config, out_dir, cache_dir=cache)
        click.echo(f"Built {report.papers} papers: {report.publish.written} files changed "
                   f"in {report.seconds:.2f} s.")
        return base_path(config.base_url)

    try:
        prefix = rebuild()
    except GeneratorError as err:
        raise click.ClickException(str(err)) from None

    def safe_rebuild() -> None:
        try:
            rebuild()
        except GeneratorError as err:
            click.echo(f"Rebuild failed; still serving the previous site:\n{err}", err=True)
        except Exception as err:  # a template error must not stop the server
            click.echo(f"Rebuild failed; still serving the previous site: {err!r}", err=True)

    server = make_server(out_dir.resolve(), prefix, port)
    stop = threading.Event()
    folders = [content_dir, default_templates_dir()]
    watcher = threading.Thread(target=watch, args=(folders, safe_rebuild, stop), daemon=True)
    watcher.start()
    click.echo(f"Serving http://127.0.0.1:{server.server_address[1]}{prefix} "
               "(rebuilds on change; Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()


def fetch_cache_dir(content_dir: Path) -> Path:
    """Raw answers of `fetch` and `enrich`, in the project's cache (safe to delete)."""
    return project_cache_dir(content_dir) / "fetch"


def project_cache_dir(content_dir: Path) -> Path:
    """The project's cache, .digest-cache/ beside the content directory (safe to delete):
    the project's own, never a folder other projects or users share (cache.cache_folder)."""
    return content_dir.resolve().parent / ".digest-cache"


def _setup_logging(quiet: bool, verbose: bool) -> None:
    level = logging.ERROR if quiet else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s", stream=sys.stderr)


def main() -> None:
    """The `digest` command (and `python -m generator`). Once the command has finished and
    its output is flushed, the process exits without the interpreter's teardown: freeing a
    build's objects and unloading SciPy one module at a time takes about 0.2 s and changes
    nothing (every file is closed and every worker joined by then)."""
    # Each stage runs with one native thread per process (parallel.one_thread), but OpenBLAS
    # starts a thread per core when NumPy is imported, and those threads spin between calls:
    # about 0.9 s of CPU in a default build. Unless the user chose a number, it starts none.
    # (NumPy is not imported yet: the commands import the model stages when they run.)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # A build makes millions of objects that live until it ends (listings, papers, theme
    # evidence) and few reference cycles; with the default thresholds the collector walks
    # the young ones every 700 allocations: a quarter of the time of reading 100,000 cached
    # papers. Collections a hundred times rarer keep memory as it was.
    gc.set_threshold(100_000, 50, 100)
    try:
        cli.main(prog_name="digest")
        code: int = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 1
        if isinstance(stop.code, str):
            print(stop.code, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    logging.shutdown()
    os._exit(code)
