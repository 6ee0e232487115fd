"""Related papers: texts (title + abstract) in, each text's most similar other texts out."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from generator.models import Paper, paper_keys
from generator.stages.sparse import row_entries

Scores = npt.NDArray[np.float32]

# Below this many documents min_df=2 and max_df=0.5 would throw away most of the vocabulary
# (in a corpus of 4, a word shared by 3 is "too common"), so tiny corpora keep every term.
LARGE_CORPUS = 50
# A block of scores is at most min(chunk_size, sqrt(SCORE_BUDGET)) rows and as many columns:
# 16 MB as float32 with the default chunk_size of 2,048, about three times that while the
# sparse product (values and column indices) is turned dense, per thread. Abstracts overlap
# in some term almost always (99.6% of seed pairs), so the product is dense in all but format.
SCORE_BUDGET = 32 * 1024 * 1024
# Terms in at least this share of the documents are multiplied as a dense block with BLAS.
# Such a term pairs up nearly every two documents, and a sparse product pays ~5 ns for each
# pair, while BLAS pays well under 0.1 ns; rare terms stay sparse, where sparse is cheaper.
DENSE_TERM_SHARE = 0.05
DENSE_TERMS_MAX = 512  # caps the dense block at n x 512 float32 (200 MB for 100,000 papers)
# Blocks of scores run on this many threads: scipy and numpy release the GIL in the heavy
# loops. The result does not depend on it (each block is computed alone, and the blocks'
# best are merged in a fixed order).
WORKERS = min(4, os.cpu_count() or 1)
# Exact all-pairs similarity costs n^2: 0.7 s for 10,000 papers, 12 s for 30,000 and over two
# minutes for 100,000 on two cores. Above this many papers candidates are found first.
EXACT_LIMIT = 20_000
# Candidates come from the terms that are rare enough to point at few papers: at most this
# share of the corpus (and at least RARE_MIN papers)...
RARE_SHARE = 0.01
RARE_MIN = 200
CANDIDATES = 20  # ...the best this many by those terms alone are then scored on every term.
CANDIDATE_ROWS = 500  # rows per chunk of the candidate search (a sparse product)...
GROUP_ROWS = 50  # ...whose rows are ranked in groups of about this many (a dense block each)


def _vectorizer(n: int) -> TfidfVectorizer:
    """Every TF-IDF setting in one place: sublinear tf (1 + log(tf): a term repeated ten
    times is not ten times the topic), English stop words ("the", "we", "our" would make
    every pair of abstracts similar), unit rows (a dot product is the cosine similarity)."""
    large = n >= LARGE_CORPUS
    return TfidfVectorizer(
        lowercase=True,
        stop_words="english",
        min_df=2 if large else 1,  # a term in one document cannot relate it to another
        max_df=0.5 if large else 1.0,  # "model", "learning": in half the corpus, tells nothing
        sublinear_tf=True,
        norm="l2",
        smooth_idf=True,
        dtype=np.float32,  # halves memory; cosine scores need no more precision
    )


def tfidf_matrix(texts: Sequence[str]) -> sp.csr_matrix:
    """L2-normalised TF-IDF rows (float32 CSR), one per text; all-zero rows if no term survives."""
    try:
        matrix = _vectorizer(len(texts)).fit_transform(texts)
    except ValueError:  # empty vocabulary: every text empty or only stop words
        return sp.csr_matrix((len(texts), 0), dtype=np.float32)
    return sp.csr_matrix(matrix, dtype=np.float32)


def related_papers(texts: Sequence[str], k: int = 5, chunk_size: int = 2048,
                   random_state: int = 0) -> list[tuple[int, ...]]:
    """For each text, up to k indices of the others by cosine similarity, most similar first.

    Ties go to the lower index. A document sharing no term with a text (score 0) is never
    listed as related to it, so a tuple can be shorter than k. Deterministic, and exact up to
    EXACT_LIMIT texts (see top_k_similar); `random_state` is accepted for the pipeline's
    uniform signature and changes nothing.
    """
    del random_state  # nothing is sampled
    if len(texts) <= 1 or k <= 0:
        return [() for _ in texts]
    return top_k_similar(tfidf_matrix(texts), k, chunk_size)


def top_k_similar(matrix: sp.csr_matrix, k: int,
                  chunk_size: int = 2048) -> list[tuple[int, ...]]:
    """Per row of `matrix` (unit rows), the indices of the k rows with the highest positive dot
    product, itself excluded; by score descending, then index ascending. `chunk_size`: the
    edge of a block of scores (the result does not depend on it).

    Exact up to EXACT_LIMIT rows; above it, `top_k_by_candidates` (near-linear, not exact)."""
    n = matrix.shape[0]
    k = min(k, n - 1)
    if k <= 0:
        return [() for _ in range(n)]
    matrix = sp.csr_matrix(matrix, dtype=np.float32)
    if n > EXACT_LIMIT:
        return top_k_by_candidates(matrix, k)
    dense_cols = _dense_columns(matrix)
    dense = matrix[:, dense_cols].toarray()  # n x (at most DENSE_TERMS_MAX)
    rare = matrix[:, np.setdiff1d(np.arange(matrix.shape[1]), dense_cols)].tocsr()
    # Square blocks of scores, each computed once: the block of rows a and columns b is also
    # the block of rows b and columns a, transposed (the scores are symmetric), so the pairs
    # a <= b are enough, about half the products of whole rows of scores.
    size = max(1, min(chunk_size, math.isqrt(SCORE_BUDGET)))
    starts = range(0, n, size)
    rare_t = [rare[start:start + size].T.tocsr() for start in starts]  # per column block

    def pair(a: int, b: int) -> list[Best]:
        rows, cols = slice(starts[a], starts[a] + size), slice(starts[b], starts[b] + size)
        scores: Scores = (rare[rows] @ rare_t[b]).toarray()
        scores += dense[rows] @ dense[cols].T
        found = [_best_in_block(scores, starts[a], starts[b], k)]
        if a != b:
            found.append(_best_in_block(np.ascontiguousarray(scores.T), starts[b], starts[a], k))
        return found

    pairs = [(a, b) for a in range(len(starts)) for b in range(a, len(starts))]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        found = [best for part in pool.map(lambda ab: pair(*ab), pairs) for best in part]
    return _best_of_blocks(found, n, k)


def top_k_by_candidates(matrix: sp.csr_matrix, k: int,
                        rare_cols: npt.NDArray[np.intp] | None = None) -> list[tuple[int, ...]]:
    """Like the exact search, for corpora where n^2 scores are too many to compute.

    For each row, the CANDIDATES rows sharing the most weight in rare terms (`rare_cols`;
    by default those in at most RARE_SHARE of the rows) are scored exactly on all terms, and
    the best k of them kept. Frequent terms are left out of the search because they pair
    nearly every two papers (that is what makes the exact search quadratic) while adding
    little to which pairs are the closest. Deterministic; a true neighbour sharing no rare
    term is missed.
    """
    if rare_cols is None:
        rare_cols = rare_columns(matrix)
    return _lists(best_of(find_candidates(matrix, rare_cols), k))


def rare_columns(matrix: sp.csr_matrix) -> npt.NDArray[np.intp]:
    """The terms in at most RARE_SHARE of the rows of `matrix` (and at least RARE_MIN)."""
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    return np.flatnonzero(df <= max(RARE_MIN, int(RARE_SHARE * matrix.shape[0])))


@dataclass(frozen=True)
class Candidates:
    """Per row of a matrix, up to CANDIDATES other rows: the ones sharing the most weight in
    rare terms, by that weight descending then row ascending; -1 pads a short list. Each
    pair's scores are computed from the two rows alone, and the order is a total one, so the
    candidates of a grown matrix are the best of the old ones and the new rows' (`extend`)."""

    rows: npt.NDArray[np.int64]  # (n, CANDIDATES)
    shared: Scores  # weight in rare terms
    exact: Scores  # cosine similarity on every term


def find_candidates(matrix: sp.csr_matrix, rare_cols: npt.NDArray[np.intp]) -> Candidates:
    """Every row's candidates (see Candidates), from scratch."""
    matrix = _sorted(matrix)
    rare = _sorted(matrix[:, rare_cols])
    rare_t = rare.T.tocsr()
    n = matrix.shape[0]
    parts = []
    for start in range(0, n, CANDIDATE_ROWS):
        stop = min(start + CANDIDATE_ROWS, n)
        parts.append(_best_candidates(rare[start:stop] @ rare_t, np.arange(start, stop)))
    owner = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
    rows = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
    shared = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, np.float32)
    return _as_table(n, owner, rows, shared, _exact(matrix, owner, rows))


def extend_candidates(matrix: sp.csr_matrix, rare_cols: npt.NDArray[np.intp],
                      old: Candidates, old_rows: npt.NDArray[np.int64],
                      new_rows: npt.NDArray[np.int64]
                      ) -> tuple[Candidates, npt.NDArray[np.int64]]:
    """find_candidates(matrix, rare_cols), computed from `old` (the candidates of the rows
    `old_rows` of matrix, in that order, as find_candidates gave them for those rows alone)
    and the pairs that involve `new_rows` (every other row of matrix); and the rows whose
    candidates are not the old ones (the new rows among them)."""
    matrix = _sorted(matrix)
    n = matrix.shape[0]
    rare = _sorted(matrix[:, rare_cols])
    # The old table in the new numbering.
    table = np.where(old.rows >= 0, old_rows[np.maximum(old.rows, 0)], -1)
    shared = np.full((n, CANDIDATES), -np.inf, dtype=np.float32)
    exact = np.zeros((n, CANDIDATES), dtype=np.float32)
    rows = np.full((n, CANDIDATES), -1, dtype=np.int64)
    rows[old_rows], shared[old_rows], exact[old_rows] = table, old.shared, old.exact
    if len(new_rows):
        pairs = sp.csr_matrix(rare[new_rows] @ rare.T)  # new rows x every row
        # The new rows' own candidates, as from scratch.
        new_owner, new_cols, new_shared = _best_candidates(pairs, new_rows)
        # Old rows gain a new row as a candidate where it beats their weakest one.
        by_old = sp.csr_matrix(pairs.T)[old_rows].tocoo()
        gained = by_old.data > 0
        owner = old_rows[by_old.row[gained]]
        cols = new_rows[by_old.col[gained]]
        values = by_old.data[gained].astype(np.float32)
        # Only a new row that beats the weakest candidate (by weight, then row) gets in.
        count = (rows >= 0).sum(axis=1)[owner]
        weakest = np.maximum(count - 1, 0)
        floor, floor_row = shared[owner, weakest], rows[owner, weakest]
        beats = ((count < CANDIDATES) | (values > floor)
                 | ((values == floor) & (cols < floor_row)))
        owner, cols, values = owner[beats], cols[beats], values[beats]
        touched = np.unique(owner)
        keep = rows[touched] >= 0
        before_owner = np.broadcast_to(touched[:, None], keep.shape)[keep]
        owner = np.concatenate([before_owner, owner])
        cols = np.concatenate([rows[touched][keep], cols])
        values = np.concatenate([shared[touched][keep], values])
        known = np.concatenate([exact[touched][keep], np.full(len(cols) - keep.sum(), np.nan,
                                                               dtype=np.float32)])
        owner, cols, values, known = _select(owner, cols, values, known)
        rows[touched], shared[touched], exact[touched] = -1, -np.inf, 0
        missing = np.isnan(known)
        known[missing] = _exact(matrix, owner[missing], cols[missing])
        _fill((rows, shared, exact), owner, (cols, values, known))
        new_exact = _exact(matrix, new_owner, new_cols)
        rows[new_rows], shared[new_rows], exact[new_rows] = -1, -np.inf, 0
        _fill((rows, shared, exact), new_owner, (new_cols, new_shared, new_exact))
        changed = np.union1d(touched, new_rows)
    else:
        changed = np.zeros(0, dtype=np.int64)
    return Candidates(rows=rows, shared=shared, exact=exact), changed


def best_of(candidates: Candidates, k: int,
            only: npt.NDArray[np.int64] | None = None) -> npt.NDArray[np.int64]:
    """Per row (of `only`, default all), the best k of its candidates by exact score (ties:
    lower row), score > 0: an (rows, k) array, -1 where a row has fewer."""
    table = candidates.rows if only is None else candidates.rows[only]
    scores = candidates.exact if only is None else candidates.exact[only]
    n = table.shape[0]
    valid = (table >= 0) & (scores > 0)
    owner = np.broadcast_to(np.arange(n)[:, None], valid.shape)[valid]
    cols, exact = table[valid], scores[valid]
    order = np.lexsort((cols, -exact, owner))  # by row, score descending, then index
    owner, cols = owner[order], cols[order]
    rank = np.arange(len(owner)) - np.searchsorted(owner, owner, side="left")
    best = np.full((n, k), -1, dtype=np.int64)
    best[owner[rank < k], rank[rank < k]] = cols[rank < k]
    return best


def _lists(best: npt.NDArray[np.int64]) -> list[tuple[int, ...]]:
    return [tuple(j for j in row if j >= 0) for row in best.tolist()]


def _as_table(n: int, owner: npt.NDArray[np.int64], cols: npt.NDArray[np.int64],
              shared: Scores, exact: Scores) -> Candidates:
    rows = np.full((n, CANDIDATES), -1, dtype=np.int64)
    table_shared = np.full((n, CANDIDATES), -np.inf, dtype=np.float32)
    table_exact = np.zeros((n, CANDIDATES), dtype=np.float32)
    _fill((rows, table_shared, table_exact), owner, (cols, shared, exact))
    return Candidates(rows=rows, shared=table_shared, exact=table_exact)


def _fill(tables: tuple[np.ndarray, ...], owner: np.ndarray, values: tuple[np.ndarray, ...]
          ) -> None:
    """Write entries sorted by owner into the tables' rows, each owner's from column 0."""
    rank = np.arange(len(owner)) - np.searchsorted(owner, owner, side="left")
    for table, value in zip(tables, values, strict=True):
        table[owner, rank] = value


def _select(owner: np.ndarray, cols: np.ndarray, values: np.ndarray, *more: np.ndarray
            ) -> tuple[np.ndarray, ...]:
    """The entries sorted by owner, then value descending, then column; the first
    CANDIDATES of each owner kept (with the same entries of `more`)."""
    order = np.lexsort((cols, -values, owner))
    owner, cols, values = owner[order], cols[order], values[order]
    rank = np.arange(len(owner)) - np.searchsorted(owner, owner, side="left")
    keep = rank < CANDIDATES
    return (owner[keep], cols[keep], values[keep], *(m[order][keep] for m in more))


def _exact(matrix: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> Scores:
    """The cosine of each pair (rows[i], cols[i]), each from its two rows alone."""
    if not len(rows):
        return np.zeros(0, dtype=np.float32)
    scores = np.empty(len(rows), dtype=np.float32)
    for start in range(0, len(rows), 100_000):  # bounded memory for the pair rows
        part = slice(start, start + 100_000)
        scores[part] = np.asarray(matrix[rows[part]].multiply(matrix[cols[part]])
                                  .sum(axis=1)).ravel()
    return scores


def _sorted(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """CSR with sorted indices, so a pair's sums run over terms in one order whichever row
    is on which side of the product."""
    matrix = sp.csr_matrix(matrix)
    if not matrix.has_sorted_indices:
        matrix = matrix.sorted_indices()
    return matrix


def _best_candidates(shared: sp.spmatrix, documents: npt.NDArray[np.intp]
                     ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], Scores]:
    """(row, column, value) entries: for each row of `shared` (document documents[r]), the
    CANDIDATES columns with the highest values (ties: lower column), itself excluded and
    values > 0; sorted by row, value descending, column.

    Rows are taken in groups of similar length, each group padded to its own longest row:
    padding every row to the chunk's longest would make the selection work on several times
    the entries there are."""
    shared = sp.csr_matrix(shared)
    lengths = np.diff(shared.indptr)
    by_length = np.argsort(lengths, kind="stable")
    found = [_top_columns(shared, group, documents)
             for group in np.array_split(by_length, max(1, len(by_length) // GROUP_ROWS))]
    if not found:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
    owner = np.concatenate([f[0] for f in found])
    cols = np.concatenate([f[1] for f in found])
    values = np.concatenate([f[2] for f in found])
    owner, cols, values = _select(owner, cols, values)
    return owner, cols, values


def _top_columns(shared: sp.csr_matrix, group: npt.NDArray[np.intp],
                 documents: npt.NDArray[np.intp]
                 ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], Scores]:
    """_best_candidates for the rows in `group`, as a dense (rows x longest) block: every
    entry at least as high as the row's CANDIDATES-th highest (ties included; _select cuts)."""
    owner, slot, entries = row_entries(shared.indptr, group)
    width = max(1, int(slot.max(initial=0)) + 1)
    values = np.full((len(group), width), -np.inf, dtype=np.float32)
    columns = np.full((len(group), width), -1, dtype=np.int64)
    values[owner, slot] = shared.data[entries]
    columns[owner, slot] = shared.indices[entries]
    mine = documents[group]
    values[columns == mine[:, None]] = -np.inf  # never oneself
    keep = np.isfinite(values) & (values > 0)
    if width > CANDIDATES:
        kth = -np.partition(-values, CANDIDATES - 1, axis=1)[:, CANDIDATES - 1]
        keep &= values >= kth[:, None]
    rows = np.broadcast_to(mine[:, None], values.shape)[keep]
    return rows.astype(np.int64), columns[keep], values[keep]


def _dense_columns(matrix: sp.csr_matrix) -> npt.NDArray[np.intp]:
    """The columns (terms) common enough to be cheaper as a dense block, most common first."""
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    common = np.flatnonzero(df >= max(1.0, DENSE_TERM_SHARE * matrix.shape[0]))
    order = np.lexsort((common, -df[common]))  # most common first, then column: deterministic
    return np.sort(common[order][:DENSE_TERMS_MAX])


Best = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], Scores]  # rows, columns, scores


def _best_in_block(scores: Scores, row0: int, col0: int, k: int) -> Best:
    """The k best columns of each row of a block of scores (rows row0.., columns col0..) by
    score descending, then column ascending; a row's own column and scores of 0 (no
    relation) left out. Any row's k best overall are among the k best of its blocks."""
    height, width = scores.shape
    if row0 == col0:  # a block on the diagonal: never one's own neighbour
        r = np.arange(min(height, width))
        scores[r, r] = -np.inf
    # A cheap lower bound for each row's k-th best score: the k-th best of its block maxima
    # (k blocks whose maxima reach it hold k distinct scores at least that high). Only the few
    # scores above it are then sorted, fully and by an explicit key, so ties are exact.
    block = max(k, int(np.sqrt(width)))
    maxima = np.maximum.reduceat(scores, np.arange(0, width, block), axis=1)
    if maxima.shape[1] > k:
        bound = np.partition(maxima, maxima.shape[1] - k, axis=1)[:, maxima.shape[1] - k]
    else:  # k maxima or fewer bound nothing: a row's k best may all be in one of them
        bound = np.zeros(height, dtype=np.float32)
    bound = np.maximum(bound, np.finfo(np.float32).tiny)  # a score of 0 is no relation
    rows, cols = np.nonzero(scores >= bound[:, None])
    values = scores[rows, cols]
    rows, cols, values = _first_k(rows, cols, values, k)
    return rows + row0, cols + col0, values


def _first_k(rows: npt.NDArray[np.int64], cols: npt.NDArray[np.int64], values: Scores,
             k: int) -> Best:
    """The k best entries of each row: by row, then score descending, then column."""
    order = np.lexsort((cols, -values, rows))
    rows, cols, values = rows[order], cols[order], values[order]
    keep = np.arange(len(rows)) - np.searchsorted(rows, rows, side="left") < k
    return rows[keep], cols[keep], values[keep]


def _best_of_blocks(found: list[Best], n: int, k: int) -> list[tuple[int, ...]]:
    """Each of n rows' k best columns (as lists) from its blocks' k best."""
    rows, cols, _ = _first_k(np.concatenate([f[0] for f in found]),
                             np.concatenate([f[1] for f in found]),
                             np.concatenate([f[2] for f in found]), k)
    ends = np.searchsorted(rows, np.arange(n), side="right")
    starts = np.searchsorted(rows, np.arange(n), side="left")
    flat = cols.tolist()
    return [tuple(flat[a:b]) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]


@dataclass(frozen=True)
class Neighbourhood:
    """What relate_papers keeps for the next build: the vectorizer fitted on the training
    papers (growth.py), each paper's TF-IDF row by its key, and above EXACT_LIMIT the
    candidates; with them a new week computes only the pairs that involve its papers."""

    vectorizer: TfidfVectorizer | None  # None: no term survived
    rare_cols: npt.NDArray[np.intp]  # the candidate search's terms (rare in the training papers)
    keys: tuple[bytes, ...]  # per row: the paper's key (cache.paper_key)
    rows: sp.csr_matrix
    candidates: Candidates | None  # None at or below EXACT_LIMIT papers
    best: npt.NDArray[np.int64] | None = None  # with candidates: best_of(candidates, k)


def relate_papers(papers: Sequence[Paper], k: int = 5, previous: Neighbourhood | None = None,
                  keys: Mapping[str, bytes] | None = None
                  ) -> tuple[dict[str, tuple[str, ...]], Neighbourhood]:
    """Each paper's id -> the ids of its k most related papers (order of input is
    irrelevant), and what to keep for the next build.

    TF-IDF is fitted on the training papers (growth.py), so a paper's row depends on that
    paper and the fit alone. `previous` (from a build with the same training papers) gives
    the rows and candidates it has; the result is the same as without it. `keys`: the
    papers' cache.paper_keys, if made."""
    from generator.stages.training import split_training

    made = keys if keys is not None else paper_keys(papers)
    ordered = sorted(papers, key=lambda p: p.id)
    row_keys = tuple(made[p.id] for p in ordered)
    if previous is None:
        trained, _ = split_training(ordered)
        vectorizer, rare_cols, known = _fit(trained)
        # The training papers' rows come from the fit itself, like on every later build.
        had = {made[p.id]: i for i, p in enumerate(trained)}
    else:
        vectorizer, rare_cols, known = previous.vectorizer, previous.rare_cols, previous.rows
        had = {key: i for i, key in enumerate(previous.keys)}
    rows = _rows(vectorizer, ordered, row_keys, had, known)
    n = len(ordered)
    candidates = None
    if n <= 1 or k <= 0 or rows.shape[1] == 0:
        found: list[tuple[int, ...]] = [() for _ in ordered]
    elif n <= EXACT_LIMIT:
        found = top_k_similar(rows, k)
    else:
        old = np.array([had.get(key, -1) for key in row_keys], dtype=np.int64)
        if (previous is not None and previous.candidates is not None
                and previous.best is not None and previous.best.shape[1] == k
                and len(previous.keys) == int((old >= 0).sum())):
            # Every paper of the last build is still here, unchanged: extend its candidates,
            # and rank again only the rows whose candidates changed.
            old_rows = np.flatnonzero(old >= 0)
            old_rows = old_rows[np.argsort(old[old_rows])]  # in the previous order
            candidates, changed = extend_candidates(rows, rare_cols, previous.candidates,
                                                    old_rows, np.flatnonzero(old < 0))
            best = np.full((n, k), -1, dtype=np.int64)
            best[old_rows] = np.where(previous.best >= 0,
                                      old_rows[np.maximum(previous.best, 0)], -1)
            best[changed] = best_of(candidates, k, changed)
        else:
            candidates = find_candidates(rows, rare_cols)
            best = best_of(candidates, k)
        found = _lists(best)
    related = {p.id: tuple(ordered[j].id for j in found[i]) for i, p in enumerate(ordered)}
    return related, Neighbourhood(vectorizer=vectorizer, rare_cols=rare_cols, keys=row_keys,
                                  rows=rows, candidates=candidates,
                                  best=None if candidates is None else best)


def _text(paper: Paper) -> str:
    return f"{paper.title} {paper.abstract}"


def _fit(trained: Sequence[Paper]
         ) -> tuple[TfidfVectorizer | None, npt.NDArray[np.intp], sp.csr_matrix]:
    """The vectorizer fitted on the training papers, the terms rare among them, and the
    training papers' rows (in the order given)."""
    vectorizer = _vectorizer(len(trained))
    try:
        matrix = sp.csr_matrix(vectorizer.fit_transform([_text(p) for p in trained]),
                               dtype=np.float32)
    except ValueError:  # empty vocabulary: every text empty or only stop words
        return None, np.zeros(0, dtype=np.intp), sp.csr_matrix((len(trained), 0),
                                                               dtype=np.float32)
    return vectorizer, rare_columns(matrix), _sorted(matrix)


def _rows(vectorizer: TfidfVectorizer | None, ordered: Sequence[Paper],
          keys: Sequence[bytes], had: dict[bytes, int], known: sp.csr_matrix
          ) -> sp.csr_matrix:
    """The papers' unit TF-IDF rows (float32, sorted indices): the ones `known` has (`had`:
    key -> its row there) taken from it, the others computed."""
    if vectorizer is None:
        return sp.csr_matrix((len(ordered), 0), dtype=np.float32)
    new = [i for i, key in enumerate(keys) if key not in had]
    parts = [known]
    if new:
        parts.append(sp.csr_matrix(vectorizer.transform([_text(ordered[i]) for i in new]),
                                   dtype=np.float32))
    stacked = sp.vstack(parts, format="csr")
    position = np.empty(len(keys), dtype=np.int64)
    position[new] = known.shape[0] + np.arange(len(new))
    kept = [i for i, key in enumerate(keys) if key in had]
    position[kept] = [had[keys[i]] for i in kept]
    return _sorted(stacked[position])
