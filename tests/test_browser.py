"""The built site in a real browser: headless Chromium (Debian's) driven by Playwright.

Served over HTTP on 127.0.0.1, at the root and under a sub-path, as GitHub Pages would.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.build import BuildReport

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium")
    pytest.skip(f"{CHROMIUM} not installed", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(built_default: tuple[Path, BuildReport],
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The default build at http://127.0.0.1:PORT/ and again under /digest/."""
    site, _ = built_default
    root = tmp_path_factory.mktemp("www")
    shutil.copytree(site, root / "digest")
    for item in site.iterdir():
        target = root / item.name
        if item.is_dir():
            shutil.copytree(item, target)
        else:
            shutil.copy2(item, target)
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


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


@pytest.mark.parametrize("prefix", ["", "/digest"])
def test_a_reader_goes_home_theme_paper_week(served: str, page: object, prefix: str) -> None:
    pg = page
    pg.goto(f"{served}{prefix}/index.html")  # type: ignore[attr-defined]
    assert pg.locator("h2#this-week").inner_text().startswith("Week 2025-W17")
    pg.get_by_role("link", name="Themes", exact=True).click()
    pg.get_by_role("link", name="Model-based RL").first.click()
    assert pg.locator("h1").inner_text() == "Model-based RL"
    first = pg.locator("li.paper-item h3 a").first
    title = first.inner_text()
    first.click()
    assert pg.locator("article.paper h1").inner_text() == title
    assert pg.url.startswith(f"{served}{prefix}/papers/")
    pg.locator("p.meta a").first.click()
    assert pg.locator("h1").inner_text().startswith("Week 2025-W")
    pg.get_by_role("link", name="Archive").click()
    assert pg.locator("table.archive tbody tr").count() == 4
    assert pg.problems == []  # type: ignore[attr-defined]


def test_pages_look_right_in_a_phone_width_viewport(served: str, browser: object) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})  # type: ignore[attr-defined]
    pg = context.new_page()
    for path in ("index.html", "themes/skills/index.html", "archive.html"):
        pg.goto(f"{served}/{path}")
        overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    context.close()
