"""Full-text search for a static host: our own index of the papers (render/search_index.py), in
shards, made by a worker process while the rest of the build runs.

Each paper is indexed once, from its title, authors and abstract, with nothing the theme model
decides. That lets the index be made from the moment the papers are read, while the model runs
and the site renders (the search page's theme filter reads data/search-themes.json instead).

The papers are split, oldest first, into shards of `shard_size` papers, each a folder
search/<n>/ of gzip-compressed JSON files; search/shards.json, which the search page reads
first, lists them as plain JSON, and the search page queries them all. A shard whose
papers did not change is reused from the previous site instead of being made again, so a new
week only changes the newest shard. The index is written in the build's working folder and
moved into the standby site at the end (writer.py), so a failure leaves the old site intact.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import Stemmer

from generator.beside import Later, Runner, Running
from generator.models import Paper
from generator.publish.files import write_file
from generator.publish.sitefolder import remove_path, working_folder
from generator.render.search_index import (
    DOC_BLOCK,
    IndexedPaper,
    authors_of,
    file_names,
    index_shard,
    indexed,
)
from generator.render.search_terms import stems

log = logging.getLogger(__name__)
PACKAGE = Path(__file__).parents[1]  # the generator package: its code keys the shards

INDEX_DIR = "search"
SHARDS_FILE = "shards.json"
FORMAT = 4  # of shards.json and the shard files, as search.js reads them (4: gzip files)
# Papers per shard: a new week makes at most this many papers' index again, and a query loads
# a file or two per term from every shard (four at 100,000 papers).
SHARD_SIZE = 25_000


@dataclass(frozen=True, slots=True)
class Shard:
    """One shard: its folder name, its papers (oldest first) and a key naming its content
    (the papers' searched and shown fields, the language and the indexing code)."""

    name: str
    members: tuple[Paper, ...]
    key: str

    @property
    def papers(self) -> tuple[IndexedPaper, ...]:
        """The shard's papers as the index reads them: made only for a shard that is
        indexed, since converting every abstract's TeX to text takes about 2.5 s of CPU at
        100,000 papers, competing with the build for the cores when a new week changes
        one shard."""
        return tuple(map(indexed, self.members))


def search_shards(papers: Sequence[Paper], language: str = "en",
                  shard_size: int = SHARD_SIZE) -> Iterator[Shard]:
    """The papers, oldest first, cut into shards; the same papers give the same shards.

    A shard holds what a reader searches (title, authors, abstract) and nothing the theme
    model decides, so it can be indexed before the model runs, and a shard stays the same
    when the model changes its mind about an older paper. Its key hashes those fields as
    read, with the code that turns them into the index's files (render/search_index.py and
    the text/tex*.py modules)."""
    ordered = sorted(papers, key=lambda p: (p.first_seen, p.id))
    code = b"".join((PACKAGE / name).read_bytes()
                    for name in ("render/search_index.py", "render/search_terms.py",
                                 "text/sentences.py", "text/tex.py",
                                 "text/tex_nodes.py", "text/tex_parser.py",
                                 "text/tex_symbols.py"))
    code += Stemmer.version().encode()  # the stemmer's rules are part of the index
    for number, start in enumerate(range(0, len(ordered), max(1, shard_size))):
        members = tuple(ordered[start:start + shard_size])
        h = hashlib.sha256(code + f"\0{stems(language)}".encode())
        h.update("\0".join(itertools.chain.from_iterable(
            (p.slug, p.title, authors_of(p), str(len(p.authors)), p.abstract,
             str(p.published or p.first_seen)) for p in members)).encode())
        yield Shard(name=str(number), members=members, key=h.hexdigest()[:32])


@dataclass(frozen=True, slots=True)
class ShardDone:
    """What the indexer reports of a shard: its name, key and size, the first term of each
    of its term files, and whether it was built (else the previous site's copy is kept)."""

    name: str
    key: str
    papers: int
    firsts: tuple[str, ...]
    built: bool


class SearchIndexer:
    """Makes the shards and indexes those that changed, started as soon as the papers are
    read (`beside`: where it runs, a worker process; by default here, when `finish` needs it);
    `finish` (publish's Finisher) puts them in the site. Use as a context manager around the
    rest of the build: on a failure the work is stopped."""

    def __init__(self, papers: Sequence[Paper], language: str, out_dir: Path,
                 shard_size: int = SHARD_SIZE, beside: Runner = Later) -> None:
        self.papers = papers
        self.language = language
        self.shard_size = shard_size
        self.out_dir = out_dir
        self.work: Path | None = None  # a fresh folder beside the output, made on entering
        self._beside = beside
        self._worker: Running | None = None

    def __enter__(self) -> SearchIndexer:
        work = working_folder(self.out_dir)
        work.mkdir(parents=True, exist_ok=True)
        self.work = Path(tempfile.mkdtemp(prefix="search-", dir=work))
        self._worker = self._beside(self._run)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._worker is not None:
            self._worker.__exit__(*exc)  # stops the worker if its result was never collected
        if self.work is not None:
            remove_path(self.work)

    def _run(self) -> tuple[ShardDone, ...]:
        """In the worker: index every shard whose key the previous site does not have."""
        reusable = _shards(self.out_dir / INDEX_DIR)
        done = []
        for shard in search_shards(self.papers, self.language, self.shard_size):
            old = reusable.get(shard.name)
            if old is not None and old[0] == shard.key:
                done.append(ShardDone(shard.name, shard.key, len(shard.members), old[1], False))
            else:
                firsts = self._index(shard)
                done.append(ShardDone(shard.name, shard.key, len(shard.members), firsts, True))
        return tuple(done)

    def _index(self, shard: Shard) -> tuple[str, ...]:
        started = time.perf_counter()
        folder = _inside(self.work) / f"index-{shard.name}"
        folder.mkdir()
        index = index_shard(shard.papers, stem_words=stems(self.language))
        for name, data in index.files:
            write_file(folder / name, data)
        log.info("search shard %s (%d papers) indexed in %.2f s", shard.name,
                 len(shard.members), time.perf_counter() - started)
        return index.firsts

    def finish(self, stage: Path, previous: Path | None) -> int:
        """Wait for the indexer, then fill stage/search/ with every shard: new ones moved in,
        unchanged ones hard-linked from the previous site (or indexed now if it lost them).
        Returns the bytes of stage/search/, which the site's size counts."""
        waited = time.perf_counter()
        assert self._worker is not None, "finish() is called inside the context"
        shards: tuple[ShardDone, ...] = self._worker.result()
        log.info("search index: waited %.2f s for the indexer", time.perf_counter() - waited)
        old = previous / INDEX_DIR if previous is not None else None
        old_shards = _shards(old) if old is not None else {}
        target = stage / INDEX_DIR
        target.mkdir(parents=True, exist_ok=True)
        listed = []
        for shard in shards:
            built = _inside(self.work) / f"index-{shard.name}"
            if shard.built:
                os.rename(built, target / shard.name)
            elif old is not None and old_shards.get(shard.name) == (shard.key, shard.firsts):
                _link_tree(old / shard.name, target / shard.name)
            else:  # the previous site changed under us: index this shard now
                firsts = self._index(next(s for s in search_shards(
                    self.papers, self.language, self.shard_size) if s.name == shard.name))
                shard = ShardDone(shard.name, shard.key, shard.papers, firsts, True)
                os.rename(built, target / shard.name)
            listed.append(shard)
        listing = {"format": FORMAT, "block": DOC_BLOCK, "stem": stems(self.language),
                   "shards": [{"name": s.name, "papers": s.papers, "key": s.key,
                               "files": list(s.firsts)} for s in listed]}
        data = (json.dumps(listing, ensure_ascii=False, separators=(",", ":"))
                + "\n").encode("utf-8")
        if old is not None and (old / SHARDS_FILE).is_file() \
                and (old / SHARDS_FILE).read_bytes() == data:
            _link_tree(old, target, only=SHARDS_FILE)  # unchanged: the same file, not a copy
        else:
            (target / SHARDS_FILE).write_bytes(data)
        return sum(path.stat().st_size for path in target.rglob("*") if path.is_file())


def _inside(folder: Path | None) -> Path:
    """One of the indexer's folders, which exist only inside its `with` block."""
    assert folder is not None, "the indexer is used inside its `with` block"
    return folder


def _shards(index_dir: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Shard name -> (key, first terms of its term files), as the previous site's shards.json
    records them ({} if none, or another format)."""
    try:
        listing = json.loads((index_dir / SHARDS_FILE).read_text(encoding="utf-8"))
        if listing["format"] != FORMAT:
            return {}
        return {str(s["name"]): (str(s["key"]), tuple(map(str, s["files"])))
                for s in listing["shards"]
                if _complete(index_dir / str(s["name"]), int(s["papers"]), len(s["files"]))}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _complete(shard: Path, papers: int, term_files: int) -> bool:
    """Whether a previous shard has all its files (else it is made again, not reused)."""
    return all((shard / name).is_file() for name in file_names(papers, term_files))


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
