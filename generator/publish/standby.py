"""Filling the standby: each page linked from the live site when it is kept or its bytes are
already there, else written as a new file; what was written is reported for the next build."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import BuildError
from generator.publish.files import holds, make_room, safe_relative, write_new
from generator.publish.record import Identity, Reuse, content_hash
from generator.publish.sitefolder import remove_path, site_files, standby_folder


@dataclass(frozen=True, slots=True)
class PublishReport:
    """What a publish changed, compared with the previous site."""

    written: int  # files new or changed
    unchanged: int  # files whose bytes were already there
    removed: tuple[str, ...]  # files of the previous site that the new one no longer has
    total_bytes: int
    kept: int = 0  # unchanged files not even rendered: the last build's stand (speed/kept_pages.py)
    # For the next build (speed/kept_pages.py): each page's inputs key and bytes hash...
    pages: dict[str, tuple[bytes | None, bytes]] = field(default_factory=dict)
    # ...and every file's identity in the new site, when the live one's were known
    # (with `reuse`; else None: the caller reads them from the folder).
    state: dict[str, Identity] | None = None


Pages = Iterable[tuple[str, bytes | None, bytes | None]]  # render.Page: path, data, key


@dataclass(frozen=True)
class Standby:
    """Where pages are written: the standby folder, the live site (None before the first
    build), the inode of each file the standby holds now (a file whose inode is the live
    file's is already the right one), and the last build's record (speed/kept_pages.py), if any."""

    root: Path
    live: Path | None
    inodes: dict[str, int]
    reuse: Reuse | None


Written = tuple[PublishReport, dict[str, Identity] | None]


def standby_for(out_dir: Path, live: Path | None, reuse: Reuse | None) -> Standby:
    """The standby folder, ready to be written: emptied when there is no live site (a first
    build has nothing to keep), else with every file's inode listed."""
    root = standby_folder(out_dir)
    if live is None:
        remove_path(root)
    root.mkdir(parents=True, exist_ok=True)
    inodes = {rel: entry.inode() for rel, entry in site_files(root, dot_folders=True)}
    return Standby(root, live, inodes, reuse)


def write_all(pages: Pages, target: Standby) -> Written:
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
        if data is None:  # kept: the file the last build wrote stands (speed/kept_pages.py)
            assert reuse is not None, "a page can only be kept when the site is reused"
            entries[rel] = (key, reuse.recorded_hash(rel))
            total += reuse.live[rel][0]
            unchanged += 1
            kept += 1
            ident: Identity | None = reuse.live[rel]
            if target.inodes.get(rel) != reuse.live[rel][2]:  # (else the standby has it already)
                ident = link_live(target, rel, made)
            if ident is None:
                raise BuildError(f"{rel}: the page went from the site during the build; "
                                 "build again")
            if state is not None:
                state[rel] = ident
            continue
        safe_relative(rel)
        digest = content_hash(data)
        entries[rel] = (key, digest)
        total += len(data)
        if live is not None and live_holds(target, rel, digest, data):
            ident = link_live(target, rel, made)
            if ident is not None:
                unchanged += 1
                if state is not None:
                    state[rel] = ident
                continue
        written += 1
        ident = write_new(target.root / rel, data, made, rel in target.inodes)
        if state is not None:
            state[rel] = ident
    report = PublishReport(written=written, unchanged=unchanged, removed=(),
                           total_bytes=total, kept=kept, pages=entries)
    return report, state


def live_holds(target: Standby, rel: str, digest: bytes, data: bytes) -> bool:
    """Whether the live site holds this page with these bytes: by the record if there is
    one (and it knows the page), else by reading the file."""
    reuse, live = target.reuse, target.live
    assert live is not None
    if reuse is not None and (rel in reuse.recorded.pages or rel not in reuse.live):
        return reuse.has_bytes(rel, digest)
    return holds(live / rel, data)


def link_live(target: Standby, rel: str, made: set[Path]) -> Identity | None:
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
    make_room(dest, made, rel in target.inodes)
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
