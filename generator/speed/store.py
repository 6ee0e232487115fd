"""A cache for the build's stages, keyed by a hash of exactly what a stage reads.

A key covers the papers' ids, titles and abstracts (or a dump's bytes), the theme
declarations and settings where they matter, the whole package's code and the versions of
the libraries it uses, so a cached result is always the result a fresh run would give. Kept:
each dump's parse and the merge of them all (cached_read.py), the theme model's fit and its
score of each other paper, the related papers (and what extends them), the map. The folder
is safe to delete at any time.

Entries are pickles, and loading a pickle can run code, so the cache is the project's own:
it lives in the project (`cache_folder`), is used only when it belongs to the user running
the build and no one else may write to it, and every entry is sealed with an HMAC under a
random key kept beside it (`seal`): an entry that was not written by a build with that key
(planted, copied from elsewhere, truncated) or that holds a value of an unexpected type is
treated as missing and computed again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import hmac
import json
import logging
import os
import pickle
import secrets
import stat
import tempfile
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from generator.models import Paper, SourceInfo, ThemeSpec, paper_key

if TYPE_CHECKING:
    from generator.stages.merge import Titles
    from generator.stages.read import ReadResult

T = TypeVar("T")
log = logging.getLogger(__name__)
KEEP = 4  # newest entries of a name kept; older ones are removed when a new one is written
KEEP_PER_NAME = {"parsed": 1000,  # one entry per dump: an archive of dumps is all current
                 "merged": 2}  # cached_read.py's merge: one per digest (two may share a cache)
# A stored state that each build extends (the cached read's merge, the related papers' neighbourhood)
# is stored again only once what it lacks is more than this share of what it holds: storing
# either takes a worker about a second at 100,000 papers, extending it by a few weeks more
# a few hundredths; so at that size they are stored about every tenth week.
STALE = 0.02


def behind_little(lacking: int, held: int) -> bool:
    """Whether a stored state that lacks `lacking` of what a build has, and holds `held`,
    is close enough not to be stored again (STALE)."""
    return 0 <= lacking <= STALE * held
PACKAGE = Path(__file__).parents[1]  # the generator package
# Libraries whose results end up in the site: a new version may compute something else.
LIBRARIES = ("scikit-learn", "numpy", "scipy", "jinja2", "markdown", "nh3")


def package_version(name: str) -> str:
    """An installed distribution's version, or "none"."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"


def library_versions() -> str:
    """The versions of LIBRARIES, as one string for a key."""
    return " ".join(f"{name}={package_version(name)}" for name in LIBRARIES)


@functools.cache
def program_code() -> bytes:
    """A digest of the package's code (every module) and the library versions: part of every
    cache key, since a result may depend on any module (a parser's URL check lives in
    markup.py, an assignment's class in models.py). Any change of code recomputes once."""
    h = hashlib.sha256(library_versions().encode())
    for source in sorted(PACKAGE.rglob("*.py")):
        h.update(f"\0{source.relative_to(PACKAGE).as_posix()}\0".encode())
        h.update(source.read_bytes())
    return h.digest()


def inputs_key(papers: Sequence[Paper], *extra: object,
               keys: Mapping[str, bytes] | None = None) -> str:
    """A digest of the papers' ids, titles and abstracts (through their paper_key), the
    program (program_code) and any settings; the same key always means the same result.
    `keys`: paper id -> paper_key of these very papers (paper_keys), if made."""
    h = hashlib.sha256(program_code())
    for value in extra:
        h.update(b"\0" + repr(value).encode())
    known = keys if keys is not None else {}
    h.update(b"".join([known.get(p.id) or paper_key(p)
                       for p in sorted(papers, key=lambda p: p.id)]))
    return h.hexdigest()[:32]


def themes_key(trained_key: str, specs: Sequence[ThemeSpec], settings: object) -> str:
    """The key of the theme stage: its training papers' inputs_key (which covers the
    program), the theme declarations and the settings."""
    specs_json = json.dumps([dataclasses.asdict(s) for s in specs], sort_keys=True)
    return hashlib.sha256(f"{trained_key}\0{specs_json}\0{settings!r}".encode()
                          ).hexdigest()[:32]


def cache_folder(folder: Path) -> Path | None:
    """`folder` made ready to hold the cache (created private to this user if missing), or
    None, with a warning, when another user owns it or may write to it: a cache that someone
    else can write could run their code in this build (its entries are pickles)."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(folder)
    except OSError as err:
        log.warning("%s: not using the cache (%s)", folder, err.strerror or err)
        return None
    if not stat.S_ISDIR(st.st_mode):
        log.warning("%s: not using the cache: it is not a folder", folder)
        return None
    if st.st_uid != os.getuid() or st.st_mode & 0o022:
        log.warning("%s: not using the cache: it must belong to you and be writable by you "
                    "alone (chmod go-w, or delete it)", folder)
        return None
    return folder


@functools.cache
def _secret(cache_dir: Path) -> bytes:
    """The random key that seals this cache's entries, made on first use (kept readable
    by this user alone, beside the entries)."""
    path = cache_dir / "key"
    try:
        with open(path, "rb") as handle:
            secret = handle.read()
        if len(secret) == 32:
            return secret
    except FileNotFoundError:
        pass
    secret = secrets.token_bytes(32)
    fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".key-")  # made 0600
    with os.fdopen(fd, "wb") as handle:
        handle.write(secret)
    os.replace(tmp, path)  # a key replaced means every entry is computed again: never wrong
    return secret


SEAL = b"digest-cache-1\n"  # what every entry starts with, then its HMAC


def seal(cache_dir: Path, label: str, data: bytes) -> bytes:
    """`data` as stored: a header and an HMAC-SHA256 of the label (the entry's name and key,
    so an entry cannot be passed off as another) and the data, under the cache's key."""
    mac = hmac.new(_secret(cache_dir), label.encode() + b"\0", hashlib.sha256)
    mac.update(data)
    return SEAL + mac.digest() + data


def unseal(cache_dir: Path, label: str, sealed: bytes) -> memoryview | None:
    """The data `seal` stored under `label`, or None if the seal does not hold."""
    start = len(SEAL) + 32
    if not sealed.startswith(SEAL) or len(sealed) < start:
        return None
    data = memoryview(sealed)[start:]
    mac = hmac.new(_secret(cache_dir), label.encode() + b"\0", hashlib.sha256)
    mac.update(data)
    return data if hmac.compare_digest(mac.digest(), sealed[len(SEAL):start]) else None


def cached(cache_dir: Path | None, name: str, key: str, compute: Callable[[], T],
           kind: type | tuple[type, ...] = object) -> T:
    """compute(), or its stored result for this key; a broken or missing entry, or one
    that is not a `kind`, is recomputed."""
    if cache_dir is None:
        return compute()
    found = stored(cache_dir, name, key, kind)
    if found is not None:
        return found  # type: ignore[no-any-return]
    result = compute()
    store(cache_dir, name, key, result)
    return result


def stored(cache_dir: Path | None, name: str, key: str,
           kind: type | tuple[type, ...] = object) -> Any:
    """The value stored under name and key, or None (none, unreadable, not sealed by this
    cache's key, not a `kind`, or no cache)."""
    if cache_dir is None:
        return None
    try:
        with open(cache_dir / f"{name}-{key}.pickle", "rb") as handle:
            data = unseal(cache_dir, f"{name}-{key}", handle.read())
        value = pickle.loads(data) if data is not None else None
    except Exception:  # unreadable, truncated, or of classes this program no longer has
        return None
    return value if isinstance(value, kind) else None


def store(cache_dir: Path | None, name: str, key: str, value: object) -> None:
    """Store a value under name and key (atomically), then drop the oldest entries of its
    name; best effort: a cache that cannot be written only costs time."""
    if cache_dir is None:
        return
    tmp = None
    try:
        cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        data = seal(cache_dir, f"{name}-{key}",
                    pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=f".{name}-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, cache_dir / f"{name}-{key}.pickle")
        tmp = None
        _prune(cache_dir, name)
    except Exception:  # a full disk, a value that cannot be pickled
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def cached_each(cache_dir: Path | None, name: str, key: str, papers: Sequence[Paper],
                compute: Callable[[Sequence[Paper]], dict[str, T]],
                keys: Mapping[str, bytes] | None = None) -> dict[str, T]:
    """compute(papers) (paper id -> result), taking from the store every paper whose id,
    title and abstract were computed before under this key and computing only the others.

    For results that depend on their own paper and on what `key` stands for alone (the
    theme model's scores of papers outside its fit): a new week costs its new papers only.
    `keys`: the papers' paper_keys, if made."""
    if cache_dir is None:
        return compute(papers)
    known: dict[bytes, T] = stored(cache_dir, name, key, dict) or {}
    names = {paper.id: keys[paper.id] if keys is not None else paper_key(paper)
             for paper in papers}
    missing = [paper for paper in papers if names[paper.id] not in known]
    fresh = compute(missing) if missing else {}
    result = {paper.id: fresh[paper.id] if paper.id in fresh else known[names[paper.id]]
              for paper in papers}
    if missing or len(known) != len(names):  # store exactly the current papers' results
        store(cache_dir, name, key, {names[pid]: value for pid, value in result.items()})
    return result


def dump_key(path: Path, source: SourceInfo, display: str) -> str:
    """The key of a dump's parse: its bytes, its manifest entry, the path shown in its
    messages and the program. The file is read and hashed every time (a quarter of a second
    for 130 MB), never trusted by its name or date. Raises OSError if it cannot be read."""
    h = _program_hash().copy()
    h.update(f"\0{source!r}\0{display}\0".encode())
    with open(path, "rb") as handle:
        h.update(handle.read())
    return h.hexdigest()[:32]


@functools.cache
def _program_hash() -> hashlib._Hash:
    return hashlib.sha256(program_code())


def read_parsed(cache_dir: Path, path: Path, source: SourceInfo, display: str, key: str,
                titles: Titles | None = None) -> ReadResult:
    """The dump's parse stored under its dump_key `key`, else parsed and stored: a new
    week's build parses only the new dump. Each dump's titles with their keys and slugs
    (stages.merge.Titles) are kept with its parse and added to `titles`, so that merging makes
    them for the new dump's only."""
    from generator.stages.merge import title_keys
    from generator.stages.read import read_source

    def parse() -> tuple[ReadResult, Titles]:
        result = read_source(path, source, display)
        return result, title_keys(li.title for li in result.listings)

    result, keys = cached(cache_dir, "parsed", key, parse, tuple)
    if titles is not None:
        titles.update(keys)
    return result


def _prune(cache_dir: Path, name: str) -> None:
    entries = sorted(cache_dir.glob(f"{name}-*.pickle"), key=lambda p: p.stat().st_mtime,
                     reverse=True)
    for old in entries[KEEP_PER_NAME.get(name, KEEP):]:
        old.unlink(missing_ok=True)
