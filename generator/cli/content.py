"""The commands that write the content directory: `digest init` makes one, `digest ingest`
adds a dump, `digest fetch` collects dumps from the services, `digest enrich` looks up what
listings lack. The build only ever reads what they wrote."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from generator.cli.common import clip, content_option, fetch_cache_dir, reported_errors

NOTHING_NEW = 3  # `digest fetch`'s exit status when no service had a new paper


def _parser_names() -> list[str]:
    from generator.stages.read import PARSERS

    return list(PARSERS)


class _Day(click.DateTime):
    """A YYYY-MM-DD option (--date, --since), refused outside the dates a digest takes
    (stages/read/fields.py): a day in year 9999 was stored and broke every later build."""

    def __init__(self) -> None:
        super().__init__(formats=["%Y-%m-%d"])

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> dt.datetime:
        from generator.stages.read.fields import outside_dates

        day = super().convert(value, param, ctx)
        if outside := outside_dates(day):
            self.fail(outside, param, ctx)
        return day


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@content_option
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
    with reported_errors():
        report = ingest_file(content_dir, file, day, query=query, fmt=fmt or "", strict=strict)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if report.added:
        click.echo(f"Added {report.file} ({report.listings} listings, collected {day}): "
                   f"{report.new_papers} new papers, {report.known_papers} already known.")
    else:
        click.echo(f"Already ingested as {report.file}; nothing changed "
                   f"({report.known_papers} papers, all already known).")


@click.command()
@content_option
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
    with reported_errors():
        config = load_config(content_dir)
        window = window_of(config, day, since.date() if since else None)
        click.echo(f"Window: {window.since} to {window.until}.")
        if dry_run:
            click.echo("Would ask first:")
            for line in plan(config, window):
                click.echo(f"  {line}")
        report = run_fetch(config, window, fetch_cache_dir(content_dir), dry_run=dry_run)
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


@click.command()
@content_option
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
    with reported_errors():
        config = load_config(content_dir)
        papers = read_papers(config).papers
        report = run_enrich(config, papers, day, fetch_cache_dir(content_dir), limit,
                            dry_run=dry_run)
    for entry in report.found:
        click.echo(f"Found arXiv:{entry.arxiv_id} for {clip(entry.title, 80)} "
                   f"({entry.found_by.split(',')[0]})")
    for entry in report.not_found:
        click.echo(f"Not found: {clip(entry.title, 80)} ({entry.found_by})")
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


@click.command()
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

    with reported_errors():
        written = init_project(directory, package_spec)
    click.echo(f"Created a digest in {directory} ({len(written)} files):")
    for rel in written:
        click.echo(f"  {rel}")
    click.echo(f"Next: cd {directory} && digest build, then open site/index.html.")
