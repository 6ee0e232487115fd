"""Why a paper is listed For you, in words a reader can check: the terms that weighed most
for it, as the paper itself writes them, and the library's papers nearest to it; and which
of its authors the owner follows."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from generator.models import Paper
from generator.stages.sparse import row_entries
from generator.stages.themes.wording import shown_terms
from generator.text.terms import PROSE
from generator.text.tex import tex_to_text

TERMS = 4  # terms named per paper
CANDIDATES = 5  # terms ranked per term named: a term is named only as the paper writes it
CLOSEST = 2  # library papers named per paper
CLOSEST_FLOOR = 0.1  # ... each at least this similar to it
CHUNK = 2_000  # papers whose similarities to the library are held at once


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a paper is listed: the terms that weighed most, as the paper writes them, and the
    library's nearest entries (indexes into the library's entries), most similar first."""

    terms: tuple[str, ...]
    closest: tuple[int, ...]


def nearest(X: sp.csr_matrix, library: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """For each row, its CLOSEST nearest library rows (most similar first) and their
    cosines; in chunks of CHUNK rows, so a large digest and library never make a dense
    matrix of both."""
    n, width = X.shape[0], min(CLOSEST, library.shape[0])
    found, cosines = np.zeros((n, width), dtype=np.intp), np.zeros((n, width))
    if width == 0:
        return found, cosines
    for start in range(0, n, CHUNK):
        near = (X[start:start + CHUNK] @ library.T).toarray()
        top = np.argpartition(-near, width - 1, axis=1)[:, :width]  # the nearest, unordered
        values = np.take_along_axis(near, top, axis=1)
        order = np.lexsort((top, -values), axis=1)  # most similar first, ties by row
        found[start:start + CHUNK] = np.take_along_axis(top, order, axis=1)
        cosines[start:start + CHUNK] = np.take_along_axis(values, order, axis=1)
    return found, cosines


def explain_rows(X: sp.csr_matrix, weights: np.ndarray, names: np.ndarray,
            library: sp.csr_matrix, entries: Sequence[int], papers: Sequence[Paper],
            wanted: Sequence[bool] | None = None) -> dict[str, Reason]:
    """The reasons of the papers (rows of X) that are `wanted` (default all): the terms of
    greatest `weights` times the paper's TF-IDF (`names`: the columns' terms), named as the
    paper writes them, and its nearest rows of `library` (given as `entries`, the library
    entry each row is)."""
    picked = [i for i in range(len(papers)) if wanted is None or wanted[i]]
    if not picked:
        return {}
    X = X[picked].tocsr()
    found, cosines = nearest(X, library)
    ranked = _ranked_terms(X, weights, names, TERMS * CANDIDATES)
    closest_rows, similar = found.tolist(), cosines.tolist()
    out = {}
    for row, i in enumerate(picked):
        paper = papers[i]
        closest = tuple(entries[j] for j, c in zip(closest_rows[row], similar[row], strict=True)
                        if c >= CLOSEST_FLOOR)
        out[paper.id] = Reason(as_written(ranked[row], shown_text(paper)), closest)
    return out


def _ranked_terms(X: sp.csr_matrix, weights: np.ndarray, names: np.ndarray, k: int
                  ) -> list[list[str]]:
    """For each row, its k terms of greatest weight times TF-IDF that push the score up,
    strongest first (ties in column order, which is the vocabulary's alphabetical one); all
    rows at once, from X's arrays (sparse.row_entries)."""
    if not X.has_sorted_indices:
        X = X.sorted_indices()
    owner, _, entries = row_entries(X.indptr, np.arange(X.shape[0]))
    columns = X.indices[entries]
    value = X.data[entries] * weights[columns]
    up = value > 0
    owner, columns, value = owner[up], columns[up], value[up]
    order = np.lexsort((columns, -value, owner))
    owner, columns = owner[order], columns[order]
    rank = np.arange(len(owner)) - np.searchsorted(owner, owner, side="left")
    owner, terms = owner[rank < k], names[columns[rank < k]].tolist()
    bounds = np.searchsorted(owner, np.arange(X.shape[0] + 1), side="left").tolist()
    return [terms[a:b] for a, b in itertools.pairwise(bounds)]


def shown_text(paper: Paper) -> str:
    """The title and abstract as a reader sees them: TeX as text, so a macro's name
    ("mathcal") is never named as a reason."""
    text = f"{paper.title}. {paper.abstract}"
    return tex_to_text(text) if "\\" in text or "$" in text else text


_WORD = re.compile(r"([^\W_]+)")  # runs of letters and digits (kept by split)
_JOINS = {"-": "-", "\u2010": "-", "\u2011": "-"}  # a hyphen, alone, joins a pair


def as_written(ranked: Sequence[str], text: str) -> tuple[str, ...]:
    """The first TERMS of the ranked terms that `text` writes as a unit (the words side by
    side, or hyphenated: not across punctuation or a stop word), as written: "model-based",
    "RL"; a term whose words an earlier one already shows is left out, as are words that
    name no subject ("propose", though "model-based" is shown)."""
    units = _units(text, {w for term in ranked for w in term.split()})
    # Of a hyphenated pair only the first word must name something ("model-based").
    named = {term: shown for term, shown in units.items()
             if not any(w in PROSE for w in term.split()[:1 if "-" in shown else 2])}
    return shown_terms(ranked, named, TERMS)


def _units(text: str, needed: set[str]) -> dict[str, str]:
    """The words of `needed` as `text` first writes them, and each pair of them that stands
    side by side (only white space or a hyphen between), lower case -> as written: acronyms
    and mixed-case names as written, other words in lower case."""
    parts = _WORD.split(text)  # gap, word, gap, word, ..., gap
    words = parts[1::2]
    lower = [w.lower() for w in words]
    found: dict[str, str] = {}
    for i in [i for i, w in enumerate(lower) if w in needed]:
        shown = _shown(words[i])
        found.setdefault(lower[i], shown)
        if i + 1 < len(words) and lower[i + 1] in needed:
            gap = parts[2 * i + 2]
            join = " " if gap.isspace() else _JOINS.get(gap)
            if join is not None:
                found.setdefault(f"{lower[i]} {lower[i + 1]}",
                                 f"{shown}{join}{_shown(words[i + 1])}")
    return found


def _shown(word: str) -> str:
    return word if (word.isupper() and len(word) > 1) or word[1:] != word[1:].lower() \
        else word.lower()


_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def name_key(name: str) -> tuple[str, str]:
    """(family name, first initial), folded: "Danijar Hafner", "D. Hafner", "Hafner,
    Danijar" and "Danijar Hafner Jr." are one author; accents are dropped, other letters
    kept ("Strauß" is "strauss", "Łukasz" keeps its "ł")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    if "," in folded:
        family, _, given = folded.partition(",")
        folded = f"{given} {family}"
    words = [w.strip(".") for w in folded.replace(".", ". ").split() if w.strip(".")]
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words.pop()
    if not words:
        return ("", "")
    return (words[-1], words[0][0] if len(words) > 1 else "")


def followed_by(papers: Sequence[Paper], follow: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Paper id -> the followed authors among its authors (as the paper writes them)."""
    keys = {name_key(n) for n in follow} - {("", "")}
    if not keys:
        return {}
    found = {}
    for paper in papers:
        names = tuple(a for a in paper.authors if name_key(a) in keys)
        if names:
            found[paper.id] = names
    return found
