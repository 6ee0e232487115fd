"""`digest build`: the content directory in, the site out, a summary printed."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from generator.cli.common import (
    content_option,
    echo_warnings,
    project_cache_dir,
    reported_errors,
    setup_logging,
)

if TYPE_CHECKING:  # the pipeline imports the build's stages: only when a build runs
    from generator.pipeline import BuildReport


class Progress:
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


@click.command()
@content_option
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
    Warnings (bad records skipped, notes that point at nothing, a site heavier than
    size_limit_mb in digest.yaml, 1000 by default) are printed by every build, one that
    reuses the last build's work or is skipped as well, until their cause is gone.
    """
    from generator.config import load_config
    from generator.pipeline import build as run_build

    setup_logging(quiet, verbose)
    progress = Progress(enabled=not quiet and (verbose or sys.stderr.isatty()))
    try:
        with reported_errors():
            config = load_config(content_dir, base_url=base_url)
            report = run_build(config, out_dir, progress=progress, strict=strict,
                               cache_dir=None if no_cache else project_cache_dir(content_dir))
    finally:
        progress.close()
    from generator.publish.size import over_limit

    heavy = over_limit(out_dir, report.publish.total_bytes, config.size_limit_mb)
    echo_warnings(report.warnings + ((heavy,) if heavy else ()))
    if not quiet:
        _print_summary(report)


def _print_summary(report: BuildReport) -> None:
    """What was read, how it sorted into themes, and what was written (or that nothing was)."""
    themes = ", ".join(f"{slug} {n}" for slug, n in report.theme_counts.items())
    pub = report.publish
    weeks = len(report.weeks)
    click.echo(f"Read {report.listings} listings: {report.papers} papers in {weeks} "
               f"{'week' if weeks == 1 else 'weeks'} ({report.weeks[0]} to {report.weeks[-1]}).")
    click.echo(f"Themes: {themes}.")
    if report.up_to_date:
        click.echo(f"Nothing changed since the last build: {report.out_dir} is up to date "
                   f"({report.pages} files; checked in {report.seconds:.2f} s).")
    else:
        click.echo(f"Wrote {report.pages} files to {report.out_dir} ({pub.written} new or "
                   f"changed, {pub.unchanged} unchanged, {len(pub.removed)} removed; "
                   f"{pub.total_bytes / 1e6:.1f} MB) in {report.seconds:.2f} s.")
        if pub.kept:
            click.echo(f"{pub.kept} of the unchanged files were kept from the last build "
                       "without rendering them again.")
    click.echo(f"Open {(report.out_dir / 'index.html').resolve().as_uri()}")
