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
import shutil
import stat
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from generator.errors import BuildError
from generator.publish.record import Identity, Reuse, content_hash
from generator.publish.sitefolder import (
    MARKER,
    ensure_standby,
    link_tree,
    remove_path,
    site_files,
    standby_folder,
    swap_in,
    write_marker,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PublishReport:
    """What a publish changed, compared with the previous site."""

    written: int  # files new or changed
    unchanged: int  # files whose bytes were already there
    removed: tuple[str, ...]  # files of the previous site that the new one no longer has
    total_bytes: int
    kept: int = 0  # unchanged files not even rendered: the last build's stand (reuse.py)
    # For the next build (reuse.py): each page's inputs key and bytes hash...
    pages: dict[str, tuple[bytes | None, bytes]] = field(default_factory=dict)
    # ...and every file's identity in the new site, when the live one's were known
    # (with `reuse`; else None: the caller reads them from the folder).
    state: dict[str, Identity] | None = None


Finisher = Callable[[Path, Path | None], None]


class Running(Protocol):
    """Work started elsewhere (speed.workers.Beside: a worker process), used as a context
    manager that stops it on a failure; `result()` waits for it."""

    def __enter__(self) -> Running: ...
    def __exit__(self, *exc: object) -> None: ...
    def result(self) -> Any: ...


Runner = Callable[[Callable[[], Any]], Running]  # starts work beside this process


class Later:
    """The Runner that runs nothing beside: the work is done here when its result is asked."""

    def __init__(self, work: Callable[[], Any]) -> None:
        self._work = work

    def __enter__(self) -> Later:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def result(self) -> Any:
        return self._work()
Pages = Iterable[tuple[str, bytes | None, bytes | None]]  # render.Page: path, data, key


@dataclass(frozen=True)
class Standby:
    """Where pages are written: the standby folder, the live site (None before the first
    build), the inode of each file the standby holds now (a file whose inode is the live
    file's is already the right one), and the last build's record (reuse.py), if any."""

    root: Path
    live: Path | None
    inodes: dict[str, int]
    reuse: Reuse | None


def publish_site(pages: Pages, out_dir: Path, base_url: str = "/",
                 finish: Finisher | None = None, side_pages: Callable[[], Pages] | None = None,
                 reuse: Reuse | None = None, beside: Runner | None = None) -> PublishReport:
    """Write the pages into the standby, let `finish` add its files (the search index; it gets
    the standby and the live site), and swap the standby in for out_dir: a build failing or
    killed at any point leaves the previous site as it was. Called under
    sitefolder.site_lock.

    A page whose bytes the live site has (by the record `reuse`, or else by reading the file)
    is hard-linked from it, so an unchanged file is never rewritten; a kept page (no data)
    likewise. `side_pages`, if given, makes more pages (other paths than `pages`); with
    `beside` they are rendered and written by its worker while this process writes `pages`."""
    live = out_dir if (out_dir / MARKER).is_file() else None
    target = _standby(out_dir, live, reuse if live is not None else None)
    started = time.perf_counter()
    report, state = _write_beside(pages, side_pages, target, beside)
    log.info("pages rendered and written: %.2f s", time.perf_counter() - started)
    _drop_unproduced(target, report.pages.keys())
    if finish is not None:
        finish(target.root, live)
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


def _standby(out_dir: Path, live: Path | None, reuse: Reuse | None) -> Standby:
    """The standby folder, ready to be written: emptied when there is no live site (a first
    build has nothing to keep), else with every file's inode listed."""
    root = standby_folder(out_dir)
    if live is None:
        remove_path(root)
    root.mkdir(parents=True, exist_ok=True)
    inodes = {rel: entry.inode() for rel, entry in site_files(root, dot_folders=True)}
    return Standby(root, live, inodes, reuse)


def _write_beside(pages: Pages, side_pages: Callable[[], Pages] | None, target: Standby,
                  beside: Runner | None) -> tuple[PublishReport, dict[str, Identity] | None]:
    """_write_all for `pages` here and for `side_pages` beside it at the same time; the
    two reports and states merged."""
    if side_pages is None:
        return _write_all(pages, target)
    if beside is None:
        return _merged(_write_all(pages, target), _write_all(side_pages(), target))
    reuse = target.reuse
    with beside(lambda: _as_sent(_write_all(side_pages(), target), reuse)) as side:
        started = time.perf_counter()
        report, state = _write_all(pages, target)
        mine = time.perf_counter()
        more, more_state = _as_received(side.result(), reuse)
        log.info("pages written here in %.2f s, then %.2f s waiting for the worker's",
                 mine - started, time.perf_counter() - mine)
    return _merged((report, state), (more, more_state))


def _merged(mine: Written, theirs: Written) -> Written:
    """Two _write_all results (of different pages) as one."""
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


Written = tuple[PublishReport, dict[str, Identity] | None]
Sent = tuple[PublishReport, dict[str, Identity] | None, list[str]]


def _as_sent(written: Written, reuse: Reuse | None) -> Sent:
    """A worker's _write_all result made smaller to send: the pages whose entries (key,
    bytes hash) and identities are the recorded ones go by path alone. At 100,000 papers
    that is nearly every paper page; the build's wait for the worker went from 0.39 s to
    0.20 s."""
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
    """_write_all's result again from what _as_sent made of it."""
    report, state, same = sent
    if not same:
        return report, state
    assert reuse is not None and state is not None
    recorded, was = reuse.recorded.pages, reuse.recorded.state
    return (replace(report, pages={**report.pages, **{rel: recorded[rel] for rel in same}}),
            {**state, **{rel: was[rel] for rel in same}})


def _write_all(pages: Pages, target: Standby) -> Written:
    """Write the pages into the standby: a page kept, or whose bytes the live site has, is
    hard-linked from it (nothing at all if the standby already has that file); the others
    are written anew. Returns the report (with each page's key and hash) and, with a record,
    each page's identity in the new site."""
    reuse, live = target.reuse, target.live
    entries: dict[str, tuple[bytes | None, bytes]] = {}
    state: dict[str, Identity] | None = {} if reuse is not None else None
    made: set[Path] = set()  # folders made so far: one mkdir per folder, not per page
    written = unchanged = total = kept = 0
    for rel, data, key in pages:
        if rel in entries:
            raise BuildError(f"two pages were rendered to the same path: {rel}")
        if data is None:  # kept: the file the last build wrote stands (reuse.py)
            assert reuse is not None, "a page can only be kept when the site is reused"
            entries[rel] = (key, reuse.recorded_hash(rel))
            total += reuse.live[rel][0]
            unchanged += 1
            kept += 1
            ident: Identity | None = reuse.live[rel]
            if target.inodes.get(rel) != reuse.live[rel][2]:  # (else the standby has it already)
                ident = _link_live(target, rel, made)
            if ident is None:
                raise BuildError(f"{rel}: the page went from the site during the build; "
                                 "build again")
            if state is not None:
                state[rel] = ident
            continue
        _safe_relative(rel)
        digest = content_hash(data)
        entries[rel] = (key, digest)
        total += len(data)
        if live is not None and _unchanged(target, rel, digest, data):
            ident = _link_live(target, rel, made)
            if ident is not None:
                unchanged += 1
                if state is not None:
                    state[rel] = ident
                continue
        written += 1
        ident = _write_new(target.root / rel, data, made, rel in target.inodes)
        if state is not None:
            state[rel] = ident
    report = PublishReport(written=written, unchanged=unchanged, removed=(),
                           total_bytes=total, kept=kept, pages=entries)
    return report, state


def _unchanged(target: Standby, rel: str, digest: bytes, data: bytes) -> bool:
    """Whether the live site holds this page with these bytes: by the record if there is
    one (and it knows the page), else by reading the file."""
    reuse, live = target.reuse, target.live
    assert live is not None
    if reuse is not None and (rel in reuse.recorded.pages or rel not in reuse.live):
        return reuse.has_bytes(rel, digest)
    return _holds(live / rel, data)


def _link_live(target: Standby, rel: str, made: set[Path]) -> Identity | None:
    """Make the standby's file at rel the live site's (a hard link, or a copy where the file
    system has none), unless it already is; its identity, or None if the live site lost it
    meanwhile."""
    assert target.live is not None
    source, dest = target.live / rel, target.root / rel
    ident = target.reuse.live.get(rel) if target.reuse is not None else None
    if ident is None:  # not listed (no record): asked of the file itself
        try:
            st = os.lstat(source)
        except OSError:
            return None
        ident = (st.st_size, st.st_mtime_ns, st.st_ino)
    if target.inodes.get(rel) == ident[2]:
        return ident
    _make_room(dest, made, rel in target.inodes)
    try:
        os.link(source, dest, follow_symlinks=False)
    except FileExistsError:  # a folder where the page now goes
        remove_path(dest)
        os.link(source, dest, follow_symlinks=False)
    except OSError:  # a file system without hard links: a copy
        shutil.copyfile(source, dest, follow_symlinks=False)
        st = os.lstat(dest)
        return (st.st_size, st.st_mtime_ns, st.st_ino)
    return ident


def _write_new(path: Path, data: bytes, made: set[Path], exists: bool) -> Identity:
    """Write a new file at path (never into the file there: it may be a hard link shared
    with the live site); its identity."""
    _make_room(path, made, exists)
    try:
        return write_file(path, data)
    except (FileExistsError, IsADirectoryError):  # a folder where the page now goes
        remove_path(path)
        return write_file(path, data)


def _make_room(path: Path, made: set[Path], exists: bool) -> None:
    """Make path's folder, and remove the file at path if the standby had one (`exists`)."""
    if path.parent not in made:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):  # a file where a folder now goes
            _clear_way(path.parent)
        made.add(path.parent)
    if exists:
        remove_path(path)


def _clear_way(folder: Path) -> None:
    """Remove the files that stand where `folder` or the folders above it go, then make it."""
    for parent in reversed([folder, *folder.parents]):
        if os.path.lexists(parent) and not stat.S_ISDIR(os.lstat(parent).st_mode):
            os.unlink(parent)
    folder.mkdir(parents=True, exist_ok=True)


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
    top-level dotfiles, the marker), as uptodate.site_state lists them: the files at the top
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


def write_file(path: Path, data: bytes) -> Identity:
    """Write a file that must not exist yet (so no file, or hard link, is ever written
    into) and return its identity; without Python's file object, which also asks whether
    the file is a terminal and where its end is: three system calls more per file, over
    600,000 at 100,000 papers."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        st = os.fstat(fd)
    finally:
        os.close(fd)
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _safe_relative(rel: str) -> str:
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or rel != pure.as_posix():
        raise BuildError(f"refusing to write a page outside the site: {rel!r}")
    return rel


def _holds(path: Path, data: bytes) -> bool:
    """Whether path is a plain file (not a link) with exactly these bytes."""
    try:
        return path.is_file() and not path.is_symlink() and _same(path, data)
    except OSError:
        return False


def _same(path: Path, data: bytes) -> bool:
    return path.stat().st_size == len(data) and path.read_bytes() == data


def _files(root: Path | None) -> set[str]:
    if root is None or not root.is_dir():
        return set()
    return {rel for rel, _ in site_files(root, dot_folders=True)}


def _is_dot(rel: str) -> bool:
    return any(part.startswith(".") for part in rel.split("/"))
