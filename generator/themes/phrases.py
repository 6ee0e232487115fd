"""Keyword evidence: which of a theme's phrases a paper uses, where, and how often.

Matching works on tokens, not raw text: case, hyphens and plural -s/-es are ignored, words
match whole, and punctuation breaks a phrase. Two wildcards make a phrase describe a meaning
rather than one wording: `learn*` is any word starting with "learn", and a lone `*` is up to
two words of any kind ("learn* * representation" matches "learning invariant representations").
A theme's exclusion phrases are masked before its keywords are matched, so the words of
"positional embedding" never count as a mention of "embedding".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..models import Match

MAX_GAP = 2  # words a lone "*" may span: modifiers, not another clause
MASK = "\u2591"  # stands in for the tokens of an exclusion match
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015_/]+")
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")  # words; punctuation is a token of its own
_PHRASE_TOKEN = re.compile(r"[^\W_]+\*?|\*|[^\w\s]")

Step = tuple[str, frozenset[str] | str | None]  # ("word", forms) | ("prefix", p) | ("gap", None)


def normalise(text: str) -> str:
    """NFKC, case-folded, with hyphens, underscores and slashes as spaces."""
    return _SEPARATORS.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalise(text))


class PhraseSet:
    """Finds non-overlapping phrase matches in a token list, the longest match first."""

    def __init__(self, phrases: Sequence[str]) -> None:
        self.phrases = tuple(dict.fromkeys(phrases))
        self._by_word: dict[str, list[tuple[int, list[Step]]]] = {}
        self._by_prefix: list[tuple[str, int, list[Step]]] = []
        for index, phrase in enumerate(self.phrases):
            pattern = [_step(word) for word in _PHRASE_TOKEN.findall(normalise(phrase))]
            if not pattern or pattern[0][0] == "gap":
                continue
            kind, arg = pattern[0]
            if kind == "prefix":
                self._by_prefix.append((str(arg), index, pattern))
            else:
                for form in arg or ():
                    self._by_word.setdefault(form, []).append((index, pattern))
        self._prefixes = tuple(p for p, _, _ in self._by_prefix)
        self._seen: set[str] = set()  # every word classified so far...
        self._starters: set[str] = set()  # ...and those of them that can start a phrase

    def scan(self, toks: Sequence[str]) -> Iterator[tuple[int, int, int]]:
        """(phrase index, start, end) of each match, left to right, never overlapping."""
        by_word = self._by_word
        # Only tokens that can start a phrase are tried. Each distinct word is classified once
        # (memoised in sets); the positions of the starting words are found in one C-speed pass.
        words = set(toks)
        for tok in words.difference(self._seen):
            self._seen.add(tok)
            if tok in by_word or tok.startswith(self._prefixes):
                self._starters.add(tok)
        starters = words & self._starters
        if not starters:
            return
        starts = [i for i, tok in enumerate(toks) if tok in starters]
        resume = 0
        for i in starts:
            if i < resume:
                continue
            tok = toks[i]
            candidates = list(by_word.get(tok, ()))
            candidates += [(idx, pat) for pre, idx, pat in self._by_prefix if tok.startswith(pre)]
            best: tuple[int, int, int] | None = None
            for index, pattern in candidates:
                end = _match(pattern, toks, i)
                if end > i and (best is None or end > best[2]):
                    best = (index, i, end)
            if best is not None:
                yield best
                resume = best[2]


def _step(word: str) -> Step:
    if word == "*":
        return ("gap", None)
    if word.endswith("*"):
        return ("prefix", word[:-1])
    return ("word", frozenset({word, word + "s", word + "es"}))


def _match(pattern: Sequence[Step], toks: Sequence[str], i: int) -> int:
    """The end of a match of pattern at toks[i], or -1; a gap takes as few words as it can."""
    if not pattern:
        return i
    kind, arg = pattern[0]
    if kind == "gap":
        for gap in range(MAX_GAP + 1):
            if i + gap > len(toks) or not all(t.isalnum() for t in toks[i:i + gap]):
                break
            end = _match(pattern[1:], toks, i + gap)
            if end >= 0:
                return end
        return -1
    if i >= len(toks):
        return -1
    tok = toks[i]
    ok = tok.startswith(str(arg)) if kind == "prefix" else tok in (arg or ())
    return _match(pattern[1:], toks, i + 1) if ok else -1


@dataclass(frozen=True, slots=True)
class Evidence:
    """A paper's keyword evidence for one theme."""

    score: float  # title_weight * title mentions + abstract mentions
    matches: tuple[Match, ...]


class ThemeMatcher:
    """The keyword and exclusion phrases of one theme."""

    def __init__(self, keywords: Sequence[str], exclude: Sequence[str]) -> None:
        self.keywords = PhraseSet(keywords)
        self.exclude = PhraseSet(exclude)

    def count(self, toks: Sequence[str]) -> dict[str, int]:
        """Mentions per keyword phrase, after masking the exclusion phrases."""
        masked = list(toks)
        for _, start, end in list(self.exclude.scan(masked)):
            masked[start:end] = [MASK] * (end - start)
        counts: dict[str, int] = {}
        for index, _, _ in self.keywords.scan(masked):
            phrase = self.keywords.phrases[index]
            counts[phrase] = counts.get(phrase, 0) + 1
        return counts

    def evidence(self, title: Sequence[str], abstract: Sequence[str],
                 title_weight: float) -> Evidence:
        """Evidence from a tokenised title and abstract; a title mention weighs more."""
        in_title, in_abstract = self.count(title), self.count(abstract)
        matches = tuple([Match(p, "title", n) for p, n in in_title.items()] +
                        [Match(p, "abstract", n) for p, n in in_abstract.items()])
        score = title_weight * sum(in_title.values()) + sum(in_abstract.values())
        return Evidence(score=score, matches=matches)
