"""The `digest` command line: flags in, config loaded, a stage called, a report printed."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import GeneratorError

CONTENT_HELP = "The digest's content directory (sources/, sources.yaml, themes.yaml, digest.yaml)."


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
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors and warnings.")
@click.option("-v", "--verbose", is_flag=True, help="Also print each stage as it runs.")
def build(content_dir: Path, out_dir: Path, base_url: str | None, strict: bool, quiet: bool,
          verbose: bool) -> None:
    """Build the site from the listings in the content directory.

    Reads every dump named in sources.yaml, merges listings of the same paper,
    sorts papers into the themes of themes.yaml and their first-seen weeks, and
    writes the pages, data/papers.json and assets into the output directory.
    """
    from .build import build as run_build
    from .config import load_config

    _setup_logging(quiet, verbose)
    progress = _Progress(enabled=not quiet and (verbose or sys.stderr.isatty()))
    try:
        config = load_config(content_dir, base_url=base_url)
        report = run_build(config, out_dir, progress=progress, strict=strict)
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
    click.echo(f"Read {report.listings} listings: {report.papers} papers in "
               f"{len(report.weeks)} weeks ({report.weeks[0]} to {report.weeks[-1]}).")
    click.echo(f"Themes: {themes}.")
    click.echo(f"Wrote {report.pages} files to {report.out_dir} ({pub.written} new or changed, "
               f"{pub.unchanged} unchanged, {len(pub.removed)} removed; "
               f"{pub.total_bytes / 1e6:.1f} MB) in {report.seconds:.2f} s.")
    click.echo(f"Open {(report.out_dir / 'index.html').resolve().as_uri()}")


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--content", "content_dir", type=click.Path(path_type=Path), default=Path("content"),
              show_default=True, help=CONTENT_HELP)
@click.option("--date", "collected", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The day the listing was collected, YYYY-MM-DD  [default: today]. Papers "
              "not seen before belong to this date's week.")
@click.option("--query", default="", help="The search query the listing came from.")
def ingest(file: Path, content_dir: Path, collected: dt.datetime | None, query: str) -> None:
    """Add a listing dump FILE to the digest's sources.

    Checks that FILE parses, copies it into content/sources/ and records it in
    sources.yaml with its date and query. A file that does not parse is refused
    and nothing changes; ingesting the same file again changes nothing. Run
    `digest build` afterwards to publish it.
    """
    from .ingest import ingest_file

    day = collected.date() if collected else dt.date.today()
    try:
        report = ingest_file(content_dir, file, day, query=query)
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


def _setup_logging(quiet: bool, verbose: bool) -> None:
    level = logging.ERROR if quiet else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s", stream=sys.stderr)


def main() -> None:  # pragma: no cover - `python -m generator`
    cli()
