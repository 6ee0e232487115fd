"""Related papers: texts (title + abstract) in, each text's most similar other texts out."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from .models import Paper
from .sparse import row_entries

Scores = npt.NDArray[np.float32]

# Below this many documents min_df=2 and max_df=0.5 would throw away most of the vocabulary
# (in a corpus of 4, a word shared by 3 is "too common"), so tiny corpora keep every term.
LARGE_CORPUS = 50
# A chunk has min(chunk_size, SCORE_BUDGET // n) rows, so it holds at most this many scores
# whatever n is: 128 MB as float32, about three times that while the sparse product (values
# and column indices) is turned dense. Abstracts overlap in some term almost always (99.6% of
# seed pairs), so the product is dense in all but format.
SCORE_BUDGET = 32 * 1024 * 1024
# Terms in at least this share of the documents are multiplied as a dense block with BLAS.
# Such a term pairs up nearly every two documents, and a sparse product pays ~5 ns for each
# pair, while BLAS pays well under 0.1 ns; rare terms stay sparse, where sparse is cheaper.
DENSE_TERM_SHARE = 0.05
DENSE_TERMS_MAX = 512  # caps the dense block at n x 512 float32 (200 MB for 100,000 papers)
# Chunks run on this many threads: scipy and numpy release the GIL in the heavy loops. The
# result does not depend on it (each chunk is computed alone, results kept in order).
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
    """Every TF-IDF setting in one place."""
    large = n >= LARGE_CORPUS
    return TfidfVectorizer(
        sublinear_tf=True,  # 1 + log(tf): a term repeated ten times is not ten times the topic
        stop_words="english",  # "the", "we", "our" would make every pair of abstracts similar
        min_df=2 if large else 1,  # a term in one document cannot relate it to another
        max_df=0.5 if large else 1.0,  # "model", "learning": in half the corpus, tells nothing
        dtype=np.float32,  # halves memory; cosine scores need no more precision
        norm="l2",  # unit rows, so a dot product is the cosine similarity
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
    product, itself excluded; by score descending, then index ascending.

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
    rare_t = rare.T.tocsr()  # shared by every chunk
    rows = max(1, min(chunk_size, SCORE_BUDGET // n))

    def chunk(start: int) -> list[tuple[int, ...]]:
        stop = min(start + rows, n)
        # Sparse product then dense only for these rows: chunk x n scores, never n x n.
        scores: Scores = (rare[start:stop] @ rare_t).toarray()
        scores += dense[start:stop] @ dense.T
        return _top_k_rows(scores, start, k)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return [row for part in pool.map(chunk, range(0, n, rows)) for row in part]


def top_k_by_candidates(matrix: sp.csr_matrix, k: int) -> list[tuple[int, ...]]:
    """Like the exact search, for corpora where n^2 scores are too many to compute.

    For each row, the CANDIDATES rows sharing the most weight in rare terms (document
    frequency at most RARE_SHARE of the corpus) are scored exactly on all terms, and the best
    k of them kept. Frequent terms are left out of the search because they pair nearly every
    two papers (that is what makes the exact search quadratic) while adding little to which
    pairs are the closest. Deterministic; a true neighbour sharing no rare term is missed.
    """
    n = matrix.shape[0]
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    rare_cols = np.flatnonzero(df <= max(RARE_MIN, int(RARE_SHARE * n)))
    rare = matrix[:, rare_cols].tocsr()
    rare_t = rare.T.tocsr()
    found: list[tuple[int, ...]] = []
    for start in range(0, n, CANDIDATE_ROWS):
        stop = min(start + CANDIDATE_ROWS, n)
        rows, cols = _best_candidates(rare[start:stop] @ rare_t, start)
        exact = np.asarray(matrix[rows].multiply(matrix[cols]).sum(axis=1)).ravel()
        order = np.lexsort((cols, -exact, rows))  # by row, score descending, then index
        rows, cols, exact = rows[order], cols[order], exact[order]
        bounds = np.searchsorted(rows, np.arange(start, stop + 1))
        flat_cols, flat_exact = cols.tolist(), exact.tolist()
        for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            found.append(tuple(c for c, v in zip(flat_cols[a:b][:k], flat_exact[a:b][:k],
                                                 strict=True) if v > 0))
    return found


def _best_candidates(shared: sp.spmatrix, start: int
                     ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """(row, column) pairs: for each row of `shared` (document start + r), the CANDIDATES
    columns with the highest values, itself excluded.

    Rows are taken in groups of similar length, each group padded to its own longest row and
    partitioned in one vectorised call: padding every row to the chunk's longest would make
    the partition work on several times the entries there are."""
    shared = sp.csr_matrix(shared)
    lengths = np.diff(shared.indptr)
    by_length = np.argsort(lengths, kind="stable")
    found = [_top_columns(shared, group, start)
             for group in np.array_split(by_length, max(1, len(by_length) // GROUP_ROWS))]
    return (np.concatenate([rows for rows, _ in found]),
            np.concatenate([cols for _, cols in found]))


def _top_columns(shared: sp.csr_matrix, group: npt.NDArray[np.intp], start: int
                 ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """_best_candidates for the rows in `group`, as a dense (rows x longest) block."""
    owner, slot, entries = row_entries(shared.indptr, group)
    width = max(1, int(slot.max(initial=0)) + 1)
    values = np.full((len(group), width), -np.inf, dtype=np.float32)
    columns = np.full((len(group), width), -1, dtype=np.intp)
    values[owner, slot] = shared.data[entries]
    columns[owner, slot] = shared.indices[entries]
    documents = group + start
    values[columns == documents[:, None]] = -np.inf  # never oneself
    if width > CANDIDATES:
        best = np.argpartition(-values, CANDIDATES - 1, axis=1)[:, :CANDIDATES]
        values = np.take_along_axis(values, best, axis=1)
        columns = np.take_along_axis(columns, best, axis=1)
    keep = np.isfinite(values) & (values > 0)
    rows = np.broadcast_to(documents[:, None], values.shape)[keep]
    return rows, columns[keep]


def _dense_columns(matrix: sp.csr_matrix) -> npt.NDArray[np.intp]:
    """The columns (terms) common enough to be cheaper as a dense block, most common first."""
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    common = np.flatnonzero(df >= max(1.0, DENSE_TERM_SHARE * matrix.shape[0]))
    order = np.lexsort((common, -df[common]))  # most common first, then column: deterministic
    return np.sort(common[order][:DENSE_TERMS_MAX])


def _top_k_rows(scores: Scores, start: int, k: int) -> list[tuple[int, ...]]:
    """Top k columns of each row of scores (row r is document start + r), self excluded."""
    height, n = scores.shape
    r = np.arange(height)
    scores[r, start + r] = -np.inf  # never one's own neighbour
    # A cheap lower bound for each row's k-th best score: the k-th best of its block maxima
    # (k blocks whose maxima reach it hold k distinct scores at least that high). Only the few
    # scores above it are then sorted, fully and by an explicit key, so ties are exact.
    block = max(k, int(np.sqrt(n)))
    maxima = np.maximum.reduceat(scores, np.arange(0, n, block), axis=1)
    if maxima.shape[1] > k:
        bound = np.partition(maxima, maxima.shape[1] - k, axis=1)[:, maxima.shape[1] - k]
    else:
        bound = maxima.min(axis=1)
    bound = np.maximum(bound, np.finfo(np.float32).tiny)  # a score of 0 is no relation
    rows, cols = np.nonzero(scores >= bound[:, None])
    vals = scores[rows, cols]
    order = np.lexsort((cols, -vals, rows))  # by row, then score descending, then index
    rows, cols = rows[order], cols[order]
    first = np.searchsorted(rows, rows, side="left")
    keep = np.arange(len(rows)) - first < k
    rows, cols = rows[keep], cols[keep]
    ends = np.searchsorted(rows, r, side="right")
    starts = np.searchsorted(rows, r, side="left")
    flat = cols.tolist()
    return [tuple(flat[a:b]) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]


def relate_papers(papers: Sequence[Paper], k: int = 5) -> dict[str, tuple[str, ...]]:
    """Each paper's id -> the ids of its k most related papers (order of input is irrelevant)."""
    ordered = sorted(papers, key=lambda p: p.id)
    found = related_papers([f"{p.title} {p.abstract}" for p in ordered], k=k)
    return {p.id: tuple(ordered[j].id for j in found[i]) for i, p in enumerate(ordered)}
