"""The commands for a built site: `digest serve` builds it and serves it locally, rebuilding
on change; `digest check` looks for what would break once it is published."""

from __future__ import annotations

import errno
import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from generator.cli.common import (
    content_option,
    echo_warnings,
    project_cache_dir,
    reported_errors,
    setup_logging,
)
from generator.errors import GeneratorError

if TYPE_CHECKING:  # the tools are imported when their command runs
    from generator.tools.check import SiteCheck
    from generator.tools.serve import SiteServer


@click.command()
@click.argument("site", type=click.Path(path_type=Path, file_okay=False), default=Path("site"))
@click.option("--base-url", help="The URL the site is published at: its root-relative links "
              "(404.html), the sitemap's URLs and the feeds' links into the site must lead "
              "there  [default: the one it was built with].")
@click.option("--content", "content_dir", type=click.Path(path_type=Path), default=Path("content"),
              show_default=True, help="The content folder the site is built from: checked for "
              "symbolic links that lead out of it, and its size_limit_mb read (skipped if it "
              "does not exist).")
def check(site: Path, base_url: str | None, content_dir: Path) -> None:
    """Check a built SITE (default: site) without network, and say what was checked.

    Every internal link, asset and #anchor must resolve; every feed must parse and
    have what feed readers need, and its links into the site must resolve, as must
    every URL of the sitemap; no symbolic links, pipes or unreadable files; total
    size (size_limit_mb in digest.yaml, 1000 by default) and the largest file within
    GitHub Pages' limits; no symbolic link in the content folder that leads out of it.
    Prints how many files, pages, links, anchors, feeds and sitemap URLs it checked;
    exits 1 with the list of problems.
    """
    from generator.publish.sitefolder import built_base_url
    from generator.render.hosting import base_path
    from generator.stages.read.content_links import links_leaving
    from generator.tools.check import survey_site

    url = base_url or built_base_url(site) or "/"
    found = survey_site(site, url, _size_limit(content_dir))
    problems = list(found.problems)
    if content_dir.is_dir():
        problems += links_leaving(content_dir)
    for problem in problems:
        click.echo(problem)
    if site.is_dir():  # (else the one problem says it all)
        click.echo(_checked(found, content_dir if content_dir.is_dir() else None))
    if problems:
        raise click.ClickException(f"{_n(len(problems), 'problem')} in {site}")
    click.echo(f"{site}: no problems (served under {base_path(url)})")


def _size_limit(content_dir: Path) -> float:
    """size_limit_mb of the content's digest.yaml; the default when there is none (a broken
    config is the build's to report, not the site check's)."""
    from generator.config import load_config
    from generator.errors import ConfigError
    from generator.publish.size import DEFAULT_LIMIT_MB

    if not (content_dir / "digest.yaml").is_file():
        return DEFAULT_LIMIT_MB
    try:
        return load_config(content_dir).size_limit_mb
    except ConfigError:
        return DEFAULT_LIMIT_MB


def _checked(found: SiteCheck, content_dir: Path | None) -> str:
    """What `check` looked at, in counts of what the checks visited."""
    parts = [f"{_n(found.files, 'file')} ({found.bytes / 1e6:.1f} MB) against the size limits",
             f"{_n(found.pages, 'page')} with {_n(found.links, 'link')} into the site and "
             f"{_n(found.anchors, '#anchor')} ({_n(found.external, 'link')} to other sites "
             "not followed)",
             f"{_n(found.feeds, 'feed')} with {_n(found.entries, 'entry', 'entries')} and "
             f"{_n(found.feed_links, 'link')} into the site"]
    if found.sitemaps:
        parts.append(f"{_n(found.sitemaps, 'sitemap')} of {_n(found.sitemap_urls, 'URL')}")
    if content_dir is not None:
        parts.append(f"the symbolic links in {content_dir}")
    return f"Checked {', '.join(parts[:-1])} and {parts[-1]}."


def _n(count: int, one: str, many: str | None = None) -> str:
    """"1 page", "1,234 pages"."""
    return f"{count:,} {one if count == 1 else many or one + 's'}"


@click.command()
@content_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("site"),
              show_default=True, help="Where to write the site.")
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1 (0: any free "
              "one). If the default port is in use, any free one is taken instead; a port "
              "given here must be free.")
def serve(content_dir: Path, out_dir: Path, port: int) -> None:
    """Build, serve the site on 127.0.0.1 and rebuild when content/ or templates change.

    The site is served under the path of its base URL (e.g. /REPO/ for a GitHub
    project page), so links are tested as they will be published; the address
    printed is the one it is served at. Every build, the first and each rebuild,
    prints its warnings (bad records skipped, notes that point at nothing) until
    their cause is gone, as `digest build` does. A rebuild that fails prints the
    error and keeps serving the previous site. Stop with Ctrl-C.
    """
    from generator.config import load_config
    from generator.render.hosting import base_path

    setup_logging(False, False)
    with reported_errors():
        prefix = base_path(load_config(content_dir).base_url)
    # The port is taken before the first build, so a busy one is said at once.
    server = _bind(out_dir.resolve(), prefix, port, chosen=_given(click.get_current_context(),
                                                                  "port"))
    from generator.render import default_templates_dir
    from generator.tools.serve import snapshot

    folders = [content_dir, default_templates_dir()]
    # The files as the first build reads them, taken before it: an edit made while it runs,
    # or just after "Serving" is printed, is a change the watcher sees.
    before = snapshot(folders)
    try:
        rebuild = functools.partial(_build_and_tell, content_dir, out_dir, server)
        with reported_errors():
            rebuild()
        _serve_until_stopped(server, folders, before, rebuild)
    finally:
        server.server_close()


def _given(ctx: click.Context, name: str) -> bool:
    """Whether the user gave option `name` (rather than leaving it at its default)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source is not click.core.ParameterSource.DEFAULT


def _bind(site: Path, prefix: str, port: int, chosen: bool) -> SiteServer:
    """The server on `port`; when the default port is in use, on any free one instead (said
    here; the address printed later has the port really bound). A port the user chose
    that cannot be had is an error."""
    from generator.tools.serve import make_server

    try:
        return make_server(site, prefix, port)
    except OSError as err:
        if err.errno == errno.EADDRINUSE and not chosen:
            click.echo(f"Port {port} is in use; serving on a free port instead.")
            return make_server(site, prefix, 0)
        reason = "is in use" if err.errno == errno.EADDRINUSE else \
            f"cannot be used ({err.strerror or err})"
        raise click.ClickException(f"port {port} on 127.0.0.1 {reason}: choose another with "
                                   "--port (0: any free port)") from None


def _build_and_tell(content_dir: Path, out_dir: Path, server: SiteServer) -> None:
    """One build as `serve` runs it: its warnings and what it did printed (a skipped build's
    warnings are the last build's, still true), and the base path served moved (and said)
    if the base URL changed."""
    from generator.config import load_config
    from generator.pipeline import build as run_build
    from generator.render.hosting import base_path
    from generator.tools.serve import server_url

    config = load_config(content_dir)
    report = run_build(config, out_dir, cache_dir=project_cache_dir(content_dir))
    echo_warnings(report.warnings)  # (first, as `digest build` prints them)
    if report.up_to_date:
        click.echo(f"Nothing changed since the last build: {report.papers} papers, "
                   f"{report.pages} files ({report.seconds:.2f} s).")
    else:
        pub = report.publish
        click.echo(f"Built {report.papers} papers: {pub.written} files new or changed, "
                   f"{len(pub.removed)} removed, in {report.seconds:.2f} s.")
    prefix = base_path(config.base_url)
    if prefix != server.base_path:
        server.base_path = prefix
        click.echo(f"The base URL changed: now serving {server_url(server)}")


def _serve_until_stopped(server: SiteServer, folders: list[Path],
                         since: dict[str, tuple[int, int]],
                         rebuild: Callable[[], object]) -> None:
    """Serve until Ctrl-C while a thread watches folders (the content folder and the
    default templates) and rebuilds on each change from `since`."""
    import threading

    from generator.tools.serve import server_url, watch

    def safe_rebuild() -> None:
        try:
            rebuild()
        except GeneratorError as err:
            click.echo(f"Rebuild failed; still serving the previous site:\n{err}", err=True)
        except Exception as err:  # a template error must not stop the server
            click.echo(f"Rebuild failed; still serving the previous site: {err!r}", err=True)

    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(folders, safe_rebuild, stop),
                               kwargs={"since": since}, daemon=True)
    watcher.start()
    click.echo(f"Serving {server_url(server)} (rebuilds on change; Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
