"""A reader's weekly walk, in Chromium at desktop and phone widths: home -> a theme's week ->
the theme -> a paper, on the default digest (served at the root and under /digest/), and the
list items of a digest whose listings name their authors (the golden fixture's content)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.config import load_config
from generator.pipeline import build

from .browser import serve_directory

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
GOLDEN_CONTENT = Path(__file__).parent / "golden" / "content"
DUMP_NAME = re.compile(r"\b\d{3}_[0-9a-f]{16}\.txt\b")


@pytest.fixture
def reader(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    """A page at the width the test asks for, with touch on the phone, that records errors."""
    width = request.param
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": width, "height": 900}, has_touch=width < 600,
        is_mobile=width < 600)
    pg = context.new_page()
    pg.problems = []  # type: ignore[attr-defined]
    pg.on("pageerror", lambda e: pg.problems.append(f"page error: {e}"))
    pg.on("response", lambda r: r.status >= 400 and pg.problems.append(f"{r.status} {r.url}"))
    yield pg
    context.close()


def _no_overflow(pg: object) -> None:
    width = pg.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    viewport = pg.evaluate("window.innerWidth")  # type: ignore[attr-defined]
    assert width <= viewport + 1, (pg.url, width, viewport)  # type: ignore[attr-defined]


def _axe_clean(pg: object) -> None:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(pg).response["violations"]
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
           for v in violations if v["impact"] in ("serious", "critical")]
    assert bad == [], (pg.url, bad)  # type: ignore[attr-defined]


def _texts(pg: object, selector: str) -> list[str]:
    return pg.locator(selector).all_inner_texts()  # type: ignore[attr-defined,no-any-return]


@pytest.mark.parametrize("reader", WIDTHS, indirect=True)
@pytest.mark.parametrize("prefix", ["", "/digest"])
def test_a_weekly_walk_from_home_to_a_paper(served: str, reader: object, prefix: str) -> None:
    pg = reader
    pg.goto(f"{served}{prefix}/index.html")  # type: ignore[attr-defined]
    summary = _texts(pg, ".week-summary")[0]
    # The default digest's latest week has no Model-based RL paper: said, not left out.
    assert "nothing new in Model-based RL" in summary, summary
    assert _texts(pg, ".theme-empty") == ["Model-based RL: nothing new this week."]
    # Other is a count and a link, not half the page.
    [other] = _texts(pg, ".other-collapsed")
    assert re.fullmatch(r"\d+ more papers in no theme \(Other\) →", other.strip()), other
    blocks = _texts(pg, ".theme-block > h3")
    assert blocks and not any(b.startswith("Other") for b in blocks), blocks
    items = pg.locator(".theme-block .paper-item")  # type: ignore[attr-defined]
    assert items.count() >= 10
    assert pg.locator(".theme-block .paper-item .teaser").count() == items.count()  # type: ignore[attr-defined]
    assert len(_texts(pg, ".theme-block .briefing")) == len(blocks)
    _no_overflow(pg)
    _axe_clean(pg)

    # Home -> the week's Skills page: its briefing first, then every paper with a teaser.
    pg.locator(".theme-block > h3 a").first.click()  # type: ignore[attr-defined]
    pg.wait_for_load_state()  # type: ignore[attr-defined]
    assert re.search(r"/weeks/2025-W17/skills\.html$", pg.url)  # type: ignore[attr-defined]
    [volume] = _texts(pg, ".briefing .volume")
    assert re.match(r"14 papers this week, against \d+(\.\d)? a week on average", volume)
    assert len(_texts(pg, ".briefing .representative li")) == 3
    here = pg.url.rsplit("/", 1)[0] + "/index.html"  # type: ignore[attr-defined]
    hrefs = pg.eval_on_selector_all(  # type: ignore[attr-defined]
        ".paper-item a", "els => els.map(e => e.href)")
    assert here not in hrefs, "items repeat a link to the week the reader is on"
    assert pg.locator(".paper-item .teaser").count() == 14  # type: ignore[attr-defined]
    _no_overflow(pg)
    _axe_clean(pg)

    # -> the theme's page, then a paper of it.
    pg.goto(f"{served}{prefix}/themes/skills/index.html")  # type: ignore[attr-defined]
    assert pg.locator(".paper-item .teaser").count() > 0  # type: ignore[attr-defined]
    _no_overflow(pg)
    pg.locator(".paper-item .paper-title a").first.click()  # type: ignore[attr-defined]
    pg.wait_for_load_state()  # type: ignore[attr-defined]
    assert "/papers/" in pg.url  # type: ignore[attr-defined]
    body = pg.inner_text("body")  # type: ignore[attr-defined]
    assert not DUMP_NAME.search(body), "a dump's file name shown to readers"
    _no_overflow(pg)
    _axe_clean(pg)
    assert pg.problems == []  # type: ignore[attr-defined]


def test_no_page_links_to_a_theme_week_without_papers(built_default: tuple[Path, object]) -> None:
    site, _ = built_default
    empty = {p.relative_to(site).as_posix() for p in (site / "weeks").glob("*/*.html")
             if "No new papers in" in p.read_text(encoding="utf-8")}
    assert empty, "the default digest has empty theme-weeks (Model-based RL in 2025-W17)"
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    for rel in empty:  # kept for old links, but neither listed nor indexed
        assert f"/{rel}<" not in sitemap, rel
        assert '<meta name="robots" content="noindex">' in (site / rel).read_text(encoding="utf-8")
    for page in site.rglob("*.html"):
        base = page.parent.relative_to(site).as_posix()
        for href in re.findall(r'href="([^"#?]+)"', page.read_text(encoding="utf-8")):
            if href.startswith(("http:", "https:", "mailto:")):
                continue
            target = Path(base, href).as_posix()
            parts: list[str] = []
            for part in target.split("/"):
                if part == "..":
                    parts.pop()
                elif part not in (".", ""):
                    parts.append(part)
            assert "/".join(parts) not in empty, (page, href)


@pytest.fixture(scope="module")
def with_authors(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("authors")
    content = root / "content"
    shutil.copytree(GOLDEN_CONTENT, content)
    build(load_config(content), root / "site")
    with serve_directory(root / "site") as url:
        yield url


@pytest.mark.parametrize("reader", WIDTHS, indirect=True)
def test_list_items_name_the_authors_and_link_the_paper(with_authors: str,
                                                        reader: object) -> None:
    pg = reader
    pg.goto(f"{with_authors}/weeks/2025-W12/index.html")  # type: ignore[attr-defined]
    items = pg.locator(".paper-item")  # type: ignore[attr-defined]
    authored = pg.locator(".paper-item .authors")  # type: ignore[attr-defined]
    assert authored.count() >= 5 and items.count() >= authored.count()
    for text in authored.all_inner_texts():
        assert text.strip() and not text.strip().endswith(","), text
    # Papers with an arXiv id link it from the list.
    links = pg.eval_on_selector_all(  # type: ignore[attr-defined]
        ".paper-item .item-links a", "els => els.map(e => e.href)")
    assert any(h.startswith("https://arxiv.org/abs/") for h in links), links
    _no_overflow(pg)
    _axe_clean(pg)
