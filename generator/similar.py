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
    listed as related to it, so a tuple can be shorter than k. Exact and deterministic;
    `random_state` is accepted for the pipeline's uniform signature and changes nothing.
    """
    del random_state  # the computation is exact: nothing is sampled
    if len(texts) <= 1 or k <= 0:
        return [() for _ in texts]
    return top_k_similar(tfidf_matrix(texts), k, chunk_size)


def top_k_similar(matrix: sp.csr_matrix, k: int,
                  chunk_size: int = 2048) -> list[tuple[int, ...]]:
    """Per row of `matrix` (unit rows), the indices of the k rows with the highest positive dot
    product, itself excluded; by score descending, then index ascending."""
    n = matrix.shape[0]
    k = min(k, n - 1)
    if k <= 0:
        return [() for _ in range(n)]
    matrix = sp.csr_matrix(matrix, dtype=np.float32)
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
