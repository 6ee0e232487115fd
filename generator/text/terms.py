"""The terms of a text that can name what it is about: content words and word pairs.

A term is a word, or two adjacent words of one clause, that is not a stop word (scikit-learn's
English list) nor a word every paper uses ("propose", "results"). A pair never spans
punctuation, never starts or ends on a stop word, never starts on a generic word and ends
on one only if it heads a name ("world model"), so a briefing cannot show "learning
sentence" (from "learning sentence embeddings") or "based planning" (from "model-based
planning": hyphenated words stay one word). Plural -s is folded for counting ("world models"
and "world model" are one term); `phrase` finds how the texts themselves write it.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable

# A word: letters and digits, with inner hyphens or apostrophes ("model-based", "agent's").
WORD = r"[a-z][a-z0-9]*(?:['’-][a-z0-9]+)*"
_WORD = re.compile(WORD)
_CLAUSE = re.compile(r"[.,;:!?()\[\]{}\"“”]|\s[-–—]\s")
# Words of research prose (reporting verbs, evaluation words, discourse nouns): papers of a
# theme share them, so they carry its model, but they name nothing a reader could follow.
# The themes stage leaves them out of a paper's evidence (stages/themes/wording.py).
PROSE = frozenset("""
    achieve achieved achieves achieving address addressed addresses addressing allow allowed
    allows approach approaches available based benefit benefits capture captures case cases
    challenge challenges challenging compare compared comprehensive consider considered
    considers contribution contributions current demonstrate demonstrated demonstrates
    demonstrating describe described describes desired different distinct diverse effective
    effectiveness efficient enable enabled enables enabling enhanced evaluate evaluated
    evaluates evaluating existing experiment experiments explore explored explores extensive
    framework frameworks further furthermore github given good high http https improve
    improved improvement improvements improves improving including integrated introduce
    introduced introduces investigate investigated investigates issues key large learns
    leverage leveraged leverages leveraging low mention mentioned mentions method methods
    novel obtain obtained obtains outperform outperformed outperforming outperforms overview
    paper papers perform performance performed performs perspective perspectives present
    presented presents previous prior problem problems propose proposed proposes proposing
    provide provided provides publicly recent recover related result results rethinking rich
    seen setting several show showed showing shown shows significant simple standard state
    studied studies study subsequent suggest suggests superior use used uses using various
    way ways work works
""".split())  # noqa: SIM905 - a word list reads best as words
# ...and, for naming what a week or a group of papers is about, the words every paper of the
# field uses besides ("learning", "model", "data") and parts of longer words ("pre", "non").
GENERIC = PROSE | frozenset("""
    able art benchmark benchmarks better beyond boosting code data end enhancing evaluation
    experimental free general help lack learn learned learning learnt level levels like make
    makes model models new non objective objectives pre range revisiting second set sets
    significantly strong system systems task tasks technique techniques third time times
    toward towards train trained training understanding wide wise
""".split())  # noqa: SIM905
# Generic words that still head a name ("world model", "representation learning").
HEADS = frozenset({"model", "models", "learning", "data", "framework", "benchmark",
                   "benchmarks", "task", "tasks", "problem", "problems", "method", "methods"})
_NEXT = re.compile(rf"\s+({WORD})")  # the word after a phrase...
_PREVIOUS = re.compile(rf"({WORD})\s+$")  # ...and the word before it


@functools.cache
def stop_words() -> frozenset[str]:
    """scikit-learn's English stop words and a few of research prose's. Imported on first use:
    scikit-learn takes most of a second to import, which an unchanged build (importing the
    renderer, rendering nothing) must not pay."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    return frozenset(ENGLISH_STOP_WORDS) | {"via", "et", "al", "eg", "ie", "etc", "vs", "can", "also"}


def fold(word: str) -> str:
    """A word with plural -s removed ("models" -> "model"; "loss", "this" unchanged)."""
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str) -> set[str]:
    """The folded terms of a text (words and pairs, joined by a space), each once."""
    found: set[str] = set()
    for clause in _CLAUSE.split(text.lower()):
        previous: tuple[str, bool, bool] | None = None  # the content word before, if any
        for word in _WORD.findall(clause):
            kind = _kind(word)
            if not kind[0]:
                previous = None
                continue
            folded, generic, head = kind
            if not generic:
                found.add(folded)
            if previous is not None and not previous[1] and (not generic or head):
                found.add(f"{previous[0]} {folded}")
            previous = kind
    return found


@functools.lru_cache(maxsize=1 << 16)
def _kind(word: str) -> tuple[str, bool, bool]:
    """A word as terms() reads it: folded ("" for a stop word, a word of two letters or one
    starting with a digit), whether it is generic, whether it heads a name. Cached: a
    corpus repeats its words, and terms() reads every paper of every briefed week."""
    if word in stop_words() or len(word) <= 2 or word[0].isdigit():
        return "", False, False
    return fold(word), word in GENERIC, word in HEADS


def phrase(term: str, texts: Iterable[str], longest: int = 4) -> str:
    """A folded term as the texts write it, grown into the whole phrase it is part of: a pair
    that the texts mostly continue with the same word is a fragment of a longer name
    ("diffusion world" of "video diffusion world models"), so it takes that word, on either
    side, up to `longest` words. Each occurrence votes; a side grows when at least two
    thirds of them agree on a content word. The term itself if no text writes it."""
    parts = term.split(" ")
    pattern = re.compile(r"\b" + r"\s+".join(re.escape(p) + r"s?" for p in parts) + r"\b",
                         re.IGNORECASE)
    first = parts[0]  # texts without it cannot match: most of them, skipped without a regex
    found = [(text, m.start(), m.end()) for text in texts if first in text.lower()
             for m in pattern.finditer(text)]
    if not found:
        return term
    spans = [(text.lower(), start, end) for text, start, end in found]
    while len(parts) < longest:
        grown = _grow(spans, after=True) or _grow(spans, after=False)
        if grown is None:
            break
        spans = grown
        parts.append("")  # counts the words: the phrase itself is read from the spans
    seen = Counter(" ".join(text[start:end].split()) for text, start, end in spans)
    return min(seen.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _grow(spans: list[tuple[str, int, int]], after: bool) -> list[tuple[str, int, int]] | None:
    """The spans each grown by the word next to them, if two thirds of them have the same
    content word there (folded) and no punctuation between; else None."""
    neighbours = []
    for text, start, end in spans:
        if after:
            m = _NEXT.match(text, end)
            neighbours.append((m.group(1), start, m.end()) if m else None)
        else:
            before = max(0, start - 64)  # a word and its space: never a scan from the start
            m = _PREVIOUS.search(text, before, start)
            neighbours.append((m.group(1), m.start(1), end) if m else None)
    votes = Counter(fold(n[0]) for n in neighbours
                    if n is not None and n[0] not in stop_words() and n[0] not in GENERIC - HEADS)
    if not votes:
        return None
    word, count = votes.most_common(1)[0]
    if 3 * count < 2 * len(spans):
        return None
    return [(text, n[1], n[2]) for (text, _, _), n in zip(spans, neighbours, strict=True)
            if n is not None and fold(n[0]) == word]
