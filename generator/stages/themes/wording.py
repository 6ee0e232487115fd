"""Terms a reader can take in: the words and two-word phrases of the model's vocabulary as a
paper actually writes them, never a fragment.

The model's vocabulary (TF-IDF over `normalise`d text) joins neighbouring words after stop
words and punctuation are dropped, and splits hyphenated words: "contrastive learning of
sentence embeddings" gives "learning sentence", "model-based planning" gives "based planning",
"self-supervised" gives "self" and "supervised". Those are good features and bad words to show.
A term is shown only where the paper writes it as a unit:

- its words are neighbours in the text (no stop word or punctuation between them);
- it does not start or end inside a hyphenated word ("based planning" in "model-based
  planning", "self" in "self-supervised"); a whole hyphenated pair is one unit, shown with its
  hyphen ("self-supervised");
- a two-word term does not end inside a word pair at least as strong, nor start inside a
  stronger one: in "learning sentence embeddings", more papers of the corpus use "sentence
  embeddings" than "learning sentence", which is a fragment of it;
- it is not a word of research prose that names no subject ("proposed", "mentioned",
  "outperforms", adverbs).

Acronyms and mixed-case names keep their case as written ("LLM", "InfoNCE"); other words are
shown in lower case.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from generator.models import Paper
from generator.text.terms import PROSE

ADVERB = re.compile(r"(?:ally|ively|ently|antly|ously|ably|ibly|edly|ingly)$")
_WORD = re.compile(r"[a-z][a-z0-9]+")  # a term word, as the model's token pattern takes it
_SPLIT = re.compile(r"([^\W_]+)")  # runs of letters and digits, and what is between them
_HYPHENS = re.compile(r"[\-\u2010-\u2015]")
_HYPHEN_CHARS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015")
_SPACE, _HYPHEN, _BREAK = " ", "-", "|"
# A pair followed by a word that pairs with its last word at least this often (relative to
# the pair itself) is a fragment of the three: "natural language" (in 96 papers of the
# default digest) before "processing" ("language processing": 53).
HEAD_SHARE = 0.5

Strength = Callable[[str], float]  # how many papers use a two-word term (0: under min_df)


def readable_terms(text: str, strength: Strength) -> dict[str, str]:
    """Every term of one or two words that `text` writes as a unit (see the module), mapped to
    how it is shown: {"self supervised": "self-supervised", "llm": "LLM", ...}. `strength`
    ranks word pairs against each other (`strength_from`)."""
    words, links, edges, shown = _items(text)
    found: dict[str, str] = {}
    n = len(words)
    for i in range(n):
        before, after = edges[i]
        if before != _HYPHEN and after != _HYPHEN and _content(words[i]):
            found.setdefault(words[i], shown[i])
        link = links[i]  # to the next word
        if i + 1 >= n or link == _BREAK or before == _HYPHEN or edges[i + 1][1] == _HYPHEN:
            continue  # not neighbours, or starts or ends inside a hyphenated word
        a, b = words[i], words[i + 1]
        term = f"{a} {b}"
        if term in found:
            continue
        if link == _HYPHEN:  # a hyphenated pair is one unit
            if _content(a):
                found[term] = f"{shown[i]}-{shown[i + 1]}"
            continue
        if not (_content(a) and _content(b)):
            continue
        own = strength(term)
        # Noun phrases end in their head: of three words written as a unit, the last two are
        # the pair unless they are much rarer together ("natural language processing",
        # "semantic textual similarity"; but "contrastive learning framework").
        if links[i + 1] == _SPACE and 0 < own * HEAD_SHARE <= strength(f"{b} {words[i + 2]}"):
            continue  # ends inside a pair about as strong
        if before == _SPACE and links[i - 1] == _SPACE and \
                strength(f"{words[i - 1]} {a}") > own:
            continue  # starts inside a stronger one
        found[term] = f"{shown[i]} {shown[i + 1]}"
    return found


def strength_from(vocabulary: Mapping[str, int], idf: Sequence[float], fitted: int
                  ) -> Strength:
    """A pair's strength: how many of the `fitted` papers of the TF-IDF fit use it, from its
    smoothed idf (ln((1 + n) / (1 + df)) + 1); 0 for a pair outside the vocabulary."""
    weights = [float(w) for w in idf]

    def strength(term: str) -> float:
        column = vocabulary.get(term)
        return 0.0 if column is None else (1 + fitted) / math.exp(weights[column] - 1) - 1
    return strength


def _content(word: str) -> bool:
    return (word not in ENGLISH_STOP_WORDS and word not in PROSE
            and not ADVERB.search(word))


def _items(text: str) -> tuple[list[str], list[str], list[tuple[str, str]], list[str]]:
    """The text's term words (lower case); the link from each to the next (space, hyphen, or
    a break: punctuation, a stop word, a digit or one-letter word between them); what is
    right before and after each (a hyphen there, as in "few-shot", whose "few" is a stop
    word, puts the word inside a hyphenated one); and each word as it is to be shown."""
    text = unicodedata.normalize("NFKC", text).replace("_", " ").replace("/", " ")
    words: list[str] = []
    links: list[str] = []
    edges: list[tuple[str, str]] = []
    shown: list[str] = []
    pieces = _SPLIT.split(text)  # gap, run, gap, run, ..., gap: run j has gaps j and j + 1
    runs, gaps = pieces[1::2], pieces[0::2]
    folded = [run.casefold() for run in runs]
    term = [_WORD.fullmatch(f) is not None and f not in ENGLISH_STOP_WORDS for f in folded]
    for j, raw in enumerate(runs):
        if not term[j]:
            continue
        gap_before, gap_after = gaps[j], gaps[j + 1]
        before = _separator(gap_before) if j else _BREAK
        if words:
            links.append(before if term[j - 1] else _BREAK)
        # A hyphen on either side makes the word part of a hyphenated one, even with a space
        # after it ("self- and report-supervised").
        edges.append((_HYPHEN if gap_before[-1:] in _HYPHEN_CHARS else before,
                      _HYPHEN if gap_after[:1] in _HYPHEN_CHARS else _BREAK))
        words.append(folded[j])
        shown.append(raw if raw[1:] != raw[1:].lower() else folded[j])
    links.append(_BREAK)
    return words, links, edges, shown


@functools.lru_cache(maxsize=1024)
def _separator(gap: str) -> str:
    if not gap or gap.isspace():
        return _SPACE
    if _HYPHENS.fullmatch(gap):
        return _HYPHEN
    return _BREAK


def stems(term: str) -> frozenset[str]:
    """A term's words without a plural -s: "skills" and "skill" are one word to a reader."""
    return frozenset(w[:-1] if w.endswith("s") and len(w) > 3 else w for w in term.split())


def shown_terms(ranked: Sequence[str], readable: Mapping[str, str], k: int) -> tuple[str, ...]:
    """The first k of `ranked` (model terms, strongest first) that the paper writes as a unit
    (`readable`), as shown; a term whose words an earlier one already shows is left out
    ("contrastive" after "contrastive learning", "skill" after "skills")."""
    chosen: list[str] = []
    covered: list[frozenset[str]] = []
    for term in ranked:
        if len(chosen) == k:
            break
        display = readable.get(term)
        if display is None:
            continue
        words = stems(term)
        if any(words <= c for c in covered):
            continue
        chosen.append(display)
        covered.append(words)
    return tuple(chosen)


class Wording:
    """The readable terms (`readable_terms`) of a corpus's papers, each paper's made when
    first asked for: only a theme's members are ever asked."""

    def __init__(self, papers: Sequence[Paper], vectorizer: TfidfVectorizer | None,
                 fitted: int) -> None:
        """`fitted`: how many papers the vectorizer was fitted on."""
        self.papers = papers
        if vectorizer is None:
            self.strength: Strength = lambda term: 0.0
        else:
            self.strength = strength_from(vectorizer.vocabulary_, vectorizer.idf_, fitted)
        self._made: dict[int, dict[str, str]] = {}

    def terms(self, i: int) -> dict[str, str]:
        """The readable terms of papers[i]: its title and abstract, apart."""
        found = self._made.get(i)
        if found is None:
            paper = self.papers[i]
            found = self._made[i] = readable_terms(f"{paper.title}. {paper.abstract}",
                                                   self.strength)
        return found
