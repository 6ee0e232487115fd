"""Sentences of an abstract, and the one that best states what the paper contributes.

A list item shows one sentence of the abstract as its teaser. The first sentence of an
abstract is often background ("Representation learning is a critical ingredient for ..."),
so the teaser is chosen by how sentences that state a contribution are written: "we
propose", "this paper introduces", "we show that"; sentences of background, motivation or
limitations ("recent work has", "however, existing methods") count against, and position
breaks ties (the contribution is usually stated early). Extractive and rule-based: the
sentence is the authors' own words, never a paraphrase.
"""

from __future__ import annotations

import re

TEASER_LIMIT = 240  # characters; a longer sentence is cut at a word with " …"
MAX_SENTENCES = 8  # the contribution is stated early; later sentences are results and details

# A sentence ends at . ! or ? followed by white space and a capital, a digit or an opening
# quote/bracket, unless the word before the point is an abbreviation that rarely ends one.
_END = re.compile(r"(?<=[.!?])[\"”’)\]]?\s+(?=[\"“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = frozenset({"e.g.", "i.e.", "cf.", "vs.", "al.", "etc.", "fig.", "figs.", "eq.",
                            "eqs.", "sec.", "tab.", "no.", "approx.", "resp.", "dr.", "prof.",
                            "st.", "(e.g.", "(i.e.", "(cf."})
# Introductions some listings append to the abstract ("Introduction: ..."): not the abstract.
_SECTIONS = (" Introduction:", " INTRODUCTION:", " Introduction.", " 1 Introduction ")
_WORD = re.compile(r"[a-z]+")

# Sentences are scored by their words (sets, in C) rather than by one regex per rule: a
# list page shows a teaser for each of its papers, so this runs for every paper of a build.
_SUBJECTS = frozenset({"we", "our", "here"})
_PRIMARY_VERBS = frozenset({"propose", "present", "introduce", "proposes", "presents",
                            "introduces"})
_VERBS = _PRIMARY_VERBS | frozenset(
    f"{stem}{end}" for stem in ("develop", "design", "describe", "show", "demonstrate",
                                "address", "investigate", "formulate", "establish", "prove",
                                "contribute", "release", "build", "offer", "provide",
                                "derive", "explore", "study", "find")
    for end in ("", "s"))
_OPENERS = frozenset({"however", "although", "while", "despite", "recent", "recently",
                      "existing", "current", "traditional", "prior", "previous", "many",
                      "most", "yet", "unfortunately", "nevertheless"})
_BACKGROUND = re.compile(r"ha(?:s|ve) (?:been|shown|become|emerged)|remains? |struggle|suffer")
_AVAILABLE = frozenset({"available", "released", "github", "http", "https"})


def sentences(text: str) -> list[str]:
    """The sentences of a plain text (an abstract after TeX conversion), in order."""
    text = " ".join(text.split())
    parts: list[str] = []
    start = 0
    for m in _END.finditer(text):
        piece = text[start:m.start()].rstrip()
        last = piece.rsplit(" ", 1)[-1]
        if not piece or last.lower() in _ABBREVIATIONS or (len(last) == 2 and last[0].isupper()):
            continue  # "e.g. BERT", "Smith et al. 2020", "J. Smith": not an end
        parts.append(text[start:m.end()].strip())
        start = m.end()
    if start < len(text):
        parts.append(text[start:].strip())
    return [p for p in parts if p]


def teaser(text: str, limit: int = TEASER_LIMIT) -> str:
    """The sentence of an abstract that best states its contribution, at most `limit`
    characters (cut at a word, with " …"); "" for an empty abstract."""
    ends = [at for at in (text.find(heading) for heading in _SECTIONS) if at >= 0]
    candidates = sentences(text[:min(ends)] if ends else text)[:MAX_SENTENCES]
    if not candidates:
        return ""
    best = max(range(len(candidates)), key=lambda i: (_score(candidates[i], i), -i))
    return _cut(candidates[best], limit)


def _score(sentence: str, position: int) -> float:
    """How plainly a sentence states the paper's contribution (higher is better)."""
    lower = sentence.lower()
    found = _WORD.findall(lower)
    words = set(found)
    score = 0.0
    stated = bool(words & _SUBJECTS) or "this paper" in lower or "this work" in lower
    if stated and words & _PRIMARY_VERBS:
        score += 3.0
    elif stated and words & _VERBS:
        score += 2.0
    if (found and found[0] in _OPENERS) or _BACKGROUND.search(lower):
        score -= 1.5
    if words & _AVAILABLE:
        score -= 1.0  # "Code is available at ...": true, but not what the paper is about
    if len(found) < 6:
        score -= 2.0  # a heading or a fragment
    elif len(found) > 60:
        score -= 0.5
    return score - 0.1 * position


def _cut(sentence: str, limit: int) -> str:
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"
