"""How well a ranking finds papers its owner would keep: part of a library is held out, the
rest ranks the digest, and the held-out papers' places are measured, beside two baselines.

- model: the For you ranking (ranking.py) fitted on the rest of the library;
- keyword: the words that most set the library's texts apart from the digest's, ten of them,
  and each paper scored by the TF-IDF weight it gives those words (a keyword alert made
  from the library);
- random: the digest in a seeded random order (averaged over RANDOM_ORDERS orders).

Only library entries that are papers of the digest can be held out (their place in the
digest's order is what is measured); the others always stay in the training part. The
measures are averaged over the folds: precision@10 (of the ten best-ranked papers, the share
that are held-out ones) and average precision (over all held-out papers).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from generator.models import Paper
from generator.stages.interests.library import Library, LibraryEntry, match_papers
from generator.stages.interests.ranking import document, make_vectorizer, rank

KEYWORDS = 10
RANDOM_ORDERS = 20
TOP = 10


@dataclass(frozen=True, slots=True)
class Measured:
    """One method's measures, averaged over the folds."""

    method: str
    precision_at_10: float
    average_precision: float


@dataclass(frozen=True, slots=True)
class Evaluation:
    folds: int
    held_out: int  # library papers of the digest, each held out once
    candidates: int  # papers ranked per fold, on average
    results: tuple[Measured, ...]  # model, keyword, random

    def of(self, method: str) -> Measured:
        return next(r for r in self.results if r.method == method)


def evaluate(papers: Sequence[Paper], library: Library, random_state: int = 0,
             folds: int = 4) -> Evaluation:
    """Hold out each fold of the library's digest papers in turn (a seeded split) and measure
    how each method ranks them among the digest's papers outside the training part."""
    matched = match_papers(library.entries, papers)
    held_ids = sorted({m for m in matched if m is not None})
    if len(held_ids) < folds:
        raise ValueError(f"the library has {len(held_ids)} papers of the digest; at least "
                         f"{folds} are needed to hold out {folds} folds")
    order = np.random.default_rng(random_state).permutation(len(held_ids))
    parts = [set(held_ids[i] for i in order[f::folds]) for f in range(folds)]
    scores: dict[str, list[tuple[float, float]]] = {"model": [], "keyword": [], "random": []}
    sizes = []
    for held in parts:
        keep = tuple(e for e, m in zip(library.entries, matched, strict=True) if m not in held)
        train = dataclasses.replace(library, entries=keep, follow=())
        ranking = rank(papers, train, 0.5, random_state)
        candidates = [pid for pid in ranking.scores]
        sizes.append(len(candidates))
        truth = np.array([pid in held for pid in candidates])
        model = np.array([ranking.scores[pid] for pid in candidates])
        scores["model"].append(_measures(model, truth, candidates))
        keyword = _keyword_scores(papers, train, candidates)
        scores["keyword"].append(_measures(keyword, truth, candidates))
        rng = np.random.default_rng(random_state)
        shuffled = [_measures(rng.random(len(candidates)), truth, candidates)
                    for _ in range(RANDOM_ORDERS)]
        scores["random"].append((float(np.mean([s[0] for s in shuffled])),
                                 float(np.mean([s[1] for s in shuffled]))))
    results = tuple(Measured(name, float(np.mean([s[0] for s in found])),
                             float(np.mean([s[1] for s in found])))
                    for name, found in scores.items())
    return Evaluation(folds, len(held_ids), round(float(np.mean(sizes))), results)


def _measures(score: np.ndarray, truth: np.ndarray, ids: Sequence[str]) -> tuple[float, float]:
    """(precision@10, average precision) of the order by score (best first, ties by id)."""
    order = sorted(range(len(ids)), key=lambda i: (-score[i], ids[i]))
    hits = truth[order]
    found = np.cumsum(hits)
    precision_10 = float(hits[:TOP].mean()) if len(hits) else 0.0
    ranks = np.flatnonzero(hits) + 1
    average = float(np.mean(found[ranks - 1] / ranks)) if len(ranks) else 0.0
    return precision_10, average


def _keyword_scores(papers: Sequence[Paper], library: Library, ids: Sequence[str]
                    ) -> np.ndarray:
    """Each paper's TF-IDF weight on the KEYWORDS words of highest mean weight in the
    library's texts (those of the digest's papers it holds, else its own)."""
    by_id = {p.id: p for p in papers}
    matched = match_papers(library.entries, papers)
    texts = [document(by_id[m].title, by_id[m].abstract) if m else document(e.title, e.abstract)
             for e, m in zip(library.entries, matched, strict=True) if m or e.title]
    docs = [document(by_id[i].title, by_id[i].abstract) for i in ids]
    vectorizer = make_vectorizer(len(docs) + len(texts))
    X = vectorizer.fit_transform(texts + docs).tocsr()
    mean = np.asarray(X[:len(texts)].mean(axis=0)).ravel()
    words = np.argsort(-mean, kind="stable")[:KEYWORDS]
    return np.asarray(X[len(texts):][:, words].sum(axis=1)).ravel()


def search_library(papers: Sequence[Paper], dump: str) -> Library:
    """The papers that only the dump `dump` listed (a file of the manifest), as a library of
    titles: what a reader who saved exactly that search's results would hold. A label
    independent of this project's models (the search service chose them)."""
    entries = tuple(LibraryEntry(title=p.title, abstract="", arxiv_id="", authors=(),
                                 dated=None, url="", file=dump, line=s.line)
                    for p in papers for s in p.sources[:1]
                    if {r.file for r in p.sources} == {dump})
    return Library(entries, (), (), ())
