"""The built site in a real browser: headless Chromium (Debian's) driven by Playwright.

Served over HTTP on 127.0.0.1, at the root and under a sub-path, as GitHub Pages would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh page that records console errors, failed responses and off-host requests."""
    context = browser.new_context()  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.problems = []  # type: ignore[attr-defined]
    pg.on("console", lambda m: m.type == "error" and pg.problems.append(f"console: {m.text}"))
    pg.on("pageerror", lambda e: pg.problems.append(f"page error: {e}"))
    pg.on("response", lambda r: r.status >= 400 and pg.problems.append(f"{r.status} {r.url}"))
    pg.on("request", lambda r: urlsplit(r.url).hostname != "127.0.0.1"
          and pg.problems.append(f"left 127.0.0.1: {r.url}"))
    yield pg
    context.close()


PAGES = {
    "home": "index.html",
    "theme": "themes/model-based-rl/index.html",
    "week": "weeks/2025-W15/model-based-rl.html",
    "paper": "papers/mastering-atari-go-chess-and-shogi-by-planning-with-a-learned-model.html",
    "search": "search.html?q=world+model",
    "map": "map.html",
    "archive": "archive.html",
}


@pytest.mark.parametrize("prefix", ["", "/digest"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_pages_have_no_serious_accessibility_violation(served: str, page: object, prefix: str,
                                                       name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    pg = page
    pg.goto(f"{served}{prefix}/{PAGES[name]}")  # type: ignore[attr-defined]
    if name == "search":
        pg.locator("#search-results li").first.wait_for()  # type: ignore[attr-defined]
    for scheme in ("light", "dark"):
        pg.emulate_media(color_scheme=scheme)  # type: ignore[attr-defined]
        violations = Axe().run(pg).response["violations"]
        bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in violations if v["impact"] in ("serious", "critical")]
        assert bad == [], (scheme, bad)
    assert pg.problems == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("prefix", ["", "/digest"])
def test_search_finds_a_title_word_and_opens_the_paper(served: str, page: object,
                                                       prefix: str) -> None:
    pg = page
    pg.goto(f"{served}{prefix}/index.html")  # type: ignore[attr-defined]
    pg.locator("#site-search").fill("MuZero")
    pg.locator("#site-search").press("Enter")
    first = pg.locator("#search-results li a").first
    first.wait_for()
    assert "Mastering Atari" in first.inner_text()
    first.click()
    assert pg.locator("article.paper h1").inner_text().startswith("Mastering Atari, Go, Chess")
    assert pg.url == f"{served}{prefix}/{PAGES['paper']}"
    assert pg.problems == []  # type: ignore[attr-defined]


def test_search_filters_by_theme(served: str, page: object) -> None:
    pg = page
    pg.goto(f"{served}/search.html?q=embedding")  # type: ignore[attr-defined]
    pg.locator("#search-results li").first.wait_for()
    everything = pg.locator("#search-status").inner_text()
    pg.locator("#theme-filter").select_option("model-based-rl")
    pg.get_by_role("button", name="Search", exact=True).last.click()
    pg.wait_for_function("document.getElementById('search-status').textContent.includes('Model-based RL')")
    status = pg.locator("#search-status").inner_text()
    assert "in Model-based RL" in status and status != everything
    titles = pg.locator("#search-results li a").all_inner_texts()
    for title in titles[:5]:
        pg.get_by_role("link", name=title, exact=True).first.click()
        assert "Model-based RL" in pg.locator("ul.why").inner_text()
        pg.go_back()
    assert pg.problems == []  # type: ignore[attr-defined]


def test_search_results_are_text_never_markup(served: str, page: object) -> None:
    js = (Path(__file__).resolve().parent.parent / "templates" / "assets" / "search.js").read_text()
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "outerHTML" not in js
    pg = page
    pg.goto(f"{served}/search.html?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")  # type: ignore[attr-defined]
    pg.wait_for_function("!document.getElementById('search-status').textContent.includes('Searching')")
    assert "<script>alert(1)</script>" in pg.locator("#search-status").inner_text()
    assert pg.problems == []  # type: ignore[attr-defined]


def test_everything_but_search_works_without_javascript(served: str, browser: object) -> None:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.goto(f"{served}/index.html")
    pg.get_by_role("link", name="Map", exact=True).click()
    assert pg.locator("svg circle").count() > 500
    pg.locator("svg a").first.click()
    assert pg.locator("article.paper h1").count() == 1
    pg.get_by_role("heading", name="Related papers").wait_for()
    pg.locator("ol.related a").first.click()
    assert pg.locator("article.paper h1").count() == 1
    pg.goto(f"{served}/archive.html")
    # One series per theme, a point per week of the digest (the default digest's weeks are
    # two apart, so no line joins them: the weeks between have no listings).
    assert pg.locator("svg.chart g.series").count() >= 4
    assert pg.locator("svg.chart g.series circle").count() >= 4 * 4
    context.close()


@pytest.mark.parametrize("prefix", ["", "/digest"])
def test_a_reader_goes_home_theme_paper_week(served: str, page: object, prefix: str) -> None:
    pg = page
    pg.goto(f"{served}{prefix}/index.html")  # type: ignore[attr-defined]
    assert pg.locator("h2#this-week").inner_text().startswith("Week 2025-W17")
    pg.get_by_role("link", name="Themes", exact=True).click()
    pg.get_by_role("link", name="Model-based RL").first.click()
    assert pg.locator("h1").inner_text() == "Model-based RL"
    first = pg.locator("li.paper-item .paper-title a").first
    title = first.inner_text()
    first.click()
    assert pg.locator("article.paper h1").inner_text() == title
    assert pg.url.startswith(f"{served}{prefix}/papers/")
    pg.locator("p.meta a").first.click()
    assert pg.locator("h1").inner_text().startswith("Week 2025-W")
    pg.locator("li.paper-item .paper-title a").first.click()
    pg.locator("ol.related a").first.click()  # on to a related paper
    assert pg.locator("article.paper h1").count() == 1
    pg.get_by_role("link", name="Archive").click()
    assert pg.locator("table.archive tbody tr").count() == 4
    assert pg.problems == []  # type: ignore[attr-defined]


def test_pages_look_right_in_a_phone_width_viewport(served: str, browser: object) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})  # type: ignore[attr-defined]
    pg = context.new_page()
    for path in ("index.html", "themes/skills/index.html", "archive.html", "map.html",
                 "papers/mastering-atari-go-chess-and-shogi-by-planning-with-a-learned-model.html",
                 "weeks/2025-W13/representation-learning.html", "search.html?q=skill"):
        pg.goto(f"{served}/{path}")
        overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    context.close()
