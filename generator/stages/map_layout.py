"""Place papers on a 2-D map: TF-IDF, reduced by TruncatedSVD, laid out by t-SNE (seeded)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.manifold import TSNE

from generator.models import Paper

MAX_POINTS = 1500  # a map of more points is neither readable nor under the page-size budget
SVD_DIMENSIONS = 50  # t-SNE works on a dense reduction, as its documentation advises
# t-SNE's schedule: EXAGGERATED iterations with early exaggeration, then SETTLING more.
# scikit-learn exaggerates for 250 iterations (a class constant, not a parameter); van der
# Maaten's reference tsne.py stops at 100. Measured on the default digest (747 points, one
# core): 100 + 250 take 0.84 s against 1.31 s for 250 + 250, with a lower final KL
# divergence (1.53 against 1.55) and a trustworthiness (10 neighbours) of 0.891 against
# 0.885; on 1,500 synthetic points 1.5 s against 1.9 s, KL 2.00 against 1.99, 0.809
# against 0.815.
EXAGGERATED = 100
SETTLING = 250


class _ShortExaggeration(TSNE):  # type: ignore[misc]
    """scikit-learn's TSNE with EXAGGERATED iterations of early exaggeration (its own
    constant, in scikit-learn since 1.5; if a release drops it, `_tsne` falls back to
    scikit-learn's schedule)."""

    _EXPLORATION_MAX_ITER = EXAGGERATED


def _tsne(points: int, random_state: int) -> TSNE:
    """The layout's t-SNE: perplexity 30 (less for a handful of points), PCA start, and
    Barnes-Hut's angle 0.8 (0.5 by default), which took a quarter off the time: on the
    default digest the trustworthiness was 0.885 against 0.890 (scikit-learn's schedule)."""
    short = isinstance(getattr(TSNE, "_EXPLORATION_MAX_ITER", None), int)
    model = _ShortExaggeration if short else TSNE
    return model(n_components=2, perplexity=min(30.0, (points - 1) / 3), init="pca",
                 max_iter=(EXAGGERATED if short else 250) + SETTLING, angle=0.8,
                 random_state=random_state, learning_rate="auto")


def mapped(papers: Sequence[Paper]) -> list[Paper]:
    """The papers the map shows: the newest MAX_POINTS (by date, then id), in id order."""
    chosen = sorted(papers, key=lambda p: (-p.first_seen.toordinal(), p.id))[:MAX_POINTS]
    chosen.sort(key=lambda p: p.id)  # the layout must not depend on input order
    return chosen


def map_papers(papers: Sequence[Paper], random_state: int = 0) -> dict[str, tuple[float, float]]:
    """Paper id -> (x, y) in [0, 1] x [0, 1] for the newest MAX_POINTS papers (`mapped`);
    they are all it reads."""
    chosen = mapped(papers)
    n = len(chosen)
    if n < 5:
        return {p.id: (0.5, 0.5) for p in chosen}
    vectorizer = TfidfVectorizer(lowercase=True, stop_words="english", sublinear_tf=True,
                                 norm="l2", smooth_idf=True, min_df=2 if n >= 50 else 1,
                                 max_df=0.5 if n >= 50 else 1.0)
    try:
        X = vectorizer.fit_transform([f"{p.title} {p.abstract}" for p in chosen])
    except ValueError:  # no term survives
        return {p.id: (0.5, 0.5) for p in chosen}
    dims = max(1, min(SVD_DIMENSIONS, X.shape[1] - 1, n - 1))
    reduced = TruncatedSVD(n_components=dims, random_state=random_state).fit_transform(X)
    xy = _tsne(n, random_state).fit_transform(reduced)
    low, high = xy.min(axis=0), xy.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    unit = (xy - low) / span
    return {p.id: (round(float(unit[i, 0]), 4), round(float(unit[i, 1]), 4))
            for i, p in enumerate(chosen)}
