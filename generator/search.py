"""Full-text search for a static host: Pagefind indexes of the papers, in shards.

Each paper is indexed once, from a small page made for the indexer (title, authors, abstract),
not from its rendered page, and with nothing the theme model decides. That lets the index be
built by a worker process from the moment the papers are read, while the model runs and the
site renders (the search page's theme filter reads data/themes/<theme>.json instead).

The papers are split, oldest first, into shards of `shard_size` papers, each its own Pagefind
bundle in pagefind/<n>/; pagefind/shards.json lists them and the search page merges them in the
browser (Pagefind's mergeIndex). Sharding bounds the indexer's memory (Pagefind holds a whole
index in memory: about 1.4 GB for 10,000 pages), and a shard whose papers did not change is
reused from the previous site instead of being indexed again; a new week only changes the newest
shard. The index is written outside the staging directory and moved in at the end, so a failure
leaves the old site intact; the indexer pages are written to a memory file system where there
is one (they are read once, by Pagefind).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from .cache import package_version
from .errors import BuildError
from .models import Paper
from .parallel import Beside
from .publish import make_parent, remove_path, write_file
from .render import paper_path
from .tex import tex_to_text

log = logging.getLogger(__name__)

INDEX_DIR = "pagefind"
SHARDS_FILE = "shards.json"
SHARD_SIZE = 5000  # papers per Pagefind bundle: about 0.7 GB of memory for the indexer


@dataclass(frozen=True, slots=True)
class Shard:
    """One Pagefind bundle: its folder name, its indexer pages, and a key naming its content."""

    name: str
    pages: tuple[tuple[str, bytes], ...]  # (site-relative path, indexer page)
    key: str


def search_shards(papers: Sequence[Paper], language: str = "en",
                  shard_size: int = SHARD_SIZE) -> Iterator[Shard]:
    """The papers, oldest first, cut into shards; the same papers give the same shards.
    Made one at a time, so only one shard's indexer pages are ever in memory.

    A shard holds what a reader searches (title, authors, abstract) and nothing the theme
    model decides, so it can be indexed before the model runs, and a shard stays the same
    when the model changes its mind about an older paper. (The search page's theme filter
    reads data/themes/<theme>.json instead.)"""
    ordered = sorted(papers, key=lambda p: (p.first_seen, p.id))
    version = package_version("pagefind_bin")
    lang = escape(language)
    for number, start in enumerate(range(0, len(ordered), max(1, shard_size))):
        pages = []
        h = hashlib.sha256(f"{version}\0{lang}".encode())
        for paper in ordered[start:start + shard_size]:
            title = escape(tex_to_text(paper.title))
            authors = (f"<p>By {escape(', '.join(paper.authors[:30]))}</p>"
                       if paper.authors else "")
            page = (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
                    f"<title>{title}</title></head><body><article data-pagefind-body>"
                    f'<h1 data-pagefind-meta="title">{title}</h1>'
                    f"{authors}<p>{escape(tex_to_text(paper.abstract))}</p>"
                    "</article></body></html>\n").encode()
            path = paper_path(paper)
            h.update(b"\0" + path.encode() + b"\0" + page)
            pages.append((path, page))
        yield Shard(name=str(number), pages=tuple(pages), key=h.hexdigest()[:32])


@dataclass(frozen=True, slots=True)
class ShardDone:
    """What the indexer reports of a shard: its name, key and size, and whether it was built
    (else the previous site's copy is to be kept)."""

    name: str
    key: str
    papers: int
    built: bool


class SearchIndexer:
    """Makes the shards and indexes those that changed, in a worker process started as soon
    as the papers are read; `finish` (publish's Finisher) puts them in the site. Use as a
    context manager around the rest of the build: on a failure the worker is stopped."""

    def __init__(self, papers: Sequence[Paper], language: str, out_dir: Path,
                 shard_size: int = SHARD_SIZE) -> None:
        self.papers = papers
        self.language = language
        self.shard_size = shard_size
        self.out_dir = out_dir
        self.work: Path | None = None  # a fresh folder beside the output, made on entering
        self.scratch: Path | None = None  # where the indexer pages go (see _scratch_dir)
        self._process: subprocess.Popen[str] | None = None  # the running Pagefind, if any
        self._worker: Beside[tuple[ShardDone, ...]] | None = None
        self._parent = os.getpid()

    def __enter__(self) -> SearchIndexer:
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.work = Path(tempfile.mkdtemp(prefix=f".{self.out_dir.name}.search-",
                                          dir=self.out_dir.parent))
        self.scratch = Path(tempfile.mkdtemp(prefix="digest-search-", dir=_scratch_dir()))
        self._worker = Beside(self._run)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._worker is not None:
            self._worker.__exit__(*exc)  # stops the worker if its result was never collected
        for folder in (self.work, self.scratch):
            if folder is not None:
                remove_path(folder)

    def _run(self) -> tuple[ShardDone, ...]:
        """In the worker: index every shard whose key the previous site does not have."""
        if os.getpid() != self._parent:  # in a forked worker (not the fallback in-process)
            signal.signal(signal.SIGTERM, self._stop)
        reusable = _keys(self.out_dir / INDEX_DIR)
        done = []
        for shard in search_shards(self.papers, self.language, self.shard_size):
            built = reusable.get(shard.name) != shard.key
            if built:
                self._index(shard)
            done.append(ShardDone(shard.name, shard.key, len(shard.pages), built))
        return tuple(done)

    def _stop(self, signum: int, frame: object) -> None:
        """The build failed and stops the worker: stop its Pagefind too."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
        os._exit(1)

    def _index(self, shard: Shard) -> None:
        started = time.perf_counter()
        source = _inside(self.scratch) / f"pages-{shard.name}"
        made: set[Path] = set()
        for rel, page in shard.pages:
            make_parent(source / rel, made)
            write_file(source / rel, page)
        self._pagefind(source, _inside(self.work) / f"index-{shard.name}")
        shutil.rmtree(source)
        log.info("search shard %s (%d papers) indexed in %.2f s", shard.name, len(shard.pages),
                 time.perf_counter() - started)

    def _pagefind(self, site: Path, output: Path) -> None:
        command = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-path",
                   str(output), "--quiet"]
        try:
            # One indexing thread: the build's own processes use the other cores meanwhile.
            env = {**os.environ, "RAYON_NUM_THREADS": "1"}
            self._process = subprocess.Popen(command, stdout=subprocess.PIPE,
                                             stderr=subprocess.PIPE, text=True, env=env)
            out, err = self._process.communicate(timeout=3600)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise BuildError(f"the search index could not be built: {error}") from None
        if self._process.returncode != 0:
            detail = (err or out).strip().splitlines()[-5:]
            raise BuildError("the search index could not be built (is the pagefind[bin] "
                             "package installed?):\n" + "\n".join(detail))

    def finish(self, stage: Path, previous: Path | None, changed: frozenset[str]) -> None:
        """Wait for the indexer, then fill stage/pagefind/ with every shard: new ones moved in,
        unchanged ones hard-linked from the previous site (or indexed now if it lost them)."""
        del changed  # shards know their own content; the rendered pages do not matter here
        waited = time.perf_counter()
        assert self._worker is not None, "finish() is called inside the context"
        shards = self._worker.result()
        log.info("search index: waited %.2f s for the indexer", time.perf_counter() - waited)
        old = previous / INDEX_DIR if previous is not None else None
        old_keys = _keys(old) if old is not None else {}
        target = stage / INDEX_DIR
        target.mkdir(parents=True, exist_ok=True)
        for shard in shards:
            built = _inside(self.work) / f"index-{shard.name}"
            if shard.built:
                os.rename(built, target / shard.name)
            elif old is not None and old_keys.get(shard.name) == shard.key:
                _link_tree(old / shard.name, target / shard.name)
            else:  # the previous site changed under us: index this shard now
                self._index(next(s for s in search_shards(self.papers, self.language,
                                                          self.shard_size)
                                 if s.name == shard.name))
                os.rename(built, target / shard.name)
        listing = {"shards": [{"name": s.name, "papers": s.papers, "key": s.key}
                              for s in shards]}
        data = (json.dumps(listing, indent=1) + "\n").encode("utf-8")
        if old is not None and (old / SHARDS_FILE).is_file() \
                and (old / SHARDS_FILE).read_bytes() == data:
            _link_tree(old, target, only=SHARDS_FILE)  # unchanged: the same file, not a copy
        else:
            (target / SHARDS_FILE).write_bytes(data)


def _inside(folder: Path | None) -> Path:
    """One of the indexer's folders, which exist only inside its `with` block."""
    assert folder is not None, "the indexer is used inside its `with` block"
    return folder


def _scratch_dir(shm: Path = Path("/dev/shm")) -> str | None:
    """Where the indexer pages are written, read once by Pagefind and deleted: a memory file
    system (/dev/shm) where there is one with room, else the system's temporary folder.
    Creating a file costs far less there than on a disk's file system (on the team's machine
    about 0.4 ms of system time per file on disk, 100,000 files at 100,000 papers); a shard's
    pages take a few megabytes."""
    try:
        if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 256 << 20:
            return str(shm)
    except OSError:
        pass
    return None


def _keys(index_dir: Path) -> dict[str, str]:
    """Shard name -> key, as the previous site's shards.json records them ({} if none)."""
    try:
        listing = json.loads((index_dir / SHARDS_FILE).read_text(encoding="utf-8"))
        return {str(s["name"]): str(s["key"]) for s in listing["shards"]
                if (index_dir / str(s["name"]) / "pagefind-entry.json").is_file()}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _link_tree(source: Path, target: Path, only: str = "*") -> None:
    """Hard-link the files under source (those matching `only`) into target."""
    for path in sorted(source.rglob(only)):
        dest = target / path.relative_to(source)
        if path.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
        elif path.is_file() and not path.is_symlink():
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, dest)
            except OSError:
                shutil.copy2(path, dest)
