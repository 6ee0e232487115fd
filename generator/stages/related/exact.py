"""Exact related papers: every pair of papers scored, in square blocks of a bounded size, each
block computed once and read both ways (the scores are symmetric)."""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

Scores = npt.NDArray[np.float32]

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


def top_k_exact(matrix: sp.csr_matrix, k: int, chunk_size: int = 2048,
                floor: float = 0.0) -> list[tuple[int, ...]]:
    """Per row of `matrix` (unit rows), the indices of the k rows with the highest positive dot
    product of at least `floor`, itself excluded; by score descending, then index ascending.
    Exact: every pair is scored. `chunk_size`: the edge of a block of scores (the result does
    not depend on it)."""
    n = matrix.shape[0]
    k = min(k, n - 1)
    if k <= 0:
        return [() for _ in range(n)]
    matrix = sp.csr_matrix(matrix, dtype=np.float32)
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
        found = [_best_in_block(scores, starts[a], starts[b], k, floor)]
        if a != b:
            found.append(_best_in_block(np.ascontiguousarray(scores.T), starts[b], starts[a], k,
                                        floor))
        return found

    pairs = [(a, b) for a in range(len(starts)) for b in range(a, len(starts))]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        found = [best for part in pool.map(lambda ab: pair(*ab), pairs) for best in part]
    return _best_of_blocks(found, n, k)


def _dense_columns(matrix: sp.csr_matrix) -> npt.NDArray[np.intp]:
    """The columns (terms) common enough to be cheaper as a dense block, most common first."""
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    common = np.flatnonzero(df >= max(1.0, DENSE_TERM_SHARE * matrix.shape[0]))
    order = np.lexsort((common, -df[common]))  # most common first, then column: deterministic
    return np.sort(common[order][:DENSE_TERMS_MAX])


Best = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], Scores]  # rows, columns, scores


def _best_in_block(scores: Scores, row0: int, col0: int, k: int, floor: float = 0.0) -> Best:
    """The k best columns of each row of a block of scores (rows row0.., columns col0..) by
    score descending, then column ascending; a row's own column, scores of 0 (no relation)
    and scores below `floor` left out. Any row's k best overall are among the k best of its
    blocks."""
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
    # A score of 0 is no relation; one below the floor too loose a relation to list.
    bound = np.maximum(bound, max(np.float32(floor), np.finfo(np.float32).tiny))
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
