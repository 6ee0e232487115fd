"""Sub-topics inside a theme: a seeded NMF over the theme's TF-IDF rows, named by top terms."""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning

from generator.models import record

MIN_PAPERS = 12  # fewer papers than this are one list, not sub-topics
PAPERS_PER_TOPIC = 25  # aim for sub-topics of about this size...
MAX_TOPICS = 6  # ...but never more than a reader can scan
# A theme with more papers learns its sub-topics from a seeded sample of this size. On the
# 10,000-paper synthetic corpus, 1,500 rows fit the two large themes 3 to 5 times faster than
# 3,000 (2.2 s of CPU less), and the topics describe all of the theme's papers about as well:
# the relative error of rebuilding their TF-IDF rows from the topics is 0.987 against 0.986
# (samples of other seeds: within 0.0006 of either).
FIT_ROWS = 1500
NAME_TERMS = 3
OTHER_TOPIC = "other"  # the sub-topic of papers that lean towards none of the components
# Words that name nothing: fragments left by hyphen splitting ("pre-training", "model-based")
# disqualify a term; generic research words disqualify it only when they are all it has.
FRAGMENTS = frozenset({"pre", "based", "non", "via", "using", "wise", "level", "free"})
GENERIC = frozenset({"approach", "approaches", "data", "deep", "existing", "learning", "method",
                     "methods", "model", "models", "new", "paper", "performance", "propose",
                     "proposed", "results", "show", "training", "work", "task", "tasks"})


@dataclass(frozen=True)
class Placement:
    """How a paper outside the fit joins a theme's sub-topics: its TF-IDF row on the `used`
    terms, times H^T and the pseudo-inverse of H H^T, gives its weight on each NMF component
    (least squares); the strongest positive component's sub-topic takes it. `topic_of` maps a
    component to its sub-topic's position, or -1 where no fitted paper chose that component."""

    used: np.ndarray  # columns of the corpus vocabulary
    components: np.ndarray  # H, (k, used)
    inverse: np.ndarray  # pinv(H H^T), (k, k)
    topic_of: tuple[int, ...]

    def place(self, X: sp.csr_matrix) -> np.ndarray:
        """Per row of X (corpus vocabulary), its sub-topic's position, or -1 for none. A row's
        result depends on that row alone (no matrix product whose summation order could
        change with the number of rows)."""
        if X.shape[0] == 0:
            return np.zeros(0, dtype=int)
        projected = np.asarray(sp.csr_matrix(X)[:, self.used] @ self.components.T)
        weights = (projected[:, :, None] * self.inverse[None, :, :]).sum(axis=1)
        best = np.argmax(weights, axis=1)
        topic = np.asarray(self.topic_of, dtype=int)[best]
        return np.where(weights.max(axis=1) > 0, topic, -1)


@record
class Subtopic:
    """A group of a theme's papers, named by the terms that characterise it."""

    key: str  # URL-safe, derived from the name: stable for the same content
    name: str  # e.g. "skill discovery · hierarchical · options"
    terms: tuple[str, ...]
    paper_ids: tuple[str, ...]

    def canon_parts(self) -> tuple[str, str, tuple[str, ...]]:
        """What a page shows of a sub-topic besides its papers (reuse.Stamps)."""
        return self.key, self.name, self.terms


def find_subtopics(X: sp.csr_matrix, names: np.ndarray, paper_ids: Sequence[str],
                   random_state: int = 0, theme_name: str = ""
                   ) -> tuple[tuple[Subtopic, ...], Placement | None]:
    """Split the papers (rows of X) into a few sub-topics; () when there are too few papers.
    Also returns how to place papers outside the fit (None when there are no sub-topics).

    Sub-topics are named by their strongest terms, leaving out the theme's own name words
    (every paper of "Embeddings" is about embeddings; the name should say what else).
    """
    n = len(paper_ids)
    if n < MIN_PAPERS or X.shape[1] == 0:
        return (), None
    # Only the terms these papers use: the rest of the corpus vocabulary would only widen
    # every factor with zeros (and cost time in each iteration).
    used = np.unique(sp.csr_matrix(X).indices)
    X, names = sp.csr_matrix(X)[:, used], names[used]
    k = _topic_count(X, n)
    if k < 2:
        return (), None
    H, weights = _fit(X, n, k, random_state)
    members: dict[int, list[str]] = {}
    for row, pid in enumerate(paper_ids):
        if weights[row].max() > 0:
            members.setdefault(int(np.argmax(weights[row])), []).append(pid)
    avoid = _stems(theme_name.lower().replace("-", " "))
    named: list[tuple[int, Subtopic]] = []  # (NMF component or -1, its sub-topic)
    for component, ids in members.items():
        terms = _name_terms(H[component], names, avoid)
        name = " · ".join(terms) if terms else f"topic {component + 1}"
        named.append((component, Subtopic(key="", name=name, terms=terms,
                                          paper_ids=tuple(sorted(ids)))))
    unassigned = sorted(set(paper_ids) - {i for _, t in named for i in t.paper_ids})
    if unassigned:
        named.append((-1, Subtopic(key="", name=OTHER_TOPIC, terms=(),
                                   paper_ids=tuple(unassigned))))
    named.sort(key=lambda ct: (-len(ct[1].paper_ids), ct[1].name))
    position = {component: i for i, (component, _) in enumerate(named) if component >= 0}
    placement = Placement(used=used, components=H, inverse=np.linalg.pinv(H @ H.T),
                          topic_of=tuple(position.get(c, -1) for c in range(H.shape[0])))
    return tuple(_with_key(t, i) for i, (_, t) in enumerate(named)), placement


def _fit(X: sp.csr_matrix, n: int, k: int, random_state: int) -> tuple[np.ndarray, np.ndarray]:
    """The k NMF components H of the n papers (rows of X) and each paper's weight on them."""
    # nndsvd initialisation is deterministic, so the same papers always give the same topics.
    model = NMF(n_components=k, init="nndsvd", max_iter=200, tol=1e-3, random_state=random_state)
    with warnings.catch_warnings():
        # An NMF stopped before full convergence still groups papers well, and deterministically.
        warnings.simplefilter("ignore", ConvergenceWarning)
        # Topics that rebuild the rows exactly (as many different rows as topics) leave a
        # loss of zero, which scikit-learn's sparse formula can round below zero; its square
        # root (NaN) is only reported as `reconstruction_err_`, never used here.
        warnings.filterwarnings("ignore", "invalid value encountered in sqrt", RuntimeWarning,
                                r"sklearn\.decomposition")
        if n <= FIT_ROWS:
            weights = model.fit_transform(X)
        else:
            # A large theme: the topics are learnt from a seeded sample of its papers, and
            # every paper is then placed by least squares on them (one matrix product, where
            # NMF's own transform would iterate over every paper again).
            sample = np.sort(np.random.default_rng(random_state).choice(n, FIT_ROWS,
                                                                        replace=False))
            model.fit(X[sample])
            H = model.components_
            weights = np.asarray(X @ H.T) @ np.linalg.pinv(H @ H.T)
    return model.components_, weights


def _topic_count(X: sp.csr_matrix, n: int) -> int:
    """How many sub-topics n papers (the rows of X, on the terms they use) get: about one per
    PAPERS_PER_TOPIC, from 2 to MAX_TOPICS, but no more than they have terms or different
    rows. Papers that share all their words (copies of one text, whose terms max_df prunes
    as too common) may leave none, or one: NMF cannot find more topics than that, and
    failed ("Found array with 0 feature(s)"; nndsvd needs a term per topic)."""
    wanted = int(min(MAX_TOPICS, max(2, round(n / PAPERS_PER_TOPIC))))
    return min(wanted, int(X.shape[1]), _distinct_rows(X, wanted))


def _distinct_rows(X: sp.csr_matrix, enough: int) -> int:
    """How many different non-empty rows X has, counted up to `enough` (usually its first
    rows already are)."""
    X = X.sorted_indices()
    seen: set[tuple[bytes, bytes]] = set()
    for row in range(X.shape[0]):
        start, stop = X.indptr[row], X.indptr[row + 1]
        if start < stop:
            seen.add((X.indices[start:stop].tobytes(), X.data[start:stop].tobytes()))
            if len(seen) >= enough:
                break
    return len(seen)


def _name_terms(component: np.ndarray, names: np.ndarray, avoid: set[str]) -> tuple[str, ...]:
    """The strongest terms, skipping ones already covered by a chosen term (and vice versa)."""
    chosen: list[str] = []
    for j in np.lexsort((np.arange(len(component)), -component)):
        if component[j] <= 0 or len(chosen) == NAME_TERMS:
            break
        term = str(names[j])
        words = _stems(term)
        if words <= avoid or words & FRAGMENTS or words <= GENERIC | avoid:
            continue
        if any(words <= _stems(c) or _stems(c) <= words for c in chosen):
            continue  # "skill" after "skills", or "learning" after "representation learning"
        chosen.append(term)
    return tuple(chosen)


def _stems(term: str) -> set[str]:
    return {w[:-1] if w.endswith("s") and len(w) > 3 else w for w in term.split()}


def _with_key(topic: Subtopic, index: int) -> Subtopic:
    base = re.sub(r"[^a-z0-9]+", "-", topic.name.lower()).strip("-")[:48].strip("-")
    return Subtopic(key=base or f"topic-{index + 1}", name=topic.name, terms=topic.terms,
                    paper_ids=topic.paper_ids)
