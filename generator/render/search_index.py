"""A static full-text index of papers, queried in the browser by templates/assets/search.js.

What a reader searches is known in advance (title, authors, abstract), so the index is made
for exactly that, from the papers themselves rather than from rendered pages: one pass over
the text, no page written for an indexer to read back, no fragment file per paper (a result's
excerpt is read from the paper page the reader is about to open anyway).

A shard of papers is a folder holding
  - d<b>.json: the papers' slugs, in the shard's order, DOC_BLOCK to a file (a posting names
    a paper by position; a query loads only the blocks of the results it shows);
  - t<k>.json for every k < CHUNKS: the terms whose first two characters hash to k, each with its
    postings [gap, impact, gap, impact, ...]: gap = position - the previous posting's
    position, impact = the term's BM25 weight in that paper (title, authors and abstract
    as one text, plus TITLE_BONUS when the term is in the title), times 10, rounded, at
    least 1.

All terms sharing their first two characters are in one chunk, so a query term's chunk holds
its exact match and every term it is a prefix of ("embed" finds "embedding"): a query loads
one small file per term and shard. The weights use the shard's own statistics, so a shard
never changes because another did.

The browser must cut a query into the same terms as `terms` below: decomposed (NFKD), marks
(accents) removed, lower case, runs of letters and digits, then the S-stemmer (Harman 1991:
plural endings only). A term of one character is looked up exactly, not as a prefix: its
file is chosen by that character alone, and longer terms by their first two. search.js does
the same steps; tests/test_search_index.py runs both on the same strings.
"""

from __future__ import annotations

import array
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from generator.models import Paper
from generator.text.tex import tex_to_text

CHUNKS = 64  # term files per shard
DOC_BLOCK = 500  # slugs per d<b>.json
TITLE_BONUS = 1.5  # added to a term's saturated frequency when it is in the title
K1, B = 1.2, 0.75  # BM25's usual constants
# A title word's weight in the sums of index_files: more than any paper's count of a word.
TITLED = 1 << 32

_WORD = re.compile(r"[^\W_]+")


def stem(word: str) -> str:
    """The S-stemmer: 'models' -> 'model', 'policies' -> 'policy', 'classes' -> 'classe'.
    Only the first rule that applies is used; words of three letters or fewer are kept."""
    if len(word) <= 3:
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


def terms(text: str, stem_words: bool = True) -> list[str]:
    """The index terms of a text, in order (repeats kept)."""
    return [stem(w) for w in _words(text)] if stem_words else _words(text)


def chunk_of(term: str) -> int:
    """Which of a shard's term files holds `term`: a hash of its first two characters, so
    that a term and every longer term it begins are in the same file."""
    first = term[:2]
    code = ord(first[0]) * 31 + (ord(first[1]) if len(first) > 1 else 0)
    return code % CHUNKS


@dataclass(frozen=True, slots=True)
class IndexedPaper:
    """What the index reads of a paper: where its page is, and the three searched fields."""

    slug: str
    title: str
    authors: str
    abstract: str


def indexed(paper: Paper) -> IndexedPaper:
    """A paper as the index reads it: its TeX turned into the words a reader types."""
    return IndexedPaper(slug=paper.slug, title=tex_to_text(paper.title),
                        authors=authors_of(paper), abstract=tex_to_text(paper.abstract))


def authors_of(paper: Paper) -> str:
    """The searched authors: the first 30 (a collaboration's 3,000 names would swamp it)."""
    return ", ".join(paper.authors[:30])


def stems(language: str) -> bool:
    """Whether words are stemmed: the S-stemmer knows English plurals only."""
    return language.lower().split("-")[0] == "en"


def file_names(papers: int) -> list[str]:
    """The names of the files of a shard of `papers` papers, as index_files makes them."""
    return ([_doc_file(b) for b in range(-(-papers // DOC_BLOCK))]
            + [_term_file(k) for k in range(CHUNKS)])


def _doc_file(block: int) -> str:
    return f"d{block}.json"


def _term_file(chunk: int) -> str:
    return f"t{chunk}.json"


def index_files(papers: Sequence[IndexedPaper], stem_words: bool = True
                ) -> Iterable[tuple[str, bytes]]:
    """A shard's files, (name, bytes): d<b>.json for each DOC_BLOCK papers and t<k>.json for
    every k < CHUNKS (file_names); the same papers in the same order give the same bytes."""
    for block, start in enumerate(range(0, len(papers), DOC_BLOCK)):
        yield _doc_file(block), _json([p.slug for p in papers[start:start + DOC_BLOCK]])
    if not papers:
        yield from ((_term_file(k), _json({})) for k in range(CHUNKS))
        return
    # Every word of every paper (title first) as its term's id, counted per paper by
    # sorting arrays rather than word by word; a title word counts 1 + TITLED, so the sums
    # say both how often a term is in the paper and whether it is in the title.
    numbering = _Terms(stem_words)
    ids = array.array("q")
    sizes = array.array("q")  # words per paper
    title_sizes = array.array("q")  # title words per paper
    for paper in papers:
        title = _words(paper.title)
        words = title + _words(paper.authors) + _words(paper.abstract)
        ids.extend(map(numbering.__getitem__, words))
        sizes.append(len(words))
        title_sizes.append(len(title))
    per_paper = np.frombuffer(sizes, dtype=np.int64)
    owner = np.repeat(np.arange(len(papers)), per_paper)
    place = np.arange(len(owner)) - np.repeat(np.cumsum(per_paper) - per_paper, per_paper)
    in_title = place < np.repeat(np.frombuffer(title_sizes, dtype=np.int64), per_paper)
    summed = sp.csr_matrix((1 + TITLED * in_title.astype(np.int64),
                            (owner, np.frombuffer(ids, dtype=np.int64))),
                           shape=(len(papers), len(numbering.vocabulary)))
    summed.sum_duplicates()
    term = summed.indices.astype(np.int64)
    tf = (summed.data % TITLED).astype(np.float64)
    titled = summed.data >= TITLED
    doc_of = np.repeat(np.arange(len(papers)), np.diff(summed.indptr))
    vocabulary = numbering.vocabulary
    length = np.bincount(doc_of, weights=tf, minlength=len(papers))
    df = np.bincount(term, minlength=len(vocabulary))
    idf = np.log(1 + (len(papers) - df + 0.5) / (df + 0.5))
    norm = K1 * (1 - B + B * length / length.mean())
    weight = tf * (K1 + 1) / (tf + norm[doc_of]) + TITLE_BONUS * np.array(titled)
    impact = np.maximum(1, np.rint(10 * idf[term] * weight))
    order = np.lexsort((doc_of, term))  # by term, then document
    term, doc_of, impact = term[order], doc_of[order], impact[order].astype(np.int64)
    gap = np.diff(doc_of, prepend=0)
    starts = np.flatnonzero(np.diff(term, prepend=-1))
    gap[starts] = doc_of[starts]  # each term's first posting: its position itself
    flat = np.empty(2 * len(term), dtype=np.int64)
    flat[0::2], flat[1::2] = gap, impact
    bounds = np.append(starts, len(term)) * 2
    names = list(vocabulary)
    chunks: list[dict[str, list[int]]] = [{} for _ in range(CHUNKS)]
    for i, term_id in enumerate(term[starts].tolist()):
        name = names[term_id]
        chunks[chunk_of(name)][name] = flat[bounds[i]:bounds[i + 1]].tolist()
    for k, chunk in enumerate(chunks):  # every file, empty or not: a query never meets a 404
        yield _term_file(k), _json({t: chunk[t] for t in sorted(chunk)})


class _Terms(dict[str, int]):
    """Word as written (lower case) -> its term's id; a new word is stemmed once, here."""

    def __init__(self, stem_words: bool) -> None:
        super().__init__()
        self.stem_words = stem_words
        self.vocabulary: dict[str, int] = {}  # term -> id, in order of first use

    def __missing__(self, word: str) -> int:
        key = stem(word) if self.stem_words else word
        term_id = self[word] = self.vocabulary.setdefault(key, len(self.vocabulary))
        return term_id


def _words(text: str) -> list[str]:
    """A text's words without accents, in lower case, not yet stemmed. Decomposed first, so
    that what decomposes into capitals (ℝ -> R) is lower-cased too."""
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text)
                       if unicodedata.category(c)[0] != "M")  # marks: JavaScript's \p{M}
    return _WORD.findall(text.lower())


def _json(value: object) -> bytes:
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
