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
from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet

from generator.models import Match, ThemeSpec, record

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
    return split(normalise(text))


def split(normalised: str) -> list[str]:
    """The tokens of a text already `normalise`d."""
    return _TOKEN.findall(normalised)


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
        self._starters: set[str] = set()  # ...those of them that can start a phrase...
        self._candidates: dict[str, list[tuple[int, list[Step]]]] = {}  # ...and which

    def learn(self, words: Iterable[str]) -> None:
        """Classify words not seen before: can they start one of the phrases?"""
        for tok in words:
            if tok not in self._seen:
                self._seen.add(tok)
                if tok in self._by_word or tok.startswith(self._prefixes):
                    self._starters.add(tok)
                    self._candidates[tok] = list(self._by_word.get(tok, ())) + [
                        (index, pattern) for prefix, index, pattern in self._by_prefix
                        if tok.startswith(prefix)]

    def scan(self, toks: Sequence[str], words: AbstractSet[str] | None = None
             ) -> Iterator[tuple[int, int, int]]:
        """(phrase index, start, end) of each match, left to right, never overlapping.

        `words`, if given, holds every word of toks (more is fine), all already `learn`t: a
        caller scanning one text with several phrase sets makes it once for all of them."""
        candidates = self._candidates
        # Only tokens that can start a phrase are tried. Each distinct word is classified once
        # (memoised in sets); a lone starting word's positions are found by list.index, which
        # runs at C speed.
        if words is None:
            words = set(toks)
            self.learn(words)
        starters = self._starters.intersection(words)
        if not starters:
            return
        if len(starters) == 1:
            starts = list(_positions(toks, next(iter(starters))))
        else:
            starts = [i for i, tok in enumerate(toks) if tok in starters]
        resume = 0
        for i in starts:
            if i < resume:
                continue
            best: tuple[int, int, int] | None = None
            for index, pattern in candidates[toks[i]]:
                end = _match(pattern, toks, i)
                if end > i and (best is None or end > best[2]):
                    best = (index, i, end)
            if best is not None:
                yield best
                resume = best[2]


def _positions(toks: Sequence[str], word: str) -> Iterator[int]:
    """Every index of word in toks."""
    at = -1
    while True:
        try:
            at = toks.index(word, at + 1)
        except ValueError:
            return
        yield at


def _step(word: str) -> Step:
    if word == "*":
        return ("gap", None)
    if word.endswith("*"):
        return ("prefix", word[:-1])
    return ("word", frozenset({word, word + "s", word + "es"}))


def _match(pattern: Sequence[Step], toks: Sequence[str], i: int, at: int = 0) -> int:
    """The end of a match of pattern[at:] at toks[i], or -1; a gap takes as few words as it
    can."""
    while at < len(pattern):
        kind, arg = pattern[at]
        if kind == "gap":
            for gap in range(MAX_GAP + 1):
                if i + gap > len(toks) or not all(t.isalnum() for t in toks[i:i + gap]):
                    break
                end = _match(pattern, toks, i + gap, at + 1)
                if end >= 0:
                    return end
            return -1
        if i >= len(toks):
            return -1
        tok = toks[i]
        if not (tok.startswith(str(arg)) if kind == "prefix" else tok in (arg or ())):
            return -1
        i, at = i + 1, at + 1
    return i


@record
class Evidence:
    """A paper's keyword evidence for one theme."""

    score: float  # title_weight * title mentions + abstract mentions
    matches: tuple[Match, ...]


# Most papers mention none of a theme's keywords: they share one object, so the keyword
# scan's result for a whole corpus pickles (from its worker process) as one reference each.
NO_EVIDENCE = Evidence(score=0.0, matches=())


class ThemeMatcher:
    """The keyword and exclusion phrases of one theme."""

    def __init__(self, keywords: Sequence[str], exclude: Sequence[str]) -> None:
        self.keywords = PhraseSet(keywords)
        self.exclude = PhraseSet(exclude)
        # Evidence made so far, by its counts: papers with the same mentions share one
        # object (as NO_EVIDENCE), and so do their assignments' matches. At 100,000
        # papers the theme fit held 141,286 Match objects, of which 308 differ; a fit that
        # shares them is stored and loaded with that many.
        self._evidence: dict[tuple[object, ...], Evidence] = {}
        self._matches: dict[tuple[str, str, int], Match] = {}

    def learn(self, words: Iterable[str]) -> None:
        """Classify new words for both phrase sets (see PhraseSet.scan's `words`)."""
        self.keywords.learn(words)
        self.exclude.learn(words)

    def count(self, toks: Sequence[str], words: AbstractSet[str] | None = None
              ) -> dict[str, int]:
        """Mentions per keyword phrase, after masking the exclusion phrases."""
        if words is None:
            words = set(toks)
            self.learn(words)
        spans = list(self.exclude.scan(toks, words))
        masked: Sequence[str] = toks
        if spans:  # copied only when there is something to mask
            copy = list(toks)
            for _, start, end in spans:
                copy[start:end] = [MASK] * (end - start)
            masked = copy
        counts: dict[str, int] = {}
        for index, _, _ in self.keywords.scan(masked, words):
            phrase = self.keywords.phrases[index]
            counts[phrase] = counts.get(phrase, 0) + 1
        return counts

    def evidence(self, title: Sequence[str], abstract: Sequence[str],
                 title_weight: float, words: AbstractSet[str] | None = None) -> Evidence:
        """Evidence from a tokenised title and abstract; a title mention weighs more.
        `words`: as for PhraseSet.scan, covering both title and abstract."""
        in_title, in_abstract = self.count(title, words), self.count(abstract, words)
        if not in_title and not in_abstract:
            return NO_EVIDENCE
        key = (title_weight, *in_title.items(), None, *in_abstract.items())
        found = self._evidence.get(key)
        if found is None:
            matches = tuple([self._match(p, "title", n) for p, n in in_title.items()] +
                            [self._match(p, "abstract", n) for p, n in in_abstract.items()])
            score = title_weight * sum(in_title.values()) + sum(in_abstract.values())
            found = self._evidence[key] = Evidence(score=score, matches=matches)
        return found

    def _match(self, phrase: str, where: str, count: int) -> Match:
        found = self._matches.get((phrase, where, count))
        if found is None:
            found = self._matches[(phrase, where, count)] = Match(phrase, where, count)
        return found


def keyword_evidence(texts: Sequence[tuple[str, str]], specs: Sequence[ThemeSpec],
                     title_weight: float) -> list[list[Evidence]]:
    """Per theme, each paper's keyword evidence from its (title, abstract), both `normalise`d.
    A paper is tokenised once for all themes and its tokens dropped right after: held for a
    whole corpus they would take more memory than everything else (a Python string per word:
    over a gigabyte at 100,000 papers)."""
    matchers = [ThemeMatcher(spec.keywords, spec.exclude) for spec in specs]
    found: list[list[Evidence]] = [[] for _ in specs]
    seen: set[str] = set()
    for title_text, abstract_text in texts:
        title, abstract = split(title_text), split(abstract_text)
        words = set(title).union(abstract)  # once for all the themes' phrase sets
        if new := words - seen:
            seen |= new
            for matcher in matchers:
                matcher.learn(new)
        for matcher, out in zip(matchers, found, strict=True):
            out.append(matcher.evidence(title, abstract, title_weight, words))
    return found
