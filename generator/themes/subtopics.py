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

MIN_PAPERS = 12  # fewer papers than this are one list, not sub-topics
PAPERS_PER_TOPIC = 25  # aim for sub-topics of about this size...
MAX_TOPICS = 6  # ...but never more than a reader can scan
FIT_ROWS = 3000  # a theme with more papers learns its sub-topics from a sample this size
NAME_TERMS = 3
# Words that name nothing: fragments left by hyphen splitting ("pre-training", "model-based")
# disqualify a term; generic research words disqualify it only when they are all it has.
FRAGMENTS = frozenset({"pre", "based", "non", "via", "using", "wise", "level", "free"})
GENERIC = frozenset({"approach", "approaches", "data", "deep", "existing", "learning", "method",
                     "methods", "model", "models", "new", "paper", "performance", "propose",
                     "proposed", "results", "show", "training", "work", "task", "tasks"})


@dataclass(frozen=True, slots=True)
class Subtopic:
    """A group of a theme's papers, named by the terms that characterise it."""

    key: str  # URL-safe, derived from the name: stable for the same content
    name: str  # e.g. "skill discovery · hierarchical · options"
    terms: tuple[str, ...]
    paper_ids: tuple[str, ...]


def find_subtopics(X: sp.csr_matrix, names: np.ndarray, paper_ids: Sequence[str],
                   random_state: int = 0, theme_name: str = "") -> tuple[Subtopic, ...]:
    """Split the papers (rows of X) into a few sub-topics; () when there are too few papers.

    Sub-topics are named by their strongest terms, leaving out the theme's own name words
    (every paper of "Embeddings" is about embeddings; the name should say what else).
    """
    n = len(paper_ids)
    if n < MIN_PAPERS or X.shape[1] == 0:
        return ()
    k = int(min(MAX_TOPICS, max(2, round(n / PAPERS_PER_TOPIC))))
    # Only the terms these papers use: the rest of the corpus vocabulary would only widen
    # every factor with zeros (and cost time in each iteration).
    used = np.unique(sp.csr_matrix(X).indices)
    X, names = sp.csr_matrix(X)[:, used], names[used]
    # nndsvd initialisation is deterministic, so the same papers always give the same topics.
    model = NMF(n_components=k, init="nndsvd", max_iter=200, tol=1e-3, random_state=random_state)
    with warnings.catch_warnings():
        # An NMF stopped before full convergence still groups papers well, and deterministically.
        warnings.simplefilter("ignore", ConvergenceWarning)
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
    members: dict[int, list[str]] = {}
    for row, pid in enumerate(paper_ids):
        if weights[row].max() > 0:
            members.setdefault(int(np.argmax(weights[row])), []).append(pid)
    topics = []
    for topic, ids in members.items():
        terms = _name_terms(model.components_[topic], names, _stems(theme_name.lower()
                                                                     .replace("-", " ")))
        name = " · ".join(terms) if terms else f"topic {topic + 1}"
        topics.append(Subtopic(key="", name=name, terms=terms, paper_ids=tuple(sorted(ids))))
    unassigned = sorted(set(paper_ids) - {i for t in topics for i in t.paper_ids})
    if unassigned:
        topics.append(Subtopic(key="", name="other", terms=(), paper_ids=tuple(unassigned)))
    topics.sort(key=lambda t: (-len(t.paper_ids), t.name))
    return tuple(_with_key(t, i) for i, t in enumerate(topics))


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
