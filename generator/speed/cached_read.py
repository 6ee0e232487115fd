"""Read every dump in the manifest and merge the listings into papers (stages/merge.py).

With a cache, the merge is kept for the next build (`MergeState`: the merged papers, each
one's models.paper_key, and what each dump it covers gave), keyed by the dumps' parse keys
(store.dump_key: their bytes, manifest entries and the program). The next build hashes every
dump as before, but reads and merges only the dumps the state does not cover (the new weeks'),
when stages.merge.extend_merged can add their listings exactly (they are all new papers, later than
the merged ones); otherwise, say when a new dump lists a known paper again, it merges every
dump's listings, as a build without the state does, and the state is stored again. Either
way the papers are the same. At 100,000 papers a new week's dump of new papers is read and
merged in 0.6 s instead of 1.7 s. Otherwise the state is stored again only when it has
fallen behind by a few weeks (store.STALE). The state's key (state_key) names the program
and the dumps' folder, so no other version's state is ever loaded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from generator.errors import SourceError
from generator.models import Listing, Paper, SourceInfo, paper_keys
from generator.speed.store import (
    behind_little,
    dump_key,
    program_code,
    read_parsed,
    store,
    stored,
)
from generator.speed.workers import Beside
from generator.stages.merge import Merged, Titles, extend_merged, merge_listings
from generator.stages.read import ReadResult, read_sources

STATE = "merged"  # the cache entry's name; its key: state_key
# A state is stored again once the dumps it does not cover hold more than store.STALE of the
# listings it covers, or STALE_DUMPS dumps: each build reads and merges those again.
STALE_DUMPS = 16


@dataclass(frozen=True, slots=True)
class MergeState:
    """A merge kept for the next build: the parse key of each dump it covers, with that
    dump's count of listings and its problems; the merge; and each paper's paper_key."""

    dumps: dict[str, tuple[int, tuple[SourceError, ...]]]
    merged: Merged
    keys: dict[str, bytes]


@dataclass(frozen=True, slots=True)
class Corpus:
    """The papers of every dump, the number of listings they merge and the problems met, in
    manifest order. `keys`: each paper's models.paper_key, if made; `state`: what to keep for
    the next build (remember_merge), if the stored one is missing or behind (store.STALE)."""

    listings: int
    papers: tuple[Paper, ...]
    problems: tuple[SourceError, ...]
    keys: dict[str, bytes] | None = None
    state: MergeState | None = None

    @property
    def warnings(self) -> tuple[str, ...]:
        """The problems as the build reports them: "file:line: reason"."""
        return tuple(str(p) for p in self.problems)


def read_corpus(sources_dir: Path, sources: tuple[SourceInfo, ...],
                cache_dir: Path | None = None) -> Corpus:
    """Every dump of the manifest read and merged; with a cache_dir each dump's parse is
    kept (store.read_parsed) and so is the merge (see the module's docstring)."""
    if cache_dir is None:
        read = read_sources(sources_dir, sources)
        return Corpus(len(read.listings), merge_listings(read.listings).papers, read.problems)
    dumps = _dumps(sources_dir, sources)
    keys = [key for *_, key in dumps if isinstance(key, str)]  # each dump's own (its path)
    last = stored(cache_dir, STATE, state_key(sources_dir))
    if not (isinstance(last, MergeState) and last.dumps.keys() <= set(keys)):
        last = None
    covered = last.dumps if last is not None else {}
    titles: Titles = {}
    results: dict[str, ReadResult | SourceError] = {}  # the dumps read, by key
    for source, path, display, key in dumps:
        if isinstance(key, str) and key not in covered:
            results[key] = _read(cache_dir, path, source, display, key, titles)
    merged = None
    if last is not None:
        merged = extend_merged(last.merged, _listings(results, keys), titles)
    if merged is None:  # no state, or not one extend_merged can extend: merge every dump
        for source, path, display, key in dumps:
            if isinstance(key, str) and key not in results:
                results[key] = _read(cache_dir, path, source, display, key, titles)
        covered = {}
        merged = merge_listings(_listings(results, keys), titles)
    listings, problems = _tally(dumps, covered, results)
    gave = {**covered, **{key: (len(got.listings), got.problems)
                          for key, got in results.items() if isinstance(got, ReadResult)}}
    if covered:  # extended (last is the state): only new and changed papers need keys
        assert last is not None
        if gave.keys() == covered.keys():  # nothing new was read: the state stands
            return Corpus(listings, merged.papers, tuple(problems), last.keys)
        before = last.merged.papers  # papers listed again are new objects; new ones added
        changed = [p for p, q in zip(merged.papers, before, strict=False) if p is not q]
        keys_of = {**last.keys, **paper_keys([*changed, *merged.papers[len(before):]])}
        if _behind_little(gave, covered):  # stored again only now and then, see store.STALE
            return Corpus(listings, merged.papers, tuple(problems), keys_of)
    else:
        keys_of = paper_keys(merged.papers)
    return Corpus(listings, merged.papers, tuple(problems), keys_of,
                  MergeState(dumps=gave, merged=merged, keys=keys_of))


Dump = tuple[SourceInfo, Path, str, str | SourceError]  # its parse key, or why it has none
Gave = dict[str, tuple[int, tuple[SourceError, ...]]]  # parse key -> listings, problems


def _dumps(sources_dir: Path, sources: tuple[SourceInfo, ...]) -> list[Dump]:
    """Each dump of the manifest with its path, its name for messages and its parse key."""
    dumps: list[Dump] = []
    for source in sources:
        path = sources_dir / source.file
        display = str(path)
        try:
            dumps.append((source, path, display, dump_key(path, source, display)))
        except OSError as err:
            dumps.append((source, path, display,
                          SourceError(display, 1, f"cannot read the file: {err.strerror}")))
    return dumps


def _tally(dumps: list[Dump], covered: Gave, results: dict[str, ReadResult | SourceError]
           ) -> tuple[int, list[SourceError]]:
    """What the dumps gave, in manifest order: listings counted, problems met."""
    listings = 0
    problems: list[SourceError] = []
    for *_, key in dumps:
        if isinstance(key, SourceError):
            problems.append(key)
            continue
        got = covered.get(key) or results[key]
        if isinstance(got, SourceError):
            problems.append(got)
        elif isinstance(got, ReadResult):
            listings += len(got.listings)
            problems.extend(got.problems)
        else:
            listings += got[0]
            problems.extend(got[1])
    return listings, problems


def _behind_little(gave: dict[str, tuple[int, tuple[SourceError, ...]]],
                   covered: dict[str, tuple[int, tuple[SourceError, ...]]]) -> bool:
    """Whether a state that covers `covered` is close enough to one that would cover
    `gave` (cache.behind_little, STALE_DUMPS)."""
    new = [count for key, (count, _) in gave.items() if key not in covered]
    return len(new) <= STALE_DUMPS and behind_little(sum(new), sum(c for c, _ in covered.values()))


def remember_merge(cache_dir: Path, sources_dir: Path, state: MergeState) -> None:
    """Keep the merge for the next build (best effort, as every cache entry)."""
    store(cache_dir, STATE, state_key(sources_dir), state)


def state_key(sources_dir: Path) -> str:
    """The stored merge's key: the program (a state of another version is never loaded,
    whose classes may have changed) and the dumps' folder (two digests sharing a cache keep
    a state each)."""
    h = hashlib.sha256(program_code())
    h.update(str(sources_dir.resolve()).encode())
    return h.hexdigest()[:32]


def _read(cache_dir: Path, path: Path, source: SourceInfo, display: str, key: str,
          titles: Titles) -> ReadResult | SourceError:
    """One dump's parse, or the problem that kept the whole file from being read (as
    sources.read_sources reports it)."""
    try:
        return read_parsed(cache_dir, path, source, display, key, titles)
    except SourceError as err:
        return err
    except OSError as err:
        return SourceError(display, 1, f"cannot read the file: {err.strerror}")


def _listings(results: dict[str, ReadResult | SourceError], keys: list[str]
              ) -> list[Listing]:
    """The listings of the dumps read, in manifest order."""
    return [listing for key in keys
            if isinstance(got := results.get(key), ReadResult) for listing in got.listings]


def keep_merge(corpus: Corpus, cache_dir: Path | None, sources_dir: Path
               ) -> Beside[None] | None:
    """Store the corpus' merge for the next build in a worker process (about a second at
    100,000 papers), if there is one to store."""
    state = corpus.state
    if cache_dir is None or state is None:
        return None
    return Beside(lambda: remember_merge(cache_dir, sources_dir, state))
