"""The `digest` command line: flags in, config loaded, a stage called, a report printed.

The only part of the package that prints. Each command lives with the others of its kind:

    build.py    build                        the site from the content directory
    content.py  init, ingest, fetch, enrich  what writes the content directory
    site.py     serve, check                 a built site, served or checked
    themes.py   themes, eval                 the curator's view of the theme model
    common.py   what they share (--content, errors, the project's cache folders)

A command imports the stages it runs inside its function, so `digest --help` starts
without NumPy or scikit-learn.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys

import click

from generator import __version__
from generator.cli import build, content, site, themes


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="digest")
def cli() -> None:
    """Turn collected paper listings into a static, weekly literature digest.

    Start with `digest build` in a folder that has a content/ directory; open
    site/index.html in a browser to read the result.
    """


cli.add_command(build.build)
cli.add_command(content.init)
cli.add_command(content.ingest)
cli.add_command(content.fetch)
cli.add_command(content.enrich)
cli.add_command(site.serve)
cli.add_command(site.check)
cli.add_command(themes.themes)
cli.add_command(themes.eval_command)


def main() -> None:
    """The `digest` command (and `python -m generator`). Exits with the command's status: 0,
    1 for an error, 2 for a usage error, or the command's own (`digest fetch` exits 3 when
    nothing is new). Once the command has finished and its output is flushed, the process
    ends without the interpreter's teardown: freeing a build's objects one by one (at
    100,000 papers the record alone is 400,000 of them) took 0.5 s, and it changes nothing,
    every file being closed and every worker joined by then. That kept an unchanged rebuild
    at 100,000 papers under its 2 s goal (bench/run.py: 2.41 s with the teardown, 1.92 s
    without, in one run)."""
    # Each stage runs with one native thread per process (speed.workers.one_thread), but
    # OpenBLAS starts a thread per core when NumPy is imported, and those threads spin between
    # calls: about 0.9 s of CPU in a default build. Unless the user chose a number, it starts
    # none. (NumPy is not imported yet: the commands import the model stages when they run.)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
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
