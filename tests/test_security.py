"""Hostile input: a digest built from attack text runs nothing, evaluates nothing, loses nothing.

The attack corpus (tests/fixtures/attack/) puts XSS vectors, raw-text break-outs, Jinja syntax,
bidi overrides and zero-width characters into every field a user or a scraped page controls:
paper titles and abstracts, the dump's file name, the manifest's query, theme names,
descriptions and keywords, about.md, and digest.yaml's title, description and language.
The built site is checked statically (every .html parsed, every .json/.xml parsed) and in a
real browser (Debian's headless Chromium through Playwright, served over 127.0.0.1).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.config import load_config
from generator.errors import ConfigError, GeneratorError
from generator.pipeline import BuildReport, build
from generator.stages.merge import normalise_title, paper_id
from generator.text.markup import ALLOWED_TAGS
from generator.text.tex import tex_to_text

from .browser import serve_directory
from .conftest import REPO, public_papers

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "attack"

# Values the fixture files hold, repeated here so a test says exactly what it expects.
SITE_TITLE = "</title><script>alert('site')</script> {{ 7*7 }} Attack Digest"
SITE_DESCRIPTION = "\"><img src=x onerror=alert('desc')> {% include 'base.html' %} {{ 7*7 }}"
SITE_LANGUAGE = "en-x-attack"  # a hostile language is refused by config validation (below)
QUERY = "<script>alert('query')</script> {{ 7*7 }}"
THEME_SKILLS = "<script>alert('theme')</script> Skills {{ 7*7 }}"
THEME_JINJA = "</title><img src=x onerror=alert('t2')> Jinja"
T_SCRIPT = "<script>alert(1)</script> {{ 7*7 }} Skill Learning in the Wild"
T_BREAKOUT = "</title><script>alert(4)</script> Title Break-out Skills"
T_JINJA = '{% raw %}{{ digest }}{% endraw %} {% include "base.html" %} Jinja Skills'
T_BIDI = "Bidi \u202eslliks\u202c and zero\u200bwidth\u200d\ufeff Skills"
T_UMLAUT, T_PLAIN = "\u00dcber Skills", "Uber Skills"
ABSTRACT_JINJA = "{% for p in digest.papers %}{{ p.title }}{% endfor %} {# comment #}"

# Added by the test: a second dump whose file name is markup, and three records appended to
# attack.txt around an abstract over the parser's 20,000-character cap.
HOSTILE_DUMP = "<img src=x onerror=alert('file')>.txt"
HOSTILE_DUMP_ABSTRACT = ("Listed again in a dump whose file name is markup: <b>bold</b> "
                        "<script>alert('dump')</script>; the earliest listing gives the text.")
T_LONG = "Long But Accepted Skills Abstract <script>alert('long')</script>"
T_OVERSIZED = "Oversized Abstract Paper"
T_AFTER = "After The Oversized Line Skills"
SENTENCE = ("Skills learned from https://example.org/data?x=1&y=<2> transfer well, "
            "see <script>alert('s')</script> and {{ 7*7 }}. ")

FORBIDDEN_TAGS = {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
                  "svg", "math", "img", "image", "video", "audio", "source", "track", "form",
                  "input", "button", "textarea", "select", "base", "template", "noscript",
                  "portal", "xmp", "plaintext", "noembed", "noframes", "marquee"}
# The elements the default templates write; anything else must come from markup.ALLOWED_TAGS.
TEMPLATE_TAGS = {"html", "head", "meta", "title", "link", "body", "header", "nav", "main",
                 "footer", "section", "article", "aside", "div", "span", "h1", "h2", "h3", "p",
                 "a", "ul", "ol", "li", "code", "table", "thead", "tbody", "tr", "th", "td", "br",
                 "figure", "figcaption", "details", "summary"}
# The inline SVGs that are ours (generator/render/charts.py, drawn at build time): the charts and the
# map of papers, whose dots are links to paper pages.
CHART_TAGS = {"title", "desc", "line", "text", "g", "polyline", "circle", "a"}
# The search form in every page's header, and on search.html its own form and its one script,
# are the templates' only form controls and script: identified exactly, never from data.
OUR_CONTROLS = {("form", "search-form"), ("input", "site-search"), ("button", ""),
                ("form", "search-page-form"), ("input", "q"), ("select", "theme-filter"),
                ("label", ""), ("option", "")}
# search.html's two scripts are the stemmer its queries need and the search itself; the map's
# one script (a tap shows a dot's title) is on map.html only; all from assets/.
PAGE_SCRIPTS = {"search.html": ("assets/stemmer.js", "assets/search.js"),
                "map.html": ("assets/map.js",)}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "background", "cite",
                  "xlink:href", "srcset", "ping", "codebase", "longdesc", "manifest", "icon"}
SAFE_SCHEMES = {"", "http", "https", "mailto"}
XHTML = "{http://www.w3.org/1999/xhtml}"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XML_NS = "http://www.w3.org/XML/1998/namespace"


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def clean(text: str) -> str:
    """What the parser makes of a line: white space runs folded, ends stripped."""
    return re.sub(r"\s+", " ", text).strip()


def dump_records(path: Path) -> list[tuple[str, str]]:
    """(title, abstract) pairs of a layout-B dump, read naively, for the expected values."""
    lines = [line for line in path.read_text(encoding="utf-8").split("\n")[2:] if line.strip()]
    lines[0] = lines[0].removeprefix("Subscribe")
    return [(clean(t), clean(a)) for t, a in zip(lines[::2], lines[1::2], strict=True)]


@dataclass
class Attack:
    content: Path
    site: Path
    report: BuildReport
    oversized_line: int  # the line of the abstract over the cap
    long_abstract: str
    records: list[tuple[str, str]] = field(default_factory=list)  # every accepted record

    def page_of(self, title: str) -> Path:
        rows = public_papers(self.site)
        (row,) = [r for r in rows if r["title"] == title]
        return self.site / row["url"]


def make_attack_content(dest: Path) -> tuple[Path, int, str]:
    """Copy the fixture to dest and add the generated parts; return (dest, oversized line, long)."""
    shutil.copytree(FIXTURE, dest)
    dump = dest / "sources" / "attack.txt"
    text = dump.read_text(encoding="utf-8")
    assert text.endswith("\n")
    before = text.count("\n")  # the appended lines are numbered before + 1, before + 2, ...
    long_abstract = (SENTENCE * (15_000 // len(SENTENCE) + 1)).strip()
    oversized = ("<script>alert('big')</script> {{ 7*7 }} " * 2_500).strip() + "."
    assert 14_000 < len(long_abstract) < 20_000 and len(oversized) == 100_000
    after = "This record follows the oversized line and must still be read. " * 2
    dump.write_text(text + "\n".join([T_LONG, long_abstract, T_OVERSIZED, oversized,
                                      T_AFTER, after]) + "\n", encoding="utf-8")
    head = ("Get trending papers in your email inbox once a day!\n"
            "Get trending papers in your email inbox!\n")
    (dest / "sources" / HOSTILE_DUMP).write_text(
        f"{head}Subscribe{T_SCRIPT}\n{HOSTILE_DUMP_ABSTRACT} {'padding ' * 10}\n", encoding="utf-8")
    with (dest / "sources.yaml").open("a", encoding="utf-8") as manifest:
        manifest.write(f'  - file: "{HOSTILE_DUMP}"\n    collected: 2025-04-14\n'
                       "    query: \"{% include 'base.html' %}\"\n    origin: hostile file name\n")
    return dest, before + 4, long_abstract


@pytest.fixture(scope="module")
def attack(tmp_path_factory: pytest.TempPathFactory) -> Attack:
    root = tmp_path_factory.mktemp("attack")
    content, oversized_line, long_abstract = make_attack_content(root / "content")
    report = build(load_config(content), root / "site")
    records = dump_records(content / "sources" / "attack.txt")
    records = [r for r in records if r[0] != T_OVERSIZED]
    return Attack(content=content, site=root / "site", report=report,
                  oversized_line=oversized_line, long_abstract=long_abstract, records=records)


# -- static checks on the built files -----------------------------------------------------------


class _Page(HTMLParser):
    """Every start tag with its (entity-decoded) attributes, and the text of chosen elements.

    Tags inside an inline <svg> are kept apart (svg_tags), and so is their text, so that the
    chart's own <title> is not taken for the document's.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None], int]] = []
        self.svg_tags: list[tuple[str, dict[str, str | None], int]] = []
        self.text: dict[str, list[str]] = {}
        self.body_text: list[str] = []  # every text node outside <svg>
        self._open: list[tuple[str, list[str]]] = []
        self._svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._svg:
            self.svg_tags.append((tag, dict(attrs), self.getpos()[0]))
            self._svg += tag == "svg"
            return
        self.tags.append((tag, dict(attrs), self.getpos()[0]))
        if tag == "svg":
            self._svg = 1
        elif tag in ("title", "h1", "code", "article", "main", "script"):
            self._open.append((tag, []))

    def handle_endtag(self, tag: str) -> None:
        if self._svg:
            self._svg -= tag == "svg"
            return
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                name, parts = self._open.pop(i)
                self.text.setdefault(name, []).append("".join(parts))
                break

    def handle_data(self, data: str) -> None:
        if self._svg:
            return
        self.body_text.append(data)
        for _, parts in self._open:
            parts.append(data)


def parse_page(path: Path) -> _Page:
    parser = _Page()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def url_scheme(value: str) -> str:
    """The scheme a browser would see: C0 controls and spaces trimmed, tabs/newlines removed."""
    value = re.sub(r"[\t\n\r]", "", value).lstrip("".join(map(chr, range(0x21))))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", value)
    return match.group(1).lower() if match else ""


def test_the_attack_build_succeeds_and_loses_no_paper(attack: Attack) -> None:
    titles = {t for t, _ in attack.records}
    assert {T_SCRIPT, T_BREAKOUT, T_JINJA, T_BIDI, T_UMLAUT, T_PLAIN, T_LONG, T_AFTER} <= titles
    assert attack.report.papers == len(titles) == attack.report.listings - 1  # T_SCRIPT twice
    rows = public_papers(attack.site)
    assert {r["title"]: r["abstract"] for r in rows} == {
        **dict(attack.records), T_SCRIPT: clean(f"{HOSTILE_DUMP_ABSTRACT} {'padding ' * 10}")}
    for row in rows:
        page = parse_page(attack.site / row["url"])
        assert page.text["h1"] == [row["title"]], row["url"]


def test_an_abstract_over_the_cap_is_reported_with_file_and_line_and_skipped(
        attack: Attack) -> None:
    dump = attack.content / "sources" / "attack.txt"
    assert attack.report.warnings == (
        f"{dump}:{attack.oversized_line}: abstract of 100,000 characters (over 20,000); skipped",)
    lines = dump.read_text(encoding="utf-8").split("\n")
    assert len(lines[attack.oversized_line - 1]) == 100_000
    assert lines[attack.oversized_line - 2] == T_OVERSIZED
    assert not list((attack.site / "papers").glob("oversized-abstract-paper*"))
    rows = public_papers(attack.site)
    titles = [r["title"] for r in rows]
    assert T_OVERSIZED not in titles and T_AFTER in titles  # pairing resumed after the bad line


def test_a_15_kb_abstract_is_kept_whole_and_escaped(attack: Attack) -> None:
    page = attack.page_of(T_LONG)
    raw = page.read_text(encoding="utf-8")
    text = "".join(parse_page(page).text["article"])
    assert clean(text).count("<script>alert('s')</script>") == attack.long_abstract.count(
        "<script>alert('s')</script>") > 50
    assert "<script>alert('s')" not in raw
    links = [a.get("href") for tag, a, _ in parse_page(page).tags if tag == "a"]
    # Every URL in the abstract is a link, and the project page is a button above it too.
    assert links.count("https://example.org/data?x=1&y=") == \
        attack.long_abstract.count("https://") + 1


def test_no_page_holds_executable_markup(attack: Attack) -> None:
    pages = sorted(attack.site.rglob("*.html"))
    assert len(pages) > 20
    for path in pages:
        rel = path.relative_to(attack.site).as_posix()
        page = parse_page(path)
        names = [tag for tag, _, _ in page.tags]
        # The only <svg>s are the charts and the map, whose parts are all drawing elements.
        charts = [a for tag, a, _ in page.tags if tag == "svg"]
        assert all(a.get("class") == "chart" or rel == "map.html" for a in charts), (rel, charts)
        assert {t for t, _, _ in page.svg_tags} <= CHART_TAGS, (rel, page.svg_tags)
        names = [n for n in names if n != "svg"]
        for tag, attrs, line in page.tags:
            if tag in ("form", "input", "button", "select", "label", "option"):
                ident = attrs.get("id") or attrs.get("class") or ""
                assert (tag, ident if tag in ("form", "input", "select") else "") in OUR_CONTROLS, (
                    rel, line, tag, attrs)
            if tag == "script":
                assert rel in PAGE_SCRIPTS and attrs.keys() == {"src", "defer"} \
                    and attrs["src"] in PAGE_SCRIPTS[rel] and attrs["defer"] is None, (
                        rel, line, attrs)
                assert set(page.text.get("script", [])) == {""}, rel  # no inline script
        names = [n for n in names if n not in ("form", "input", "button", "select", "label",
                                               "option", "script", "noscript")
                 or (n == "noscript" and rel != "search.html")]
        assert not FORBIDDEN_TAGS & set(names), (rel, FORBIDDEN_TAGS & set(names))
        unknown = set(names) - TEMPLATE_TAGS - ALLOWED_TAGS
        assert not unknown, (rel, unknown)
        # One document per page: an evaluated {% include "base.html" %} would nest another.
        assert [names.count(t) for t in ("html", "head", "body", "title")] == [1, 1, 1, 1], rel
        for tag, attrs, line in page.tags + page.svg_tags:
            where = f"{rel}:{line} <{tag}>"
            assert not [a for a in attrs if a.startswith("on")], (where, attrs)
            assert not {"style", "srcdoc", "formaction", "http-equiv"} & set(attrs), (where, attrs)
            for name, value in attrs.items():
                if name in URL_ATTRIBUTES and value is not None:
                    assert url_scheme(value) in SAFE_SCHEMES, (where, name, value)
            if tag == "link":
                assert attrs.get("rel") in {"canonical", "icon", "stylesheet", "alternate"}, where
                if attrs["rel"] == "alternate":
                    assert attrs.get("type") == "application/atom+xml", where
                    assert str(attrs.get("href")).endswith(".xml"), where
            if tag == "meta":
                assert set(attrs) <= {"charset", "name", "property", "content"}, where


def test_hostile_text_is_shown_as_literal_text(attack: Attack) -> None:
    paper = parse_page(attack.page_of(T_SCRIPT))
    assert paper.text["h1"] == [T_SCRIPT]
    assert paper.text["title"] == [f"{T_SCRIPT} · {SITE_TITLE}"]
    assert paper.tags[0][:2] == ("html", {"lang": SITE_LANGUAGE})
    article = clean("".join(paper.text["article"]))
    # The sources in a reader's words (the origin's first clause and the query), as text;
    # the dump's file name is never shown (render/sources.py).
    assert f"<img src=x onerror=alert for “{QUERY}”, collected 21 April 2025" in article
    assert "hostile file name for “{% include 'base.html' %}”" in article
    assert HOSTILE_DUMP not in article
    home = parse_page(attack.site / "index.html")
    assert {"name": "description", "content": SITE_DESCRIPTION} in [a for t, a, _ in home.tags
                                                                   if t == "meta"]
    assert home.text["h1"] == [SITE_TITLE]
    article = clean("".join(parse_page(attack.page_of(T_BREAKOUT)).text["article"]))
    assert "</textarea></style></noscript></title><script>window.__pwned=3</script>" in article
    theme = parse_page(attack.site / "themes" / "jinja" / "index.html")
    assert theme.text["h1"] == [THEME_JINJA]
    assert theme.text["title"] == [f"{THEME_JINJA} · {SITE_TITLE}"]
    chips = parse_page(attack.site / "themes" / "jinja" / "index.html")
    assert THEME_SKILLS in "".join(chips.text["main"])


def test_template_syntax_in_any_input_is_never_evaluated(attack: Attack) -> None:
    jinja = parse_page(attack.page_of(T_JINJA))
    assert jinja.text["h1"] == [T_JINJA]
    assert ABSTRACT_JINJA in "".join(jinja.text["article"])
    script = "".join(parse_page(attack.page_of(T_SCRIPT)).text["main"])
    assert "{{ 7*7 }}" in script and "{{ 7*7 }} Skill Learning" in script
    about = clean("".join(parse_page(attack.site / "about.html").text["article"]))
    assert '{{ 7*7 }} {% include "base.html" %} {% raw %}{{ raw }}{% endraw %}' in about
    # The theme keyword "<script>" is found in the title, and the evidence shown as text.
    assert "“<script>” in the title" in script
    for path in attack.site.rglob("*.html"):
        text = "".join(parse_page(path).body_text)
        assert "{{ 7*7 }}" in text, path  # the site title, on every page
        assert not re.search(r"(?<![\w.])49(?![\w.])", text), path  # 7*7 never computed


def test_the_about_page_keeps_safe_markdown_and_drops_every_vector(attack: Attack) -> None:
    about = parse_page(attack.site / "about.html")
    hrefs = [a.get("href") for t, a, _ in about.tags if t == "a" and "rel" in a]
    assert [h for h in hrefs if h] == ["https://example.org/ok", "https://example.org/about"]
    text = clean("".join(about.text["article"]))
    assert "window.__pwned" not in text and "alert('srcdoc')" not in text
    assert "Bidi: \u202eoverride\u202c and zero\u200bwidth." in text  # kept, as text


def test_titles_that_fold_to_the_same_slug_get_two_pages(attack: Attack) -> None:
    umlaut, plain = attack.page_of(T_UMLAUT), attack.page_of(T_PLAIN)
    assert umlaut != plain
    assert {umlaut.stem, plain.stem} == {"uber-skills", f"uber-skills-{paper_id(T_UMLAUT)[:6]}"}
    assert parse_page(umlaut).text["h1"] == [T_UMLAUT]
    assert parse_page(plain).text["h1"] == [T_PLAIN]
    for path in (attack.site / "papers").glob("*.html"):
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", path.stem), path.name


def test_data_files_parse_and_carry_the_attack_text_verbatim(attack: Attack) -> None:
    outputs = sorted(p for p in attack.site.rglob("*") if p.suffix in (".json", ".xml"))
    assert attack.site / "data" / "papers.json" in outputs
    for path in outputs:
        raw = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            json.loads(raw)
            continue
        root = ET.fromstring(raw)  # well-formed, or this raises
        namespace = root.tag.partition("}")[0] + "}"
        assert namespace in (ATOM, SITEMAP), (path, root.tag)
        # The weekly feed's entries hold XHTML content (each theme's briefing): only the
        # elements its template writes, none from data.
        xhtml = {id(e) for c in root.iter(f"{ATOM}content") for e in c.iter()
                 if e is not c}
        for element in root.iter():
            if id(element) in xhtml:
                assert element.tag in {f"{XHTML}{t}" for t in ("div", "p", "h2", "a", "ol",
                                                                 "li")}, (path, element.tag)
                continue
            assert element.tag.startswith(namespace), (path, element.tag)  # none from data
            local = element.tag.removeprefix(namespace).lower()
            assert local not in FORBIDDEN_TAGS, (path, element.tag)
        if root.tag == f"{ATOM}feed":
            assert root.get(f"{{{XML_NS}}}lang") == SITE_LANGUAGE, path
            for entry in root.iter(f"{ATOM}entry"):
                assert not list(entry.find(f"{ATOM}title")), path  # text only, no children
                summary = entry.find(f"{ATOM}summary")  # (the weekly feed has content)
                assert summary is None or not list(summary), path
    rows = public_papers(attack.site)
    feeds = attack.site / "feeds"
    if (feeds / "all.xml").is_file():  # the Atom feeds: every paper, its title verbatim
        root = ET.parse(feeds / "all.xml").getroot()
        assert root.findtext(f"{ATOM}title") == SITE_TITLE
        entries = {e.findtext(f"{ATOM}title"): e.findtext(f"{ATOM}summary")
                   for e in root.iter(f"{ATOM}entry")}
        # Feeds show inline TeX as text (generator.tex), like the pages; JSON keeps the source.
        assert entries == {tex_to_text(r["title"]): tex_to_text(r["abstract"]) for r in rows}
    row = next(r for r in rows if r["title"] == T_SCRIPT)
    assert [s["file"] for s in row["sources"]] == [HOSTILE_DUMP, "attack.txt"]
    assert row["sources"][1]["query"] == QUERY
    assert next(r for r in rows if r["title"] == T_BIDI)["title"] == T_BIDI


def test_two_builds_of_the_attack_corpus_are_byte_identical(attack: Attack, tmp_path: Path) -> None:
    content, _, _ = make_attack_content(tmp_path / "elsewhere" / "content")
    out = tmp_path / "site"
    env = {**os.environ, "PYTHONHASHSEED": "4242", "TZ": "Pacific/Kiritimati"}
    subprocess.run([sys.executable, "-m", "generator", "build", "--quiet", "--content",
                    str(content), "--out", str(out)], check=True, env=env, cwd=REPO,
                   capture_output=True)
    assert tree(out) == tree(attack.site)


def test_editor_notes_are_sanitized_and_their_highlights_shown(attack: Attack) -> None:
    week = parse_page(attack.site / "weeks" / "2025-W17" / "index.html")
    text = clean("".join(week.body_text))
    assert "</title><script>alert('note')</script> {{ 7*7 }} Week note" in text
    assert "window.__pwned" not in text and '{{ 7*7 }} {% include "base.html" %}.' in text
    theme = parse_page(attack.site / "weeks" / "2025-W17" / "skills.html")
    text = clean("".join(theme.body_text))
    assert "<svg onload=alert('theme-note')> Skills note" in text
    assert "Theme note {{ 7*7 }}." in text
    assert f"Highlight{T_JINJA}" in text


# -- bugs found while writing this suite (see the reasons) ---------------------------------------


def test_a_title_crafted_to_match_a_suffixed_slug_does_not_break_the_build(tmp_path: Path) -> None:
    content, _, _ = make_attack_content(tmp_path / "content")
    suffix = paper_id(T_PLAIN)[:6] if paper_id(T_PLAIN) > paper_id(T_UMLAUT) else \
        paper_id(T_UMLAUT)[:6]
    crafted = f"Uber Skills {suffix}"
    head = ("Get trending papers in your email inbox once a day!\n"
            "Get trending papers in your email inbox!\n")
    (content / "sources" / "early.txt").write_text(
        f"{head}Subscribe{crafted}\n{'An earlier paper whose title ends in hex digits. ' * 3}\n",
        encoding="utf-8")
    with (content / "sources.yaml").open("a", encoding="utf-8") as manifest:
        manifest.write("  - file: early.txt\n    collected: 2025-04-01\n")
    report = build(load_config(content), tmp_path / "site")
    assert report.papers == 12


def test_an_invisible_character_does_not_split_one_paper_into_two() -> None:
    for char in ("\u200b", "\u00ad", "\u2060", "\ufeff", "\u200d"):
        assert normalise_title(f"Skill{char}Net: Skills") == normalise_title("SkillNet: Skills")


def test_a_control_character_in_a_listing_does_not_break_the_feeds(tmp_path: Path) -> None:
    content, _, _ = make_attack_content(tmp_path / "content")
    dump = content / "sources" / "attack.txt"
    dump.write_text(dump.read_text(encoding="utf-8") + "A \x1b[31mcoloured\x1b[0m bell\x07 "
                    "Skills title\nAn abstract pasted from a terminal, with a \x01 start of "
                    "heading "
                    "and a \x08 backspace in it.\n", encoding="utf-8")
    out = tmp_path / "site"
    build(load_config(content), out)
    feeds = sorted((out / "feeds").glob("*.xml"))
    if not feeds:
        pytest.fail("no Atom feed was built")
    for feed in feeds:
        ET.parse(feed)


def test_an_unencodable_escape_in_the_config_is_a_config_error(tmp_path: Path) -> None:
    content, _, _ = make_attack_content(tmp_path / "content")
    digest = content / "digest.yaml"
    digest.write_text(digest.read_text(encoding="utf-8").replace(
        'title: "', 'title: "\\ud800 ', 1), encoding="utf-8")
    with pytest.raises(GeneratorError, match=r"digest\.yaml.*title"):
        build(load_config(content), tmp_path / "site")
    assert not (tmp_path / "site").exists()


# -- in a real browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(attack: Attack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The attack site at http://127.0.0.1:PORT/attack/, the path of its base_url."""
    root = tmp_path_factory.mktemp("www")
    shutil.copytree(attack.site, root / "attack")
    with serve_directory(root) as url:
        yield f"{url}/attack"


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh page recording dialogs, page errors, failed responses and off-host requests."""
    context = browser.new_context()  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.dialogs = []  # type: ignore[attr-defined]
    pg.problems = []  # type: ignore[attr-defined]

    def on_dialog(dialog: object) -> None:
        pg.dialogs.append(f"{dialog.type}: {dialog.message}")  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    pg.on("dialog", on_dialog)
    pg.on("pageerror", lambda e: pg.problems.append(f"page error: {e}"))
    pg.on("console", lambda m: m.type == "error" and pg.problems.append(f"console: {m.text}"))
    pg.on("response", lambda r: r.status >= 400 and pg.problems.append(f"{r.status} {r.url}"))
    pg.on("request", lambda r: urlsplit(r.url).hostname != "127.0.0.1"
          and pg.problems.append(f"left 127.0.0.1: {r.url}"))
    yield pg
    context.close()


# What the browser itself parsed: the authority on whether a break-out worked.
DOM_REPORT = """() => ({
  pwned: typeof window.__pwned,
  elements: [...document.querySelectorAll(
      'script, style, iframe, frame, object, embed, svg, math, img, image, form, base, ' +
      'template, noscript, foreignObject, use, animate, set, video, audio, input, button')]
      .filter(e => !e.matches('figure.chart-figure > svg.chart, figure.map-figure > svg'))
      .filter(e => !e.matches('form.search-form, #site-search, form.search-form button'))
      .filter(e => !e.matches('form.search-page-form, #q, .search-page-form button'))
      .filter(e => !(e.matches('script:empty') && location.pathname.endsWith('/search.html') &&
                     ['assets/stemmer.js', 'assets/search.js'].includes(e.getAttribute('src'))))
      .filter(e => !(e.matches('script:empty') && location.pathname.endsWith('/map.html') &&
                     e.getAttribute('src') === 'assets/map.js'))
      .filter(e => !(e.matches('noscript') && e.closest('#search-status')))
      .map(e => e.tagName.toLowerCase()),
  handlers: [...document.querySelectorAll('*')]
      .flatMap(e => [...e.attributes].map(a => a.name))
      .filter(n => n.startsWith('on')),
  protocols: [...new Set([...document.querySelectorAll('a[href]')]
      .map(a => new URL(a.getAttribute('href'), document.baseURI).protocol))].sort(),
  title: document.title,
  lang: document.documentElement.lang,
})"""


def visit(pg: object, url: str) -> dict[str, object]:
    pg.goto(url)  # type: ignore[attr-defined]
    pg.wait_for_load_state("load")  # type: ignore[attr-defined]
    return pg.evaluate(DOM_REPORT)  # type: ignore[attr-defined,no-any-return]


def assert_inert(pg: object, dom: dict[str, object], where: str) -> None:
    assert pg.dialogs == [], where  # type: ignore[attr-defined]
    assert dom["pwned"] == "undefined", where
    assert dom["elements"] == [] and dom["handlers"] == [], (where, dom)
    protocols = set(dom["protocols"])  # type: ignore[call-overload]
    assert protocols <= {"http:", "https:", "mailto:"}, (where, dom)
    assert dom["lang"] == SITE_LANGUAGE, where
    assert pg.problems == [], where  # type: ignore[attr-defined]


@pytest.mark.browser
@pytest.mark.parametrize("which", ["home", "paper", "about", "theme"])
def test_no_script_runs_in_the_browser(attack: Attack, served: str, page: object,
                                       which: str) -> None:
    path = {"home": "index.html", "about": "about.html",
            "theme": "themes/skills/index.html",
            "paper": attack.page_of(T_SCRIPT).relative_to(attack.site).as_posix()}[which]
    dom = visit(page, f"{served}/{path}")
    assert_inert(page, dom, path)
    page.mouse.move(200, 200)  # type: ignore[attr-defined]  # no onmouseover fires either
    page.wait_for_timeout(100)  # type: ignore[attr-defined]
    assert page.dialogs == []  # type: ignore[attr-defined]


@pytest.mark.browser
def test_no_script_runs_on_any_page(attack: Attack, served: str, page: object) -> None:
    paths = sorted(p.relative_to(attack.site).as_posix() for p in attack.site.rglob("*.html"))
    for path in paths:
        assert_inert(page, visit(page, f"{served}/{path}"), path)


@pytest.mark.browser
def test_the_browser_shows_hostile_text_literally(attack: Attack, served: str,
                                                  page: object) -> None:
    path = attack.page_of(T_SCRIPT).relative_to(attack.site).as_posix()
    dom = visit(page, f"{served}/{path}")
    assert dom["title"] == f"{T_SCRIPT} · {SITE_TITLE}"
    pg = page
    assert pg.locator("article.paper h1").inner_text() == T_SCRIPT  # type: ignore[attr-defined]
    assert pg.locator("article.paper h1").text_content() == T_SCRIPT  # type: ignore[attr-defined]
    body = pg.locator("body").inner_text()  # type: ignore[attr-defined]
    assert "<script>alert(1)</script>" in body and "{{ 7*7 }}" in body
    assert "49" not in body
    assert "<img src=x onerror=alert for" in body and QUERY in body  # the origin, as text
    assert pg.locator("a.brand").inner_text() == SITE_TITLE  # type: ignore[attr-defined]
    bidi = attack.page_of(T_BIDI).relative_to(attack.site).as_posix()
    visit(pg, f"{served}/{bidi}")
    assert pg.locator("article.paper h1").text_content() == T_BIDI  # type: ignore[attr-defined]
    assert pg.dialogs == []  # type: ignore[attr-defined]


def test_a_hostile_language_is_refused_by_config_validation(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "content")
    (tmp_path / "content" / "digest.yaml").write_text(
        "title: T\nlanguage: \"en\\\" onload=\\\"alert('lang')\"\n")
    with pytest.raises(ConfigError, match="language: expected a language tag"):
        load_config(tmp_path / "content")
