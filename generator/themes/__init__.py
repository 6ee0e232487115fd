"""Assign papers to the declared themes, keeping the evidence that explains each decision.

keyword evidence (phrases.py) -> a classifier per theme trained on it (model.py) -> a tiered
decision -> explanations; then sub-topics inside each theme (subtopics.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..corpus import normalise_title
from ..models import Assignment, Paper, ThemeSpec
from ..parallel import Beside
from .model import ThemeSettings, decide, score_theme, telling_terms, vectorize
from .phrases import Evidence, ThemeMatcher, normalise, split
from .subtopics import Subtopic, find_subtopics

__all__ = ["ThemeResult", "ThemeSettings", "ThemeStats", "Subtopic", "assign_themes"]


@dataclass(frozen=True)
class ThemeStats:
    """What the curator's report shows for one theme (`digest themes`)."""

    slug: str
    count: int
    seeds: int  # papers with strong keyword evidence
    top_terms: tuple[str, ...]  # the model's most positive features
    # Papers nearest the decision threshold: (paper id, probability, evidence, in theme?).
    boundary: tuple[tuple[str, float, float, bool], ...]
    admitted_without_keyword: int
    rejected_with_keyword: int


@dataclass(frozen=True)
class ThemeResult:
    """For each paper id its assignments (strongest first; empty means 'Other'), sub-topics per
    theme, and per-theme statistics for the curator."""

    assignments: dict[str, tuple[Assignment, ...]]
    subtopics: dict[str, tuple[Subtopic, ...]]
    stats: dict[str, ThemeStats]


def assign_themes(papers: Sequence[Paper], specs: Sequence[ThemeSpec],
                  settings: ThemeSettings | None = None) -> ThemeResult:
    """Multi-label theme assignment; deterministic for the same papers, specs and settings."""
    settings = settings or ThemeSettings()
    ordered = sorted(papers, key=lambda p: p.id)  # input order must not change any result
    texts = [(normalise(p.title), normalise(p.abstract)) for p in ordered]  # once for both
    X, names, evidences = _features(texts, specs, settings)
    del texts
    by_title = {normalise_title(p.title): i for i, p in enumerate(ordered)}

    def outcome(t: int) -> _Outcome:
        return _theme_outcome(specs[t], evidences[t], X, names, ordered, by_title, settings)

    # The themes are independent: a worker process takes every other one (parallel.py).
    theirs = list(range(1, len(specs), 2))
    with Beside(lambda: [outcome(t) for t in theirs]) if theirs else nullcontext() as other:
        outcomes = {t: outcome(t) for t in range(0, len(specs), 2)}
        if other is not None:
            outcomes.update(zip(theirs, other.result(), strict=True))
    found: dict[str, list[Assignment]] = {p.id: [] for p in ordered}
    for t, (spec, evidence) in enumerate(zip(specs, evidences, strict=True)):
        result = outcomes[t]
        for i, telling in zip(result.members, result.terms, strict=True):
            found[ordered[i].id].append(Assignment(
                theme=spec.slug, score=float(result.probability[i]),
                matches=evidence[i].matches, terms=telling))
    stats = {spec.slug: outcomes[t].stats for t, spec in enumerate(specs)}
    subtopics = {spec.slug: outcomes[t].subtopics for t, spec in enumerate(specs)}
    assignments = {pid: tuple(sorted(a, key=lambda x: (-x.score, x.theme)))
                   for pid, a in found.items()}
    return ThemeResult(assignments=assignments, subtopics=subtopics, stats=stats)


def _features(texts: Sequence[tuple[str, str]], specs: Sequence[ThemeSpec],
              settings: ThemeSettings
              ) -> tuple[sp.csr_matrix, np.ndarray, list[list[Evidence]]]:
    """TF-IDF (the matrix and its terms) and the keyword evidence of the `normalise`d texts.
    The two read the same texts and nothing of each other, so the keyword scan runs in a
    worker process meanwhile (parallel.py)."""
    with Beside(lambda: keyword_evidence(texts, specs, settings.title_weight)) as scan:
        X, names = vectorize(texts, settings)
        return X, names, scan.result()


@dataclass(frozen=True)
class _Outcome:
    """One theme's decisions: its members (rows of the corpus in id order), every paper's
    probability, each member's telling terms, the curator's statistics, the sub-topics."""

    members: list[int]
    probability: np.ndarray
    terms: list[tuple[str, ...]]
    stats: ThemeStats
    subtopics: tuple[Subtopic, ...]


def _theme_outcome(spec: ThemeSpec, evidence: Sequence[Evidence], X: sp.csr_matrix,
                   names: np.ndarray, ordered: Sequence[Paper], by_title: dict[str, int],
                   settings: ThemeSettings) -> _Outcome:
    """Seed, fit, decide, explain and find sub-topics for one theme."""
    score = np.array([e.score for e in evidence], dtype=float)
    examples = np.zeros(len(ordered), dtype=bool)
    for title in spec.examples:  # example titles in the corpus are positive seeds too
        if (i := by_title.get(normalise_title(title))) is not None:
            examples[i] = True
    scores = score_theme(X, score, settings, extra_positives=examples)
    chosen = decide(scores.probability, score, settings) | examples
    members = [int(i) for i in np.flatnonzero(chosen)]
    return _Outcome(
        members=members, probability=scores.probability,
        terms=telling_terms(scores.coef, names, X, members, settings.top_terms),
        stats=_stats(spec.slug, ordered, scores.probability, score, chosen, scores.coef,
                     names, settings),
        subtopics=find_subtopics(X[members], names, [ordered[i].id for i in members],
                                 settings.random_state, theme_name=spec.name))


def keyword_evidence(texts: Sequence[tuple[str, str]], specs: Sequence[ThemeSpec],
                     title_weight: float) -> list[list[Evidence]]:
    """Per theme, each paper's keyword evidence from its (title, abstract), both `normalise`d.
    A paper is tokenised once for all themes and its tokens dropped right after: held for a
    whole corpus they would take more memory than everything else (a Python string per word:
    over a gigabyte at 100,000 papers)."""
    matchers = [ThemeMatcher(spec.keywords, spec.exclude) for spec in specs]
    found: list[list[Evidence]] = [[] for _ in specs]
    seen: set[str] = set()
    for title_text, abstract_text in texts:
        title, abstract = split(title_text), split(abstract_text)
        words = set(title).union(abstract)  # once for all the themes' phrase sets
        if new := words - seen:
            seen |= new
            for matcher in matchers:
                matcher.learn(new)
        for matcher, out in zip(matchers, found, strict=True):
            out.append(matcher.evidence(title, abstract, title_weight, words))
    return found


def _stats(slug: str, papers: Sequence[Paper], probability: np.ndarray, evidence: np.ndarray,
           chosen: np.ndarray, coef: np.ndarray | None, names: np.ndarray,
           settings: ThemeSettings) -> ThemeStats:
    threshold = np.where(evidence >= settings.positive_evidence, settings.p_strong,
                         np.where(evidence > 0, settings.p_weak, settings.p_none))
    margin = np.abs(probability - threshold)
    nearest = np.lexsort((np.arange(len(papers)), margin))[:8]
    top: tuple[str, ...] = ()
    if coef is not None:
        order = np.lexsort((np.arange(len(coef)), -coef))[:10]
        top = tuple(str(names[j]) for j in order if coef[j] > 0)
    return ThemeStats(
        slug=slug, count=int(chosen.sum()),
        seeds=int((evidence >= settings.positive_evidence).sum()), top_terms=top,
        boundary=tuple((papers[i].id, float(probability[i]), float(evidence[i]), bool(chosen[i]))
                       for i in nearest),
        admitted_without_keyword=int((chosen & (evidence <= 0)).sum()),
        rejected_with_keyword=int((~chosen & (evidence > 0)).sum()))
