"""Related papers: obvious answers on tiny corpora, exact agreement with a dense brute force,
and a scale smoke check on synthetic documents recombined from the seed sentences."""

from __future__ import annotations

import random

import numpy as np
import pytest

from generator.config import load_config
from generator.stages.read import read_sources
from generator.stages.related import related_papers, tfidf_matrix, top_k_by_candidates, top_k_similar
from generator.text.markup import sentences

from .conftest import CONTENT


@pytest.fixture(scope="module")
def seed_texts() -> list[str]:
    """Title + abstract of every seed listing (duplicates across dumps included: ties)."""
    config = load_config(CONTENT)
    listings = read_sources(config.sources_dir, config.sources).listings
    return [f"{x.title} {x.abstract}" for x in listings]


ANIMALS = [
    "cats purr and cats sleep on warm sofas",          # 0
    "stock markets fell as bond yields rose sharply",  # 1
    "cats sleep all day and purr at night",            # 2
    "bond yields and stock markets in a recession",    # 3
    "quantum entanglement of photons in fibres",       # 4
]


def test_tiny_corpus_gives_the_obvious_neighbours() -> None:
    related = related_papers(ANIMALS, k=1)
    assert related == [(2,), (3,), (0,), (1,), ()]  # photons share no word with anything


def test_self_is_never_related_and_k_is_respected() -> None:
    for k in (1, 2, 3, 10):
        related = related_papers(ANIMALS, k=k)
        assert len(related) == len(ANIMALS)
        for i, row in enumerate(related):
            assert i not in row
            assert len(row) <= min(k, len(ANIMALS) - 1)
            assert len(set(row)) == len(row)


def test_small_and_degenerate_inputs() -> None:
    assert related_papers([]) == []
    assert related_papers(["only one paper"]) == [()]
    assert related_papers(["same words here", "same words here"], k=5) == [(1,), (0,)]
    assert related_papers(["the of and", "", "we our"]) == [(), (), ()]  # no terms survive
    assert related_papers(ANIMALS, k=0) == [()] * len(ANIMALS)


def test_ties_go_to_the_lower_index() -> None:
    texts = ["alpha beta", "alpha beta", "alpha beta", "alpha beta", "gamma delta"]
    assert related_papers(texts, k=2) == [(1, 2), (0, 2), (0, 1), (0, 1), ()]


def test_deterministic_and_independent_of_chunk_size(seed_texts: list[str]) -> None:
    texts = seed_texts[:200]
    first = related_papers(texts, k=5)
    assert related_papers(texts, k=5) == first
    assert related_papers(texts, k=5, chunk_size=13) == first  # 16 blocks, the last short
    # Blocks of one score each (136 pairs of blocks for 16 texts): chunking changes nothing.
    assert related_papers(texts[:16], k=5, chunk_size=1) == related_papers(texts[:16], k=5)
    assert related_papers(texts, k=5, random_state=123) == first


def _brute_force(texts: list[str], k: int) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """The dense n x n cosine matrix, sorted row by row by (score desc, index asc)."""
    x = tfidf_matrix(texts).toarray().astype(np.float64)
    full = x @ x.T
    np.fill_diagonal(full, -np.inf)
    rows = []
    for i in range(len(texts)):
        order = sorted(range(len(texts)), key=lambda j: (-full[i, j], j))
        rows.append(tuple(j for j in order[:k] if full[i, j] > 0))
    return full, rows


@pytest.mark.parametrize("chunk_size", [7, 64, 10_000])
def test_chunked_equals_dense_brute_force(seed_texts: list[str], chunk_size: int) -> None:
    rng = random.Random(7)
    texts = rng.sample(seed_texts, 300)
    full, expected = _brute_force(texts, k=5)
    got = related_papers(texts, k=5, chunk_size=chunk_size)
    for i, (row, want) in enumerate(zip(got, expected, strict=True)):
        # float32 sparse sums and float64 dense sums may order near-equal scores differently:
        # the scores must match, and a differing index only where its score ties within 1e-5.
        assert np.allclose(full[i, list(row)], full[i, list(want)], atol=1e-5), i
        for a, b in zip(row, want, strict=True):
            assert a == b or abs(full[i, a] - full[i, b]) < 1e-5, (i, row, want)


@pytest.mark.parametrize("n", [6, 8, 12, 25])
def test_small_corpora_list_every_one_of_the_k_best(seed_texts: list[str], n: int) -> None:
    # A corpus of at most 25 texts gives at most 5 blocks of scores per row, too few to bound
    # the 5th best score; each row's list must still be its 5 best (it once held only those
    # at least as high as its lowest block maximum).
    texts = random.Random(n).sample(seed_texts, n)
    full, expected = _brute_force(texts, k=5)
    got = related_papers(texts, k=5)
    assert [len(row) for row in got] == [len(row) for row in expected]
    for i, (row, want) in enumerate(zip(got, expected, strict=True)):
        assert np.allclose(full[i, list(row)], full[i, list(want)], atol=1e-5), i


def test_duplicates_across_dumps_are_each_others_nearest(seed_texts: list[str]) -> None:
    # The same paper listed by two dumps has the same text: similarity 1, the top neighbour.
    first_seen: dict[str, int] = {}
    related = related_papers(seed_texts, k=3)
    for i, text in enumerate(seed_texts):
        if text in first_seen:
            assert related[i][0] == first_seen[text] or seed_texts[related[i][0]] == text
        first_seen.setdefault(text, i)


def test_top_k_on_a_matrix_directly() -> None:
    x = tfidf_matrix(ANIMALS)
    assert top_k_similar(x, k=1, chunk_size=2) == related_papers(ANIMALS, k=1)


def _synthetic(seed_texts: list[str], n: int) -> list[str]:
    """n documents of 2-3 sentences drawn at random from the seed titles and abstracts."""
    rng = random.Random(0)
    pool = [s for t in seed_texts for s in sentences(t)]
    return [" ".join(rng.choice(pool) for _ in range(rng.randint(2, 3))) for _ in range(n)]


def test_scale_smoke_twenty_thousand_documents(seed_texts: list[str]) -> None:
    # Kept to ~10 s: the exact all-pairs cost grows as n^2 (see the report for 100,000).
    texts = _synthetic(seed_texts, 20_000)
    related = related_papers(texts, k=5)
    assert len(related) == len(texts)
    assert all(i not in row and len(row) <= 5 for i, row in enumerate(related))
    assert sum(len(row) == 5 for row in related) > 0.99 * len(texts)


def test_candidate_search_agrees_with_the_exact_one(seed_texts: list[str]) -> None:
    # Above EXACT_LIMIT the search only scores candidates that share rare terms. On 20,000
    # synthetic documents it must find nearly the exact answer, and what it lists must be in
    # the exact order of true scores (every listed score is computed exactly).
    texts = _synthetic(seed_texts, 20_000)
    x = tfidf_matrix(texts)
    exact = top_k_similar(x, k=5)
    found = top_k_by_candidates(x, k=5)
    overlap = np.mean([len(set(a) & set(b)) / max(1, len(b)) for a, b in zip(found, exact, strict=True)])
    assert overlap > 0.95
    assert np.mean([a[:1] == b[:1] for a, b in zip(found, exact, strict=True)]) > 0.95
    for i in range(0, 20_000, 997):
        scores = [float(x[i].multiply(x[j]).sum()) for j in found[i]]
        assert scores == sorted(scores, reverse=True) and i not in found[i]


def test_above_the_limit_the_candidate_search_is_used(monkeypatch: pytest.MonkeyPatch,
                                                      seed_texts: list[str]) -> None:
    import generator.stages.related as similar

    monkeypatch.setattr(similar, "EXACT_LIMIT", 100)
    x = tfidf_matrix(seed_texts)
    assert top_k_similar(x, k=5) == top_k_by_candidates(x, k=5)
    # On the real seeds (few papers, so nearly every term is "rare") it is the exact answer
    # for nearly every paper.
    monkeypatch.setattr(similar, "EXACT_LIMIT", 10**9)
    exact = top_k_similar(x, k=5)
    found = top_k_by_candidates(x, k=5)
    assert np.mean([a == b for a, b in zip(found, exact, strict=True)]) > 0.98
