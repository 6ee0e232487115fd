"""Issue 25's small things and phones: the site as a reader sees it at 390 and 1280 px.

The golden fixture (33 papers in 2025-W10 to W12) is built with its extra dump dated three
weeks later (W15): the digest then has weeks with no listings at all (W13, W14), which the
charts must show as gaps, and theme-weeks with no papers, to which nothing may link.
"""

from __future__ import annotations

import base64
import re
import shutil
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest

from generator.config import load_config
from generator.pipeline import build

from .browser import serve_directory
from .conftest import REPO, public_papers

GOLDEN = REPO / "tests" / "golden"
THEMES = ("skills", "representation-learning", "embeddings", "model-based-rl", "other")
WIDTHS = (390, 1280)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("phone")
    content = root / "content"
    shutil.copytree(GOLDEN / "content", content)
    shutil.copy(GOLDEN / "extra" / "plain-2025-03-26.csv", content / "sources" / "late.csv")
    with (content / "sources.yaml").open("a", encoding="utf-8") as manifest:
        manifest.write("  - file: late.csv\n    collected: 2025-04-09\n    query: late papers\n"
                       "    origin: plain CSV, written for tests/test_phone_layout.py\n")
    build(load_config(content), root / "site")
    return root / "site"


class _Page(HTMLParser):
    """A page's links and its text (script and style left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def main_text(path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    page = _Page()
    page.feed(html[html.index("<main"):html.index("</main>")])
    return " ".join(" ".join(page.text).split())


def empty_theme_weeks(site: Path) -> set[str]:
    """weeks/<week>/<theme>.html of every theme-week without papers, from the public data."""
    rows = public_papers(site)
    weeks = {r["week"] for r in rows}
    full = {(r["week"], t) for r in rows for t in (r["themes"] or ["other"])}
    return {f"weeks/{w}/{t}.html" for w in weeks for t in THEMES if (w, t) not in full}


def test_no_page_links_to_an_empty_theme_week(site: Path) -> None:
    empty = empty_theme_weeks(site)
    assert empty and all((site / p).is_file() for p in empty)  # they exist, for old links
    linked = []
    for path in site.rglob("*.html"):
        rel = path.relative_to(site).as_posix()
        for href in parse(path).hrefs:
            target = urljoin(f"http://x/{rel}", href).removeprefix("http://x/").split("#")[0]
            if target in empty and target != rel:  # (an empty page's own "#main")
                linked.append((rel, href))
    assert linked == []


def test_a_theme_weeks_navigation_steps_to_the_nearest_weeks_with_its_papers(site: Path) -> None:
    empty = empty_theme_weeks(site)
    rows = public_papers(site)
    weeks = sorted({r["week"] for r in rows})
    for theme in THEMES:
        having = [w for w in weeks if f"weeks/{w}/{theme}.html" not in empty]
        for i, week in enumerate(having):
            rel = f"weeks/{week}/{theme}.html"
            targets = [urljoin(f"http://x/{rel}", h).removeprefix("http://x/")
                       for h in parse(site / rel).hrefs]
            steps = [h for h in targets if re.fullmatch(rf"weeks/[\dW-]+/{theme}\.html", h)]
            expected = [f"weeks/{w}/{theme}.html" for w in having[i - 1:i] + having[i + 1:i + 2]]
            assert steps == expected, (theme, week)


def test_theme_pages_say_newest_first_once(site: Path) -> None:
    for theme in THEMES:
        text = main_text(site / "themes" / theme / "index.html")
        assert text.lower().count("newest first") == 1, (theme, text[:400])


def test_no_page_shows_a_dump_file_name(site: Path) -> None:
    dumps = [p.name for p in (site.parent / "content" / "sources").iterdir()]
    assert len(dumps) == 4
    for path in site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert not [d for d in dumps if d in html], path
        assert "(line " not in html, path
    row = next(r for r in public_papers(site) if r["week"] == "2025-W15")
    text = main_text(site / row["url"])
    assert "Sources plain CSV for “late papers”, collected 9 April 2025" in text


def chart_parts(path: Path) -> tuple[list[str], list[str], str]:
    """The first chart of a page: its circles' titles, its lines' x1 and x2, and its legend."""
    html = path.read_text(encoding="utf-8")
    figure = html[html.index('<figure class="chart-figure">'):]
    figure = figure[:figure.index("</figure>")]
    titles = re.findall(r"<circle [^>]*><title>([^<]*)</title>", figure)
    segments = re.findall(r'<line x1="([\d.]+)%" y1="[\d.]+" x2="([\d.]+)%"', figure)
    legend = figure[figure.index("<figcaption>"):] if "<figcaption>" in figure else ""
    return titles, [f"{a}-{b}" for a, b in segments], legend


def test_charts_break_their_lines_at_weeks_with_no_listings(site: Path) -> None:
    titles, segments, legend = chart_parts(site / "themes" / "skills" / "index.html")
    weeks = [t.split(", ")[1].split(":")[0] for t in titles]
    assert weeks == ["2025-W10", "2025-W11", "2025-W12", "2025-W15"]  # no point for W13, W14
    # Six weeks on the axis at (i + 0.5) / 6: W10-W11 and W11-W12 are joined, W12-W15 not.
    assert segments == ["8.33-25.00", "25.00-41.67"]
    assert "legend" not in legend  # one series: the title names it
    assert "week with no listings" in legend
    zeros = [t for t in chart_parts(site / "archive.html")[0] if t.endswith(": 0")]
    assert zeros  # a theme with no paper in a week of the digest is a 0, not a gap
    assert chart_parts(site / "archive.html")[2].count("<li>") == len(THEMES)


# ---- In Chromium, at a phone's width and a desktop's


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    with serve_directory(site) as url:
        yield url


@pytest.fixture(params=WIDTHS)
def page(request: pytest.FixtureRequest, browser: object) -> Iterator[object]:
    width = request.param
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": width, "height": 800}, has_touch=width < 600,
        is_mobile=width < 600)
    pg = context.new_page()
    pg.problems = []
    pg.on("pageerror", lambda e: pg.problems.append(str(e)))
    pg.on("console", lambda m: m.type == "error" and pg.problems.append(m.text))
    yield pg
    context.close()


def page_kinds(site: Path) -> dict[str, str]:
    paper = next(r for r in public_papers(site) if "skills" in r["themes"])["url"]
    return {"home": "index.html", "week": "weeks/2025-W15/index.html",
            "week theme": "weeks/2025-W11/skills.html", "theme": "themes/skills/index.html",
            "themes": "themes/index.html", "paper": paper, "archive": "archive.html",
            "map": "map.html", "about": "about.html", "search": "search.html?q=skill"}


@pytest.mark.browser
def test_no_page_kind_is_wider_than_the_screen(site: Path, served: str, page: object) -> None:
    pg = page
    width = pg.viewport_size["width"]  # type: ignore[attr-defined]
    for kind, path in page_kinds(site).items():
        pg.goto(f"{served}/{path}")  # type: ignore[attr-defined]
        assert pg.evaluate("document.documentElement.scrollWidth") <= width, kind  # type: ignore[attr-defined]
    assert pg.problems == []  # type: ignore[attr-defined]


@pytest.mark.browser
def test_no_page_kind_is_wider_than_a_small_phone(site: Path, served: str, browser: object) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740},  # type: ignore[attr-defined]
                                  has_touch=True, is_mobile=True)
    pg = context.new_page()
    wide = []
    for kind, path in page_kinds(site).items():
        pg.goto(f"{served}/{path}")
        if pg.evaluate("document.documentElement.scrollWidth") > 360:
            wide.append(kind)
    context.close()
    assert wide == []


CHART_FONTS = """() => [...document.querySelectorAll('svg.chart text, .map-figure text')]
  .filter(t => t.getBBox().width > 0 && getComputedStyle(t).display !== 'none')
  .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"""


@pytest.mark.browser
@pytest.mark.parametrize("path", ["archive.html", "themes/skills/index.html", "map.html"])
def test_chart_and_map_labels_are_readable(served: str, page: object, path: str) -> None:
    pg = page
    pg.goto(f"{served}/{path}")  # type: ignore[attr-defined]
    sizes = pg.evaluate(CHART_FONTS)  # type: ignore[attr-defined]
    assert sizes and min(sizes) >= 11, sizes


@pytest.mark.browser
def test_the_archive_table_keeps_its_week_column_and_shows_that_it_scrolls(
        served: str, page: object) -> None:
    pg = page
    pg.goto(f"{served}/archive.html")  # type: ignore[attr-defined]
    wrap = pg.locator(".table-wrap")  # type: ignore[attr-defined]
    if pg.viewport_size["width"] > 600:  # type: ignore[attr-defined]
        assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth")  # all of it fits
        return
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")

    def edge_darkness() -> int:  # the wrap's right-most 8 px, below its header row
        return _darkness(pg, wrap.screenshot(), strip=8)

    before = edge_darkness()
    week = pg.locator("table.archive tbody th").first  # type: ignore[attr-defined]
    left = week.bounding_box()["x"]
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    assert week.bounding_box()["x"] == left  # the week column stays in place
    assert week.is_visible()
    after = edge_darkness()
    assert before > after + 20, (before, after)  # a shadow where more columns hide, then none


DARKNESS = """async ([png, strip]) => {
  const img = new Image();
  img.src = 'data:image/png;base64,' + png;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.width; canvas.height = img.height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const top = Math.floor(img.height / 3);
  const px = ctx.getImageData(img.width - strip, top, strip, img.height - top).data;
  let sum = 0;
  for (let i = 0; i < px.length; i += 4) sum += (px[i] + px[i + 1] + px[i + 2]) / 3;
  return Math.round(255 - sum / (px.length / 4));
}"""


def _darkness(pg: object, png: bytes, strip: int) -> int:
    """How dark the right-most `strip` columns of a screenshot are (255 minus their mean
    brightness), read by the browser from the image itself."""
    return int(pg.evaluate(DARKNESS, [base64.b64encode(png).decode(), strip]))  # type: ignore[attr-defined]


@pytest.mark.browser
def test_tapping_the_map_shows_a_dots_title_and_a_link_to_its_paper(served: str,
                                                                     page: object) -> None:
    pg = page
    pg.goto(f"{served}/map.html")  # type: ignore[attr-defined]
    info = pg.locator("#map-info")  # type: ignore[attr-defined]
    dot = pg.locator(".map-figure svg a").nth(5)  # type: ignore[attr-defined]
    title = dot.locator("title").text_content()
    href = dot.get_attribute("href")
    dot.scroll_into_view_if_needed()
    box = dot.locator("circle").bounding_box()
    x, y = box["x"] + box["width"] / 2 + 3, box["y"] + box["height"] / 2 + 2  # a finger's miss
    if pg.viewport_size["width"] > 600:  # type: ignore[attr-defined]
        dot.locator("circle").hover()  # a mouse: hover shows it, a click follows it
        assert info.locator("a").text_content() == title
        dot.locator("circle").click()
        pg.wait_for_url(f"{served}/{href}")  # type: ignore[attr-defined]
        return
    pg.touchscreen.tap(x, y)  # type: ignore[attr-defined]
    assert info.locator("a").text_content() == title
    assert info.locator("a").get_attribute("href") == href
    assert pg.url == f"{served}/map.html"  # type: ignore[attr-defined]
    pg.touchscreen.tap(x, y)  # type: ignore[attr-defined]  # the same dot again: follow it
    pg.wait_for_url(f"{served}/{href}")  # type: ignore[attr-defined]
    assert pg.problems == []  # type: ignore[attr-defined]


NAMES = """() => [...document.querySelectorAll('.map-figure text.region')]
  .filter(t => getComputedStyle(t).display !== 'none')
  .map(t => { const b = t.getBoundingClientRect();
              return [t.textContent, b.left, b.top, b.right, b.bottom]; })"""


@pytest.mark.browser
def test_the_map_names_its_regions_without_overlap(site: Path, served: str,
                                                   page: object) -> None:
    pg = page
    pg.goto(f"{served}/map.html")  # type: ignore[attr-defined]
    names = pg.evaluate(NAMES)  # type: ignore[attr-defined]
    assert names, "no region is named"
    known = set(re.findall(r'<h2><a href="[^"]+">([^<]+)</a>',
                           (site / "themes" / "index.html").read_text(encoding="utf-8")))
    for path in (site / "themes").glob("*/index.html"):
        known |= {unescape(n).strip() for n in re.findall(
            r'href="[^"]*/topic-[^"]*"[^>]*>([^<]+)<', path.read_text(encoding="utf-8"))}
    assert {n[0] for n in names} <= known  # each a theme's or a sub-topic's name
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not (a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]), (a, b)


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["theme", "week theme", "archive", "map", "paper"])
def test_changed_pages_have_no_serious_accessibility_violation(site: Path, served: str,
                                                               page: object, kind: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    pg = page
    pg.goto(f"{served}/{page_kinds(site)[kind]}")  # type: ignore[attr-defined]
    if kind == "map":  # with a dot's title shown
        pg.locator(".map-figure svg a").first.focus()  # type: ignore[attr-defined]
    violations = Axe().run(pg).response["violations"]
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
           for v in violations if v["impact"] in ("serious", "critical")]
    assert bad == []
