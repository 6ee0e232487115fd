"""The per-theme model: TF-IDF features, a classifier trained on keyword evidence, a decision.

Distant supervision: papers with strong keyword evidence are positive examples, papers with no
mention are negative ones, and passing mentions are left for the model to judge. Examples are
scored out of fold, so the model can overrule a keyword seed it disagrees with.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from generator.stages.sparse import row_entries
from generator.stages.themes.wording import shown_terms


@dataclass(frozen=True, slots=True)
class ThemeSettings:
    """Every knob of theme assignment in one place; shared by all themes (none is special)."""

    title_weight: float = 3.0  # a title mention says what the paper is about: worth 3 mentions
    positive_evidence: float = 3.0  # a title mention or 3+ abstract mentions: a positive seed
    ngram_range: tuple[int, int] = (1, 2)  # theme vocabulary is largely two-word terms
    min_df: int = 2  # terms in one paper only are typos, glued words and URLs
    max_df: float = 0.5  # terms in over half the papers carry no theme signal
    title_repeat: int = 2  # titles are dense summaries: their words count twice
    C: float = 1.0  # inverse L2 strength: moderate, because the seeds are noisy
    # Out-of-fold scores, so a seed paper is never scored by itself. Three folds, not five:
    # four fits per theme instead of six. On the default digest no paper's themes change
    # (macro-F1 on the dev labels 0.972 either way); on 10,000 synthetic papers 15 of
    # 39,060 decisions do, fewer than another shuffle of five folds changes (19).
    folds: int = 3
    max_negatives: int = 20_000  # negative seeds trained on, at most (a seeded sample)
    p_strong: float = 0.2  # strong evidence: in unless the model clearly disagrees
    p_weak: float = 0.4  # a passing mention: the model must back it
    p_none: float = 0.6  # no mention at all: the model alone must be confident
    # A member admitted by less than this above its threshold is "borderline" to readers
    # (standing.py): 0.1 is half the gap between two thresholds.
    clear_margin: float = 0.1
    top_terms: int = 6  # terms named in an explanation
    random_state: int = 0


CANDIDATES = 5  # terms ranked per shown term: most of a paper's strongest terms are readable


def vectorize(docs: Sequence[tuple[str, str]], settings: ThemeSettings
              ) -> tuple[sp.csr_matrix, np.ndarray, TfidfVectorizer | None]:
    """TF-IDF of title (repeated) and abstract, both already `normalise`d; returns the matrix,
    the feature names and the fitted vectorizer (None when no term survives), which `transform`
    applies to papers outside the fit."""
    n = len(docs)
    vectorizer = _vectorizer(n, settings)
    try:
        X = vectorizer.fit_transform(_joined(docs, settings))
    except ValueError:  # no term survives (empty or stop-word-only texts)
        return sp.csr_matrix((n, 0)), np.array([], dtype=object), None
    X.sort_indices()  # once here, not in a copy for each of the model fits
    return X, vectorizer.get_feature_names_out(), vectorizer


def _vectorizer(n: int, settings: ThemeSettings) -> TfidfVectorizer:
    """The themes' TF-IDF: lowercase words of a letter and more letters or digits (the texts
    are `normalise`d), English stop words, sublinear tf, smoothed idf, unit rows."""
    return TfidfVectorizer(
        lowercase=True,
        token_pattern=r"(?u)\b[a-z][a-z0-9]+\b",
        stop_words="english",
        ngram_range=settings.ngram_range,
        # On tiny corpora the df cut-offs would leave no vocabulary at all.
        min_df=settings.min_df if n >= 20 else 1,
        max_df=settings.max_df if n >= 20 else 1.0,
        sublinear_tf=True,
        norm="l2",
        smooth_idf=True,
        dtype=np.float64,
    )


def transform(vectorizer: TfidfVectorizer | None, docs: Sequence[tuple[str, str]],
              settings: ThemeSettings) -> sp.csr_matrix:
    """The TF-IDF rows of papers outside the fit, in the fit's vocabulary (sorted indices).
    Each row depends on its own paper only."""
    if vectorizer is None:
        return sp.csr_matrix((len(docs), 0))
    if not docs:  # (scikit-learn's weighting refuses an empty matrix)
        return sp.csr_matrix((0, len(vectorizer.vocabulary_)))
    X = vectorizer.transform(_joined(docs, settings))
    X.sort_indices()
    return X


def _joined(docs: Sequence[tuple[str, str]], settings: ThemeSettings) -> Iterator[str]:
    # A generator: the joined texts of a large corpus are never all in memory at once.
    return (" ".join([t] * settings.title_repeat + [a]) for t, a in docs)


@dataclass(frozen=True)
class ThemeScores:
    """Model output for one theme over all papers."""

    probability: np.ndarray  # shape (n,), 0..1
    coef: np.ndarray | None  # shape (features,); None when there were too few seeds to learn
    model: LogisticRegression | None = None  # the fit on every seed, for papers outside the fit


def score_theme(X: sp.csr_matrix, evidence: np.ndarray, settings: ThemeSettings,
                extra_positives: np.ndarray | None = None,
                extra_negatives: np.ndarray | None = None) -> ThemeScores:
    """Train on the keyword seeds and return each paper's probability of being in the theme.
    `extra_positives` and `extra_negatives` (the theme's examples and not-examples) are seeds
    whatever their keywords."""
    positive = evidence >= settings.positive_evidence
    if extra_positives is not None:
        positive = positive | extra_positives
    forced = np.zeros_like(positive) if extra_negatives is None else extra_negatives
    positive = positive & ~forced
    negative = (evidence <= 0) & ~positive
    negatives = np.flatnonzero(negative)
    if len(negatives) > settings.max_negatives:
        # A large corpus has far more papers without a keyword than the model needs to learn
        # what a theme is not; a seeded sample keeps the fits' cost flat as the corpus grows.
        # Papers left out are scored by the model like any paper outside the seeds.
        rng = np.random.default_rng(settings.random_state)
        negative = np.zeros_like(negative)
        negative[rng.choice(negatives, settings.max_negatives, replace=False)] = True
    seeds = np.flatnonzero(positive | negative | forced)
    y = positive[seeds].astype(int)
    if y.sum() < 2 or (1 - y).sum() < 2 or X.shape[1] == 0:
        # Too few examples to learn from: the keyword evidence decides alone.
        return ThemeScores(probability=positive.astype(float), coef=None)
    model = _fit(X[seeds], y, settings)
    probability = model.predict_proba(X)[:, 1]
    k = min(settings.folds, int(y.sum()), int((1 - y).sum()))
    if k >= 2:
        folds = StratifiedKFold(n_splits=k, shuffle=True, random_state=settings.random_state)
        for train, test in folds.split(seeds, y):
            fold_model = _fit(X[seeds[train]], y[train], settings)
            probability[seeds[test]] = fold_model.predict_proba(X[seeds[test]])[:, 1]
    return ThemeScores(probability=probability, coef=model.coef_[0].copy(), model=model)


def _fit(X: sp.csr_matrix, y: np.ndarray, settings: ThemeSettings) -> LogisticRegression:
    # liblinear is exact and deterministic; balanced weights because themes are rare.
    model = LogisticRegression(C=settings.C, class_weight="balanced", solver="liblinear",
                               tol=1e-2, max_iter=100, random_state=settings.random_state)
    return model.fit(X, y)


def threshold(evidence: np.ndarray, settings: ThemeSettings) -> np.ndarray:
    """The probability each paper needs to be admitted: the less keyword evidence it has,
    the more model confidence."""
    return np.where(evidence >= settings.positive_evidence, settings.p_strong,
                    np.where(evidence > 0, settings.p_weak, settings.p_none))


def decide(probability: np.ndarray, evidence: np.ndarray, settings: ThemeSettings) -> np.ndarray:
    """The less keyword evidence a paper has, the more model confidence it needs."""
    return probability >= threshold(evidence, settings)


def telling_terms(coef: np.ndarray | None, names: np.ndarray, X: sp.csr_matrix,
                  rows: Sequence[int], k: int,
                  readable: Sequence[Mapping[str, str]] | None = None) -> list[tuple[str, ...]]:
    """For each of `rows` (of X), the k terms that pushed the model most towards the theme
    (coef * tf-idf), strongest first, ties by term; only terms that pushed towards it.
    With `readable` (per row, the terms its paper writes as a unit: wording.readable_terms),
    only those, as written, and none that repeats an earlier one's words.

    All rows at once, from X's arrays (see sparse.row_entries)."""
    if coef is None or not len(rows):
        return [() for _ in rows]
    if not X.has_sorted_indices:
        X = X.sorted_indices()
    # Fragments and repeats are left out after ranking: rank a few times more than shown.
    ranked = k if readable is None else k * CANDIDATES
    picked = np.asarray(rows, dtype=np.intp)
    owner, _, entries = row_entries(X.indptr, picked)
    columns = X.indices[entries]
    contribution = X.data[entries] * coef[columns]
    # Only terms pushing towards the theme are named, so only those need sorting.
    towards = contribution > 0
    owner, columns, contribution = owner[towards], columns[towards], contribution[towards]
    # lexsort is stable and a row's columns are in order (vectorize sorts them), so equal
    # contributions stay in column order.
    order = np.lexsort((-contribution, owner))
    owner, columns = owner[order], columns[order]
    rank = np.arange(len(owner)) - np.searchsorted(owner, owner, side="left")
    owner, terms = owner[rank < ranked], names[columns[rank < ranked]].tolist()
    bounds = np.searchsorted(owner, np.arange(len(picked) + 1), side="left").tolist()
    if readable is None:
        return [tuple(terms[a:b]) for a, b in itertools.pairwise(bounds)]
    return [shown_terms(terms[a:b], words, k)
            for (a, b), words in zip(itertools.pairwise(bounds), readable, strict=True)]
