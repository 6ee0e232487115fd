"""What a reader gets from the search page, judged by the papers' own text: realistic queries of
every kind (typo, hyphen, stem, phrase, prefix, acronym, author) on a built site in Chromium,
paging, the theme filter, marks on the words that matched, and results read from the index
alone."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from generator.config import load_config
from generator.pipeline import build
from generator.render.search_terms import stem

from .browser import serve_directory
from .conftest import public_papers, search_files

pytestmark = pytest.mark.browser

GOLDEN_CONTENT = Path(__file__).parent / "golden" / "content"

# (kind, query, what a relevant paper's title or abstract says), written from what each query
# means. The top five results (or all, if fewer) must all be relevant.
QUERIES = [
    ("typo", "reinforcment learning", r"reinforcement[- ]learning"),
    ("typo", "embeding", r"embedd?ings?\b|\bembed"),
    ("typo", "contrastvie", r"contrastive"),
    ("typo", "transfomer", r"transformer"),
    ("typo", "represntation learning", r"representation"),
    ("hyphen", "model-based", r"model[- ]?based"),
    ("hyphen", "pre-training", r"pre-?train"),
    ("hyphen", "self-supervised", r"self[- ]?supervis"),
    ("hyphen", "zero-shot", r"zero[- ]?shot"),
    ("stem", "learned representations", r"(?=.*\blearn)(?=.*\brepresent)"),
    ("stem", "planning", r"\bplan"),
    ("stem", "retrieved", r"\bretriev"),
    ("phrase", '"world model"', r"world[- ]models?\b"),
    ("phrase", '"skill discovery"', r"skills? discovery"),
    ("phrase", '"sentence embeddings"', r"sentence embeddings?"),
    ("phrase", "world model", r"world[- ]models?\b"),  # side by side ranks first unquoted too
    ("prefix", "disentangl", r"disentangl"),
    ("prefix", "hierarch", r"hierarch"),
    ("prefix", "contrastiv", r"contrastive"),
    ("acronym", "MCTS", r"\bMCTS\b|monte[- ]carlo tree search"),
    ("acronym", "JEPA", r"JEPA|joint[- ]embedding predictive"),
    ("acronym", "RL", r"\bRL\b|reinforcement learning"),
    ("acronym", "LLM", r"\bLLMs?\b|large language models?"),
]


def _texts(site: Path) -> dict[str, str]:
    """slug -> title and abstract, from the site's public data."""
    return {row["slug"]: f"{row['title']}\n{row['abstract']}" for row in public_papers(site)}


def _search(browser: object, url: str) -> dict[str, Any]:
    """Open a search page and wait for its results: status, slugs, marks and requests."""
    page = browser.new_page()  # type: ignore[attr-defined]
    problems: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    page.wait_for_function("!document.getElementById('search-status').textContent"
                           ".includes('Searching')")
    found = {
        "status": page.locator("#search-status").inner_text(),
        "slugs": [h.rsplit("/", 1)[-1].removesuffix(".html") for h in page.locator(
            "#search-results li .paper-title a").evaluate_all("(as) => as.map((a) => a.href)")],
        "marks": page.locator("#search-results mark").all_inner_texts(),
        "metas": page.locator("#search-results li .meta").all_inner_texts(),
        "requests": requests,
        "pager": page.locator("#search-pages").inner_text(),
    }
    page.close()
    assert problems == [], problems
    return found


def _total(status: str) -> int:
    match = re.match(r"(\d+) papers? found", status)
    assert match, status
    return int(match.group(1))


@pytest.mark.parametrize(("kind", "query", "relevant"), QUERIES,
                         ids=[f"{k}:{q}" for k, q, _ in QUERIES])
def test_the_top_results_are_relevant(served: str, browser: object,
                                      built_default: tuple[Path, object], kind: str, query: str,
                                      relevant: str) -> None:
    texts = _texts(built_default[0])
    found = _search(browser, f"{served}/search.html?q={quote(query)}")
    top = found["slugs"][:5]
    assert top, (query, found["status"])
    wrong = [texts[s].split("\n")[0] for s in top if not re.search(relevant, texts[s], re.I | re.S)]
    assert wrong == [], (kind, query, wrong)


def test_a_hyphenated_word_is_one_term(served: str, browser: object,
                                       built_default: tuple[Path, object]) -> None:
    texts = _texts(built_default[0])
    hyphen = _search(browser, f"{served}/search.html?q=model-based")
    joined = sum(bool(re.search(r"model-?based", t, re.I)) for t in texts.values())
    assert _total(hyphen["status"]) == joined  # not every paper with "model" and "based"
    dashed = _search(browser, f"{served}/search.html?q=pre-training")
    plain = _search(browser, f"{served}/search.html?q=pretraining")
    assert _total(dashed["status"]) == _total(plain["status"]) and dashed["slugs"] == plain["slugs"]
    assert not any(m.lower().startswith("predict") for m in dashed["marks"])


def test_a_quoted_phrase_needs_the_words_side_by_side(served: str, browser: object,
                                                      built_default: tuple[Path, object]) -> None:
    texts = _texts(built_default[0])
    quoted = _search(browser, f"{served}/search.html?q={quote(chr(34) + 'world model' + chr(34))}")
    loose = _search(browser, f"{served}/search.html?q={quote('world model')}")
    phrase = sum(bool(re.search(r"world[- ]models?\b", t, re.I)) for t in texts.values())
    assert _total(quoted["status"]) == phrase < _total(loose["status"])


def test_a_misspelt_word_finds_the_word_and_ranks_below_exact_matches(
        served: str, browser: object, built_default: tuple[Path, object]) -> None:
    typo = _search(browser, f"{served}/search.html?q=transfomer")
    right = _search(browser, f"{served}/search.html?q=transformers")
    assert _total(typo["status"]) == _total(right["status"]) > 0
    # A word in a few papers that is one letter away from a word in many: its own papers
    # come first, then those of its near spellings.
    site = built_default[0]
    listing = json.loads((site / "search" / "shards.json").read_text())
    assert len(listing["shards"]) == 1
    folder = site / "search" / listing["shards"][0]["name"]
    index: dict[str, list[int]] = {}
    for chunk in search_files(folder, "t"):
        for term, flat in chunk.items():
            index[term] = _papers(flat)
    rare, common = next((t, u) for t in sorted(index) if 1 <= len(index[t]) < 5 and len(t) >= 6
                        and stem(t) == t and t.isalpha()
                        for u in (t[:-1], t + "s", t[:-1] + "e") if len(index.get(u, ())) >= 10)
    found = _search(browser, f"{served}/search.html?q={rare}")
    own = set(index[rare])
    rows = [row for block in search_files(folder, "d") for row in block]
    first = {s for s in found["slugs"][:len(own)]}
    assert first == {rows[n][0] for n in own}, (rare, common)
    assert _total(found["status"]) > len(own)  # and the near spelling's papers after them


def _osa(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from a to b."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i]
        for j in range(1, len(b) + 1):
            d = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d = min(d, rows[-2][j - 2] + 1)
            row.append(d)
        rows.append(row)
    return rows[-1][-1]


def test_a_misspelt_word_that_sorts_after_the_word_meant_finds_it(
        served: str, browser: object, built_default: tuple[Path, object]) -> None:
    # "modle" for "model": the typo sorts after the word, here in a later term file.
    site = built_default[0]
    listing = json.loads((site / "search" / "shards.json").read_text())
    folder = site / "search" / listing["shards"][0]["name"]
    firsts = listing["shards"][0]["files"]
    index: dict[str, list[int]] = {}
    for chunk in search_files(folder, "t"):
        index.update((t, _papers(flat)) for t, flat in chunk.items())
    # Python's string order is JavaScript's for these ASCII words.
    file_of = {t: max(k for k, first in enumerate(firsts) if first <= t) for t in index}
    word, typo = next(
        (w, typo) for w in sorted(index) if len(index[w]) >= 10 and 5 <= len(w) < 8
        and w.isascii() and w.isalpha()
        for i in range(1, len(w) - 1)
        for typo in [w[:i] + w[i + 1] + w[i] + w[i + 2:]]
        if typo > w and typo not in index and stem(typo) == typo
        and max(k for k, first in enumerate(firsts) if first <= typo) > file_of[w]
        and [t for t in index if t[0] == typo[0] and _osa(t, typo) == 1] == [w])
    found = _search(browser, f"{served}/search.html?q={typo}")
    rows = [row for block in search_files(folder, "d") for row in block]
    assert _total(found["status"]) == len(index[word]), (word, typo)
    assert set(found["slugs"]) <= {rows[n][0] for n in index[word]}, (word, typo)


def test_a_beginning_that_is_no_word_finds_the_words_it_begins(
        served: str, browser: object, built_default: tuple[Path, object]) -> None:
    # "transfo" is no word of the index and no stem: it finds "transform", "transformer",
    # "transformation"...
    assert not _index_has(built_default[0], "transfo")
    texts = _texts(built_default[0])
    found = _search(browser, f"{served}/search.html?q=transfo")
    begun = sum(bool(re.search(r"\btransfo", t, re.I)) for t in texts.values())
    assert _total(found["status"]) == begun > 10
    assert found["marks"] and all(m.lower().startswith("transfo") for m in found["marks"])
    # A word of the index ("transf" is one: a paper writes "TransfOrmer") is taken as that
    # word, not as the beginning of others.
    assert _index_has(built_default[0], "transf")
    whole = _search(browser, f"{served}/search.html?q=transf")
    assert 0 < _total(whole["status"]) < sum(bool(re.search(r"\btransf", t, re.I))
                                               for t in texts.values())


def _index_has(site: Path, term: str) -> bool:
    """Whether a term file of the site's search index holds the term."""
    return any(term in chunk for folder in (site / "search").iterdir() if folder.is_dir()
               for chunk in search_files(folder, "t"))


def _papers(flat: list[int]) -> list[int]:
    """The papers (places in the shard) of a term's postings."""
    papers, paper, i = [], 0, 0
    while i < len(flat):
        paper += flat[i]
        papers.append(paper)
        i += 3 + flat[i + 2]
    return papers


def test_results_come_from_the_index_alone_with_true_matches_marked(served: str,
                                                                    browser: object) -> None:
    found = _search(browser, f"{served}/search.html?q=embedding")
    assert len(found["slugs"]) == 10
    assert not [u for u in found["requests"] if "/papers/" in u]  # no paper page fetched
    index_files = [u for u in found["requests"] if "/search/" in u or "/data/" in u]
    assert len(index_files) <= 2 + 3 + 8  # listing, themes, term files, blocks of slugs
    assert found["marks"] and all(re.fullmatch(r"[\w-]+", m) for m in found["marks"])
    assert all("embed" in m.lower() for m in found["marks"]), found["marks"]
    assert all(re.match(r"\d{4}-\d\d-\d\d", m) for m in found["metas"])


def test_every_result_can_be_reached_page_by_page(served: str, browser: object) -> None:
    first = _search(browser, f"{served}/search.html?q=learning")
    total = _total(first["status"])
    assert total > 60
    pages = -(-total // 10)
    seen: list[str] = []
    for number in (1, 6, pages):
        found = _search(browser, f"{served}/search.html?q=learning&page={number}")
        assert f"Page {number} of {pages}" in found["pager"]
        seen += found["slugs"]
    assert len(seen) == len(set(seen)) == 20 + (total - 10 * (pages - 1))
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(f"{served}/search.html?q=learning")
    page.locator("#search-results li").first.wait_for()
    before = page.locator("#search-results li .paper-title a").all_inner_texts()
    page.get_by_role("link", name="Next →").click()
    page.wait_for_url(re.compile(r"page=2"))
    page.wait_for_function("document.getElementById('search-status').textContent.includes('11–20')")
    after = page.locator("#search-results li .paper-title a").all_inner_texts()
    assert after and not set(after) & set(before)
    page.go_back()
    page.wait_for_function("document.getElementById('search-status').textContent.includes('1–10')")
    page.close()


def test_the_theme_filter_applies_when_it_changes(served: str, browser: object,
                                                  built_default: tuple[Path, object]) -> None:
    _filters_by_theme(browser, served, built_default[0])


def test_the_theme_filter_reads_lists_of_themes_too(tmp_path: Path, browser: object,
                                                    built_default: tuple[Path, object]) -> None:
    # A digest of more than 53 themes gives a paper the list of its theme numbers instead of a
    # mask a JavaScript number cannot hold: here every paper's entry is written so.
    site = Path(shutil.copytree(built_default[0], tmp_path / "site"))
    path = site / "data" / "search-themes.json"
    data = json.loads(path.read_text())
    data["masks"] = [[n for n in range(m.bit_length()) if m >> n & 1] for m in data["masks"]]
    path.write_text(json.dumps(data))
    with serve_directory(site) as url:
        _filters_by_theme(browser, url, site)


def _filters_by_theme(browser: object, url: str, site: Path) -> None:
    """The theme filter, changed after a search, keeps that theme's papers only."""
    members = json.loads((site / "data" / "themes" / "model-based-rl.json")
                         .read_text())["papers"]
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(f"{url}/search.html?q=planning")
    page.locator("#search-results li").first.wait_for()
    everything = _total(page.locator("#search-status").inner_text())
    page.select_option("#theme-filter", "model-based-rl")  # no button pressed
    page.wait_for_function("document.getElementById('search-status').textContent"
                           ".includes('in Model-based RL')")
    filtered = _total(page.locator("#search-status").inner_text())
    hrefs = page.locator("#search-results li .paper-title a").evaluate_all(
        "(as) => as.map((a) => a.getAttribute('href'))")
    metas = page.locator("#search-results li .meta").all_inner_texts()
    assert 0 < filtered < everything
    assert all(h.rsplit("/", 1)[-1].removesuffix(".html") in members for h in hrefs)
    assert all("Model-based RL" in m for m in metas)
    assert "theme=model-based-rl" in page.url
    page.close()


def test_authors_are_searchable(tmp_path: Path, browser: object) -> None:
    content = Path(shutil.copytree(GOLDEN_CONTENT, tmp_path / "content"))
    site = tmp_path / "site"
    build(load_config(content), site)
    rows = public_papers(site)
    # A surname that only author lists hold (not a word of any title or abstract).
    words = {w.lower() for r in rows for w in re.findall(r"\w+", r["title"] + " " + r["abstract"])}
    surnames = sorted({a.split()[-1] for r in rows for a in r["authors"]
                       if a.split() and a.split()[-1].isalpha()
                       and a.split()[-1].lower() not in words})
    assert surnames, "the fixture names authors"
    surname = surnames[0]
    wanted = {r["slug"] for r in rows if any(a.split()[-1] == surname for a in r["authors"] if a)}
    with serve_directory(site) as url:
        found = _search(browser, f"{url}/search.html?q={quote(surname)}")
    assert set(found["slugs"]) == wanted
    assert surname in found["marks"]
