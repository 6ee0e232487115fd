"""A static full-text index of papers, queried in the browser by templates/assets/search.js.

What a reader searches is known in advance (title, authors, abstract), so the index is made
for exactly that, from the papers themselves rather than from rendered pages, and it holds
everything a results page shows: a query never fetches a paper page. What a term is, the
browser and the build agree on in search_terms.py.

**Positions.** Each word has a position: title first, then authors, then abstract, with a gap
of FIELD_GAP between fields so that no phrase spans two of them; a compound's whole takes the
position of its first part. Phrases ("world model" in quotes) and the bonus for query words
standing next to each other are computed from them.

**A shard of papers** is a folder holding
  - d<b>.json.gz: DOC_BLOCK papers per file, in the shard's order, each [slug, title, authors,
    date, excerpt]: a results page loads only the blocks of the results it shows;
  - t<k>.json.gz: the shard's terms in sorted order, cut into files of about FILE_BYTES (of
    JSON, before compression); each
    term maps to its postings, flat: [gap, impact, count, p1, p2 - p1, ...] per paper, where
    gap = the paper's position in the shard - the previous posting's, impact = the term's
    BM25 weight in the paper times 10, rounded, at least 1 (with TITLE_BONUS when the term
    is in the title and AUTHOR_BONUS when it is an author's name), and count positions
    follow, each as the distance from the one before.
The first term of every t<k>.json.gz is listed in search/shards.json (`files`), so a query term
finds its file by a binary search, the terms it begins ("embed" -> "embedding") are in the
same file or the next, and the terms spelled nearly like it (a typo) in those or the one
before ("modle" sorts after "model"). Files are cut by
size, not by letter, so that a common term costs about as much to load as a rare one. Sorting
is by UTF-16 code units, JavaScript's string order. The weights use the shard's own
statistics, so a shard never changes because another did.

**Compressed on disk.** Both kinds of file are JSON stored gzip-compressed (as Pagefind stores
its index), about three times smaller: at 100,000 papers the index is what keeps the site
within GitHub Pages' 1 GB. A static host sends a .gz file as it is (GitHub Pages: as
application/gzip, with no Content-Encoding), and search.js unpacks it with the browser's
DecompressionStream; the bytes are the same for the same JSON (no time or name in the gzip
header, a fixed level).
"""

from __future__ import annotations

import array
import bisect
import itertools
import json
import operator
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from generator.models import Paper
from generator.render.gzipped import gzipped
from generator.render.search_terms import WORD, fold, sort_key, split_word, stem
from generator.text.sentences import teaser
from generator.text.tex import tex_to_text

DOC_BLOCK = 100  # papers per d<b>.json.gz: ten results cost at most ten small files
FILE_BYTES = 40_000  # a term file is cut after the term that takes it past this many bytes
TITLE_BONUS = 1.5  # added to a term's saturated frequency when it is in the title
AUTHOR_BONUS = 1.0  # ... when it is (part of) an author's name
K1, B = 1.2, 0.75  # BM25's usual constants
FIELD_GAP = 2  # positions left empty between title, authors and abstract
SHOWN_AUTHORS = 3  # a result names the first three authors, then "et al."
GZIP_LEVEL = 6  # shard files: 25,000 papers' 46 MB of JSON to 15.6 MB in 4 s (level 4: 16.8 MB)


@dataclass(frozen=True, slots=True)
class IndexedPaper:
    """What the index reads of a paper: the three searched fields, and what a result shows."""

    slug: str
    title: str
    authors: str  # every searched name (the first 30), comma-separated
    abstract: str
    date: str = ""  # ISO date shown with the result
    shown_authors: str = ""  # the first SHOWN_AUTHORS names, then "et al."
    excerpt: str = ""  # the sentence of the abstract that states the contribution


def indexed(paper: Paper) -> IndexedPaper:
    """A paper as the index reads it: its TeX turned into the words a reader types."""
    abstract = tex_to_text(paper.abstract)
    return IndexedPaper(slug=paper.slug, title=tex_to_text(paper.title),
                        authors=authors_of(paper), abstract=abstract,
                        date=(paper.published or paper.first_seen).isoformat(),
                        shown_authors=shown_authors(paper.authors),
                        excerpt=teaser(abstract))


def authors_of(paper: Paper) -> str:
    """The searched authors: the first 30 (a collaboration's 3,000 names would swamp it)."""
    return ", ".join(paper.authors[:30])


def shown_authors(authors: Sequence[str]) -> str:
    """The authors a result names: 'A, B, C et al.' past SHOWN_AUTHORS."""
    shown = ", ".join(authors[:SHOWN_AUTHORS])
    return shown + " et al." if len(authors) > SHOWN_AUTHORS else shown


@dataclass(frozen=True, slots=True)
class ShardIndex:
    """A shard's files (name, bytes) and the first term of each term file, in order."""

    files: tuple[tuple[str, bytes], ...]
    firsts: tuple[str, ...]


def doc_file(block: int) -> str:
    return f"d{block}.json.gz"


def term_file(number: int) -> str:
    return f"t{number}.json.gz"


def file_names(papers: int, term_files: int) -> list[str]:
    """The names of the files of a shard of `papers` papers with `term_files` term files."""
    return ([doc_file(b) for b in range(-(-papers // DOC_BLOCK))]
            + [term_file(k) for k in range(term_files)])


def index_shard(papers: Sequence[IndexedPaper], stem_words: bool = True) -> ShardIndex:
    """A shard's files, compressed: d<b>.json.gz for each DOC_BLOCK papers, then its term
    files; the same papers in the same order give the same bytes."""
    files = [(doc_file(block),
              gzipped(_json([_shown(p) for p in papers[start:start + DOC_BLOCK]]), GZIP_LEVEL))
             for block, start in enumerate(range(0, len(papers), DOC_BLOCK))]
    firsts: list[str] = []
    for number, (first, data) in enumerate(_term_files(_postings(papers, stem_words))):
        firsts.append(first)
        files.append((term_file(number), gzipped(data, GZIP_LEVEL)))
    return ShardIndex(files=tuple(files), firsts=tuple(firsts))


def _shown(paper: IndexedPaper) -> list[str]:
    return [paper.slug, paper.title, paper.shown_authors, paper.date, paper.excerpt]


def _postings(papers: Sequence[IndexedPaper], stem_words: bool) -> Iterator[tuple[str, str]]:
    """(term, its postings as JSON) for every term of the papers, in sort_key order.

    Every word of every paper becomes a (term id, paper, position) triple in flat arrays;
    one sort by term, paper and position then groups each term's postings with their
    positions in order, and NumPy computes BM25 for all of them at once."""
    numbering = _Terms(stem_words)
    found = _occurrences(papers, numbering)
    if found is None:
        return
    term, owner, place, title_end, author_end = found
    # One posting per (term, paper): where each starts, its count and its fields.
    new = np.ones(len(term), dtype=bool)
    new[1:] = (term[1:] != term[:-1]) | (owner[1:] != owner[:-1])
    start = np.flatnonzero(new)
    count = np.diff(np.append(start, len(term)))
    p_term, p_owner = term[start], owner[start]
    # A field's words come first in its paper's order, so "in the title" is "the first
    # position is in the title"; an author word is one with a position in the authors.
    in_title = place[start] < title_end[p_owner]
    in_authors = (place >= title_end[owner] + FIELD_GAP) & (place < author_end[owner])
    authored = np.logical_or.reduceat(in_authors, start)
    tf = count.astype(np.float64)
    length = np.bincount(p_owner, weights=tf, minlength=len(papers))
    df = np.bincount(p_term, minlength=len(numbering.vocabulary))
    idf = np.log(1 + (len(papers) - df + 0.5) / (df + 0.5))
    norm = K1 * (1 - B + B * length / max(length.mean(), 1.0))
    weight = (tf * (K1 + 1) / (tf + norm[p_owner]) + TITLE_BONUS * in_title
              + AUTHOR_BONUS * authored)
    impact = np.maximum(1, np.rint(10 * idf[p_term] * weight)).astype(np.int64)
    # Flat output per posting: gap, impact, count, then its positions as differences.
    gap = np.diff(p_owner, prepend=0)
    term_start = np.flatnonzero(np.diff(p_term, prepend=-1))
    gap[term_start] = p_owner[term_start]
    delta = np.diff(place, prepend=0)
    delta[start] = place[start]
    size = count + 3
    offset = np.cumsum(size) - size
    flat = np.empty(int(size.sum()), dtype=np.int64)
    flat[offset], flat[offset + 1], flat[offset + 2] = gap, impact, count
    posting_of = np.repeat(np.arange(len(start)), count)
    flat[offset[posting_of] + 3 + (np.arange(len(term)) - start[posting_of])] = delta
    bounds = np.append(offset[term_start], len(flat))
    names = list(numbering.vocabulary)
    spans = {names[t]: (bounds[i], bounds[i + 1])
             for i, t in enumerate(p_term[term_start].tolist())}
    for name in sorted(spans, key=sort_key):
        low, high = spans[name]
        yield name, json.dumps(flat[low:high].tolist(), separators=(",", ":"))


_Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _occurrences(papers: Sequence[IndexedPaper], numbering: _Terms) -> _Arrays | None:
    """Every (term id, paper, position) of the papers, sorted in that order, each once; and
    where each paper's title and authors end. None if the papers have no words."""
    field_end = numbering.gap
    entries: list[_Entry] = []  # every word of every paper, and a gap after each field
    owners = array.array("q")  # the paper of each entry
    for number, paper in enumerate(papers):
        before = len(entries)
        for text in (paper.title, paper.authors, paper.abstract):
            entries.extend(map(numbering.__getitem__, WORD.findall(fold(text))))
            entries.append(field_end)
        owners.extend(itertools.repeat(number, len(entries) - before))
    if len(entries) == len(papers) * 3:
        return None
    # Positions: each entry starts where the one before it ended, counted from its paper's
    # first entry; its terms are at that start plus their own offsets.
    span = np.fromiter(map(operator.itemgetter(2), entries), dtype=np.int64, count=len(entries))
    size = np.fromiter(map(len, map(operator.itemgetter(0), entries)), dtype=np.int64,
                       count=len(entries))
    entry_owner = np.frombuffer(owners, dtype=np.int64)
    begins = np.cumsum(span) - span
    first = np.flatnonzero(np.diff(entry_owner, prepend=-1))
    begins -= np.repeat(begins[first], np.diff(np.append(first, len(entries))))
    gaps = np.flatnonzero(size == 0).reshape(-1, 3)  # each paper's three field ends
    term = np.fromiter(itertools.chain.from_iterable(map(operator.itemgetter(0), entries)),
                       dtype=np.int64)
    place = np.repeat(begins, size) + np.fromiter(
        itertools.chain.from_iterable(map(operator.itemgetter(1), entries)), dtype=np.int64,
        count=len(term))
    owner = np.repeat(entry_owner, size)
    order = np.lexsort((place, owner, term))
    term, owner, place = term[order], owner[order], place[order]
    # A compound whose whole stems like one of its parts ("ground-ing") has that term twice
    # at one position: once is enough.
    once = np.ones(len(term), dtype=bool)
    once[1:] = (term[1:] != term[:-1]) | (owner[1:] != owner[:-1]) | (place[1:] != place[:-1])
    return term[once], owner[once], place[once], begins[gaps[:, 0]], begins[gaps[:, 1]]


def _term_files(postings: Iterable[tuple[str, str]]) -> Iterator[tuple[str, bytes]]:
    """The terms, in order, cut into files of about FILE_BYTES: (first term, file bytes)."""
    batch: list[str] = []
    first, size = "", 0
    for term, data in postings:
        if not batch:
            first = term
        batch.append(json.dumps(term, ensure_ascii=False) + ":" + data)
        size += len(batch[-1])
        if size >= FILE_BYTES:
            yield first, ("{" + ",".join(batch) + "}\n").encode()
            batch, size = [], 0
    if batch or not first:
        yield first, ("{" + ",".join(batch) + "}\n").encode()


def file_of(term: str, firsts: Sequence[str]) -> int:
    """Which term file would hold `term`: the last one whose first term sorts before it
    (search.js does the same binary search)."""
    keys = [sort_key(f) for f in firsts]
    return max(0, bisect.bisect_right(keys, sort_key(term)) - 1)


# A word as the index reads it: its terms' ids, each term's position after the word's start,
# and how many positions the word takes. A compound's whole shares its first part's position.
_Entry = tuple[tuple[int, ...], tuple[int, ...], int]


class _Terms(dict[str, _Entry]):
    """Word as written -> its _Entry; a new word is split and stemmed once, here."""

    def __init__(self, stem_words: bool) -> None:
        super().__init__()
        self.stem_words = stem_words
        self.vocabulary: dict[str, int] = {}  # term -> id, in order of first use
        self.gap: _Entry = ((), (), FIELD_GAP)  # between two fields

    def __missing__(self, word: str) -> _Entry:
        split = split_word(word)
        ids = tuple(self.vocabulary.setdefault(stem(w) if self.stem_words else w,
                                               len(self.vocabulary)) for w in split)
        if len(split) == 1:
            entry: _Entry = (ids, (0,), 1)
        else:
            entry = (ids, (0, *range(len(split) - 1)), len(split) - 1)
        self[word] = entry
        return entry


MASK_BITS = 53  # a JSON number the browser reads exactly: bits 0 to 52


def theme_masks(members: Sequence[Sequence[str]], order: Sequence[str]) -> list[int | list[int]]:
    """For each paper slug in `order`, the themes (numbered in the order of `members`, each a
    collection of slugs) it belongs to, for data/search-themes.json and its theme filter: a
    bit mask, or the list of theme numbers when a mask would not fit in MASK_BITS bits."""
    bit: dict[str, int] = {}
    for number, slugs in enumerate(members):
        for slug in slugs:
            bit[slug] = bit.get(slug, 0) | (1 << number)
    masks = (bit.get(slug, 0) for slug in order)
    return [m if m < 1 << MASK_BITS else [n for n in range(m.bit_length()) if m >> n & 1]
            for m in masks]


def _json(value: object) -> bytes:
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode()

