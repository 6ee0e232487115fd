"""Keep the pages of the last build whose inputs did not change, instead of rendering them.

A page that shows the same things renders to the same bytes. So each page that can be kept
is rendered with a key: a hash of everything it shows (the papers in it, through
`Stamps`, and the page's own settings) and of the program that renders it (`program_key`:
code, templates, library versions, settings). The last build's record (skip.py; publish/record.py) holds,
for every page, the key it was rendered with, a hash of its bytes, and its file's identity
(size, modification time, inode) right after that build. A page is kept when its key is
the recorded one and its file is still exactly the one that build left; any other page is
rendered, and written only if its bytes differ from the file there (compared by hash, so
the file is not read).

This is only sound while the templates read nothing else, so a digest with templates of its
own (content/templates/) renders every page; so does a build without a cache or a record.
A week's papers at 100,000 papers change a few thousand of 200,000 pages.
"""

from __future__ import annotations

import dataclasses
import hashlib
import marshal
import operator
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.models import Assignment, Paper, Week, paper_key
from generator.publish.record import Reuse
from generator.speed.store import program_code
from generator.speed.workers import Deferred

if TYPE_CHECKING:
    from generator.config import Config
    from generator.stages.digest import Digest

_ID = operator.attrgetter("id")
_PAPER = {Paper}


def program_key(config: Config, templates: Path) -> bytes:
    """What every page depends on besides its own data: the code, the shipped templates,
    the library versions and the settings; not the manifest of dumps (a page shows the
    papers it lists, through their stamps) nor the build date (pages that show it are never
    kept)."""
    h = hashlib.blake2b(program_code(), digest_size=16)  # code and library versions
    h.update(repr(dataclasses.replace(config, sources=())).encode())
    for path in sorted(templates.rglob("*")):
        if path.is_file():
            h.update(f"\0{path.relative_to(templates).as_posix()}\0".encode())
            h.update(path.read_bytes())
    return h.digest()


def _fields(paper: Paper) -> tuple[Any, ...]:
    """A paper as plain values, for marshal (version 2: by value, no shared references):
    about half the time of its repr. Every field of Paper, in order (a test checks), but the
    title and abstract: its models.paper_key covers them, and copying 100 MB of text into
    marshal's output took a third of the stamping at 100,000 papers."""
    p = paper
    return (p.id, p.slug, p.first_seen.toordinal(),
            tuple((s.file, s.line, s.collected.toordinal(), s.query, s.origin)
                  for s in p.sources),
            p.authors, p.arxiv_id, p.published.toordinal() if p.published else None,
            p.url, p.pdf_url, p.categories)


_MATCH = operator.attrgetter("phrase", "where", "count")


def _assignment(a: Assignment) -> tuple[Any, ...]:
    return (a.theme, a.score, tuple(map(_MATCH, a.matches)), a.terms, a.standing)


class Stamps:
    """A page key's ingredients: each paper as the digest shows it, hashed once (`of`), and
    any template value made canonical with papers replaced by their stamps (`key`)."""

    def __init__(self, digest: Digest, reuse: Reuse,
                 keys: Mapping[str, bytes] | None = None) -> None:
        self.digest = digest
        self.reuse = reuse
        self.program = reuse.program
        self._keys = keys or {}  # paper id -> models.paper_key of the digest's very papers
        self._stamps: dict[str, bytes] = {}
        # The stamps of exactly the digest's papers (`fill`), for lookups that skip a paper
        # the digest does not have; and the hash of each tuple of papers met by `canon`
        # (with the tuple, which keeps its id from being reused): a weekly theme page's
        # papers are met once per page of it.
        self._filled: dict[str, bytes] = {}
        self._tuples: dict[int, tuple[tuple[Any, ...], bytes]] = {}
        self._objects: dict[int, tuple[Any, tuple[str, bytes]]] = {}  # likewise, views
        self._weeks: dict[str, tuple[Any, ...]] = {}
        self._related: Mapping[str, tuple[str, ...]] | None = None

    def of(self, paper: Paper) -> bytes:
        """Everything a page may show of a paper: the paper itself (title, abstract,
        sources, ...), its themes with scores and evidence, its sub-topics and its week."""
        found = self._stamps.get(paper.id)
        if found is None:
            found = self._stamps[paper.id] = self._stamp(paper)
        return found

    def fill(self) -> Stamps:
        """Stamp every paper of the digest now: done once before the render worker is forked,
        both processes share the stamps instead of each hashing the papers it shows."""
        self._stamps.update((p.id, self._stamp(p)) for p in self.digest.papers
                            if p.id not in self._stamps)
        self._filled = {p.id: self._stamps[p.id] for p in self.digest.papers}
        return self

    def _stamp(self, paper: Paper) -> bytes:
        digest, pid = self.digest, paper.id
        assignments = digest.assignments.get(pid, ())
        topics: tuple[Any, ...] = ()
        if assignments:  # (Digest.subtopic_of, here without a call per theme)
            index = digest.topic_index
            topics = tuple((t.key, t.name) if (t := index.get((a.theme, pid))) else None
                           for a in assignments)
        h = hashlib.sha256(self._keys.get(pid) or paper_key(paper))
        h.update(marshal.dumps((_fields(paper), tuple(map(_assignment, assignments)),
                                topics, digest.week_by_paper[pid].key), 2))
        return h.digest()[:16]

    def key(self, *parts: Any) -> bytes:
        """A page key from the program and `parts` (see canon)."""
        h = hashlib.blake2b(self.program, digest_size=16)
        h.update(repr(self.canon(parts)).encode())
        return h.digest()

    def canon(self, value: Any) -> Any:
        """value with every paper replaced by its stamp, recursively through tuples, lists
        and dicts; objects that define `canon_parts` (render's views) give a hash of those
        instead, and a week its key and papers. Each week, view and tuple of papers is made
        canonical once per build: they are immutable (frozen, with tuples for fields), and a
        theme's view, with its spec, is on every one of its 2,000 pages at 100,000 papers."""
        kind = type(value)
        if kind is Paper:
            return self.of(value)
        if kind is tuple:
            memo = self._tuples.get(id(value))
            if memo is not None and memo[0] is value:
                return memo[1]
        if kind is tuple or kind is list:
            if value and set(map(type, value)) == _PAPER:  # one hash for all
                made = hashlib.blake2b(self._joined(value), digest_size=16).digest()
                if kind is tuple:
                    self._tuples[id(value)] = (value, made)
                return made
            return tuple(self.canon(v) for v in value)
        if kind is dict:
            return tuple((k, self.canon(v)) for k, v in value.items())
        if kind is Week:
            found = self._weeks.get(value.key)
            if found is None:
                found = self._weeks[value.key] = (value.key, value.start, value.end,
                                                  hashlib.blake2b(repr(value.paper_ids).encode(),
                                                                  digest_size=16).digest())
            return found
        parts = getattr(value, "canon_parts", None)
        if parts is not None:
            seen = self._objects.get(id(value))
            if seen is not None and seen[0] is value:
                return seen[1]
            view = (kind.__name__, hashlib.blake2b(repr(self.canon(parts())).encode(),
                                                   digest_size=16).digest())
            self._objects[id(value)] = (value, view)
            return view
        return value

    def _joined(self, papers: tuple[Paper, ...] | list[Paper]) -> bytes:
        """The papers' stamps, one after another."""
        try:  # all in C when every paper is stamped (`fill`)
            return b"".join(map(self._stamps.__getitem__, map(_ID, papers)))
        except KeyError:
            stamps, of = self._stamps, self.of
            return b"".join([stamps.get(p.id) or of(p) for p in papers])

    def keep(self, path: str, *parts: Any) -> tuple[bytes, bool]:
        """The key of the page at path (from `parts`, see key), and whether the last
        build's file of it can be kept."""
        key = self.key(*parts)
        return key, self.reuse.keep(path, key)

    def keep_paper(self, path: str, kind: str, paper: Paper) -> tuple[bytes, bool]:
        """`keep` for a page that shows one paper and nothing else but its related papers
        (a paper page): the key is made from their stamps
        directly, not through canon's walk of a context, which took a third of the paper
        pages' time when a new week kept nearly all of 100,000."""
        stamps = self._stamps
        h = hashlib.blake2b(self.program, digest_size=16)
        h.update(f"{kind}\0{path}\0".encode())
        h.update(stamps.get(paper.id) or self.of(paper))
        h.update(b"\0related")
        if self._related is None:  # the worker's result, looked up once
            found = self.digest.related
            self._related = found.resolved() if isinstance(found, Deferred) else found
        ids = self._related.get(paper.id, ())
        try:  # all in C when every related paper is one of the digest's (as they are)
            h.update(b"".join(map(self._filled.__getitem__, ids)))
        except KeyError:
            by_id = self.digest.by_id
            for pid in ids:
                other = by_id.get(pid)
                if other is not None:  # as Digest.related_to
                    h.update(stamps.get(pid) or self.of(other))
        key = h.digest()
        return key, self.reuse.keep(path, key)
