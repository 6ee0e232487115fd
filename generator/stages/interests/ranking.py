"""Rank the digest's papers by the owner's library, with the reasons a reader can check.

A logistic regression over TF-IDF, as arxiv-sanity ranks by a reader's tags: the library's
papers are the positive examples, the digest's other papers the negative ones (most of them
are simply not the owner's, which is what the model needs to learn), and the papers marked
"not interested" negative ones that weigh more. Library entries count less the longer ago
they entered the library. The unlabelled papers are fitted in two halves, each paper scored
by the half that did not see it and a newer paper by both, so the papers of old and new
weeks are scored alike. With fewer than MIN_LIBRARY usable entries there is too little to
learn from: a paper's score is then its cosine similarity to the nearest of them.

Like the theme model (stages/training.py), the fit reads only the oldest papers and scores
the newer ones, so a new week with an unchanged library reuses the stored fit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from generator.models import Paper
from generator.stages.interests.library import Library, LibraryEntry, match_papers
from generator.stages.interests.reasons import Reason, explain_rows, followed_by, nearest
from generator.stages.merge import normalise_title

MIN_LIBRARY = 5  # usable library entries a model is fitted on; fewer: similarity to them
HALF_LIFE_DAYS = 730  # an entry added two years before the newest one weighs half as much
OLDEST_WEIGHT = 0.25  # ... and never less than a quarter
NEGATIVE_WEIGHT = 3.0  # a paper marked "not interested" weighs as three unlabelled ones
C = 1.0  # inverse L2 strength, as the theme model's (1 to 10 rank alike on the example library)
NGRAMS = (1, 2)  # "world model" says more than "world" and "model": on the example library
# held-out average precision 0.55 with word pairs, 0.42 without (evaluation.py)
SIMILARITY_CUT_OFF = 0.1  # the cosine a paper needs without a model (word pairs make cosines
# low: on the default digest, two world-model papers as the library list 12 of 745 papers)


@dataclass(frozen=True)
class RankingFit:
    """The fit on the oldest papers and the library: what scores any other paper, and the
    scores and reasons of the fit's own papers (those at or above the cut-off)."""

    method: str  # "model", "similarity" or "none" (no usable library entry)
    vectorizer: TfidfVectorizer | None
    models: tuple[LogisticRegression, ...]  # the two halves' fits (none: no model)
    positives: sp.csr_matrix  # the library's usable entries' rows
    positive_entries: tuple[int, ...]  # the entry each row is (an index into entries)
    scores: dict[str, float]  # the fit's own digest papers
    reasons: dict[str, Reason]  # ... those at or above the cut-off

    def score(self, X: sp.csr_matrix) -> np.ndarray:
        """Scores of TF-IDF rows outside the fit: the two halves' mean log-odds as a
        probability; without a model, the greatest cosine similarity to an entry."""
        if self.method == "none" or X.shape[0] == 0:
            return np.zeros(X.shape[0])
        if self.models:
            logit = np.mean([m.decision_function(X) for m in self.models], axis=0)
            return 1 / (1 + np.exp(-logit))  # type: ignore[no-any-return]
        return nearest(X, self.positives)[1][:, 0]


@dataclass(frozen=True)
class Ranking:
    """Every paper's score and the reasons of those listed; what the For you pages show."""

    method: str  # see RankingFit
    cut_off: float  # the score a paper needs to be listed
    entries: tuple[LibraryEntry, ...]  # the library, as read
    matched: tuple[str | None, ...]  # each entry's paper in the digest, if any
    usable: int  # entries with a text to learn from
    scores: dict[str, float]  # every paper neither in the library nor unwanted
    reasons: dict[str, Reason]  # the papers listed
    followed: dict[str, tuple[str, ...]]  # paper id -> its followed authors, as it writes them
    unwanted: frozenset[str]  # papers marked "not interested"

    def listed(self, ids: Iterable[str]) -> tuple[str, ...]:
        """Of these papers, those at or above the cut-off or by a followed author, best
        first (then by id)."""
        chosen = [i for i in ids if i in self.scores
                  and (self.scores[i] >= self.cut_off or i in self.followed)]
        return tuple(sorted(chosen, key=lambda i: (-self.scores[i], i)))

    def in_library(self, ids: Iterable[str]) -> tuple[str, ...]:
        """Of these papers, those the library holds."""
        held = set(m for m in self.matched if m is not None)
        return tuple(i for i in ids if i in held)


def shown_cut_off(method: str, cut_off: float) -> float:
    """The score a paper needs: the owner's cut-off for a model's probability, the fixed
    SIMILARITY_CUT_OFF for a cosine."""
    return cut_off if method == "model" else SIMILARITY_CUT_OFF


def rank(papers: Sequence[Paper], library: Library, cut_off: float, random_state: int,
         trained: Sequence[Paper] | None = None, fit: RankingFit | None = None) -> Ranking:
    """The Ranking of `papers`; the fit is made on `trained` (default: all of them) unless
    given (a stored one of the same inputs). Papers outside the fit are scored and
    explained here."""
    matched = match_papers(library.entries, papers)
    unwanted = frozenset(m for m in match_papers(library.negatives, papers) if m is not None)
    held = set(m for m in matched if m is not None)
    if fit is None:
        fit = fit_ranking(trained if trained is not None else papers, library, random_state,
                          cut_off, matched_in=papers)
    scored = [p for p in papers if p.id not in held and p.id not in unwanted]
    scores, reasons = dict(fit.scores), dict(fit.reasons)
    new = [p for p in scored if p.id not in scores]
    if new and fit.vectorizer is not None:
        X = _rows(fit.vectorizer, new)
        scores.update(zip([p.id for p in new], fit.score(X).tolist(), strict=True))
        floor = shown_cut_off(fit.method, cut_off)
        reasons.update(explain(fit, X, new, [scores[p.id] >= floor for p in new]))
    followed = followed_by(scored, library.follow)
    lacking = [p for p in scored if p.id in followed and p.id not in reasons]
    if lacking and fit.vectorizer is not None:  # listed for their authors only
        reasons.update(explain(fit, _rows(fit.vectorizer, lacking), lacking))
    return Ranking(method=fit.method, cut_off=shown_cut_off(fit.method, cut_off),
                   entries=library.entries, matched=tuple(matched),
                   usable=len(fit.positive_entries),
                   scores={p.id: scores.get(p.id, 0.0) for p in scored},
                   reasons=reasons, followed=followed, unwanted=unwanted)


def document(title: str, abstract: str) -> str:
    """What the model reads of a paper."""
    return f"{title} {title} {abstract}"  # titles are dense summaries: their words count twice


def _examples(trained: Sequence[Paper], library: Library, matched_in: Sequence[Paper]
              ) -> tuple[list[tuple[int, str, float]], list[str], list[Paper]]:
    """What a fit learns from: the library's usable entries (entry index, text, recency
    weight; an entry that is a digest paper with that paper's text, each paper once), the
    unwanted papers' texts, and the trained papers that are neither."""
    by_id = {p.id: p for p in matched_in}
    matched = match_papers(library.entries, matched_in)
    unwanted = match_papers(library.negatives, matched_in)
    newest = max((e.dated for e in library.entries if e.dated), default=None)
    positives: list[tuple[int, str, float]] = []
    seen: set[str] = set()
    for i, (entry, pid) in enumerate(zip(library.entries, matched, strict=True)):
        key = pid or (entry.arxiv_id or normalise_title(entry.title))
        paper = by_id.get(pid) if pid else None
        text = (document(paper.title, paper.abstract) if paper is not None
                else document(entry.title, entry.abstract) if entry.title else "")
        if text and key not in seen:
            seen.add(key)
            positives.append((i, text, recency(entry.dated, newest)))
    negatives = [document(by_id[i].title, by_id[i].abstract) if i else document(e.title, e.abstract)
                 for e, i in zip(library.negatives, unwanted, strict=True) if i or e.title]
    held = {pid for pid in (*matched, *unwanted) if pid}
    return positives, negatives, [p for p in trained if p.id not in held]


def fit_ranking(trained: Sequence[Paper], library: Library, random_state: int,
                cut_off: float, matched_in: Sequence[Paper] | None = None) -> RankingFit:
    """Fit on the library's entries against `trained` and the unwanted papers, and score and
    explain the trained papers. Entries are matched in `matched_in` (default `trained`).

    The unlabelled papers are cut into two seeded halves, each fitted with every positive
    and unwanted example: a paper is scored by the half that did not see it, a paper outside
    the fit by both (their mean log-odds), so every paper is scored by a model that never
    took it for a negative."""
    positives, negatives, rest = _examples(trained, library,
                                           matched_in if matched_in is not None else trained)
    if not positives:
        return RankingFit("none", None, (), sp.csr_matrix((0, 0)), (), {}, {})
    docs = [t for _, t, _ in positives] + negatives + [document(p.title, p.abstract) for p in rest]
    vectorizer = make_vectorizer(len(docs))
    try:
        X = vectorizer.fit_transform(docs).tocsr()
    except ValueError:  # no word survives
        return RankingFit("none", None, (), sp.csr_matrix((0, 0)), (), {}, {})
    k, m = len(positives), len(negatives)
    entries = tuple(i for i, _, _ in positives)
    unlabelled = X[k + m:]
    if k < MIN_LIBRARY or len(rest) < 2:
        fit = RankingFit("similarity", vectorizer, (), X[:k], entries, {}, {})
        own = fit.score(unlabelled)
    else:
        half = np.random.default_rng(random_state).permutation(len(rest)) % 2
        weight = np.r_[[w for _, _, w in positives], np.full(m, NEGATIVE_WEIGHT)]
        models, own = [], np.zeros(len(rest))
        for side in (0, 1):
            seen = np.flatnonzero(half != side)
            rows = sp.vstack([X[:k + m], unlabelled[seen]]).tocsr()
            y = np.r_[np.ones(k), np.zeros(m + len(seen))]
            model = _model(random_state).fit(rows, y, sample_weight=np.r_[weight,
                                                                          np.ones(len(seen))])
            models.append(model)
            other = np.flatnonzero(half == side)
            own[other] = model.predict_proba(unlabelled[other])[:, 1]
        fit = RankingFit("model", vectorizer, tuple(models), X[:k], entries, {}, {})
    listed = (own >= shown_cut_off(fit.method, cut_off)).tolist()
    return dataclasses.replace(fit, scores=dict(zip([p.id for p in rest], own.tolist(),
                                                    strict=True)),
                               reasons=explain(fit, unlabelled, rest, listed))


def make_vectorizer(n: int) -> TfidfVectorizer:
    """The TF-IDF of `n` texts (the cut-offs of rare and common terms only from 20 on)."""
    return TfidfVectorizer(lowercase=True, token_pattern=r"(?u)\b[a-z][a-z0-9]+\b",
                           stop_words="english", ngram_range=NGRAMS,
                           min_df=2 if n >= 20 else 1,
                           max_df=0.5 if n >= 20 else 1.0, sublinear_tf=True, norm="l2",
                           dtype=np.float64)


def _model(random_state: int) -> LogisticRegression:
    # liblinear: exact and deterministic; balanced, because a library is a small share.
    return LogisticRegression(C=C, class_weight="balanced", solver="liblinear",
                              random_state=random_state)


def recency(day: dt.date | None, newest: dt.date | None) -> float:
    """An entry's weight: 1 for the newest (or undated), halving every HALF_LIFE_DAYS
    before it, never below OLDEST_WEIGHT."""
    if day is None or newest is None:
        return 1.0
    return max(OLDEST_WEIGHT, float(0.5 ** ((newest - day).days / HALF_LIFE_DAYS)))


def _rows(vectorizer: TfidfVectorizer, papers: Sequence[Paper]) -> sp.csr_matrix:
    return vectorizer.transform([document(p.title, p.abstract) for p in papers]).tocsr()


def explain(fit: RankingFit, X: sp.csr_matrix, papers: Sequence[Paper],
            wanted: Sequence[bool] | None = None) -> dict[str, Reason]:
    """The reasons (reasons.py) of the `wanted` papers (rows of X): by the two halves' mean
    weights, or without a model by the library's mean TF-IDF."""
    if fit.vectorizer is None:
        return {}
    weights = (np.mean([m.coef_[0] for m in fit.models], axis=0) if fit.models
               else np.asarray(fit.positives.mean(axis=0)).ravel())
    return explain_rows(X, weights, fit.vectorizer.get_feature_names_out(), fit.positives,
                        fit.positive_entries, papers, wanted)
