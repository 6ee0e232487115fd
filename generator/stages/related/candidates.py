"""Related papers at scale: candidates found through the terms rare enough to point at few
papers, then scored exactly; a new week extends the candidates instead of searching again."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from generator.stages.related.exact import Scores

# Candidates come from the terms that are rare enough to point at few papers: at most this
# share of the corpus (and at least RARE_MIN papers)... A broader share finds more of the true
# neighbours, but the search's product grows fast with it: on bench/run.py's 100,000 papers
# a paper shares a rare term with about 6,000 others at 1 %, 11,600 at 1.5 %, 17,400 at 2 %.
RARE_SHARE = 0.01

RARE_MIN = 200

# ...the best this many by those terms alone (search_rows) are then scored on every term. Of
# the exact top five at 100,000 papers (bench/related_recall.py), the best 20 held 85 %, 60
# held 94 %, 80 95 %, 100 96.3 % and 120 97.1 % (of 3,000 papers; at 100, 95.2 to 96.5 % in
# seven samples of 1,000, too near the 95 % goal); every 10 more cost about 1.2 s of CPU there,
# for their exact scores.
CANDIDATES = 120

CANDIDATE_ROWS = 500  # rows per chunk of the candidate search (a sparse product)...

LEVELS = 1024  # ...whose entries are first cut by level (value in steps of 1 / LEVELS)


def top_k_by_candidates(matrix: sp.csr_matrix, k: int,
                        rare_cols: npt.NDArray[np.intp] | None = None,
                        floor: float = 0.0) -> list[tuple[int, ...]]:
    """Like the exact search, for corpora where n^2 scores are too many to compute.

    For each row, the CANDIDATES rows whose rare terms (`rare_cols`; by default those in at
    most RARE_SHARE of the rows) overlap its own the most are scored exactly on all terms, and
    the best k of them scoring at least `floor` kept. Frequent terms are left out of the
    search because they pair nearly every two papers (that is what makes the exact search
    quadratic) while adding little to which pairs are the closest. Deterministic; a true
    neighbour sharing no rare term is missed.
    """
    if rare_cols is None:
        rare_cols = rare_columns(matrix)
    return lists(best_of(find_candidates(matrix, rare_cols), k, floor=floor))


def rare_columns(matrix: sp.csr_matrix) -> npt.NDArray[np.intp]:
    """The terms in at most RARE_SHARE of the rows of `matrix` (and at least RARE_MIN)."""
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    return np.flatnonzero(df <= max(RARE_MIN, int(RARE_SHARE * matrix.shape[0])))


@dataclass(frozen=True)
class Candidates:
    """Per row of a matrix, up to CANDIDATES other rows: the ones whose rare terms overlap
    its own the most (search_rows), by that overlap descending then row ascending; -1 pads a
    short list. Each pair's scores are computed from the two rows alone, and the order is a
    total one, so the candidates of a grown matrix are the best of the old ones and the new
    rows' (`extend`)."""

    rows: npt.NDArray[np.int64]  # (n, CANDIDATES)
    shared: Scores  # overlap in rare terms (search_rows)
    exact: Scores  # cosine similarity on every term


def find_candidates(matrix: sp.csr_matrix, rare_cols: npt.NDArray[np.intp]) -> Candidates:
    """Every row's candidates (see Candidates), from scratch."""
    matrix = sorted_rows(matrix)
    rare = search_rows(matrix, rare_cols)
    rare_t = rare.T.tocsr()
    n = matrix.shape[0]
    rows, shared, exact = _empty_table(n)
    for start in range(0, n, CANDIDATE_ROWS):
        stop = min(start + CANDIDATE_ROWS, n)
        owner, cols, values = _best_candidates(rare[start:stop] @ rare_t, np.arange(start, stop))
        _fill((rows, shared, exact), owner, (cols, values, _exact(matrix, owner, cols)))
    return Candidates(rows=rows, shared=shared, exact=exact)


def extend_candidates(matrix: sp.csr_matrix, rare_cols: npt.NDArray[np.intp],
                      old: Candidates, old_rows: npt.NDArray[np.int64],
                      new_rows: npt.NDArray[np.int64]
                      ) -> tuple[Candidates, npt.NDArray[np.int64]]:
    """find_candidates(matrix, rare_cols), computed from `old` (the candidates of the rows
    `old_rows` of matrix, in that order, as find_candidates gave them for those rows alone)
    and the pairs that involve `new_rows` (every other row of matrix); and the rows whose
    candidates are not the old ones (the new rows among them)."""
    matrix = sorted_rows(matrix)
    n = matrix.shape[0]
    rare = search_rows(matrix, rare_cols)
    # The old table in the new numbering.
    table = np.where(old.rows >= 0, old_rows[np.maximum(old.rows, 0)], -1)
    rows, shared, exact = _empty_table(n)
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


def best_of(candidates: Candidates, k: int, only: npt.NDArray[np.int64] | None = None,
            floor: float = 0.0) -> npt.NDArray[np.int64]:
    """Per row (of `only`, default all), the best k of its candidates by exact score (ties:
    lower row), score > 0 and >= floor: an (rows, k) array, -1 where a row has fewer."""
    table = candidates.rows if only is None else candidates.rows[only]
    scores = candidates.exact if only is None else candidates.exact[only]
    n = table.shape[0]
    valid = (table >= 0) & (scores > 0) & (scores >= floor)
    if table.shape[1] > k:  # only the entries at or above a row's k-th best are sorted
        ranked = np.where(valid, scores, -np.inf)
        valid &= ranked >= -np.partition(-ranked, k - 1, axis=1)[:, k - 1:k]
    owner = np.broadcast_to(np.arange(n)[:, None], valid.shape)[valid]
    cols, exact = table[valid], scores[valid]
    order = np.lexsort((cols, -exact, owner))  # by row, score descending, then index
    owner, cols = owner[order], cols[order]
    rank = np.arange(len(owner)) - np.searchsorted(owner, owner, side="left")
    best = np.full((n, k), -1, dtype=np.int64)
    best[owner[rank < k], rank[rank < k]] = cols[rank < k]
    return best


def lists(best: npt.NDArray[np.int64]) -> list[tuple[int, ...]]:
    return [tuple(j for j in row if j >= 0) for row in best.tolist()]


def _empty_table(n: int) -> tuple[npt.NDArray[np.int64], Scores, Scores]:
    """Candidates' arrays for n rows, with no candidate yet."""
    return (np.full((n, CANDIDATES), -1, dtype=np.int64),
            np.full((n, CANDIDATES), -np.inf, dtype=np.float32),
            np.zeros((n, CANDIDATES), dtype=np.float32))


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


def search_rows(matrix: sp.csr_matrix, rare_cols: npt.NDArray[np.intp]) -> sp.csr_matrix:
    """The rows the candidate search multiplies: each row's rare terms alone, weighted by the
    square root of each one's share of the row's weight in rare terms, so that a pair's
    product is how much their rare terms overlap (the Bhattacharyya coefficient: 1 for the
    same mix, whatever weight the rows have in common terms). By the plain weights, a paper
    whose weight lies mostly in common terms ranks low, however much of those it shares: of
    the exact top five at 100,000 papers (see CANDIDATES), the best 20 by plain weight held
    78 % and the best 100 91 %, against 85 % and 96 % by overlap."""
    rare = sorted_rows(sp.csr_matrix(matrix[:, rare_cols], dtype=np.float32, copy=True))
    total = np.asarray(rare.sum(axis=1), dtype=np.float32).ravel()  # each row's own entries
    rare.data = np.sqrt(rare.data / np.repeat(total, np.diff(rare.indptr)))
    return rare


def sorted_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """CSR with sorted indices, so a pair's sums run over terms in one order whichever row
    is on which side of the product."""
    matrix = sp.csr_matrix(matrix)
    if not matrix.has_sorted_indices:
        matrix = matrix.sorted_indices()
    return matrix


def _best_candidates(shared: sp.spmatrix, documents: npt.NDArray[np.intp]
                     ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], Scores]:
    """(document, column, value) entries: for each row of `shared` (document documents[r]),
    the CANDIDATES columns with the highest values (ties: lower column), itself excluded and
    values > 0; sorted by document, value descending, column.

    Only a row's entries at or above the level of its (CANDIDATES + 1)-th highest value (its
    own entry may be one of them) are sorted: counting the entries per row and level finds
    that level in a few passes over the product, cheaper than ranking all its entries."""
    shared = sp.csr_matrix(shared)
    height = shared.shape[0]
    owner = np.repeat(np.arange(height), np.diff(shared.indptr))
    level = np.clip(shared.data * LEVELS, 0, LEVELS - 1).astype(np.intp)  # values in [0, 1]
    counts = np.bincount(owner * LEVELS + level, minlength=height * LEVELS)
    at_least = np.cumsum(counts.reshape(height, LEVELS)[:, ::-1], axis=1)[:, ::-1]
    cut = np.maximum((at_least > CANDIDATES).sum(axis=1) - 1, 0)  # level of the cut per row
    keep = level >= cut[owner]
    owner, cols, values = owner[keep], shared.indices[keep].astype(np.int64), shared.data[keep]
    mine = documents[owner]
    keep = (values > 0) & (cols != mine)
    owner, cols, values = _select(mine[keep].astype(np.int64), cols[keep], values[keep])
    return owner, cols, values
