"""The output folder and the working folder beside it: which outputs a build may replace, one
build at a time, the atomic swap of the standby site for the live one, and the cleaning up of
whatever a killed build left.

For an output `site/` the working folder is `.site.digest/`, in the same parent (so on the same
file system: the swap is a rename). It holds `lock` (one build at a time), `standby/` (the site
the next swap makes live; see writer.py) and the search indexer's `search-*` scratch folders.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import functools
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from generator.errors import BuildError

log = logging.getLogger(__name__)
MARKER = ".digest-site"  # written into every output directory this program produced
STANDBY = "standby"
LOCK = "lock"
RETIRED = "retired"  # the old site during a swap made of plain renames (no renameat2)
AT_FDCWD = -100
RENAME_EXCHANGE = 2  # linux/fs.h


def check_out_dir(out_dir: Path, content_dir: Path) -> None:
    """Refuse an output directory a build could damage by replacing it, before anything is
    written anywhere."""
    out, content = out_dir.resolve(), content_dir.resolve()
    if out == Path(out.anchor) or out == Path.home().resolve():
        raise BuildError(f"{out_dir}: refusing to build into the root or home directory")
    if out == content or out in content.parents:
        raise BuildError(f"{out_dir}: refusing to build into the content directory or a folder "
                         "that contains it")
    if content in out.parents:
        raise BuildError(f"{out_dir}: refusing to build inside the content directory (the "
                         "site would become part of the digest's input)")
    if out_dir.is_symlink():
        raise BuildError(f"{out_dir}: the output directory is a symbolic link; give its target")
    if out_dir.exists() and not out_dir.is_dir():
        raise BuildError(f"{out_dir}: exists and is not a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise BuildError(f"{out_dir}: not empty and not made by digest (no {MARKER} file); "
                         "refusing to replace it. Choose another --out or empty it yourself")


def working_folder(out_dir: Path) -> Path:
    """The build's working folder beside out_dir (see the module docstring)."""
    return out_dir.parent / f".{out_dir.name}.digest"


def standby_folder(out_dir: Path) -> Path:
    return working_folder(out_dir) / STANDBY


@contextlib.contextmanager
def site_lock(out_dir: Path) -> Iterator[None]:
    """One build at a time per output directory (a second one waits for the first); once the
    lock is held, what killed builds left is cleaned up."""
    work = working_folder(out_dir)
    work.mkdir(parents=True, exist_ok=True)
    with open(work / LOCK, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            clean_leftovers(out_dir)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def clean_leftovers(out_dir: Path) -> None:
    """Remove what builds killed midway left (only called under the lock): scratch folders in
    the working folder, and the staging and search folders earlier versions left beside the
    site. A swap cut short between its renames is completed first."""
    work = working_folder(out_dir)
    retired = work / RETIRED
    if retired.is_dir():
        if not out_dir.exists():  # killed between taking the old site away and the new in
            os.rename(retired, out_dir)
        elif not (work / STANDBY).exists():
            os.rename(retired, work / STANDBY)
    for entry in work.iterdir():
        if entry.name not in (LOCK, STANDBY):
            remove_path(entry)
    for pattern in (".staging-*", ".search-*", ".old-*"):
        for entry in out_dir.parent.glob(f".{out_dir.name}{pattern}"):
            remove_path(entry)


def swap_in(standby: Path, out_dir: Path) -> None:
    """Make the finished standby the live site in one atomic step; the old site becomes the
    standby. Where the system cannot exchange two folders atomically, three renames do it
    and a build killed between them is completed by the next (clean_leftovers)."""
    if not out_dir.exists():
        os.rename(standby, out_dir)
        return
    if _exchange(standby, out_dir):
        return
    retired = standby.parent / RETIRED
    os.rename(out_dir, retired)
    os.rename(standby, out_dir)
    os.rename(retired, standby)


@functools.cache
def _renameat2() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    """libc's renameat2 (Linux, glibc 2.28 and later), or None."""
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _exchange(first: Path, second: Path) -> bool:
    """Exchange two folders atomically; False where the system or file system cannot."""
    function = _renameat2()
    if function is None:
        return False
    if function(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second),
                RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def ensure_standby(out_dir: Path) -> None:
    """After the first swap there is no previous site to stand by: make one of hard links
    to the live site's files, so that the next build writes only what changes."""
    standby = standby_folder(out_dir)
    if standby.exists() or not out_dir.is_dir():
        return
    link_tree(out_dir, standby)


def link_tree(source: Path, target: Path) -> None:
    """Make target a copy of source whose files are hard links (copies where the file system
    has none); symbolic links are copied as links."""
    target.mkdir(parents=True, exist_ok=True)
    with os.scandir(source) as entries:
        for entry in entries:
            dest = target / entry.name
            if entry.is_dir(follow_symlinks=False):
                link_tree(Path(entry.path), dest)
            elif entry.is_symlink():
                os.symlink(os.readlink(entry.path), dest)
            else:
                try:
                    os.link(entry.path, dest, follow_symlinks=False)
                except OSError:
                    shutil.copy2(entry.path, dest, follow_symlinks=False)


def site_files(root: Path | str, prefix: str = "", dot_folders: bool = False
               ) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every file of a site (a link, pipe or other non-folder counts as a file) as its path
    relative to root and its directory entry, without following links; dot-folders (a
    user's .git, say) are not the build's and are left out unless `dot_folders`. The one
    walk of a site: what the record lists (speed.skip.site_state) and what the standby holds
    (publish)."""
    with os.scandir(root) as entries:
        for entry in entries:
            if not entry.is_dir(follow_symlinks=False):
                yield prefix + entry.name, entry
            elif dot_folders or not entry.name.startswith("."):
                yield from site_files(entry.path, f"{prefix}{entry.name}/", dot_folders)


def remove_path(path: Path) -> None:
    """Delete a file or a whole folder (a symlink itself, never its target), if it is there."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)
    elif os.path.lexists(path):  # a FIFO, a socket
        os.unlink(path)


def built_base_url(site: Path) -> str | None:
    """The base URL a site was built with, as its marker file records it."""
    try:
        for line in (site / MARKER).read_text(encoding="utf-8").splitlines():
            if line.startswith("base_url: "):
                return line.removeprefix("base_url: ").strip()
    except OSError:
        return None
    return None


def write_marker(site: Path, base_url: str) -> None:
    """The file that says a folder is a site this program made (check_out_dir) and with
    which base URL (built_base_url); replaced, never written into (it may be a hard link
    shared with the live site)."""
    marker = site / MARKER
    text = f"This directory is written by `digest build`.\nbase_url: {base_url}\n"
    if not marker.is_file() or marker.read_text(encoding="utf-8") != text:
        tmp = site / f"{MARKER}.tmp"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, marker)

