"""Building the default digest: every paper a page, every link resolving, valid data, safe writes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.config import Config, load_config
from generator.errors import BuildError, GeneratorError
from generator.pipeline import BuildReport, build
from generator.tools.check import check_site

from .conftest import CONTENT, public_papers

WEEK_RE = re.compile(r"^\d{4}-W\d{2}$")


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_every_paper_gets_a_page(built_default: tuple[Path, BuildReport]) -> None:
    site, report = built_default
    pages = sorted((site / "papers").glob("*.html"))
    assert report.papers == 747 and len(pages) == 747
    rows = public_papers(site)
    assert sorted(site / r["url"] for r in rows) == pages


def test_no_internal_link_or_asset_is_broken(built_default: tuple[Path, BuildReport]) -> None:
    site, _ = built_default
    # The default base URL is https://example.github.io/digest/; only 404.html uses its path.
    assert check_site(site, "/digest/") == []


def test_papers_json_is_the_documented_public_data(built_default: tuple[Path, BuildReport]) -> None:
    site, _ = built_default
    index = json.loads((site / "data" / "papers.json").read_text(encoding="utf-8"))
    assert index == {"format": 3, "papers": 747,
                     "parts": [{"path": "data/papers/0.json.gz", "papers": 747}]}
    rows = public_papers(site)
    assert [(r["first_seen"], r["id"]) for r in rows] == sorted((r["first_seen"], r["id"])
                                                               for r in rows)  # oldest first
    theme_slugs = {"skills", "representation-learning", "embeddings", "model-based-rl"}
    assert len(rows) == 747 and len({r["id"] for r in rows}) == 747
    for row in rows:
        assert {"id", "title", "abstract", "themes", "first_seen", "week", "url", "sources"} <= set(row)
        assert row["title"] and len(row["abstract"]) > 100
        assert set(row["themes"]) <= theme_slugs
        assert WEEK_RE.match(row["week"]) and row["url"] == f"papers/{row['slug']}.html"
        assert row["sources"] and all({"file", "line", "collected"} <= set(s) for s in row["sources"])
        assert row["first_seen"] == min(s["collected"] for s in row["sources"])


def test_the_digest_spans_at_least_three_weeks_each_with_pages(
        built_default: tuple[Path, BuildReport]) -> None:
    site, report = built_default
    assert len(report.weeks) >= 3
    for week in report.weeks:
        assert (site / "weeks" / week / "index.html").is_file()
        for theme in ("skills", "representation-learning", "embeddings", "model-based-rl"):
            assert (site / "weeks" / week / f"{theme}.html").is_file()
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f"Week {report.weeks[-1]}" in home  # home shows the latest week


def test_theme_pages_are_a_front_page_and_an_archive_numbered_from_the_oldest(
        built_default: tuple[Path, BuildReport]) -> None:
    site, report = built_default
    dates = {row["url"]: row["first_seen"] for row in
             public_papers(site)}

    def listed(page: Path) -> list[str]:
        """The papers a theme page lists: as items (front pages) or rows (archive pages)."""
        return re.findall(r'(?:<h3 class="paper-title">(?:<span[^>]*>[^<]*</span>)?|<li>)'
                          r'<a href="\.\./\.\./(papers/[^"]+)"', page.read_text(encoding="utf-8"))

    for slug, count in report.theme_counts.items():
        folder = site / "themes" / slug
        archive = sorted(folder.glob("index-*.html"), key=lambda p: int(p.stem.split("-")[1]))
        assert [p.stem for p in archive] == [f"index-{k}" for k in range(1, len(archive) + 1)]
        front = listed(folder / "index.html")
        pages = [listed(p) for p in archive]
        assert all(len(p) == 100 for p in pages), slug  # archive pages are always full
        assert min(count, 25) <= len(front) <= 124, slug
        # Front, then the archive from its newest page: every paper once, newest first.
        papers = front + [u for p in reversed(pages) for u in p]
        assert len(papers) == len(set(papers)) == count, slug
        assert [dates[u] for u in papers] == sorted((dates[u] for u in papers), reverse=True)
        for page in folder.glob("*.html"):
            assert len(listed(page)) <= 124
    # "Most confident" is one page: the theme's 100 papers the model is surest of.
    confident = listed(site / "themes" / "representation-learning" / "confidence.html")
    assert len(confident) == 100


def test_every_page_declares_the_favicon(built_default: tuple[Path, BuildReport]) -> None:
    site, _ = built_default
    for page in site.rglob("*.html"):
        assert 'rel="icon"' in page.read_text(encoding="utf-8"), page


def test_a_paper_page_shows_abstract_links_themes_sources_and_week(
        built_default: tuple[Path, BuildReport]) -> None:
    site, _ = built_default
    html = (site / "papers" / "mastering-atari-go-chess-and-shogi-by-planning-with-a-learned-model.html"
            ).read_text(encoding="utf-8")
    assert ">Mastering Atari, Go, Chess and Shogi by Planning with a Learned Model</h1>" in html
    assert "MuZero" in html and "week 2025-W15" in html
    # Where it was listed, in a reader's words (the manifest's origin and query); the dump's
    # file name is the owner's, never shown on a page.
    assert ("Hugging Face Papers search results page for “model-based reinforcement learning "
            "with learned world models”, collected 10 April 2025") in html
    assert "003_081b339fd5401ceb" not in html
    rows = public_papers(site)
    row = next(r for r in rows if r["title"].startswith("CoNeTTE"))
    coded = site / row["url"]
    text = coded.read_text(encoding="utf-8")
    assert ('<a href="https://github.com/Labbeti/conette-audio-captioning" rel="nofollow noopener">'
            in text)


def test_two_builds_of_the_same_content_are_byte_identical(tmp_path: Path) -> None:
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"site{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": "Pacific/Kiritimati" if seed == "1"
               else "America/Adak"}
        subprocess.run([sys.executable, "-m", "generator", "build", "--quiet", "--content",
                        str(CONTENT), "--out", str(out)], check=True, env=env)
        outs.append(tree(out))
    assert outs[0] == outs[1]


def test_a_failing_template_leaves_the_previous_site_byte_identical(content_copy: Path,
                                                                   tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(load_config(content_copy), out)
    before = tree(out)
    overrides = content_copy / "templates"
    overrides.mkdir()
    (overrides / "paper.html").write_text("{{ paper.no_such_field }}")
    with pytest.raises(Exception, match="no_such_field"):
        build(load_config(content_copy), out)
    assert tree(out) == before
    assert {p.name for p in (tmp_path / ".site.digest").iterdir()} == {"lock", "standby"}


def test_a_broken_themes_file_fails_before_anything_is_written(content_copy: Path,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(load_config(content_copy), out)
    before = tree(out)
    (content_copy / "themes.yaml").write_text("themes: [")
    with pytest.raises(GeneratorError, match="themes.yaml"):
        build(load_config(content_copy), out)
    assert tree(out) == before


def test_a_rebuild_keeps_dotfiles_and_reports_nothing_changed(content_copy: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = build(load_config(content_copy), out)
    (out / ".nojekyll").write_text("")
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    second = build(load_config(content_copy), out)
    assert (out / ".nojekyll").exists() and (out / ".git" / "HEAD").read_text().startswith("ref")
    assert second.publish.written == 0
    assert second.publish.unchanged == first.publish.written
    assert second.publish.removed == ()


def test_a_non_empty_folder_not_made_by_digest_is_never_replaced(tmp_path: Path) -> None:
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    with pytest.raises(BuildError, match="not made by digest"):
        build(load_config(CONTENT), out)
    assert (out / "thesis.tex").read_text() == "years of work"


def test_building_into_the_content_directory_or_its_parent_is_refused(content_copy: Path) -> None:
    config = load_config(content_copy)
    for out in (content_copy, content_copy.parent, content_copy / "templates",
                content_copy / "new-folder" / "site"):
        with pytest.raises(BuildError, match="content directory"):
            build(config, out)
    # Nothing was written: no templates folder that the next build would read as templates.
    assert not (content_copy / "templates").exists()
    assert not (content_copy / "new-folder").exists()


def test_no_page_is_over_150_kb_of_html(built_default: tuple[Path, BuildReport]) -> None:
    site, _ = built_default
    sizes = {p.relative_to(site).as_posix(): p.stat().st_size for p in site.rglob("*.html")}
    too_big = {p: s for p, s in sizes.items() if s > 150_000}
    assert too_big == {}
    assert (site / "weeks" / "2025-W13" / "representation-learning-2.html").is_file()  # paginated


def test_week_pages_group_each_theme_by_sub_topic(built_default: tuple[Path, BuildReport]) -> None:
    site, _ = built_default
    html = (site / "weeks" / "2025-W13" / "index.html").read_text(encoding="utf-8")
    block = html[html.index('id="w-representation-learning"'):html.index('id="w-embeddings"')]
    assert block.count('<h3 class="subtopic">') >= 2
    assert len(re.findall(r'<li class="paper-item', block)) == 15
    assert re.search(r"All 1\d\d Representation learning papers of week 2025-W13", block)


def test_a_template_error_names_the_template_line_and_page(content_copy: Path,
                                                          tmp_path: Path) -> None:
    (content_copy / "templates").mkdir()
    (content_copy / "templates" / "paper.html").write_text(
        '{% extends "default/paper.html" %}\n{% block title %}{{ paper.nope }}{% endblock %}')
    with pytest.raises(BuildError) as err:
        build(load_config(content_copy), tmp_path / "site")
    message = str(err.value)
    assert "templates/paper.html:2: " in message and "no attribute 'nope'" in message
    assert "(while rendering papers/" in message


def test_a_no_op_rebuild_rewrites_no_file(content_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(load_config(content_copy), out)

    def inodes() -> dict[str, int]:
        return {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*")
                if p.is_file() and p.name != ".digest-site"}

    before = inodes()
    assert any(k.startswith("search/") for k in before)
    report = build(load_config(content_copy), out)
    assert report.publish.written == 0 and report.publish.removed == ()
    assert inodes() == before  # every file, the search index included, is the same file

    note = content_copy / "notes" / "2025-W13.md"
    note.write_text("A note for week 13.")
    build(load_config(content_copy), out)
    after = inodes()
    changed = sorted(k for k in before if after.get(k) != before[k])
    assert changed == ["weeks/2025-W13/index.html"]


def test_an_unchanged_build_is_skipped_and_any_change_rebuilds(
        content_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out, cache = tmp_path / "site", tmp_path / "cache"
    first = build(load_config(content_copy), out, cache_dir=cache)
    pristine = tree(out)
    renders: list[int] = []

    def build_again(config: Config) -> BuildReport:
        report = build(config, out, cache_dir=cache)
        if not report.up_to_date:
            renders.append(1)
        return report

    again = build_again(load_config(content_copy))
    assert again.up_to_date and renders == []  # skipped: nothing read past the fingerprint
    assert again.publish.written == 0 and again.pages == first.pages
    assert (again.papers, again.weeks, again.theme_counts) == (first.papers, first.weeks,
                                                              first.theme_counts)
    assert tree(out) == pristine

    # A page edited by hand is noticed and put back.
    (out / "about.html").write_text("edited by hand", encoding="utf-8")
    build_again(load_config(content_copy))
    assert renders == [1] and tree(out) == pristine

    # So is a change of settings given on the command line (base URL)...
    build_again(load_config(content_copy, base_url="https://x.example/"))
    assert len(renders) == 2 and tree(out) != pristine
    # ...and a change in the content directory.
    build_again(load_config(content_copy))
    assert len(renders) == 3 and tree(out) == pristine
    (content_copy / "notes" / "2025-W13.md").write_text("A note for week 13.", encoding="utf-8")
    build_again(load_config(content_copy))
    assert len(renders) == 4 and "A note for week 13." in (
        out / "weeks" / "2025-W13" / "index.html").read_text(encoding="utf-8")


def test_the_sitemap_lists_every_page(content_copy: Path, tmp_path: Path) -> None:
    # Paper pages are written by a worker process and the rest by the build's own: the
    # sitemap, made by the latter, must still list every page of the site (but the 404).
    import re

    config = load_config(content_copy)
    out = tmp_path / "site"
    build(config, out)
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    listed = {loc.removeprefix(config.base_url) for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)}
    pages = {p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    # ...but the theme-weeks without papers, kept for old links and marked noindex.
    unlisted = {p for p in pages
                if 'content="noindex"' in (out / p).read_text(encoding="utf-8")}
    assert unlisted and all(p.startswith("weeks/") for p in unlisted)
    assert listed == pages - {"404.html"} - unlisted
    assert sum(p.startswith("papers/") for p in listed) == 747


def test_a_site_over_the_sitemap_limit_gets_an_index_of_parts_that_check_passes(
        content_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sitemaps protocol allows 50,000 URLs per sitemap; the limit is set down to 500 so
    that the default digest (about 1,600 pages) takes the path of a 100,000-paper site."""
    import re

    from generator.render import hosting
    from generator.tools.check import check_site

    config = load_config(content_copy)
    whole = tmp_path / "whole"
    build(config, whole)
    monkeypatch.setattr(hosting, "SITEMAP_URLS", 500)
    out = tmp_path / "site"
    build(config, out)
    index = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "<sitemapindex" in index
    parts = re.findall(r"<loc>([^<]+)</loc>", index)
    assert parts == [f"{config.base_url}sitemaps/sitemap-{n}.xml"
                     for n in range(1, len(parts) + 1)] and len(parts) >= 2
    urls = []
    for url in parts:
        part = (out / url.removeprefix(config.base_url)).read_text(encoding="utf-8")
        found = re.findall(r"<loc>([^<]+)</loc>", part)
        assert 0 < len(found) <= 500 and found == sorted(found)
        urls += found
    # The parts hold exactly what the one sitemap of a small site holds, in the same order.
    assert urls == re.findall(r"<loc>([^<]+)</loc>",
                              (whole / "sitemap.xml").read_text(encoding="utf-8"))
    assert f"Sitemap: {config.base_url}sitemap.xml" in (out / "robots.txt").read_text()
    assert check_site(out, config.base_url) == []


def test_check_refuses_a_sitemap_over_the_protocols_limit(tmp_path: Path) -> None:
    from generator.tools.check import check_site

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>x</title>", encoding="utf-8")
    url = "  <url><loc>https://example.org/d/index.html</loc></url>\n"
    (site / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
        'schemas/sitemap/0.9">\n' + url * 50_001 + "</urlset>\n", encoding="utf-8")
    problems = check_site(site, "https://example.org/d/")
    assert problems == ["sitemap.xml: 50,001 URLs; the sitemaps protocol allows 50,000 in "
                        "one sitemap (a sitemap index lists parts)"]


def test_a_build_without_worker_processes_makes_the_same_site(content_copy: Path,
                                                                 tmp_path: Path) -> None:
    # With another thread running (as in `digest serve`) no worker is forked: every stage,
    # the map's layout and the paper pages then run in this process. The site must be the
    # same byte for byte.
    import threading

    config = load_config(content_copy)
    build(config, tmp_path / "forked")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        build(config, tmp_path / "alone")
    finally:
        stop.set()
        other.join()
    assert tree(tmp_path / "alone") == tree(tmp_path / "forked")


def test_a_build_record_of_the_earlier_format_is_removed(content_copy: Path,
                                                         tmp_path: Path) -> None:
    # Records were pickles before they were stored with marshal; a build leaves none behind.
    out, cache = tmp_path / "site", tmp_path / "cache"
    build(load_config(content_copy), out, cache_dir=cache)
    records = list(cache.glob("last-build-*.marshal"))
    assert len(records) == 1
    old = records[0].with_suffix(".pickle")
    old.write_bytes(b"an old record")
    (content_copy / "notes" / "2025-W13.md").write_text("A note.", encoding="utf-8")
    build(load_config(content_copy), out, cache_dir=cache)
    assert not old.exists() and records[0].is_file()
