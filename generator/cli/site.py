"""The commands for a built site: `digest serve` builds it and serves it locally, rebuilding
on change; `digest check` looks for what would break once it is published."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from generator.cli.common import content_option, project_cache_dir, reported_errors, setup_logging
from generator.errors import GeneratorError

if TYPE_CHECKING:  # the server module is imported when `digest serve` runs
    from http.server import HTTPServer


@click.command()
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


@click.command()
@content_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("site"),
              show_default=True, help="Where to write the site.")
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1 (0: any free).")
def serve(content_dir: Path, out_dir: Path, port: int) -> None:
    """Build, serve the site on 127.0.0.1 and rebuild when content/ or templates change.

    The site is served under the path of its base URL (e.g. /REPO/ for a GitHub
    project page), so links are tested as they will be published. A rebuild that
    fails prints the error and keeps serving the previous site. Stop with Ctrl-C.
    """
    from generator.config import load_config
    from generator.pipeline import build as run_build
    from generator.render.hosting import base_path
    from generator.tools.serve import make_server

    setup_logging(False, False)
    cache = project_cache_dir(content_dir)

    def rebuild() -> str:
        config = load_config(content_dir)
        report = run_build(config, out_dir, cache_dir=cache)
        click.echo(f"Built {report.papers} papers: {report.publish.written} files changed "
                   f"in {report.seconds:.2f} s.")
        return base_path(config.base_url)

    with reported_errors():
        prefix = rebuild()
    server = make_server(out_dir.resolve(), prefix, port)
    _serve_until_stopped(server, prefix, content_dir, rebuild)


def _serve_until_stopped(server: HTTPServer, prefix: str, content_dir: Path,
                         rebuild: Callable[[], object]) -> None:
    """Serve until Ctrl-C while a thread watches the content folder and the default
    templates and rebuilds on each change."""
    import threading

    from generator.render import default_templates_dir
    from generator.tools.serve import watch

    def safe_rebuild() -> None:
        try:
            rebuild()
        except GeneratorError as err:
            click.echo(f"Rebuild failed; still serving the previous site:\n{err}", err=True)
        except Exception as err:  # a template error must not stop the server
            click.echo(f"Rebuild failed; still serving the previous site: {err!r}", err=True)

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
