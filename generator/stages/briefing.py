"""A weekly briefing per theme, built without a language model: what came in against the
recent weeks, which terms rose, which papers to read first, which sub-topics are new.

- **Volume**: the week's papers in the theme against the mean of the COMPARED weeks before it
  (the digest's weeks that have papers, so a gap in collecting is not a week of zero).
- **Rising terms**: terms (text/terms.py: words and word pairs, no stop words or fragments)
  used by more of this week's papers than of the compared weeks' (and named in the title of
  one of the papers: titles are written in topic words, so this keeps the verbs and
  adjectives of abstracts, "suggest", "learned", "seen", out without a part-of-speech
  tagger), ranked by the log-odds
  ratio with an informative Dirichlet prior (Monroe, Colaresi and Quinn 2008, "Fightin'
  Words"): the prior, the pooled counts of both periods, keeps a term seen twice from
  outranking one seen twenty times, and the z-score says how sure the rise is. A term must be
  in at least two papers of the week; a term that shares a word with a stronger one is left
  out, so the list never says "world model" and "world" both.
- **Representative papers**: maximal marginal relevance over the papers' TF-IDF vectors:
  each pick is the paper closest to the week's centroid, less its closeness to the papers
  already picked, so three papers cover the week rather than one cluster of it three times.
- **New sub-topics**: sub-topics with at least two papers this week and none in the compared
  weeks.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from generator.models import Paper, Week
from generator.text.terms import phrase, terms

COMPARED = 4  # weeks before this one that a briefing compares it with
RISING = 5  # rising terms shown at most
MIN_PAPERS = 2  # a rising term is used by at least this many of the week's papers
MIN_BEFORE = 5  # fewer papers in the compared weeks tell nothing about which terms rose
MIN_Z = 1.28  # ...and rose with at least this z-score (one-sided 90 %: a week is small)
PRIOR = 100.0  # strength of the pooled prior, in term occurrences
REPRESENTATIVE = 3
DIVERSITY = 0.5  # MMR: weight of "unlike the papers already picked" against centrality


@dataclass(frozen=True, slots=True)
class Rising:
    """A term that more of the week's papers use than of the compared weeks' papers."""

    phrase: str  # as the papers usually write it
    papers: int  # this week's papers of the theme that use it
    before: int  # the compared weeks' papers of the theme that use it
    z: float


@dataclass(frozen=True, slots=True)
class Briefing:
    """One theme's week in a few lines."""

    count: int  # the week's papers in the theme
    compared: int  # how many earlier weeks it is compared with (0: the digest's first week)
    average: float  # their mean number of papers in the theme
    before: int  # the theme's papers in those weeks (below MIN_BEFORE: no rising terms)
    rising: tuple[Rising, ...]
    representative: tuple[Paper, ...]  # best first, each once
    new_topics: tuple[str, ...]  # sub-topic names

    @property
    def comparable(self) -> bool:
        """Whether the compared weeks had papers enough to say which terms rose."""
        return self.before >= MIN_BEFORE


def text_of(paper: Paper) -> str:
    return f"{paper.title}. {paper.abstract}"


Terms = tuple[frozenset[str], frozenset[str]]  # a paper's terms: of its whole text, of its title


def brief(papers: Sequence[Paper], earlier: Sequence[Sequence[Paper]],
          terms_of: Callable[[Paper], Terms],
          topic_of: Callable[[Paper], str | None] = lambda p: None) -> Briefing:
    """The briefing of a theme's week: `papers` are its papers this week, `earlier` the
    theme's papers in each compared week; `terms_of` gives a paper's terms (TermCache),
    `topic_of` its sub-topic's name in the theme (None: none)."""
    found_now = [terms_of(p) for p in papers]
    found_before = [terms_of(p) for week in earlier for p in week]
    now, before = [t for t, _ in found_now], [t for t, _ in found_before]
    count = len(papers)
    average = sum(map(len, earlier)) / len(earlier) if earlier else 0.0
    named = frozenset().union(*(t for _, t in found_now + found_before))
    rising = (_rising(now, before, papers, named)
              if len(before) >= MIN_BEFORE and count >= MIN_PAPERS else ())
    return Briefing(count=count, compared=len(earlier), average=average, before=len(before),
                    rising=rising,
                    representative=_representative(papers, now, now + before),
                    new_topics=_new_topics(papers, earlier, topic_of) if earlier else ())


def _rising(now: list[frozenset[str]], before: list[frozenset[str]],
            papers: Sequence[Paper], named: frozenset[str]) -> tuple[Rising, ...]:
    """The terms that rose most surely, strongest first (see the module's docstring)."""
    a, b = Counter(t for s in now for t in s), Counter(t for s in before for t in s)
    n_a, n_b = sum(a.values()), sum(b.values())
    total = n_a + n_b
    scored = []
    for term, y_a in a.items():
        y_b = b.get(term, 0)
        if (y_a < MIN_PAPERS or y_a / len(now) <= y_b / max(len(before), 1)
                or term not in named):
            continue
        alpha = PRIOR * (y_a + y_b) / total
        delta = (math.log((y_a + alpha) / (n_a + PRIOR - y_a - alpha))
                 - math.log((y_b + alpha) / (n_b + PRIOR - y_b - alpha)))
        z = delta / math.sqrt(1 / (y_a + alpha) + 1 / (y_b + alpha))
        if z >= MIN_Z:
            scored.append((z, term, y_a, y_b))
    scored.sort(key=lambda s: (-s[0], s[1]))
    chosen: list[tuple[float, str, int, int]] = []
    for candidate in scored:
        candidate = _as_pair(candidate, scored, a)
        words = set(candidate[1].split())
        if any(words & set(c[1].split()) for c in chosen):
            continue
        chosen.append(candidate)
        if len(chosen) == RISING:
            break
    texts = [text_of(p) for p in papers]
    return tuple(Rising(phrase=phrase(term, texts), papers=y_a, before=y_b, z=round(z, 2))
                 for z, term, y_a, y_b in chosen)


def _as_pair(candidate: tuple[float, str, int, int], scored: list[tuple[float, str, int, int]],
             a: Counter[str]) -> tuple[float, str, int, int]:
    """A rising word that this week's papers mostly use in one pair that rose too, as that
    pair: "world" as "world models" when most of the papers with "world" say "world models"."""
    z, term, y_a, _ = candidate
    if " " in term:
        return candidate
    pairs = [s for s in scored if term in s[1].split(" ") and " " in s[1]
             and 2 * a[s[1]] >= y_a]
    return max(pairs, key=lambda s: (a[s[1]], s[0]), default=candidate)


def _representative(papers: Sequence[Paper], now: list[frozenset[str]],
                    window: list[frozenset[str]]) -> tuple[Paper, ...]:
    """Up to REPRESENTATIVE papers by maximal marginal relevance (module docstring)."""
    if len(papers) <= 1:
        return tuple(papers)
    vocabulary = {t: j for j, t in enumerate(sorted(set().union(*now)))}
    df = Counter(t for s in window for t in s if t in vocabulary)
    idf = np.array([math.log((1 + len(window)) / (1 + df[t])) + 1 for t in vocabulary])
    rows = [sorted(vocabulary[t] for t in s) for s in now]
    X = sp.csr_matrix((np.concatenate([idf[r] for r in rows]),
                       np.concatenate([np.asarray(r, dtype=np.int64) for r in rows]),
                       np.cumsum([0] + [len(r) for r in rows])), shape=(len(rows), len(idf)))
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    X = sp.diags(1 / np.where(norms > 0, norms, 1)) @ X
    centroid = np.asarray(X.mean(axis=0)).ravel()
    centrality = X @ centroid / (np.linalg.norm(centroid) or 1.0)
    similar = np.zeros(len(papers))
    picked: list[int] = []
    while len(picked) < min(REPRESENTATIVE, len(papers)):
        score = (1 - DIVERSITY) * centrality - DIVERSITY * similar
        score[picked] = -np.inf
        best = int(np.argmax(score))  # ties: the first, in the order papers are given
        picked.append(best)
        similar = np.maximum(similar, (X @ X[best].T).toarray().ravel())
    return tuple(papers[i] for i in picked)


def _new_topics(papers: Sequence[Paper], earlier: Sequence[Sequence[Paper]],
                topic_of: Callable[[Paper], str | None]) -> tuple[str, ...]:
    """Sub-topics with at least MIN_PAPERS papers this week and none in the compared weeks."""
    seen = {topic_of(p) for week in earlier for p in week}
    counts = Counter(t for p in papers if (t := topic_of(p)) is not None)
    return tuple(sorted(t for t, n in counts.items() if n >= MIN_PAPERS and t not in seen))


class TermCache:
    """Each paper's terms, for the papers of the weeks lately asked about: a briefing of week
    w reads the papers of w and of the COMPARED weeks before it, and weeks are briefed in
    order, so each paper is read once while it is in a window and forgotten after."""

    def __init__(self, week_of: Mapping[str, Week], keep_weeks: int = COMPARED + 2) -> None:
        self._week_of = week_of  # paper id -> its week
        self._keep = keep_weeks
        self._weeks: dict[str, dict[str, Terms]] = {}

    def __call__(self, paper: Paper) -> Terms:
        week = self._week_of[paper.id].key
        known = self._weeks.get(week)
        if known is None:
            known = self._weeks[week] = {}
            while len(self._weeks) > self._keep:
                del self._weeks[next(iter(self._weeks))]
        found = known.get(paper.id)
        if found is None:
            title = terms(paper.title)
            found = known[paper.id] = (frozenset(title | terms(paper.abstract)),
                                       frozenset(title))
        return found
