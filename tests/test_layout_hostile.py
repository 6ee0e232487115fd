"""Hostile layout: long unbroken words and bidi controls in paper text stay in their own box.

One 120-character token in a title, a 200-character author name, a 3,000-character word in an
abstract or a long URL used to make a page 1,300 to 27,000 px wide on a 360 px phone, and a
right-to-left override (U+202E) in an author name reversed the rest of the line. The attack
corpus (tests/fixtures/attack/, copied, never changed) is extended with such papers, notes
and an about page, built into a real site, and every kind of page is opened at 360x740 in
Debian's headless Chromium: no page may be wider than the viewport, and a field's bidi
controls may reorder nothing outside that field.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from generator.config import load_config
from generator.pipeline import build

from .browser import serve_directory
from .conftest import public_papers

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "attack"
PHONE = {"width": 360, "height": 740}
SLACK = 2  # px of rounding a browser may add to a page exactly as wide as the viewport

# Unbroken tokens as long as the issue reports; "zanzibarite" is a word only these papers use,
# so a search for it lists them.
TITLE_WORD = ("Supercalifragilistic" * 7)[:120]
AUTHOR_WORD = ("Wolfeschlegelsteinhausenbergerdorff" * 6)[:200]
ABSTRACT_WORD = ("Antidisestablishmentarianism" * 110)[:3000]
LONG_URL = "https://example.org/" + "a1b2c3d4e5" * 40
LONG_REPO = "https://github.com/" + "owner" * 20 + "/" + "repository" * 15
RLO, PDF = "\u202e", "\u202c"
T_LONG = f"Zanzibarite Skills {TITLE_WORD} for Agents"
T_RLO = f"Zanzibarite Skills {RLO}with an override left open"
# Two right-to-left names side by side: each is isolated, so they keep their order.
RTL_FIRST, RTL_SECOND = "محمد علي", "نور حسن"
AUTHORS = [RTL_FIRST, RTL_SECOND, f"Eve {RLO}Reversed", "Carol Normal", AUTHOR_WORD, "Zed Last"]

PAPERS = [
    {"title": T_LONG,
     "abstract": (f"Zanzibarite skills learned from {ABSTRACT_WORD} transfer to new tasks. "
                  f"Data at {LONG_URL} and code at {LONG_REPO} for every skill."),
     "url": LONG_URL, "date": "2025-04-20", "authors": AUTHORS,
     "categories": ["cs.LG", "cs." + "X" * 150]},
    {"title": T_RLO,
     "abstract": f"Zanzibarite skills whose abstract opens an override {RLO}and never closes it.",
     "date": "2025-04-20", "authors": [f"Mallory {RLO}Open", "Bob After"]},
]
# A theme whose name is one long word: the archive's table, the charts' legends and the chips
# show theme names.
THEME = f"""  - name: "Zanzibarite {TITLE_WORD}"
    slug: zanzibarite
    description: "Papers that say zanzibarite."
    keywords:
      - zanzibarite
"""
NOTE_TAIL = f"\n\nA long word {TITLE_WORD}{TITLE_WORD} and {LONG_URL} in a note.\n"
ABOUT_TAIL = f"""
A long word {ABSTRACT_WORD[:600]} and a long link <{LONG_URL}>.

| column | value |
| --- | --- |
| {TITLE_WORD} | {LONG_URL} |

    a code block whose one line is {ABSTRACT_WORD[:400]}
"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The attack corpus plus the papers and the theme above, a long word and URL in both
    notes and in about.md, built once."""
    root = tmp_path_factory.mktemp("hostile-layout")
    content = root / "content"
    shutil.copytree(FIXTURE, content)
    settings = content / "digest.yaml"  # every paper on one page, so every list shows them
    settings.write_text(settings.read_text(encoding="utf-8").replace("page_size: 3",
                                                                     "page_size: 50"))
    with (content / "themes.yaml").open("a", encoding="utf-8") as themes:
        themes.write(THEME)
    (content / "sources" / "hostile.json").write_text(json.dumps(PAPERS, ensure_ascii=False),
                                                      encoding="utf-8")
    with (content / "sources.yaml").open("a", encoding="utf-8") as manifest:
        manifest.write("  - file: hostile.json\n    collected: 2025-04-25\n"
                       "    query: long words\n    origin: tests/test_layout_hostile.py\n")
    for rel, tail in (("notes/2025-W17.md", NOTE_TAIL), ("notes/skills/2025-W17.md", NOTE_TAIL),
                      ("about.md", ABOUT_TAIL)):
        with (content / rel).open("a", encoding="utf-8") as text:
            text.write(tail)
    site = root / "site"
    build(load_config(content), site)
    return site


@pytest.fixture(scope="module")
def served_hostile(hostile_site: Path) -> Iterator[str]:
    with serve_directory(hostile_site) as url:
        yield url


@pytest.fixture
def phone(browser: object) -> Iterator[object]:
    """A page in a 360x740 viewport, as a small phone shows the site."""
    context = browser.new_context(viewport=PHONE)  # type: ignore[attr-defined]
    yield context.new_page()
    context.close()


def paper_page(site: Path, title: str) -> str:
    """The site-relative path of the paper page of `title`, from the public data."""
    row = next(r for r in public_papers(site) if r["title"].startswith(title[:30]))
    return f"papers/{row['slug']}.html"


def page_kinds(site: Path) -> dict[str, str]:
    """One page of each kind, each showing some of the long words."""
    return {
        "home": "index.html",
        "week": "weeks/2025-W17/index.html",
        "week theme": "weeks/2025-W17/skills.html",
        "theme": "themes/skills/index.html",
        "themes": "themes/index.html",
        "paper": paper_page(site, T_LONG),
        "archive": "archive.html",
        "search": "search.html?q=zanzibarite",
        "map": "map.html",
        "about": "about.html",
    }


def page_width(pg: object) -> int:
    return pg.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]


def widest(pg: object) -> str:
    """The element that sticks out furthest to the right, to say why a page is too wide."""
    return pg.evaluate("""() => {
      let best = null, right = 0;
      for (const el of document.body.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        const r = Math.max(box.right, box.left + el.scrollWidth);
        if (r > right) { right = r; best = el; }
      }
      return best ? `${best.tagName}.${best.className} ${Math.round(right)}px` : '';
    }""")  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", ["home", "week", "week theme", "theme", "themes", "paper",
                                  "archive", "search", "map", "about"])
def test_every_page_kind_fits_a_phone(hostile_site: Path, served_hostile: str, phone: object,
                                      kind: str) -> None:
    pg = phone
    pg.goto(f"{served_hostile}/{page_kinds(hostile_site)[kind]}")  # type: ignore[attr-defined]
    if kind == "search":
        pg.wait_for_function(  # type: ignore[attr-defined]
            "document.querySelector('#search-results .snippet')")
    text = pg.evaluate("document.body.innerText")  # type: ignore[attr-defined]
    assert TITLE_WORD[:60] in text or ABSTRACT_WORD[:60] in text or LONG_URL in text, kind
    assert page_width(pg) <= PHONE["width"] + SLACK, (kind, page_width(pg), widest(pg))
    if kind == "archive":  # its table keeps theme names whole and scrolls in its own box
        wrap = pg.evaluate(  # type: ignore[attr-defined]
            """() => { const w = document.querySelector('.table-wrap');
              return [w.clientWidth, w.scrollWidth, getComputedStyle(w).overflowX]; }""")
        assert wrap[0] < wrap[1] and wrap[2] == "auto", wrap


def test_no_page_of_the_site_is_wider_than_a_phone(hostile_site: Path, served_hostile: str,
                                                   phone: object) -> None:
    pg = phone
    wide = []
    for path in sorted(hostile_site.rglob("*.html")):
        rel = path.relative_to(hostile_site).as_posix()
        pg.goto(f"{served_hostile}/{quote(rel)}")  # type: ignore[attr-defined]
        if page_width(pg) > PHONE["width"] + SLACK:
            wide.append((rel, page_width(pg), widest(pg)))
    assert wide == []


def positions(pg: object, selector: str, words: list[str]) -> list[float]:
    """The left edge on screen of each word (its first occurrence in `selector`'s text),
    checked to be on one line, so that left of means before in reading order."""
    lefts = pg.evaluate("""([selector, words]) => {
      const root = document.querySelector(selector);
      return words.map(word => {
        const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walk.nextNode(); node; node = walk.nextNode()) {
          const at = node.data.indexOf(word);
          if (at < 0) continue;
          const range = document.createRange();
          range.setStart(node, at); range.setEnd(node, at + word.length);
          const box = range.getBoundingClientRect();
          return [box.left, box.top];
        }
        return [null, null];
      });
    }""", [selector, words])  # type: ignore[attr-defined]
    tops = [top for _, top in lefts]
    assert None not in tops and max(tops) - min(tops) < 10, (words, lefts)  # a line is ~27 px
    return [left for left, _ in lefts]


def test_an_override_in_an_author_name_reorders_nothing_after_it(
        hostile_site: Path, served_hostile: str, browser: object) -> None:
    """In "Mallory \u202eOpen, Bob After" the override reverses "Open" and nothing after it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.goto(f"{served_hostile}/{paper_page(hostile_site, T_RLO)}")
    authors = pg.locator(".authors").inner_text()
    assert "Mallory" in authors and authors.index("Mallory") < authors.index("Bob After")
    bob, after = positions(pg, ".authors", ["Bob", "After"])
    assert bob < after  # read left to right
    pg.goto(f"{served_hostile}/{paper_page(hostile_site, T_LONG)}")
    carol, normal = positions(pg, ".authors", ["Carol", "Normal"])
    zed, last = positions(pg, ".authors", ["Zed", "Last"])
    assert carol < normal and zed < last
    context.close()


def test_right_to_left_names_keep_their_order_in_the_list(
        hostile_site: Path, served_hostile: str, browser: object) -> None:
    """Two Arabic names side by side: without isolation the comma between them is
    right-to-left too and the second name shows first."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.goto(f"{served_hostile}/{paper_page(hostile_site, T_LONG)}")
    first, second = positions(pg, ".authors", [RTL_FIRST, RTL_SECOND])
    assert first < second
    context.close()


def unbalanced(site: Path) -> list[str]:
    """The site's text files (pages, feeds, data, search index, BibTeX) in which some bidi
    embedding, override or isolate is left open; the attack corpus's are all closed."""
    files = []
    for path in sorted(site.rglob("*")):
        if path.suffix in (".html", ".xml", ".json", ".bib"):
            text = path.read_text(encoding="utf-8")
            if (sum(map(text.count, "\u202a\u202b\u202d\u202e")) != text.count("\u202c")
                    or sum(map(text.count, "\u2066\u2067\u2068")) != text.count("\u2069")):
                files.append(path.relative_to(site).as_posix())
    return files


def test_an_override_left_open_in_a_title_ends_with_the_title(
        hostile_site: Path, served_hostile: str, browser: object) -> None:
    """The page <title> holds no markup to isolate the paper's title with: the override the
    source left open is closed where the title ends, so the site's name after it reads in
    order; so is every one in every file the site is made of (feeds, data, search index)."""
    context = browser.new_context()  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.goto(f"{served_hostile}/{paper_page(hostile_site, T_RLO)}")
    title = pg.title()
    site_part = title.index(" · ")
    assert RLO in title[:site_part] and PDF in title[title.index(RLO):site_part], title
    assert pg.locator("article.paper h1").inner_text() == T_RLO + PDF
    assert unbalanced(hostile_site) == []
    abstract = pg.locator(".abstract").inner_text()
    assert abstract.rstrip().endswith(PDF)
    context.close()
