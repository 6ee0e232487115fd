"""The weekly flow: ingest a new dump, its week's pages and feeds, notes, week boundaries."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.config import load_config
from generator.pipeline import BuildReport, build
from generator.stages.weeks import week_key, week_start

ABSTRACT = ("We learn a dynamics model of the environment and plan with it, which improves the "
            "sample efficiency of reinforcement learning on continuous control benchmarks.")
KNOWN = "Mastering Atari, Go, Chess and Shogi by Planning with a Learned Model"
NEW_TITLES = ["Dreaming of New Worlds: Planning in Imagination", "Skill Atlases for Robots"]


def dump(titles: list[str]) -> str:
    body = "\n".join(f"{t}\n{ABSTRACT}" for t in titles)
    return "Get trending papers in your email inbox!\nSubscribe" + body + "\n"


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_an_ingested_week_lists_exactly_its_new_papers_in_pages_and_feeds(
        content_copy: Path, tmp_path: Path) -> None:
    new_file = tmp_path / "week18.txt"
    new_file.write_text(dump([*NEW_TITLES, KNOWN]))
    code, out = invoke("ingest", str(new_file), "--content", str(content_copy),
                       "--date", "2025-05-01", "--query", "world models")
    assert code == 0, out
    assert "Added week18.txt (3 listings, collected 2025-05-01): 2 new papers, 1 already known." in out

    site = tmp_path / "site"
    report = build(load_config(content_copy), site)
    assert report.weeks[-1] == "2025-W18" and report.papers == 749
    week_page = (site / "weeks" / "2025-W18" / "index.html").read_text(encoding="utf-8")
    listed = re.findall(r'<h3 class="paper-title">.*?<a href="[^"]+">([^<]+)</a>', week_page)
    assert sorted(set(listed)) == sorted(NEW_TITLES)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Week 2025-W18" in home and NEW_TITLES[0] in home and KNOWN not in home

    known = (site / "papers" / "mastering-atari-go-chess-and-shogi-by-planning-with-a-learned-model.html")
    assert "week 2025-W15" in known.read_text(encoding="utf-8")  # a known paper keeps its week
    # but gains the new source, in a reader's words (ingest's origin names a file: none shown)
    assert "A listing for “world models”, collected 1 May 2025" in known.read_text(encoding="utf-8")
    assert "week18.txt" not in known.read_text(encoding="utf-8")

    feed = feedparser.parse((site / "feeds" / "all.xml").read_bytes())
    assert not feed.bozo
    assert sorted(e.title for e in feed.entries[:2]) == sorted(NEW_TITLES)
    assert all(e.updated == "2025-05-01T00:00:00Z" for e in feed.entries[:2])
    assert feed.entries[2].updated < "2025-05-01"


def test_a_second_ingest_of_the_same_file_changes_nothing(content_copy: Path,
                                                          tmp_path: Path) -> None:
    new_file = tmp_path / "again.txt"
    new_file.write_text(dump(NEW_TITLES))
    assert invoke("ingest", str(new_file), "--content", str(content_copy), "--date",
                  "2025-05-01")[0] == 0
    before = tree(content_copy)
    code, out = invoke("ingest", str(new_file), "--content", str(content_copy), "--date",
                       "2025-05-08")
    assert code == 0 and "Already ingested as again.txt; nothing changed" in out
    assert tree(content_copy) == before


def test_an_unparseable_file_is_refused_before_content_changes(content_copy: Path,
                                                               tmp_path: Path) -> None:
    before = tree(content_copy)
    bad = tmp_path / "bad.txt"
    bad.write_text("Get trending papers in your email inbox!\nSubscribeOnly A Title\n")
    code, out = invoke("ingest", str(bad), "--content", str(content_copy))
    assert code == 1
    assert "bad.txt:2: title without abstract" in out and "refused" in out
    notes = tmp_path / "notes.txt"
    notes.write_text("my reading list\n")
    code, out = invoke("ingest", str(notes), "--content", str(content_copy))
    assert code == 1 and "notes.txt:1: unrecognised format" in out
    assert tree(content_copy) == before


def test_a_same_named_different_file_gets_its_own_name(content_copy: Path, tmp_path: Path) -> None:
    other = tmp_path / "000_2ea270ecf2e2adad.txt"
    other.write_text(dump(NEW_TITLES))
    code, out = invoke("ingest", str(other), "--content", str(content_copy), "--date", "2025-05-01")
    assert code == 0, out
    added = re.search(r"Added (\S+) ", out)
    assert added and added.group(1).startswith("000_2ea270ecf2e2adad-")
    assert (content_copy / "sources" / added.group(1)).read_text() == dump(NEW_TITLES)
    assert load_config(content_copy).sources[-1].file == added.group(1)


def test_ingest_keeps_the_manifest_comments(content_copy: Path, tmp_path: Path) -> None:
    new_file = tmp_path / "n.txt"
    new_file.write_text(dump(NEW_TITLES))
    invoke("ingest", str(new_file), "--content", str(content_copy), "--date", "2025-05-01",
           "--query", 'a "quoted": query')
    text = (content_copy / "sources.yaml").read_text()
    assert text.startswith("# The manifest of listing dumps")
    assert load_config(content_copy).sources[-1].query == 'a "quoted": query'


def test_notes_top_the_week_pages_and_highlights_come_first(content_copy: Path,
                                                            tmp_path: Path) -> None:
    notes = content_copy / "notes"
    (notes / "skills").mkdir(parents=True, exist_ok=True)
    (notes / "2025-W13.md").write_text("---\ntitle: Contrastive week\nhighlights:\n"
                                       "  - Poly-View Contrastive Learning\n---\nRead *this*.\n")
    (notes / "skills" / "2025-W17.md").write_text(
        "---\nhighlights:\n  - Open-World Skill Discovery from Unsegmented Demonstrations\n"
        "  - A Paper That Does Not Exist\n---\nSkills note.\n")
    site = tmp_path / "site"
    report = build(load_config(content_copy), site)
    assert any("highlighted title 'A Paper That Does Not Exist' matches no paper" in w
               for w in report.warnings)
    week = (site / "weeks" / "2025-W13" / "index.html").read_text(encoding="utf-8")
    assert "<h2>Contrastive week</h2>" in week and "Read <em>this</em>." in week
    rep = (site / "weeks" / "2025-W13" / "representation-learning.html").read_text(encoding="utf-8")
    first = re.search(r'<h3 class="paper-title">(.*?)</h3>', rep)
    assert first and "Poly-View Contrastive Learning" in first.group(1)
    skills = (site / "weeks" / "2025-W17" / "skills.html").read_text(encoding="utf-8")
    first = re.search(r'<h3 class="paper-title">(.*?)</h3>', skills)
    assert first and "Highlight" in first.group(1) and "Open-World Skill Discovery" in first.group(1)
    assert "Skills note." in skills
    # A list item is rendered once per build for its arguments (render's `once`): the theme's
    # own list, rendered first, shows the same paper at the same depth without the badge.
    listed = (site / "themes" / "skills" / "index.html").read_text(encoding="utf-8")
    items = [t for t in re.findall(r'<h3 class="paper-title">(.*?)</h3>', listed)
             if "Open-World Skill Discovery" in t]
    assert len(items) == 1 and "Highlight" not in items[0]


def test_week_pages_say_their_dates_and_link_neighbours(
        built_default: tuple[Path, BuildReport]) -> None:
    site, _ = built_default
    page = (site / "weeks" / "2025-W13" / "skills.html").read_text(encoding="utf-8")
    assert "24–30 March 2025" in page
    assert 'rel="prev" href="../../weeks/2025-W11/skills.html"' in page
    # Skills has no paper in 2025-W15: its next week with Skills papers is W17 (issue 25).
    assert 'rel="next" href="../../weeks/2025-W17/skills.html"' in page
    assert "2025-W15/skills.html" not in page


def test_every_feed_parses_cleanly_with_absolute_links_and_stable_ids(
        built_default: tuple[Path, BuildReport]) -> None:
    site, report = built_default
    feeds = sorted((site / "feeds").glob("*.xml"))
    assert {f.stem for f in feeds} == {"all", *report.theme_counts}
    weekly = feedparser.parse((site / "weeks" / "feed.xml").read_bytes())
    assert not weekly.bozo and [e.link for e in weekly.entries] == [
        f"https://example.github.io/digest/weeks/{key}/index.html"
        for key in reversed(report.weeks)]
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert feed.entries and feed.feed.updated == max(e.updated for e in feed.entries)
        updated = [e.updated for e in feed.entries]
        assert updated == sorted(updated, reverse=True)
        for entry in feed.entries:
            assert entry.id.startswith("urn:uuid:")
            assert entry.link.startswith("https://example.github.io/digest/papers/")
            assert len(entry.summary) > 100
    theme_page = (site / "themes" / "skills" / "index.html").read_text(encoding="utf-8")
    assert 'type="application/atom+xml"' in theme_page and "feeds/skills.xml" in theme_page


def test_the_archive_has_a_chart_readable_without_javascript(
        built_default: tuple[Path, BuildReport]) -> None:
    site, report = built_default
    html = (site / "archive.html").read_text(encoding="utf-8")
    svg = re.search(r"<svg class=\"chart\".*?</svg>", html, re.S)
    assert svg and 'role="img"' in svg.group(0) and "<title id=\"chart-title\">" in svg.group(0)
    assert svg.group(0).count('<g class="series ') == len(report.theme_counts)
    assert '<ul class="legend">' in html and "<table class=\"archive\">" in html


@pytest.mark.parametrize(("first", "start", "key"), [
    (0, dt.date(2025, 4, 21), "2025-W17"),
    (6, dt.date(2025, 4, 20), "2025-W17"),
    (6, dt.date(2025, 4, 27), "2025-W18"),
])
def test_weeks_may_start_on_another_weekday(first: int, start: dt.date, key: str) -> None:
    day = dt.date(2025, 4, 27) if start.day == 27 else dt.date(2025, 4, 24)
    assert week_start(day, first) == start and week_key(day, first) == key


def test_week_start_from_digest_yaml(content_copy: Path, tmp_path: Path) -> None:
    path = content_copy / "digest.yaml"
    path.write_text(path.read_text() + "week_start: sunday\n")
    report = build(load_config(content_copy), tmp_path / "s")
    page = (tmp_path / "s" / "weeks" / "2025-W17" / "index.html").read_text(encoding="utf-8")
    assert "20–26 April 2025" in page and report.weeks[-1] == "2025-W17"
