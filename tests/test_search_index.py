"""Our search index: what a shard holds, that the browser cuts queries into the same terms as
the build cut the papers, and what a reader gets for prefixes, plurals and accents."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from generator.config import load_config
from generator.pipeline import read_papers
from generator.publish.search import search_shards
from generator.render.search_index import CHUNKS, DOC_BLOCK, IndexedPaper, chunk_of, index_files, stem, terms

from .conftest import CONTENT

# Strings that differ in case, accents, ligatures, scripts, digits and punctuation.
AWKWARD = [
    "World-Models for Model-Based RL", "Policies, classes and processes", "Naïve Bayes über alles",
    "ﬁne-tuning Ångström Œuvre", "Straße ΣΊΣΥΦΟΣ İstanbul", "GPT-4o vs. Llama-3.1 (8B)",
    "x_1 + y_2 = z³ ½", "深度学习 と 強化学習", "café́ résumé naïveté", "emoji 🙂 and tabs\tgo",
    "under_scores and-dashes/slashes", "ies es s us ss aes ees oes eies aies",
    "ℝ^n 𝔼[X] ℒ_total 𐐀𐐨 ΩMEGA Ǆemal", "a b c 4 x y z ж 一",
]


def _decoded(files: dict[str, bytes]) -> dict[str, list[tuple[int, int]]]:
    """term -> [(position, impact)] from a shard's term files."""
    out: dict[str, list[tuple[int, int]]] = {}
    for k in range(CHUNKS):
        for term, flat in json.loads(files[f"t{k}.json"]).items():
            assert chunk_of(term) == k, term
            position, postings = 0, []
            for i in range(0, len(flat), 2):
                position += flat[i]
                postings.append((position, flat[i + 1]))
            out[term] = postings
    return out


@pytest.fixture(scope="module")
def shard() -> tuple[tuple[IndexedPaper, ...], dict[str, bytes]]:
    papers = read_papers(load_config(CONTENT)).papers
    only = next(search_shards(papers, shard_size=len(papers)))
    return only.papers, dict(index_files(only.papers))


def test_terms_fold_case_accents_and_plurals() -> None:
    assert terms("World-Models for Model-Based RL") == ["world", "model", "for", "model",
                                                        "based", "rl"]
    assert terms("Policies, classes and processes") == ["policy", "classe", "and", "processe"]
    assert terms("Naïve café") == ["naive", "cafe"]
    assert terms("under_score") == ["under", "score"]
    assert [stem(w) for w in ("gas", "bus", "glass", "toes", "news", "bias")] == [
        "gas", "bus", "glass", "toe", "new", "bia"]
    assert terms("Models", stem_words=False) == ["models"]


def test_every_paper_is_found_by_every_word_of_its_title(shard: tuple[tuple[IndexedPaper, ...],
                                                                        dict[str, bytes]]) -> None:
    papers, files = shard
    blocks = [f"d{b}.json" for b in range(-(-len(papers) // DOC_BLOCK))]
    assert len(blocks) == 2  # 747 papers: blocks of 500 and 247
    assert [slug for name in blocks for slug in json.loads(files[name])] == [
        p.slug for p in papers]
    assert sorted(files) == sorted([*blocks, *(f"t{k}.json" for k in range(CHUNKS))])
    index = _decoded(files)
    for term, postings in index.items():
        positions = [p for p, _ in postings]
        assert positions == sorted(set(positions)) and positions[-1] < len(papers), term
        assert all(impact >= 1 for _, impact in postings), term
    for position, paper in enumerate(papers):
        for field in (paper.title, paper.abstract):
            for term in set(terms(field)):
                assert position in {p for p, _ in index[term]}, (paper.slug, term)


def test_a_title_word_weighs_more_than_the_same_word_in_an_abstract() -> None:
    filler = " ".join(f"w{i}" for i in range(40))
    papers = (IndexedPaper("a", "Sparse coding", "", f"{filler} planning"),
              IndexedPaper("b", "Planning with models", "", f"{filler}"),
              IndexedPaper("c", "Other", "", f"{filler} unrelated"))
    index = _decoded(dict(index_files(papers)))
    weights = dict(index["planning"])
    assert weights[1] > weights[0]


def test_the_same_papers_give_the_same_bytes() -> None:
    papers = read_papers(load_config(CONTENT)).papers
    first = [(s.key, dict(index_files(s.papers))) for s in search_shards(papers, shard_size=300)]
    again = [(s.key, dict(index_files(s.papers)))
             for s in search_shards(tuple(reversed(papers)), shard_size=300)]
    assert first == again
    assert len({key for key, _ in first}) == 3


def test_a_language_other_than_english_is_not_stemmed() -> None:
    papers = (IndexedPaper("a", "Modelles", "", "Les modèles du monde"),)
    index = _decoded(dict(index_files(papers, stem_words=False)))
    assert "modeles" in index and "modele" not in index


@pytest.mark.browser
def test_the_browser_cuts_text_into_the_same_terms(served: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(f"{served}/search.html")
    page.wait_for_function("window.digestSearchTerms !== undefined")
    for stemmed in (True, False):
        got = page.evaluate("([texts, stemmed]) => texts.map((t) => "
                            "window.digestSearchTerms.terms(t, stemmed))", [AWKWARD, stemmed])
        assert got == [terms(t, stem_words=stemmed) for t in AWKWARD]
    every_term = sorted({t for text in AWKWARD for t in terms(text)})
    chunks = page.evaluate(f"(ts) => ts.map((t) => window.digestSearchTerms.chunkOf(t, {CHUNKS}))",
                           every_term)
    assert chunks == [chunk_of(t) for t in every_term]
    pairs = [["embedding", "embed"], ["embed", "embed"], ["rust", "r"], ["r", "r"],
             ["rust", "ru"], ["trust", "ru"], ["рr", "р"]]
    weights = page.evaluate("(ps) => ps.map(([w, t]) => window.digestSearchTerms.weightOf(w, t))",
                            pairs)
    assert weights == [0.5, 1, 0, 1, 0.5, 0, 0]  # one character: that word alone
    page.close()


def _titles(browser: object, url: str) -> tuple[str, list[str]]:
    page = browser.new_page()  # type: ignore[attr-defined]
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    page.goto(url)
    page.wait_for_function("!document.getElementById('search-status').textContent"
                           ".includes('Searching')")
    status = page.locator("#search-status").inner_text()
    titles = page.locator("#search-results li h2 a").all_inner_texts()
    page.close()
    assert problems == []
    return status, titles


@pytest.mark.browser
def test_a_prefix_finds_the_longer_words_and_a_plural_its_singular(served: str,
                                                                   browser: object) -> None:
    _, prefix = _titles(browser, f"{served}/search.html?q=embed")
    assert sum("embedding" in t.lower() for t in prefix) >= 5  # longer words, at half weight
    assert "embed" in terms(prefix[0])  # after the exact word
    _, plural = _titles(browser, f"{served}/search.html?q={quote('world models')}")
    _, singular = _titles(browser, f"{served}/search.html?q={quote('World model')}")
    assert plural == singular and "world model" in plural[0].lower()
    status, none = _titles(browser, f"{served}/search.html?q=zzzqqq")
    assert none == [] and status.startswith("0 papers found")


@pytest.mark.browser
def test_results_show_the_date_and_an_excerpt_with_the_words_marked(served: str,
                                                                   browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(f"{served}/search.html?q=MuZero")
    first = page.locator("#search-results li").first
    first.wait_for()
    assert first.locator("h2 a").inner_text().startswith("Mastering Atari")
    assert "First seen" in first.locator(".meta").inner_text()
    marked = first.locator(".snippet mark").all_inner_texts()
    assert marked and all("muzero" in m.lower() for m in marked)
    page.close()


@pytest.mark.browser
def test_a_one_character_word_finds_exactly_that_word(served: str, browser: object,
                                                      built_default: tuple[Path, object]) -> None:
    site, _ = built_default
    listing = json.loads((site / "search" / "shards.json").read_text())
    holding = 0
    for shard in listing["shards"]:
        files = {p.name: p.read_bytes() for p in (site / "search" / shard["name"]).iterdir()}
        holding += len(_decoded(files).get("r", []))  # papers with the word "r" itself
    status, titles = _titles(browser, f"{served}/search.html?q=R")
    assert holding > 0 and status.startswith(f"{holding} paper")
