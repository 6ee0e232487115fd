"""Related papers: texts (title + abstract) in, each text's most similar other texts out, as
long as they are similar enough (FLOOR)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from generator.models import Paper, paper_keys
from generator.stages.related.candidates import (
    Candidates,
    best_of,
    extend_candidates,
    find_candidates,
    lists,
    rare_columns,
    sorted_rows,
    top_k_by_candidates,
)
from generator.stages.related.exact import top_k_exact

# Below this many documents min_df=2 and max_df=0.5 would throw away most of the vocabulary
# (in a corpus of 4, a word shared by 3 is "too common"), so tiny corpora keep every term.
LARGE_CORPUS = 50
# Exact all-pairs similarity costs n^2: 0.7 s for 10,000 papers, 12 s for 30,000 and over two
# minutes for 100,000 on two cores. Above this many papers candidates are found first.
EXACT_LIMIT = 20_000

# A paper is listed as related only with a cosine similarity of at least this: below it the
# default digest's pairs were loose matches more often than not. Judged by hand
# (bench/judged/related.json, bench/related_precision.py): of the sample's pairs scoring 0.175
# to 0.1875, 10 of 14 were related; of those scoring 0.1625 to 0.175, 3 of 10. A paper with
# no neighbour this close shows none.
FLOOR = 0.175

def _vectorizer(n: int) -> TfidfVectorizer:
    """Every TF-IDF setting in one place: sublinear tf (1 + log(tf): a term repeated ten
    times is not ten times the topic), English stop words ("the", "we", "our" would make
    every pair of abstracts similar), unit rows (a dot product is the cosine similarity).

    Word pairs and stemmed words as features were measured too (bench/related_precision.py's
    judged pairs separated better: 0.86 against 0.83 area under the ROC curve), and left out:
    the related stage took 2.5 times as long at 10,000 papers and over twice at 100,000."""
    large = n >= LARGE_CORPUS
    return TfidfVectorizer(
        lowercase=True,
        stop_words="english",
        # A term in one document cannot relate it to another, and kept it would only dilute
        # its row: scores would be lower the smaller the corpus, and FLOOR mean less.
        min_df=2,
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
                   random_state: int = 0, floor: float = 0.0) -> list[tuple[int, ...]]:
    """For each text, up to k indices of the others by cosine similarity, most similar first.

    Ties go to the lower index. A document sharing no term with a text (score 0), or scoring
    below `floor`, is never listed as related to it, so a tuple can be shorter than k.
    Deterministic, and exact up to EXACT_LIMIT texts (see top_k_similar); `random_state` is
    accepted for the pipeline's uniform signature and changes nothing.
    """
    del random_state  # nothing is sampled
    if len(texts) <= 1 or k <= 0:
        return [() for _ in texts]
    return top_k_similar(tfidf_matrix(texts), k, chunk_size, floor)


def top_k_similar(matrix: sp.csr_matrix, k: int, chunk_size: int = 2048,
                  floor: float = 0.0) -> list[tuple[int, ...]]:
    """Per row of `matrix` (unit rows), the indices of the k rows with the highest positive dot
    product of at least `floor`, itself excluded; by score descending, then index ascending.
    Exact up to EXACT_LIMIT rows (exact.py); above it, through candidates (candidates.py:
    near-linear, not exact)."""
    n = matrix.shape[0]
    k = min(k, n - 1)
    if k <= 0:
        return [() for _ in range(n)]
    matrix = sp.csr_matrix(matrix, dtype=np.float32)
    if n > EXACT_LIMIT:
        return top_k_by_candidates(matrix, k, floor=floor)
    return top_k_exact(matrix, k, chunk_size, floor)


@dataclass(frozen=True)
class Neighbourhood:
    """What relate_papers keeps for the next build: the vectorizer fitted on the training
    papers (stages/training.py), each paper's TF-IDF row by its key, and above EXACT_LIMIT the
    candidates; with them a new week computes only the pairs that involve its papers."""

    vectorizer: TfidfVectorizer | None  # None: no term survived
    rare_cols: npt.NDArray[np.intp]  # the candidate search's terms (rare in the training papers)
    keys: tuple[bytes, ...]  # per row: the paper's key (models.paper_key)
    rows: sp.csr_matrix
    candidates: Candidates | None  # None at or below EXACT_LIMIT papers
    best: npt.NDArray[np.int64] | None = None  # with candidates: best_of(candidates, k)


def relate_papers(papers: Sequence[Paper], k: int = 5, previous: Neighbourhood | None = None,
                  keys: Mapping[str, bytes] | None = None
                  ) -> tuple[dict[str, tuple[str, ...]], Neighbourhood]:
    """Each paper's id -> the ids of its k most related papers scoring at least FLOOR (order
    of input is irrelevant), and what to keep for the next build.

    TF-IDF is fitted on the training papers (stages/training.py), so a paper's row depends on that
    paper and the fit alone. `previous` (from a build with the same training papers) gives
    the rows and candidates it has; the result is the same as without it. `keys`: the
    papers' models.paper_keys, if made."""
    made = keys if keys is not None else paper_keys(papers)
    ordered = sorted(papers, key=lambda p: p.id)
    row_keys = tuple(made[p.id] for p in ordered)
    if previous is None:
        vectorizer, rare_cols, known, had = _fresh_fit(ordered, made)
    else:
        vectorizer, rare_cols, known = previous.vectorizer, previous.rare_cols, previous.rows
        had = {key: i for i, key in enumerate(previous.keys)}
    rows = _rows(vectorizer, ordered, row_keys, had, known)
    n = len(ordered)
    candidates = None
    if n <= 1 or k <= 0 or rows.shape[1] == 0:
        found: list[tuple[int, ...]] = [() for _ in ordered]
    elif n <= EXACT_LIMIT:
        found = top_k_similar(rows, k, floor=FLOOR)
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
            best[changed] = best_of(candidates, k, changed, FLOOR)
        else:
            candidates = find_candidates(rows, rare_cols)
            best = best_of(candidates, k, floor=FLOOR)
        found = lists(best)
    related = {p.id: tuple(ordered[j].id for j in found[i]) for i, p in enumerate(ordered)}
    return related, Neighbourhood(vectorizer=vectorizer, rare_cols=rare_cols, keys=row_keys,
                                  rows=rows, candidates=candidates,
                                  best=None if candidates is None else best)


def paper_rows(papers: Sequence[Paper], keys: Mapping[str, bytes] | None = None
               ) -> tuple[tuple[Paper, ...], sp.csr_matrix]:
    """The papers in the order relate_papers numbers them (by id), and their TF-IDF rows as
    relate_papers computes them without a `previous` (which gives the same rows): what an
    exact search over the build's own scores needs (bench/related_recall.py)."""
    made = keys if keys is not None else paper_keys(papers)
    ordered = tuple(sorted(papers, key=lambda p: p.id))
    vectorizer, _, known, had = _fresh_fit(ordered, made)
    return ordered, _rows(vectorizer, ordered, tuple(made[p.id] for p in ordered), had, known)


def _fresh_fit(ordered: Sequence[Paper], made: Mapping[str, bytes]
               ) -> tuple[TfidfVectorizer | None, npt.NDArray[np.intp], sp.csr_matrix,
                          dict[bytes, int]]:
    """_fit on the training papers (stages/training.py) of `ordered`, and each training
    paper's key -> its row of the fit."""
    from generator.stages.training import split_training

    trained, _ = split_training(ordered)
    vectorizer, rare_cols, known = _fit(trained)
    # The training papers' rows come from the fit itself, like on every later build.
    return vectorizer, rare_cols, known, {made[p.id]: i for i, p in enumerate(trained)}


def _text(paper: Paper) -> str:
    """The title twice, then the abstract: a title names the paper's method or problem, so its
    terms count more than the abstract's (with sublinear tf, about 1.7 times a term said once;
    the hand-judged pairs separated better so: 0.83 against 0.82 area under the ROC curve)."""
    return f"{paper.title} {paper.title} {paper.abstract}"


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
    return vectorizer, rare_columns(matrix), sorted_rows(matrix)


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
    return sorted_rows(stacked[position])
