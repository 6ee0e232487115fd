"""Assign papers to the declared themes, keeping the evidence that explains each decision.

keyword evidence (phrases.py) -> a classifier per theme trained on it (model.py) -> a tiered
decision -> explanations; then sub-topics inside each theme (subtopics.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from generator.beside import Later, Runner
from generator.config import Config
from generator.models import Assignment, Paper, ThemeSpec, record
from generator.stages.merge import normalise_title
from generator.stages.themes.model import (
    ThemeSettings,
    decide,
    score_theme,
    telling_terms,
    transform,
    vectorize,
)
from generator.stages.themes.phrases import Evidence, keyword_evidence, normalise
from generator.stages.themes.standing import standing
from generator.stages.themes.stats import ThemeStats, theme_stats
from generator.stages.themes.subtopics import Placement, Subtopic, find_subtopics, joined_topics
from generator.stages.themes.wording import Wording
from generator.stages.training import split_training

__all__ = ["PaperScore", "ThemeFit", "ThemeResult", "ThemeSettings", "ThemeStats", "Subtopic",
           "assign_themes", "combine", "fit_themes", "score_papers"]


@dataclass(frozen=True)
class ThemeResult:
    """For each paper id its assignments (strongest first; empty means 'Other'), sub-topics per
    theme, and per-theme statistics for the curator."""

    assignments: dict[str, tuple[Assignment, ...]]
    subtopics: dict[str, tuple[Subtopic, ...]]
    stats: dict[str, ThemeStats]


def theme_settings(config: Config) -> ThemeSettings:
    """The model's settings as the digest's config gives them."""
    return ThemeSettings(random_state=config.random_state)


def assign_themes(papers: Sequence[Paper], specs: Sequence[ThemeSpec],
                  settings: ThemeSettings | None = None) -> ThemeResult:
    """Multi-label theme assignment; deterministic for the same papers, specs and settings.

    The model is fitted on the oldest papers (`growth.split_training`: all of them up to
    a few thousand) and scores the rest, so a new week leaves every older paper's result as
    it was until the corpus has grown enough for a new fit."""
    settings = settings or ThemeSettings()
    trained, rest = split_training(papers)
    fit = fit_themes(trained, specs, settings)
    return combine(fit, score_papers(fit, rest, specs, settings), specs, settings)


@dataclass(frozen=True)
class ThemeFit:
    """The model fitted on the training papers, and its decisions about them."""

    ids: tuple[str, ...]  # the training papers, in id order (the rows of the arrays)
    vectorizer: TfidfVectorizer | None  # None: no term survived
    names: np.ndarray  # the vocabulary
    models: tuple[LogisticRegression | None, ...]  # per theme; None: the evidence decides
    placements: tuple[Placement | None, ...]  # per theme; None: no sub-topics
    probability: np.ndarray  # (themes, papers)
    evidence: np.ndarray  # (themes, papers): keyword evidence scores
    chosen: np.ndarray  # (themes, papers): in the theme?
    assignments: dict[str, tuple[Assignment, ...]]  # training paper id -> its themes
    subtopics: tuple[tuple[Subtopic, ...], ...]  # per theme


@record
class PaperScore:
    """A paper outside the training set as the fitted model sees it; depends on that paper
    and the fit alone, so it can be kept for the next build."""

    probability: tuple[float, ...]  # per theme
    evidence: tuple[float, ...]  # per theme
    assignments: tuple[Assignment, ...]  # the themes it is in
    topics: tuple[int, ...]  # per theme: its sub-topic's position, -1 for none (or not in it)


def fit_themes(papers: Sequence[Paper], specs: Sequence[ThemeSpec],
               settings: ThemeSettings, beside: Runner = Later) -> ThemeFit:
    """Seed, fit, decide, explain and find sub-topics on the training papers. The keyword
    scan and every other theme's fit are independent of the rest, so they are handed to
    `beside` (a build passes a worker process: on 10,000 papers this halves the stage)."""
    ordered = sorted(papers, key=lambda p: p.id)  # input order must not change any result
    texts = [(normalise(p.title), normalise(p.abstract)) for p in ordered]  # once for both
    with beside(lambda: keyword_evidence(texts, specs, settings.title_weight)) as scan:
        X, names, vectorizer = vectorize(texts, settings)
        evidences: list[list[Evidence]] = scan.result()
    texts = []  # freed: a Python string per paper, held no longer than needed
    titles = [normalise_title(p.title) for p in ordered]
    wording = Wording(ordered, vectorizer, len(ordered))

    def outcome(t: int) -> _Outcome:
        return _theme_outcome(specs[t], evidences[t], X, names, titles, wording, settings)

    theirs = list(range(1, len(specs), 2))
    with beside(lambda: [outcome(t) for t in theirs]) as other:
        outcomes = {t: outcome(t) for t in range(0, len(specs), 2)}
        outcomes.update(zip(theirs, other.result(), strict=True))
    found: dict[str, list[Assignment]] = {p.id: [] for p in ordered}
    chosen = np.zeros((len(specs), len(ordered)), dtype=bool)
    for t, (spec, evidence) in enumerate(zip(specs, evidences, strict=True)):
        result = outcomes[t]
        chosen[t, result.members] = True
        for i, telling, words in zip(result.members, result.terms, result.standings,
                                     strict=True):
            found[ordered[i].id].append(Assignment(
                theme=spec.slug, score=float(result.probability[i]),
                matches=evidence[i].matches, terms=telling, standing=words))
    n = len(ordered)
    return ThemeFit(
        ids=tuple(p.id for p in ordered), vectorizer=vectorizer, names=names,
        models=tuple(outcomes[t].model for t in range(len(specs))),
        placements=tuple(outcomes[t].placement for t in range(len(specs))),
        probability=np.array([outcomes[t].probability for t in range(len(specs))],
                             dtype=float).reshape(len(specs), n),
        evidence=np.array([[e.score for e in ev] for ev in evidences],
                          dtype=float).reshape(len(specs), n),
        chosen=chosen, assignments=_strongest_first(found),
        subtopics=tuple(outcomes[t].subtopics for t in range(len(specs))))


def score_papers(fit: ThemeFit, papers: Sequence[Paper], specs: Sequence[ThemeSpec],
                 settings: ThemeSettings) -> dict[str, PaperScore]:
    """Papers outside the training set, scored by the fitted model: paper id -> its score.
    Each paper's result depends on that paper and the fit alone."""
    if not papers:
        return {}
    ordered = sorted(papers, key=lambda p: p.id)
    texts = [(normalise(p.title), normalise(p.abstract)) for p in ordered]
    evidences = keyword_evidence(texts, specs, settings.title_weight)
    X = transform(fit.vectorizer, texts, settings)
    del texts
    titles = [normalise_title(p.title) for p in ordered]
    wording = Wording(ordered, fit.vectorizer, len(fit.ids))
    found: dict[str, list[Assignment]] = {p.id: [] for p in ordered}
    probability = np.zeros((len(specs), len(ordered)))
    topics = np.full((len(specs), len(ordered)), -1, dtype=int)
    for t, (spec, evidence) in enumerate(zip(specs, evidences, strict=True)):
        score = np.array([e.score for e in evidence], dtype=float)
        examples, refused = listed(spec, titles)
        model = fit.models[t]
        modelled = model is not None and X.shape[1] > 0
        if model is not None and modelled:
            p = model.predict_proba(X)[:, 1]
        else:
            p = ((score >= settings.positive_evidence) | examples).astype(float)
        members = [int(i) for i in
                   np.flatnonzero((decide(p, score, settings) | examples) & ~refused)]
        readable = [wording.terms(i) for i in members]
        terms = telling_terms(_coef(model), fit.names, X, members, settings.top_terms, readable)
        for i, telling in zip(members, terms, strict=True):
            found[ordered[i].id].append(Assignment(
                theme=spec.slug, score=float(p[i]), matches=evidence[i].matches,
                terms=telling, standing=standing(float(p[i]), score[i], bool(examples[i]),
                                                 modelled, settings)))
        placement = fit.placements[t]
        if placement is not None and members:
            topics[t, members] = placement.place(X[members], readable)
        probability[t] = p
    strongest = _strongest_first(found)
    return {p.id: PaperScore(probability=tuple(probability[:, i].tolist()),
                             evidence=tuple(ev[i].score for ev in evidences),
                             assignments=strongest[p.id],
                             topics=tuple(topics[:, i].tolist()))
            for i, p in enumerate(ordered)}


def combine(fit: ThemeFit, scores: dict[str, PaperScore], specs: Sequence[ThemeSpec],
            settings: ThemeSettings) -> ThemeResult:
    """The whole corpus's result: the fit's own decisions and the other papers' scores."""
    ids = sorted([*fit.ids, *scores])
    row = {pid: i for i, pid in enumerate(ids)}
    fitted = np.array([row[pid] for pid in fit.ids], dtype=np.intp)
    scored = sorted(scores)
    others = np.array([row[pid] for pid in scored], dtype=np.intp)
    shape = (len(specs), len(ids))
    probability, evidence = np.zeros(shape), np.zeros(shape)
    chosen = np.zeros(shape, dtype=bool)
    probability[:, fitted], evidence[:, fitted] = fit.probability, fit.evidence
    chosen[:, fitted] = fit.chosen
    if scored:
        probability[:, others] = np.array([scores[p].probability for p in scored]).T
        evidence[:, others] = np.array([scores[p].evidence for p in scored]).T
    assignments = dict(fit.assignments)
    for pid in scored:
        assignments[pid] = scores[pid].assignments
        for a in scores[pid].assignments:
            chosen[[t for t, s in enumerate(specs) if s.slug == a.theme], row[pid]] = True
    subtopics = {spec.slug: joined_topics(fit.subtopics[t],
                                          [(pid, scores[pid].topics[t]) for pid in scored
                                           if chosen[t, row[pid]]], spec.name)
                 for t, spec in enumerate(specs)}
    stats = {spec.slug: theme_stats(spec.slug, ids, probability[t], evidence[t], chosen[t],
                               _coef(fit.models[t]), fit.names, settings)
             for t, spec in enumerate(specs)}
    return ThemeResult(assignments=dict(sorted(assignments.items())), subtopics=subtopics,
                       stats=stats)


def _coef(model: LogisticRegression | None) -> np.ndarray | None:
    return None if model is None else model.coef_[0]


def _strongest_first(found: dict[str, list[Assignment]]) -> dict[str, tuple[Assignment, ...]]:
    return {pid: tuple(sorted(a, key=lambda x: (-x.score, x.theme))) for pid, a in found.items()}


@dataclass(frozen=True)
class _Outcome:
    """One theme's decisions: its members (rows of the corpus in id order), every paper's
    probability, each member's telling terms and standing, the sub-topics, and what scores
    other papers."""

    members: list[int]
    probability: np.ndarray
    terms: list[tuple[str, ...]]
    standings: list[str]
    subtopics: tuple[Subtopic, ...]
    model: LogisticRegression | None
    placement: Placement | None


def listed(spec: ThemeSpec, titles: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Which of the papers (their `normalise_title`s) the theme lists as examples, and which
    as not-examples: always in, and never, whatever their keywords; both teach the model."""
    def among(listed: Sequence[str]) -> np.ndarray:
        return np.isin(titles, [normalise_title(title) for title in listed]) if listed else \
            np.zeros(len(titles), dtype=bool)
    return among(spec.examples), among(spec.not_examples)


def _theme_outcome(spec: ThemeSpec, evidence: Sequence[Evidence], X: sp.csr_matrix,
                   names: np.ndarray, titles: Sequence[str], wording: Wording,
                   settings: ThemeSettings) -> _Outcome:
    """Seed, fit, decide, explain and find sub-topics for one theme."""
    score = np.array([e.score for e in evidence], dtype=float)
    examples, refused = listed(spec, titles)
    scores = score_theme(X, score, settings, extra_positives=examples, extra_negatives=refused)
    chosen = (decide(scores.probability, score, settings) | examples) & ~refused
    members = [int(i) for i in np.flatnonzero(chosen)]
    readable = [wording.terms(i) for i in members]
    subtopics, placement = find_subtopics(X[members], names,
                                          [wording.papers[i].id for i in members], readable,
                                          theme_name=spec.name)
    modelled = scores.coef is not None
    return _Outcome(
        members=members, probability=scores.probability,
        terms=telling_terms(scores.coef, names, X, members, settings.top_terms, readable),
        standings=[standing(float(scores.probability[i]), score[i], bool(examples[i]), modelled,
                            settings) for i in members],
        subtopics=subtopics, model=scores.model, placement=placement)
