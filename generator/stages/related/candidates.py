"""Related papers at scale: candidates found through the terms rare enough to point at few
papers, then scored exactly; a new week extends the candidates instead of searching again."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from generator.stages.related.exact import Scores
from generator.stages.sparse import row_entries

# Candidates come from the terms that are rare enough to point at few papers: at most this
# share of the corpus (and at least RARE_MIN papers)...
RARE_SHARE = 0.01

RARE_MIN = 200

CANDIDATES = 20  # ...the best this many by those terms alone are then scored on every term.

CANDIDATE_ROWS = 500  # rows per chunk of the candidate search (a sparse product)...

GROUP_ROWS = 50  # ...whose rows are ranked in groups of about this many (a dense block each)


def top_k_by_candidates(matrix: sp.csr_matrix, k: int,
                        rare_cols: npt.NDArray[np.intp] | None = None,
                        floor: float = 0.0) -> list[tuple[int, ...]]:
    """Like the exact search, for corpora where n^2 scores are too many to compute.

    For each row, the CANDIDATES rows sharing the most weight in rare terms (`rare_cols`;
    by default those in at most RARE_SHARE of the rows) are scored exactly on all terms, and
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
    """Per row of a matrix, up to CANDIDATES other rows: the ones sharing the most weight in
    rare terms, by that weight descending then row ascending; -1 pads a short list. Each
    pair's scores are computed from the two rows alone, and the order is a total one, so the
    candidates of a grown matrix are the best of the old ones and the new rows' (`extend`)."""

    rows: npt.NDArray[np.int64]  # (n, CANDIDATES)
    shared: Scores  # weight in rare terms
    exact: Scores  # cosine similarity on every term


def find_candidates(matrix: sp.csr_matrix, rare_cols: npt.NDArray[np.intp]) -> Candidates:
    """Every row's candidates (see Candidates), from scratch."""
    matrix = sorted_rows(matrix)
    rare = sorted_rows(matrix[:, rare_cols])
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
    matrix = sorted_rows(matrix)
    n = matrix.shape[0]
    rare = sorted_rows(matrix[:, rare_cols])
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


def best_of(candidates: Candidates, k: int, only: npt.NDArray[np.int64] | None = None,
            floor: float = 0.0) -> npt.NDArray[np.int64]:
    """Per row (of `only`, default all), the best k of its candidates by exact score (ties:
    lower row), score > 0 and >= floor: an (rows, k) array, -1 where a row has fewer."""
    table = candidates.rows if only is None else candidates.rows[only]
    scores = candidates.exact if only is None else candidates.exact[only]
    n = table.shape[0]
    valid = (table >= 0) & (scores > 0) & (scores >= floor)
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


def sorted_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
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
