"""What the command modules share: the --content option, how an error reaches the user, the
project's cache folders, logging and shortened titles."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import click

from generator.errors import GeneratorError

CONTENT_HELP = "The digest's content directory (sources/, sources.yaml, themes.yaml, digest.yaml)."

F = TypeVar("F", bound=Callable[..., object])


def content_option(command: F) -> F:
    """The --content option most commands take (`digest check` words its own help)."""
    return click.option("--content", "content_dir", type=click.Path(path_type=Path),
                        default=Path("content"), show_default=True, help=CONTENT_HELP)(command)


@contextlib.contextmanager
def reported_errors() -> Iterator[None]:
    """A GeneratorError inside becomes click's one-line "Error: ..." and exit status 1: it
    already names the file, line or key at fault, so a traceback would only hide it."""
    try:
        yield
    except GeneratorError as err:
        raise click.ClickException(str(err)) from None


def echo_warnings(warnings: tuple[str, ...]) -> None:
    """A build's warnings on stderr, one a line. A build that reuses the last one's work, or
    is skipped, has them from the last build's record (pipeline.BuildReport), so they are
    printed again on every build until their cause is gone."""
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


def project_cache_dir(content_dir: Path) -> Path:
    """The project's cache, .digest-cache/ beside the content directory (safe to delete):
    the project's own, never a folder other projects or users share (speed.store.cache_folder)."""
    return content_dir.resolve().parent / ".digest-cache"


def fetch_cache_dir(content_dir: Path) -> Path:
    """Raw answers of `fetch` and `enrich`, in the project's cache (safe to delete)."""
    return project_cache_dir(content_dir) / "fetch"


def setup_logging(quiet: bool, verbose: bool) -> None:
    """Log records to stderr: errors only with --quiet, each stage with --verbose."""
    level = logging.ERROR if quiet else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s", stream=sys.stderr)


def clip(text: str, limit: int) -> str:
    """text cut to at most limit characters, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
