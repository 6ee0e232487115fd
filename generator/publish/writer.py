"""Write the site: a build's pages become the site a reader sees all at once, or not at all.

Beside each output folder (`site/`) the build keeps a working folder (`.site.digest/`) with the
build lock, the search indexer's scratch space and a standby copy of the site: the previous
build's output, whose unchanged files are hard links of the live site's. A build makes the
standby into the new site (writing only what changed; unchanged pages are hard-linked from
the live site) and then swaps the two folders with one atomic rename (renameat2's
RENAME_EXCHANGE on Linux). So a reader, or a build killed at any moment, finds the previous
site or the new one, never a mix; the standby is never served, so a build killed while
filling it leaves nothing to undo (the next one corrects it file by file, by inode), and
whatever a killed build left in the working folder is removed by the next build.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from generator.beside import Later, Runner
from generator.errors import BuildError
from generator.publish.record import Identity, Reuse
from generator.publish.sitefolder import (
    MARKER,
    ensure_standby,
    link_tree,
    remove_path,
    site_files,
    swap_in,
    write_marker,
)
from generator.publish.standby import Pages, PublishReport, Standby, Written, standby_for, write_all

log = logging.getLogger(__name__)


Finisher = Callable[[Path, Path | None], int]  # -> the bytes of the files it added


def publish_site(pages: Pages, out_dir: Path, base_url: str = "/",
                 finish: Finisher | None = None, side_pages: Callable[[], Pages] | None = None,
                 reuse: Reuse | None = None, beside: Runner = Later) -> PublishReport:
    """Write the pages into the standby, let `finish` add its files (the search index; it gets
    the standby and the live site), and swap the standby in for out_dir: a build failing or
    killed at any point leaves the previous site as it was. Called under
    sitefolder.site_lock.

    A page whose bytes the live site has (by the record `reuse`, or else by reading the file)
    is hard-linked from it, so an unchanged file is never rewritten; a kept page (no data)
    likewise. `side_pages`, if given, makes more pages (other paths than `pages`), rendered
    and written by `beside` (the build's: a worker process) while this process writes
    `pages`; by default after them, here."""
    live = out_dir if (out_dir / MARKER).is_file() else None
    target = standby_for(out_dir, live, reuse if live is not None else None)
    started = time.perf_counter()
    report, state = _write_beside(pages, side_pages, target, beside)
    log.info("pages rendered and written: %.2f s", time.perf_counter() - started)
    _drop_unproduced(target, report.pages.keys())
    if finish is not None:
        report = replace(report, total_bytes=report.total_bytes + finish(target.root, live))
    _mirror_dotfiles(live, target.root, report.pages.keys())
    write_marker(target.root, base_url)
    if state is not None:
        state.update(_identities(target.root, report.pages.keys()))
    was = set(target.reuse.live) if target.reuse is not None else _files(live)
    now = set(state) if state is not None else _files(target.root)
    report = replace(report, state=state,
                     removed=tuple(sorted(p for p in was - now if not _is_dot(p))))
    swap_in(target.root, out_dir)
    ensure_standby(out_dir)
    return report


def _write_beside(pages: Pages, side_pages: Callable[[], Pages] | None, target: Standby,
                  beside: Runner) -> tuple[PublishReport, dict[str, Identity] | None]:
    """write_all for `pages` here and for `side_pages` beside it at the same time; the
    two reports and states merged."""
    if side_pages is None:
        return write_all(pages, target)
    reuse = target.reuse
    with beside(lambda: _as_sent(write_all(side_pages(), target), reuse)) as side:
        started = time.perf_counter()
        report, state = write_all(pages, target)
        mine = time.perf_counter()
        more, more_state = _as_received(side.result(), reuse)
        log.info("pages written here in %.2f s, then %.2f s waiting for the worker's",
                 mine - started, time.perf_counter() - mine)
    return _merged((report, state), (more, more_state))


def _merged(mine: Written, theirs: Written) -> Written:
    """Two write_all results (of different pages) as one."""
    (report, state), (more, more_state) = mine, theirs
    if report.pages.keys() & more.pages.keys():
        raise BuildError("two pages were rendered to the same path: "
                         f"{min(report.pages.keys() & more.pages.keys())}")
    both = None if state is None or more_state is None else {**state, **more_state}
    return (PublishReport(written=report.written + more.written,
                          unchanged=report.unchanged + more.unchanged, removed=(),
                          total_bytes=report.total_bytes + more.total_bytes,
                          kept=report.kept + more.kept, pages={**report.pages, **more.pages}),
            both)


Sent = tuple[PublishReport, dict[str, Identity] | None, list[str]]


def _as_sent(written: Written, reuse: Reuse | None) -> Sent:
    """A worker's write_all result made smaller to send: the pages whose entries (key,
    bytes hash) and identities are the recorded ones go by path alone. On a new week at
    100,000 papers that is nearly every paper page, and the build waits for the worker's
    result half as long."""
    report, state = written
    if reuse is None or state is None:
        return report, state, []
    recorded, was = reuse.recorded.pages, reuse.recorded.state
    same = [rel for rel, entry in report.pages.items()
            if recorded.get(rel) == entry and state.get(rel) == was.get(rel)]
    if not same:
        return report, state, []
    alike = set(same)
    return (replace(report, pages={r: e for r, e in report.pages.items() if r not in alike}),
            {r: i for r, i in state.items() if r not in alike}, same)


def _as_received(sent: Sent, reuse: Reuse | None) -> Written:
    """write_all's result again from what _as_sent made of it."""
    report, state, same = sent
    if not same:
        return report, state
    assert reuse is not None and state is not None
    recorded, was = reuse.recorded.pages, reuse.recorded.state
    return (replace(report, pages={**report.pages, **{rel: recorded[rel] for rel in same}}),
            {**state, **{rel: was[rel] for rel in same}})


def _drop_unproduced(target: Standby, produced: Iterable[str]) -> None:
    """Remove from the standby the files the new site does not have (its dotfiles aside:
    _mirror_dotfiles keeps those), then the folders that left empty."""
    keep = set(produced)
    # (Dot entries below the top level are dropped too: the live site's are not carried.)
    gone = [rel for rel in target.inodes if rel not in keep and not rel.startswith(".")]
    for rel in gone:
        with_path = target.root / rel
        with_path.unlink(missing_ok=True)
    folders = {(target.root / rel).parent for rel in gone}
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        while folder != target.root and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def _mirror_dotfiles(live: Path | None, standby: Path, produced: Iterable[str]) -> None:
    """Give the standby the live site's top-level dot entries that no page makes (a .git,
    a .well-known folder: the user's, never ours), hard-linked, and drop the ones the live
    site no longer has. (A folder is linked anew each time.)"""
    ours = {rel for rel in produced if "/" not in rel} | {MARKER}
    theirs = {e.name for e in os.scandir(live) if e.name.startswith(".")} - ours \
        if live is not None else set()
    for entry in os.scandir(standby):
        stale = (entry.name not in theirs or entry.is_dir(follow_symlinks=False)
                 or entry.inode() != os.lstat(Path(live or ".") / entry.name).st_ino)
        if entry.name.startswith(".") and entry.name not in ours and stale:
            remove_path(Path(entry.path))
    for name in sorted(theirs):
        source, dest = Path(live or ".") / name, standby / name
        if os.path.lexists(dest):  # the same file already (kept above)
            continue
        if source.is_dir() and not source.is_symlink():
            link_tree(source, dest)
        else:
            os.link(source, dest, follow_symlinks=False)


def _identities(root: Path, pages: Iterable[str]) -> dict[str, Identity]:
    """The identity of every file of the site at root that is not a page (the search index,
    top-level dotfiles, the marker), as speed.skip.site_state lists them: the files at the top
    and under the top-level folders that hold no page."""
    tops = {rel.split("/", 1)[0] for rel in pages}
    found: dict[str, Identity] = {}
    with os.scandir(root) as entries:
        for entry in entries:
            if entry.name in tops or (entry.name.startswith(".") and entry.is_dir(
                    follow_symlinks=False)):
                continue
            if not entry.is_dir(follow_symlinks=False):
                st = entry.stat(follow_symlinks=False)
                found[entry.name] = (st.st_size, st.st_mtime_ns, st.st_ino)
                continue
            for rel, inner in site_files(entry.path, f"{entry.name}/"):
                st = inner.stat(follow_symlinks=False)
                found[rel] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return found


def _files(root: Path | None) -> set[str]:
    if root is None or not root.is_dir():
        return set()
    return {rel for rel, _ in site_files(root, dot_folders=True)}


def _is_dot(rel: str) -> bool:
    return any(part.startswith(".") for part in rel.split("/"))
