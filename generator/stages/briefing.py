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

import itertools
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
# A group of papers' terms: how many of the papers use each, and how many terms they use in all.
Tally = tuple[Counter[str], int]


def tally(papers: Sequence[Paper], terms_of: Callable[[Paper], Terms]) -> Tally:
    """How many of `papers` use each term, and the sum of their numbers of terms."""
    sets = [terms_of(p)[0] for p in papers]
    return Counter(t for s in sets for t in s), sum(map(len, sets))


def brief(papers: Sequence[Paper], earlier: Sequence[Sequence[Paper]],
          terms_of: Callable[[Paper], Terms],
          topic_of: Callable[[Paper], str | None] = lambda p: None,
          tally_of: Callable[[Sequence[Paper]], Tally] | None = None) -> Briefing:
    """The briefing of a theme's week: `papers` are its papers this week, `earlier` the
    theme's papers in each compared week; `terms_of` gives a paper's terms and `tally_of` a
    group's tally (TermCache: a week is counted once, not again for each of the four weeks
    after it that compare with it), `topic_of` its sub-topic's name in the theme (None: none)."""
    tally_of = tally_of or (lambda group: tally(group, terms_of))
    now, n_a = tally_of(papers)
    before_tallies = [tally_of(week) for week in earlier]
    n_b = sum(n for _, n in before_tallies)
    # This week's terms, how many of its papers use each (y_a) and how many of the compared
    # weeks' papers do (y_b), looked up in C (map) rather than term by term.
    used = list(now)
    y_a = np.fromiter(now.values(), dtype=np.float64, count=len(used))
    y_b = np.zeros(len(used))
    for counts, _ in before_tallies:
        y_b += np.fromiter(map(counts.get, used, itertools.repeat(0)), dtype=np.float64,
                           count=len(used))
    count = len(papers)
    before = sum(map(len, earlier))
    average = before / len(earlier) if earlier else 0.0
    named = frozenset().union(*(terms_of(p)[1] for group in (papers, *earlier) for p in group))
    rising = (_rising(used, y_a, y_b, (n_a, n_b), (count, before), papers, named)
              if before >= MIN_BEFORE and count >= MIN_PAPERS else ())
    df = dict(zip(used, (y_a + y_b).tolist(), strict=True))
    return Briefing(count=count, compared=len(earlier), average=average, before=before,
                    rising=rising,
                    representative=_representative(
                        papers, [terms_of(p)[0] for p in papers], count + before, df),
                    new_topics=_new_topics(papers, earlier, topic_of) if earlier else ())


def _rising(used: list[str], y_a: np.ndarray, y_b: np.ndarray, totals: tuple[int, int],
            sizes: tuple[int, int], papers: Sequence[Paper], named: frozenset[str]
            ) -> tuple[Rising, ...]:
    """The terms that rose most surely, strongest first (see the module's docstring): for
    each term of `used`, how many of this week's papers (y_a) and of the compared weeks'
    (y_b) use it; `totals`, how many terms each period's papers use in all; `sizes`, how
    many papers each period has."""
    (n_a, n_b), (papers_a, papers_b) = totals, sizes
    titled = np.fromiter(map(named.__contains__, used), dtype=bool, count=len(used))
    keep = np.flatnonzero((y_a >= MIN_PAPERS) & titled
                          & (y_a / papers_a > y_b / max(papers_b, 1)))
    ya, yb = y_a[keep], y_b[keep]
    alpha = PRIOR * (ya + yb) / (n_a + n_b)
    delta = (_log((ya + alpha) / (n_a + PRIOR - ya - alpha))
             - _log((yb + alpha) / (n_b + PRIOR - yb - alpha)))
    z = delta / np.sqrt(1 / (ya + alpha) + 1 / (yb + alpha))
    scored = sorted(((float(z[i]), used[j], int(ya[i]), int(yb[i]))
                     for i, j in enumerate(keep.tolist()) if z[i] >= MIN_Z),
                    key=lambda s: (-s[0], s[1]))
    a = dict(zip(used, y_a.astype(int).tolist(), strict=True))
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


def _log(values: np.ndarray) -> np.ndarray:
    """The natural logarithm of each value by math.log, whose last bit NumPy's vectorised
    log does not always share: a term on the edge of MIN_Z, or two papers tied, fall the
    same way on every machine."""
    return np.fromiter(map(math.log, values.tolist()), dtype=np.float64, count=len(values))


def _as_pair(candidate: tuple[float, str, int, int], scored: list[tuple[float, str, int, int]],
             a: Mapping[str, int]) -> tuple[float, str, int, int]:
    """A rising word that this week's papers mostly use in one pair that rose too, as that
    pair: "world" as "world models" when most of the papers with "world" say "world models"."""
    z, term, y_a, _ = candidate
    if " " in term:
        return candidate
    pairs = [s for s in scored if term in s[1].split(" ") and " " in s[1]
             and 2 * a[s[1]] >= y_a]
    return max(pairs, key=lambda s: (a[s[1]], s[0]), default=candidate)


def _representative(papers: Sequence[Paper], now: list[frozenset[str]], window: int,
                    df: Mapping[str, float]) -> tuple[Paper, ...]:
    """Up to REPRESENTATIVE papers by maximal marginal relevance (module docstring); `now`
    are the papers' terms, `df` how many of the `window` papers (this week's and the
    compared weeks') use a term."""
    if len(papers) <= 1:
        return tuple(papers)
    names = sorted(df)  # every term of `now`, a column each
    vocabulary = dict(zip(names, range(len(names)), strict=True))
    counts = np.fromiter(map(df.__getitem__, names), dtype=np.float64, count=len(names))
    idf = _log((1 + window) / (1 + counts)) + 1
    lengths = [len(s) for s in now]
    columns = np.fromiter(map(vocabulary.__getitem__, itertools.chain.from_iterable(now)),
                          dtype=np.int64, count=sum(lengths))
    X = sp.csr_matrix((idf[columns], columns, np.cumsum([0, *lengths])),
                      shape=(len(now), len(names)))
    X.sort_indices()
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
        self._tallies: dict[tuple[str, ...], Tally] = {}  # a theme's week -> its tally

    def tally(self, papers: Sequence[Paper]) -> Tally:
        """A group's tally (a theme's papers in a week), counted once while it is in use: each
        week is compared with the four after it."""
        key = tuple(p.id for p in papers)
        found = self._tallies.get(key)
        if found is None:
            found = self._tallies[key] = tally(papers, self)
            while len(self._tallies) > 16 * self._keep:  # a window of weeks of a few themes
                del self._tallies[next(iter(self._tallies))]
        return found

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
