"""generator.tfidf gives scikit-learn's TfidfVectorizer result bit for bit: the same terms in
the same order and the same matrix, down to the order of each row's stored entries, in every
setting the digest uses, on the seed listings and on texts made to reach the edge cases."""

from __future__ import annotations

import pickle

import numpy as np
import numpy.typing as npt
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from generator import tfidf
from generator.config import load_config
from generator.stages.read import read_sources
from generator.stages.themes.phrases import normalise
from generator.tfidf import Tfidf

from .conftest import CONTENT

THEME_PATTERN = r"(?u)\b[a-z][a-z0-9]+\b"


@pytest.fixture(scope="module")
def seed_texts() -> list[str]:
    """Title + abstract of every seed listing, in the dumps' order (repeats included)."""
    config = load_config(CONTENT)
    listings = read_sources(config.sources_dir, config.sources).listings
    return [f"{x.title} {x.abstract}" for x in listings]


def _pair(pairs: bool, min_df: float, max_df: float, dtype: type[np.floating],
          pattern: str = tfidf.WORDS) -> tuple[Tfidf, TfidfVectorizer]:
    ours = Tfidf(token_pattern=pattern, pairs=pairs, min_df=min_df, max_df=max_df,
                 dtype=dtype)
    theirs = TfidfVectorizer(token_pattern=pattern, ngram_range=(1, 2 if pairs else 1),
                             min_df=min_df, max_df=max_df, dtype=dtype, sublinear_tf=True,
                             stop_words="english", norm="l2")
    return ours, theirs


def _same(ours: sp.csr_matrix, theirs: sp.spmatrix) -> None:
    """Equal as stored: shape, dtype, row pointers, column order within rows, and values."""
    theirs = sp.csr_matrix(theirs)
    assert ours.shape == theirs.shape
    assert ours.dtype == theirs.dtype
    assert np.array_equal(ours.indptr, theirs.indptr)
    assert np.array_equal(ours.indices, theirs.indices)
    assert np.array_equal(ours.data, theirs.data)


def _terms(vectorizer: Tfidf | TfidfVectorizer) -> list[str]:
    names: npt.NDArray[np.object_] = vectorizer.get_feature_names_out()
    return [str(x) for x in names]


SETTINGS = [  # (pairs, min_df, max_df, dtype, pattern): the themes', related papers', map's
    (True, 2, 0.5, np.float64, THEME_PATTERN),
    (False, 2, 0.5, np.float32, tfidf.WORDS),
    (False, 2, 0.5, np.float64, tfidf.WORDS),
    (False, 1, 1.0, np.float32, tfidf.WORDS),  # small corpora keep every term
    (True, 1, 1.0, np.float64, THEME_PATTERN),
    (True, 3, 40, np.float64, tfidf.WORDS),  # cut-offs as document counts
]


@pytest.mark.parametrize(("pairs", "min_df", "max_df", "dtype", "pattern"), SETTINGS)
def test_seed_listings_give_scikit_learns_matrix(
        seed_texts: list[str], pairs: bool, min_df: float, max_df: float,
        dtype: type[np.floating], pattern: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Small batches, so that terms first seen in a later batch and counts merged across
    # batches are exercised (the default batch holds the whole seed corpus).
    monkeypatch.setattr(tfidf, "BATCH", 97)
    texts = [normalise(t) for t in seed_texts] if pattern == THEME_PATTERN else seed_texts
    cut = len(texts) * 4 // 5
    fitted, rest = texts[:cut], texts[cut:]
    ours, theirs = _pair(pairs, min_df, max_df, dtype, pattern)
    _same(ours.fit_transform(fitted), theirs.fit_transform(fitted))
    assert _terms(ours) == _terms(theirs)
    _same(ours.transform(rest), theirs.transform(rest))
    # A stored fit (the cache pickles it) transforms as the fresh one does.
    _same(pickle.loads(pickle.dumps(ours)).transform(rest), theirs.transform(rest))


EDGES = [
    "",  # empty
    "the of and a an",  # stop words only
    "A B c d x",  # one-letter words only: not tokens
    "Naïve Bayès über Straße ΣΊΣΥΦΟΣ χ2 résumé",  # non-ASCII words, case folding
    "deep 3d learning x2y under_score co-training",  # digits, underscore, hyphen
    "the model the model of the model",  # a stop word between words of a pair
    "model-based RL: world models, world-model learning (WM) and RL",
    "world models world models world models",  # repeats: sublinear tf
    "naïve bayes",
]


@pytest.mark.parametrize("pairs", [False, True])
@pytest.mark.parametrize("pattern", [tfidf.WORDS, THEME_PATTERN])
def test_edge_cases_match(pairs: bool, pattern: str) -> None:
    ours, theirs = _pair(pairs, 1, 1.0, np.float64, pattern)
    _same(ours.fit_transform(EDGES), theirs.fit_transform(EDGES))
    assert _terms(ours) == _terms(theirs)
    unseen = ["unseen words only", "", "the naïve model of the world", "xyz world 3d models"]
    _same(ours.transform(unseen), theirs.transform(unseen))


@pytest.mark.parametrize("texts", [[], ["", ""], ["the and of", "a an the"]])
def test_no_vocabulary_is_a_value_error_as_in_scikit_learn(texts: list[str]) -> None:
    with pytest.raises(ValueError):
        TfidfVectorizer(stop_words="english").fit_transform(texts)
    with pytest.raises(ValueError):
        Tfidf().fit_transform(texts)


def test_cut_offs_that_leave_nothing_are_a_value_error() -> None:
    texts = ["cats purr", "dogs bark", "fish swim"]  # every word in one text only
    with pytest.raises(ValueError, match="no terms remain"):
        Tfidf(min_df=2).fit_transform(texts)


def test_a_stored_fit_keeps_only_the_words_of_its_terms() -> None:
    vectorizer = Tfidf(pairs=True, min_df=2)
    vectorizer.fit_transform(["graph neural networks", "graph neural nets", "lone words"])
    assert _terms(vectorizer) == ["graph", "graph neural", "neural"]
    kept = {w for w, i in vectorizer._words.items() if i >= 0}
    assert kept == {"graph", "neural"}


def test_transform_of_no_text_is_an_empty_matrix() -> None:
    vectorizer = Tfidf()
    vectorizer.fit_transform(["graph neural networks", "graph kernels"])
    rows = vectorizer.transform([])
    assert rows.shape == (0, 4)
