"""TF-IDF exactly as scikit-learn's TfidfVectorizer computes it, with the counting in NumPy.

Themes, related papers and the map each turn titles and abstracts into TF-IDF rows. Half of a
themes fit on 10,000 papers went to TfidfVectorizer's counting: a Python dictionary lookup and
a counter update for every word and word pair of every text. Here each word is looked up once
(at C speed, `map` over a dictionary), word pairs are numbers made from two word ids, and
duplicates are merged by sorting arrays: with word pairs (the themes' setting), 0.77 s against
1.30 s for 10,000 papers and 9.0 s against 14.2 s for 100,000 (docs/performance.md).

The result is scikit-learn's, bit for bit: the same terms in the same (sorted) order, and the
same matrix down to the order of each row's entries, which decides the rounding of its norm
(tests/test_tfidf.py compares the two). The weighting itself is scikit-learn's
TfidfTransformer, given the counts CountVectorizer would give it. Only what the digest uses is
supported: lowercased text, a token pattern, English stop words, words or words and word
pairs, document-frequency cut-offs, sublinear tf, smoothed idf, unit rows.
"""

from __future__ import annotations

import array
import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from numbers import Integral

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfTransformer

Codes = npt.NDArray[np.int64]

WORDS = r"(?u)\b\w\w+\b"  # scikit-learn's default token pattern
# A word pair's code is (first id + 1) << SHIFT | second id, above every word's id (a word's
# code is its id), so words and pairs share one array of int64 codes.
SHIFT = 31
# Texts counted per batch: the arrays of one batch (every word and pair of it, as int64) are
# merged into per-batch counts before the next is read, so memory follows the batch, not the
# corpus (at 100,000 papers the whole corpus at once would take 2 GB).
BATCH = 4096


class Tfidf:
    """A TfidfVectorizer(lowercase=True, token_pattern=..., stop_words="english",
    ngram_range=(1, 2 if pairs else 1), min_df=..., max_df=..., sublinear_tf=True,
    norm="l2", dtype=...), as far as fit_transform, transform and get_feature_names_out go."""

    def __init__(self, token_pattern: str = WORDS, pairs: bool = False,
                 min_df: float = 1, max_df: float = 1.0,
                 dtype: type[np.floating] = np.float64) -> None:
        self.token_pattern = token_pattern
        self.pairs = pairs
        self.min_df = min_df
        self.max_df = max_df
        self.dtype = dtype
        # Fitted: each word in a kept term -> its id (stop words -> STOP), the kept terms'
        # codes in ascending order with each one's column, the terms by column, the weights.
        self._words: dict[str, int] = {}
        self._codes: Codes = np.zeros(0, dtype=np.int64)
        self._columns: Codes = np.zeros(0, dtype=np.int64)
        self._terms: npt.NDArray[np.object_] = np.array([], dtype=object)
        self._weights = TfidfTransformer(norm="l2", use_idf=True, smooth_idf=True,
                                         sublinear_tf=True)

    def fit_transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Learn the terms and their weights from `texts`; their TF-IDF rows. ValueError
        when no term is left (every text empty or stop words only, or the cut-offs)."""
        counts = self._fit_counts(texts)
        self._weights.fit(counts)
        return sp.csr_matrix(self._weights.transform(counts, copy=False))

    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        """The TF-IDF rows of `texts` in the fitted terms (sorted indices); each row depends
        on its own text only."""
        rows = [self._counts(batch) for batch in _batches(texts)]
        if not rows:  # (scikit-learn's weighting refuses an empty matrix)
            return sp.csr_matrix((0, len(self._terms)), dtype=self.dtype)
        counts = sp.vstack(rows, format="csr")
        return sp.csr_matrix(self._weights.transform(counts, copy=False))

    def get_feature_names_out(self) -> npt.NDArray[np.object_]:
        return self._terms

    def _fit_counts(self, texts: Iterable[str]) -> sp.csr_matrix:
        """CountVectorizer.fit_transform's matrix; keeps what `transform` needs."""
        ids: defaultdict[str, int] = defaultdict()
        ids.update((word, i) for i, word in enumerate(sorted(ENGLISH_STOP_WORDS)))
        stops = len(ids)
        ids.default_factory = ids.__len__  # a new word gets the next id
        find = re.compile(self.token_pattern).findall
        # Per batch: its counts (rows: its texts; columns: its distinct codes) and, with
        # pairs, those codes and where each first appears (counted over the corpus).
        counts: list[sp.csr_matrix] = []
        codes: list[Codes] = []
        firsts: list[Codes] = []
        position = 0
        for batch in _batches(texts):
            found, row = _without_stops(*_ids(batch, find, ids.__getitem__),
                                        lambda found: found >= stops)
            stream, rows = _occurrences(found, row, len(batch), self.pairs, in_order=True)
            if self.pairs:
                distinct, first, column = np.unique(stream, return_index=True,
                                                    return_inverse=True)
                counts.append(_summed(rows, column, len(batch), len(distinct)))
                codes.append(distinct)
                firsts.append(first + position)
            else:  # a word's code is its id, and ids are given in order of appearance
                counts.append(_summed(rows, stream, len(batch), len(ids)))
            position += len(stream)
        n = sum(c.shape[0] for c in counts)
        if not position:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        batch_dfs = [np.bincount(c.indices, minlength=c.shape[1]) for c in counts]
        if self.pairs:
            every, first, df, segments = _merged(codes, firsts, batch_dfs)
        else:
            every = first = np.arange(len(ids), dtype=np.int64)
            df = np.zeros(len(ids), dtype=np.int64)
            for batch_df in batch_dfs:  # (a batch's width: the words seen until then)
                df[:len(batch_df)] += batch_df
            segments = [every[:c.shape[1]].astype(np.int32) for c in counts]
        kept = np.flatnonzero((df <= _documents(self.max_df, n))
                              & (df >= _documents(self.min_df, n)) & (df > 0))
        if not len(kept):
            raise ValueError("After pruning, no terms remain. Try a lower min_df or a "
                             "higher max_df.")
        # CountVectorizer numbers terms as they first appear (a text's words, then its
        # pairs) and sorts each row by that number; then it renames the columns to the terms'
        # sorted order without sorting rows again. The rows' entry order is kept here too.
        appearance = np.full(len(every), -1, dtype=np.int64)
        appearance[kept[np.argsort(first[kept], kind="stable")]] = np.arange(len(kept))
        words = _words_by_id(ids)
        terms = _terms(every[kept], words)
        by_name = np.argsort(terms, kind="stable")
        column_of = np.empty(len(kept), dtype=np.int64)  # appearance number -> column
        column_of[appearance[kept[by_name]]] = np.arange(len(kept))
        self._remember(every[kept[by_name]], terms[by_name], words)
        del every, first, df, ids
        parts = []
        while counts:  # each batch's counts freed once renamed
            parts.append(_renamed(counts.pop(0), appearance[segments.pop(0)], column_of,
                                  len(kept), self.dtype))
        return sp.csr_matrix(sp.vstack(parts, format="csr"))

    def _remember(self, codes: Codes, terms: npt.NDArray[np.object_],
                  words: npt.NDArray[np.object_]) -> None:
        """Keep the kept terms (`codes`, `terms`: by column) with the words they are made of,
        renumbered from 0, so that a stored fit holds no word that no term uses."""
        pair = codes >= 1 << SHIFT
        second = np.where(pair, codes & ((1 << SHIFT) - 1), codes)
        used = np.unique(np.concatenate([second, (codes[pair] >> SHIFT) - 1]))
        new = np.full(len(words), -1, dtype=np.int64)
        new[used] = np.arange(len(used))
        renamed = np.where(pair, ((new[(codes >> SHIFT) - 1] + 1) << SHIFT) | new[second],
                           new[second])
        order = np.argsort(renamed)
        self._codes, self._columns = renamed[order], order.astype(np.int64)
        self._words = {str(words[i]): int(new[i]) for i in used}
        self._words.update((word, STOP) for word in ENGLISH_STOP_WORDS)
        self._terms = terms

    def _counts(self, batch: list[str]) -> sp.csr_matrix:
        """CountVectorizer.transform's rows for `batch`: counts of the fitted terms."""
        ids, row = _without_stops(*_ids(batch, re.compile(self.token_pattern).findall,
                                        self._words.get, UNKNOWN),
                                  lambda found: found != STOP)
        codes, rows = _occurrences(ids, row, len(batch), self.pairs, in_order=False)
        if len(self._codes):
            at = np.minimum(np.searchsorted(self._codes, codes), len(self._codes) - 1)
            hit = self._codes[at] == codes
        else:
            at = hit = np.zeros(len(codes), dtype=bool)
        counts = _summed(rows[hit], self._columns[at[hit]], len(batch), len(self._terms))
        return sp.csr_matrix(counts, dtype=self.dtype)


STOP = -2  # a stop word's id in a fitted Tfidf
UNKNOWN = -1  # a word no kept term uses


def _batches(texts: Iterable[str]) -> Iterator[list[str]]:
    it = iter(texts)
    while batch := list(itertools.islice(it, BATCH)):
        yield batch


def _ids(batch: list[str], find: Callable[[str], list[str]], lookup: Callable[..., int],
         default: int | None = None) -> tuple[Codes, Codes]:
    """Every token's id (`lookup(token)`, or `lookup(token, default)`), text after text, and
    each text's token count. `map` calls the lookup at C speed, not a Python loop."""
    ids = array.array("q")
    lengths = array.array("q")
    for text in batch:
        before = len(ids)
        tokens = find(text.lower())
        ids.extend(map(lookup, tokens) if default is None
                   else map(lookup, tokens, itertools.repeat(default)))
        lengths.append(len(ids) - before)
    return (np.frombuffer(ids, dtype=np.int64) if ids else np.zeros(0, dtype=np.int64),
            np.frombuffer(lengths, dtype=np.int64) if lengths else np.zeros(0, np.int64))


def _without_stops(ids: Codes, lengths: Codes, keep: Callable[[Codes], npt.NDArray[np.bool_]]
                   ) -> tuple[Codes, Codes]:
    """The ids that are not stop words (`keep` tells them) and each one's text (row):
    scikit-learn drops stop words before it makes word pairs, so they never break one."""
    row = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    kept = keep(ids)
    return ids[kept], row[kept]


def _occurrences(ids: Codes, row: Codes, n: int, pairs: bool, in_order: bool
                 ) -> tuple[Codes, Codes]:
    """Every term occurrence of n texts as a code, with its text (row): the words (ids >= 0;
    a negative id is a word no term uses) and, with `pairs`, each two adjacent known words
    of a text. `in_order`: as CountVectorizer's analyzer yields them, text by text, its
    words then its pairs (the order decides which term is numbered first)."""
    known = ids >= 0
    word_ids, word_row = ids[known], row[known]
    if not pairs:
        return word_ids, word_row
    same = (row[1:] == row[:-1]) & known[1:] & known[:-1]
    pair_ids = (((ids[:-1] + 1) << SHIFT) | ids[1:])[same]
    pair_row = row[1:][same]
    if not in_order:
        return np.concatenate([word_ids, pair_ids]), np.concatenate([word_row, pair_row])
    n_words = np.bincount(word_row, minlength=n)
    n_pairs = np.bincount(pair_row, minlength=n)
    text_start = np.cumsum(n_words + n_pairs) - (n_words + n_pairs)
    word_at = text_start[word_row] + _rank_in_row(word_row, n_words)
    pair_at = text_start[pair_row] + n_words[pair_row] + _rank_in_row(pair_row, n_pairs)
    codes = np.empty(len(word_ids) + len(pair_ids), dtype=np.int64)
    rows = np.empty(len(codes), dtype=np.int64)
    codes[word_at], codes[pair_at] = word_ids, pair_ids
    rows[word_at], rows[pair_at] = word_row, pair_row
    return codes, rows


def _rank_in_row(row: Codes, per_row: Codes) -> Codes:
    """For items grouped by row (ascending), each one's place within its row."""
    return np.arange(len(row)) - (np.cumsum(per_row) - per_row)[row]


def _summed(rows: Codes, columns: Codes, n: int, width: int) -> sp.csr_matrix:
    """Counts of each (row, column) pair, as CSR with sorted indices."""
    counts = sp.csr_matrix((np.ones(len(rows), dtype=np.intc), (rows, columns)),
                           shape=(n, width))
    counts.sum_duplicates()
    return counts


def _renamed(counts: sp.csr_matrix, numbered: Codes, column_of: Codes, width: int,
             dtype: type[np.floating]) -> sp.csr_matrix:
    """A batch's counts (as `dtype`) with dropped terms removed, each row in appearance
    order, and the columns then renamed (numbered: a batch column's appearance number, -1
    if dropped)."""
    number = numbered[counts.indices]
    kept = number >= 0
    indptr = np.concatenate(([0], np.cumsum(kept)))[counts.indptr]
    out = sp.csr_matrix((counts.data[kept].astype(dtype), number[kept], indptr),
                        shape=(counts.shape[0], width))
    out.sort_indices()
    out.indices = column_of[out.indices].astype(out.indices.dtype)
    out.has_sorted_indices = False  # sorted by appearance, not by column (as scikit-learn)
    return out


def _merged(codes: list[Codes], firsts: list[Codes], dfs: list[Codes]
            ) -> tuple[Codes, Codes, Codes, list[npt.NDArray[np.int32]]]:
    """The batches' codes merged: the corpus's distinct codes (ascending), where each first
    appears, each one's document frequency, and each batch's codes as indices into them.
    A sort in place and a binary search per batch, not np.unique's argsort of every code
    (at 100,000 papers that took 300 MB more, and longer). Empties `codes` as it goes."""
    merged = np.concatenate(codes)
    merged.sort()
    every = merged[np.concatenate(([True], merged[1:] != merged[:-1]))]
    del merged
    first = np.full(len(every), np.iinfo(np.int64).max, dtype=np.int64)
    df = np.zeros(len(every), dtype=np.int64)
    segments = []
    for i, (batch_first, batch_df) in enumerate(zip(firsts, dfs, strict=True)):
        where = np.searchsorted(every, codes[i])  # each code once per batch
        codes[i] = codes[i][:0]
        first[where] = np.minimum(first[where], batch_first)
        df[where] += batch_df
        segments.append(where.astype(np.int32))
    return every, first, df, segments


def _words_by_id(ids: dict[str, int]) -> npt.NDArray[np.object_]:
    words = np.empty(len(ids), dtype=object)
    for word, i in ids.items():
        words[i] = word
    return words


def _terms(codes: Codes, words: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """Each code's term: a word, or two joined by a space."""
    terms = np.empty(len(codes), dtype=object)
    pair = codes >= 1 << SHIFT
    terms[~pair] = words[codes[~pair]]
    first, second = words[(codes[pair] >> SHIFT) - 1], words[codes[pair] & ((1 << SHIFT) - 1)]
    terms[pair] = [a + " " + b for a, b in zip(first, second, strict=True)]
    return terms


def _documents(share: float, n: int) -> float:
    """A document-frequency cut-off as a number of documents (an int is one already)."""
    return share if isinstance(share, Integral) else share * n
