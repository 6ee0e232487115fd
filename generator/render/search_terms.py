"""What a search term is: the one definition the index (search_index.py) and the browser
(templates/assets/search.js, with stemmer.js) share.

**Terms.** Text is decomposed (NFKD), marks (accents) are dropped and it is cut into words:
runs of letters and digits, joined by hyphens ("model-based") into one compound word. A
compound, and a word written in camelCase ("MuZero", "DreamerV3"), is indexed whole ("model-
based" as "modelbased") and as its parts ("model", "based"), so "model-based", "modelbased"
and "model based" all find it. Every term is lower case and stemmed with the Snowball English
stemmer (Porter2: "learned" and "learning" are "learn"), for a digest in English; in another
language words are kept as they are. search.js cuts a query the same way (its stemmer is
templates/assets/stemmer.js, checked against this one word for word by tests/test_stemmer.py);
a hyphenated query word is one term, its whole.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

# A word: letters and digits, hyphenated parts joined ("model-based", "GPT-4o"). The hyphens
# are ASCII's and U+2010 (NFKD turns the non-breaking U+2011 into it).
WORD = re.compile(r"[^\W_]+(?:[-\u2010][^\W_]+)*")
_HYPHEN = re.compile(r"[-\u2010]")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")  # camelCase: a lower-case letter, then a capital
_STEMMER = Stemmer.Stemmer("english")


def stem(word: str) -> str:
    """A lower-case word's Snowball English (Porter2) stem: 'models' -> 'model',
    'learning' -> 'learn'. Cached: a corpus repeats its words."""
    return _stem(word)


@lru_cache(maxsize=1 << 18)
def _stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def words(text: str) -> list[tuple[str, ...]]:
    """A text's words, in order, each as (whole, part, part, ...) for a compound or camelCase
    word ("Model-Based" -> ('modelbased', 'model', 'based')) and (word,) otherwise; lower
    case, without accents, not yet stemmed."""
    return [split_word(word) for word in WORD.findall(fold(text))]


def split_word(word: str) -> tuple[str, ...]:
    """One word as words() gives it: (whole, parts...) or (word,)."""
    parts = [p.lower() for piece in _HYPHEN.split(word) for p in _CAMEL.split(piece) if p]
    return ("".join(parts), *parts) if len(parts) > 1 else (parts[0],)


def terms(text: str, stem_words: bool = True) -> list[str]:
    """The index terms of a text, in order, repeats kept: each compound's whole, then its
    parts."""
    flat = [w for word in words(text) for w in word]
    return [stem(w) for w in flat] if stem_words else flat


def sort_key(term: str) -> bytes:
    """The order of terms in the index: JavaScript's (UTF-16 code units), so that the
    browser's binary search over `files` agrees with the build's."""
    return term.encode("utf-16-be")


def stems(language: str) -> bool:
    """Whether words are stemmed: the stemmer knows English."""
    return language.lower().split("-")[0] == "en"


def fold(text: str) -> str:
    """A text without accents, case kept. Decomposed first, so that what decomposes into
    letters (ℝ -> R, ﬁ -> fi) is a letter too."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if unicodedata.category(c)[0] != "M")  # marks: JavaScript's \p{M}
