"""Our search index: what a shard holds, that the browser cuts queries into the same terms as
the build cut the papers, and what a reader gets for prefixes, plurals and accents."""

from __future__ import annotations

import gzip
import http.server
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from generator.config import load_config
from generator.pipeline import read_papers
from generator.publish.search import FORMAT, search_shards
from generator.render.gzipped import gzipped
from generator.render.search_index import (
    DOC_BLOCK,
    GZIP_LEVEL,
    IndexedPaper,
    doc_file,
    file_names,
    file_of,
    index_shard,
    term_file,
    theme_masks,
)
from generator.render.search_terms import sort_key, stem, terms, words

from .browser import serve_directory
from .conftest import CONTENT

# Strings that differ in case, accents, ligatures, scripts, digits and punctuation.
AWKWARD = [
    "World-Models for Model-Based RL", "Policies, classes and processes", "Naïve Bayes über alles",
    "ﬁne-tuning Ångström Œuvre", "Straße ΣΊΣΥΦΟΣ İstanbul", "GPT-4o vs. Llama-3.1 (8B)",
    "x_1 + y_2 = z³ ½", "深度学习 と 強化学習", "café́ résumé naïveté", "emoji 🙂 and tabs\tgo",
    "under_scores and-dashes/slashes", "ies es s us ss aes ees oes eies aies",
    "ℝ^n 𝔼[X] ℒ_total 𐐀𐐨 ΩMEGA Ǆemal", "a b c 4 x y z ж 一", "MuZero DreamerV3 ResNet-50 iPhone",
    "pre‐training (U+2010) non‑breaking (U+2011) --double-- -lead trail-", "McDonald's LLaMA-2",
]

Posting = tuple[int, int, list[int]]  # paper's place in the shard, impact, word positions


def _decoded(files: dict[str, bytes]) -> dict[str, list[Posting]]:
    """term -> [(paper, impact, positions)] from a shard's term files."""
    out: dict[str, list[Posting]] = {}
    names = sorted((n for n in files if n.startswith("t")), key=lambda n: int(n[1:-8]))
    for name in names:
        for term, flat in json.loads(gzip.decompress(files[name])).items():
            paper, i, postings = 0, 0, []
            while i < len(flat):
                paper += flat[i]
                count = flat[i + 2]
                places = [sum(flat[i + 3:i + 4 + k]) for k in range(count)]
                postings.append((paper, flat[i + 1], places))
                i += 3 + count
            out[term] = postings
    return out


@pytest.fixture(scope="module")
def shard() -> tuple[tuple[IndexedPaper, ...], dict[str, bytes], tuple[str, ...]]:
    papers = read_papers(load_config(CONTENT)).papers
    only = next(search_shards(papers, shard_size=len(papers)))
    index = index_shard(only.papers)
    return only.papers, dict(index.files), index.firsts


def test_words_fold_case_accents_and_split_compounds() -> None:
    assert words("World-Models for Model-Based RL") == [
        ("worldmodels", "world", "models"), ("for",), ("modelbased", "model", "based"), ("rl",)]
    assert words("MuZero and DreamerV3, naïve") == [
        ("muzero", "mu", "zero"), ("and",), ("dreamerv3", "dreamer", "v3"), ("naive",)]
    assert words("under_score non‑breaking") == [("under",), ("score",),
                                                 ("nonbreaking", "non", "breaking")]


def test_terms_are_snowball_stems_of_wholes_and_parts() -> None:
    assert terms("Learned representations, learning to plan") == [
        "learn", "represent", "learn", "to", "plan"]
    assert terms("pre-training") == terms("pretraining") + ["pre", "train"]
    assert [stem(w) for w in ("embedding", "embeddings", "contrastive", "policies")] == [
        "embed", "embed", "contrast", "polici"]
    assert terms("Models", stem_words=False) == ["models"]


def test_every_paper_is_found_by_every_word_of_its_title(shard: tuple[
        tuple[IndexedPaper, ...], dict[str, bytes], tuple[str, ...]]) -> None:
    papers, files, firsts = shard
    blocks = [doc_file(b) for b in range(-(-len(papers) // DOC_BLOCK))]
    assert len(blocks) == 8  # 747 papers in blocks of 100
    shown = [row for name in blocks for row in json.loads(gzip.decompress(files[name]))]
    assert [row[0] for row in shown] == [p.slug for p in papers]
    assert all(len(row) == 5 and row[1] and row[3] for row in shown)  # title and date always
    term_files = sorted(n for n in files if n.startswith("t"))
    assert len(term_files) == len(firsts) > 1
    assert list(firsts) == sorted(firsts, key=sort_key)
    index = _decoded(files)
    for term, postings in index.items():
        where = [p for p, _, _ in postings]
        assert where == sorted(set(where)) and where[-1] < len(papers), term
        assert all(impact >= 1 and places == sorted(set(places)) for _, impact, places in postings)
        assert f'"{term}":' in gzip.decompress(files[term_file(file_of(term, firsts))]).decode()
    for position, paper in enumerate(papers):
        for field in (paper.title, paper.authors, paper.abstract):
            for term in set(terms(field)):
                assert position in {p for p, _, _ in index[term]}, (paper.slug, term)


def test_positions_follow_the_words_and_never_join_two_fields() -> None:
    papers = (IndexedPaper("a", "World models", "Ann World", "A model-based world model."),)
    index = _decoded(dict(index_shard(papers).files))
    # Title at 0-1, two empty, authors at 4-5, two empty, abstract from 8.
    assert index["world"][0][2] == [0, 5, 11]
    assert index["model"][0][2] == [1, 9, 12]  # "model-based": its whole and "model" at 9
    assert index["modelbas"][0][2] == [9] and index["base"][0][2] == [10]


def test_a_title_word_weighs_more_than_the_same_word_in_an_abstract() -> None:
    filler = " ".join(f"w{i}" for i in range(40))
    papers = (IndexedPaper("a", "Sparse coding", "", f"{filler} planning"),
              IndexedPaper("b", "Planning with models", "", f"{filler}"),
              IndexedPaper("c", "Other", "", f"{filler} unrelated"))
    weights = {p: w for p, w, _ in _decoded(dict(index_shard(papers).files))["plan"]}
    assert weights[1] > weights[0]


def test_the_same_papers_give_the_same_bytes() -> None:
    papers = read_papers(load_config(CONTENT)).papers
    first = [(s.key, index_shard(s.papers)) for s in search_shards(papers, shard_size=300)]
    again = [(s.key, index_shard(s.papers))
             for s in search_shards(tuple(reversed(papers)), shard_size=300)]
    assert first == again
    assert len({key for key, _ in first}) == 3


def test_theme_masks_a_browser_reads_exactly_and_lists_beyond_53_themes() -> None:
    members = [[f"p{n}"] for n in range(60)]  # theme n holds paper p<n>
    members[0].append("p52")
    masks = theme_masks(members, ["p52", "p53", "p0", "none"])
    assert masks == [(1 << 52) | 1, [53], 1, 0]
    assert json.loads(json.dumps(masks)) == masks  # a JSON number of 53 bits or fewer


def test_a_language_other_than_english_is_not_stemmed() -> None:
    papers = (IndexedPaper("a", "Modelles", "", "Les modèles du monde"),)
    index = _decoded(dict(index_shard(papers, stem_words=False).files))
    assert "modeles" in index and "modele" not in index


@pytest.mark.browser
def test_the_browser_cuts_text_into_the_same_terms(served: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(f"{served}/search.html")
    page.wait_for_function("window.digestSearchTerms !== undefined")
    got = page.evaluate("(texts) => texts.map((t) => window.digestSearchTerms.words(t))", AWKWARD)
    assert got == [[list(w) for w in words(t)] for t in AWKWARD]
    for stemmed in (True, False):
        got = page.evaluate("([texts, stemmed]) => texts.map((t) => "
                            "window.digestSearchTerms.terms(t, stemmed))", [AWKWARD, stemmed])
        assert got == [terms(t, stem_words=stemmed) for t in AWKWARD]
    page.close()


def _titles(browser: object, url: str,
            index: list[dict[str, str]] | None = None) -> tuple[str, list[str]]:
    """The status line and the result titles of a search page; the headers of every shard
    file it fetched added to `index`."""
    page = browser.new_page()  # type: ignore[attr-defined]
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    if index is not None:
        page.on("response", lambda r: r.url.endswith(".json.gz") and index.append(r.headers))
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
    assert "embed" in [w for word in words(prefix[0]) for w in word]  # the word itself first
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
    assert re.match(r"\d{4}-\d\d-\d\d", first.locator(".meta").inner_text())
    marked = first.locator(".snippet mark").all_inner_texts()
    assert marked and all(m.lower() == "muzero" for m in marked)
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


def test_a_built_sites_shard_files_are_gzip_of_the_json_search_js_reads(
        built_default: tuple[Path, object]) -> None:
    site, _ = built_default
    # shards.json, which the page reads first, is plain JSON (the host compresses it in transit).
    listing = json.loads((site / "search" / "shards.json").read_text(encoding="utf-8"))
    assert listing["format"] == FORMAT == 4
    stored = raw = 0
    for shard in listing["shards"]:
        folder = site / "search" / shard["name"]
        names = sorted(p.name for p in folder.iterdir())
        assert names == sorted(file_names(shard["papers"], len(shard["files"])))
        rows = []
        for name in names:
            data = (folder / name).read_bytes()
            # gzip's magic, deflate, no flags (no file name), modification time 0.
            assert name.endswith(".json.gz") and data[:8] == b"\x1f\x8b\x08\0\0\0\0\0", name
            text = gzip.decompress(data)
            assert gzipped(text, GZIP_LEVEL) == data  # the same JSON gives the same bytes
            stored, raw = stored + len(data), raw + len(text)
            value = json.loads(text)
            if name.startswith("t"):  # an object from term to postings, from its first term
                number = int(name[1:].split(".")[0])
                assert min(value, key=sort_key) == shard["files"][number], name
                assert all(isinstance(v, list) and v and all(isinstance(n, int) for n in v)
                           for v in value.values()), name
            else:
                rows.append((int(name[1:].split(".")[0]), value))
        shown = [row for _, block in sorted(rows) for row in block]
        assert len(shown) == shard["papers"]
        assert all(len(row) == 5 and all(isinstance(f, str) for f in row) for row in shown)
    assert GZIP_LEVEL == 6 and raw > 2.5 * stored  # nearly three times smaller


class _EncodingHost(http.server.SimpleHTTPRequestHandler):
    """A host that sends a .gz file with Content-Encoding: gzip and the type of what it holds
    (as Apache's `AddEncoding gzip .gz` does): the browser unpacks it before search.js sees
    it."""

    encoded = False

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self) -> object:
        self.encoded = self.path.split("?")[0].endswith(".gz") \
            and Path(self.translate_path(self.path)).is_file()
        return super().send_head()

    def guess_type(self, path: object) -> str:
        return "application/json" if str(path).endswith(".json.gz") else super().guess_type(path)

    def end_headers(self) -> None:
        if self.encoded:
            self.send_header("Content-Encoding", "gzip")
        super().end_headers()


@pytest.fixture(scope="module")
def encoding_host(built_default: tuple[Path, object]) -> Iterator[str]:
    with serve_directory(built_default[0], _EncodingHost) as url:
        yield url


@pytest.mark.browser
@pytest.mark.parametrize("query", ["MuZero", "transfomer", "embed", '"world model"', "R"])
def test_shard_files_sent_with_content_encoding_gzip_give_the_same_results(
        served: str, encoding_host: str, browser: object, query: str) -> None:
    as_stored: list[dict[str, str]] = []
    plain = _titles(browser, f"{served}/search.html?q={quote(query)}", as_stored)
    encoded: list[dict[str, str]] = []
    unpacked = _titles(browser, f"{encoding_host}/search.html?q={quote(query)}", encoded)
    assert unpacked == plain and plain[1], query
    # As GitHub Pages sends them: the gzip bytes, unpacked by search.js (DecompressionStream).
    assert as_stored and all(h["content-type"] == "application/gzip"
                             and "content-encoding" not in h for h in as_stored)
    # With Content-Encoding, the browser unpacked them and search.js read JSON as it came.
    assert len(encoded) == len(as_stored)
    assert all(h["content-encoding"] == "gzip" for h in encoded)
