"""For you: each week's papers ranked by the owner's library, on the built site and in a browser."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import feedparser
import pytest

from generator.config import load_config
from generator.pipeline import BuildReport, build

from .browser import serve_directory

ITEM = re.compile(r'<li class="paper-item">(.*?)</li>', re.S)


def _items(page: str) -> list[dict[str, object]]:
    """Each listed paper as a reader sees it: title, link, score, reason terms and library
    links, whether it is marked as by a followed author (and whose names are marked)."""
    found = []
    for block in ITEM.findall(page):
        title = re.search(r'class="paper-title">.*?<a href="([^"]+)">(.*?)</a>', block, re.S)
        assert title is not None, block
        score = re.search(r"Score (\d\.\d\d)", block)
        found.append({
            "href": title.group(1), "title": unescape(re.sub(r"<[^>]+>", "", title.group(2))),
            "score": float(score.group(1)) if score else None,
            "terms": [unescape(t) for t in re.findall(r'<em class="term">(.*?)</em>', block)],
            "library": re.findall(r'like (.*?) in your library', block, re.S),
            "follows": 'class="follow-badge"' in block,
            "marked": re.findall(r'<strong class="author followed">(.*?)</strong>', block)})
    return found


def _text_of(site: Path, href: str, page: Path) -> str:
    """The title and abstract of the paper a link leads to (from its own page)."""
    target = (page.parent / href).resolve()
    html = target.read_text(encoding="utf-8")
    return unescape(re.sub(r"<[^>]+>", " ", html)).lower()


def test_each_week_lists_its_papers_above_the_cut_off_best_first_with_reasons(
        built_default: tuple[Path, BuildReport]) -> None:
    site, report = built_default
    listed = 0
    for week in report.weeks:
        page = site / "for-you" / f"{week}.html"
        html = page.read_text(encoding="utf-8")
        items = _items(html)
        listed += len(items)
        scores = [item["score"] for item in items]
        assert scores == sorted(scores, reverse=True)  # best first
        assert all(s >= 0.40 for s in scores)  # the example library's cut-off
        for item in items:
            text = _text_of(site, str(item["href"]), page)
            assert item["terms"], item
            for term in item["terms"]:  # the reasons are the paper's own words
                assert str(term).lower() in text, (term, item["title"])
            for link in re.findall(r'href="([^"]+)"', " ".join(map(str, item["library"]))):
                assert link.startswith("https://arxiv.org/abs/") or (page.parent / link).is_file()
        # The week's papers already in the library are named apart, never ranked.
        held = re.search(r'Already in your library: (.*?)</p>', html, re.S)
        if held:
            for title in re.findall(r">([^<]+)</a>", held.group(1)):
                assert unescape(title) not in [i["title"] for i in items]
    assert listed >= 10
    latest = (site / "for-you" / f"{report.weeks[-1]}.html").read_text(encoding="utf-8")
    front = (site / "for-you" / "index.html").read_text(encoding="utf-8")
    assert _items(front) == _items(latest)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="for-you/index.html"' in home and ">For you</a>" in home


def test_the_for_you_feed_validates_and_carries_the_reasons(
        built_default: tuple[Path, BuildReport]) -> None:
    site, report = built_default
    feed = feedparser.parse((site / "for-you" / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "For you · Learning Agents Digest"
    assert feed.entries and feed.feed.updated == max(e.updated for e in feed.entries)
    pages = [set(i["title"] for i in _items((site / "for-you" / f"{w}.html").read_text("utf-8")))
             for w in report.weeks]
    for entry in feed.entries:
        assert entry.id.startswith("urn:uuid:")
        assert entry.link.startswith("https://example.github.io/digest/papers/")
        assert "Why: it is about" in entry.content[0].value
        assert any(entry.title in titles for titles in pages)
    assert len({e.id for e in feed.entries}) == len(feed.entries)


def _interests(content: Path, section: str) -> None:
    text = (content / "digest.yaml").read_text(encoding="utf-8")
    (content / "digest.yaml").write_text(text.split("\n# For you:")[0] + "\n" + section,
                                         encoding="utf-8")


def test_a_digest_without_interests_has_no_for_you_page_and_no_link_to_one(
        content_copy: Path, tmp_path: Path) -> None:
    _interests(content_copy, "")
    site = tmp_path / "site"
    build(load_config(content_copy), site)
    assert not (site / "for-you").exists()
    for page in site.rglob("*.html"):
        assert "for-you" not in page.read_text(encoding="utf-8"), page


CSL_WEEK = [  # a week of papers as a CSL-JSON listing with authors
    {"type": "article", "title": "Cooking Recipes as Graphs of Ingredients",
     "abstract": "We represent cooking recipes as graphs of ingredients and utensils and "
                 "classify cuisines with a graph neural network on a new dataset of recipes.",
     "author": [{"family": "Hafner", "given": "D."}, {"family": "Rossi", "given": "Maria"}],
     "issued": {"date-parts": [[2025, 5, 2]]}, "URL": "https://arxiv.org/abs/2505.00001"},
    {"type": "article", "title": "Latent World Models Plan Offline for Model-Based Control",
     "abstract": "We learn a latent world model from offline data and plan with it for "
                 "model-based reinforcement learning; the world model's imagined rollouts "
                 "improve sample efficiency on continuous control benchmarks.",
     "author": [{"family": "Okafor", "given": "Chidi"}],
     "issued": {"date-parts": [[2025, 5, 2]]}, "URL": "https://arxiv.org/abs/2505.00002"},
]


@pytest.fixture
def with_new_week(content_copy: Path, tmp_path: Path) -> Path:
    """The default content with one more week: a CSL-JSON dump with authors."""
    (content_copy / "sources" / "week18.json").write_text(json.dumps(CSL_WEEK, indent=1),
                                                          encoding="utf-8")
    with (content_copy / "sources.yaml").open("a", encoding="utf-8") as manifest:
        manifest.write("  - file: week18.json\n    collected: 2025-05-02\n"
                       "    query: world models\n    origin: a Zotero CSL JSON export\n")
    return content_copy


def test_followed_authors_papers_are_listed_and_marked_whatever_their_score(
        with_new_week: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    report = build(load_config(with_new_week), site)
    assert report.weeks[-1] == "2025-W18"
    items = {i["title"]: i for i in _items((site / "for-you" / "2025-W18.html").read_text("utf-8"))}
    cooking = items["Cooking Recipes as Graphs of Ingredients"]
    assert cooking["follows"] and cooking["marked"] == ["D. Hafner"]  # "Danijar Hafner" followed
    assert cooking["score"] is not None and cooking["score"] < 0.4  # listed for its author only
    world = items["Latent World Models Plan Offline for Model-Based Control"]
    assert not world["follows"] and world["score"] >= 0.4 and world["library"]
    assert list(items) == sorted(items, key=lambda t: -float(items[t]["score"]))  # type: ignore[arg-type]


def test_papers_marked_not_interested_are_never_listed(content_copy: Path,
                                                        tmp_path: Path) -> None:
    site = tmp_path / "before"
    build(load_config(content_copy), site)
    week = "2025-W15"
    first = _items((site / "for-you" / f"{week}.html").read_text("utf-8"))[0]["title"]
    (content_copy / "interests" / "not-interested.txt").write_text(f"{first}\n", encoding="utf-8")
    text = (content_copy / "digest.yaml").read_text(encoding="utf-8")
    (content_copy / "digest.yaml").write_text(text.replace(
        "  # not_interested: [interests/not-interested.txt]",
        "  not_interested: [interests/not-interested.txt]"), encoding="utf-8")
    after = tmp_path / "after"
    build(load_config(content_copy), after)
    titles = [i["title"] for i in _items((after / "for-you" / f"{week}.html").read_text("utf-8"))]
    assert first not in titles and titles


def test_a_library_too_small_to_learn_from_ranks_by_similarity_and_says_so(
        content_copy: Path, tmp_path: Path) -> None:
    (content_copy / "interests" / "two.txt").write_text(
        "Dream to Control: Learning Behaviors by Latent Imagination\n"
        "DINO-WM: World Models on Pre-trained Visual Features enable Zero-shot Planning\n"
        "2401.99999\n", encoding="utf-8")
    _interests(content_copy, "interests:\n  library: [interests/two.txt]\n")
    site = tmp_path / "site"
    build(load_config(content_copy), site)
    page = (site / "for-you" / "2025-W15.html").read_text(encoding="utf-8")
    assert "The library has 2 usable papers: too few to learn from" in page
    assert "1 of the library's 3 entries could not be used" in page and "2401.99999" in page
    items = _items(page)
    assert items and all(s >= 0.1 for s in [i["score"] for i in items])
    assert any("Dream to Control" in str(i["library"]) or "DINO-WM" in str(i["library"])
               for i in items)


def test_library_problems_are_warnings_with_file_and_line(content_copy: Path,
                                                          tmp_path: Path) -> None:
    bib = content_copy / "interests" / "library.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n@misc{untitled,\n\tyear = {2020},\n}\n",
                   encoding="utf-8")
    lines = bib.read_text(encoding="utf-8").split("\n")
    report = build(load_config(content_copy), tmp_path / "site")
    [warning] = [w for w in report.warnings if "library.bib" in w]
    assert warning.startswith(f"interests/library.bib:{lines.index('@misc{untitled,') + 1}:")
    assert "has no title" in warning


def test_an_unchanged_library_is_not_fitted_again_for_a_new_week(
        with_new_week: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stored fit is reused: a new week with the same library only scores its papers.
    The training split is set down (as test_growth.py does) so that the default digest's 747
    papers take the path of a digest of more than 5,000, where the fit reads only the oldest
    papers; the workers are forked, so they see the patched modules."""
    import generator.stages.interests.ranking as ranking
    from generator.stages import training as growth

    monkeypatch.setattr(growth, "FIT_ALL_UP_TO", 400)

    manifest = (with_new_week / "sources.yaml").read_text(encoding="utf-8")
    (with_new_week / "sources.yaml").write_text(manifest.split("  - file: week18.json")[0],
                                                encoding="utf-8")
    cache = tmp_path / "cache"
    site = tmp_path / "site"
    build(load_config(with_new_week), site, cache_dir=cache)
    before = _items((site / "for-you" / "2025-W15.html").read_text("utf-8"))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("fitted again")

    monkeypatch.setattr(ranking, "fit_ranking", refuse)
    (with_new_week / "sources.yaml").write_text(manifest, encoding="utf-8")
    report = build(load_config(with_new_week), site, cache_dir=cache)
    assert report.weeks[-1] == "2025-W18"
    assert _items((site / "for-you" / "2025-W15.html").read_text("utf-8")) == before
    assert _items((site / "for-you" / "2025-W18.html").read_text("utf-8"))


@pytest.fixture(scope="module")
def for_you_served(built_default: tuple[Path, BuildReport]) -> Iterator[str]:
    site, _ = built_default
    with serve_directory(site) as url:
        yield url + "/"


@pytest.mark.parametrize("width", [1280, 390])
def test_a_reader_reaches_for_you_from_any_page_and_reads_the_reasons(
        browser: object, for_you_served: str, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    try:
        page.goto(for_you_served + "themes/index.html")
        page.get_by_role("navigation", name="Site").get_by_role("link", name="For you").click()
        page.wait_for_load_state()
        assert page.url.endswith("/for-you/index.html")
        assert page.locator("h1").inner_text().startswith("For you")
        first = page.locator("ol.for-you > li").first
        assert first.locator(".reasons").inner_text().startswith("Why: it is about")
        page.get_by_text("How this list is made").click()
        assert page.get_by_text("scored by a model fitted on the").is_visible()
        # Nothing is wider than the screen, on a phone too.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.go_back()
        page.goto(for_you_served + "for-you/2025-W15.html")
        library = page.locator("ol.for-you .reasons a").first
        library.click()
        page.wait_for_load_state()
        assert "/papers/" in page.url and page.locator("h1").count() == 1
    finally:
        page.close()
