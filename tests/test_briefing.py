"""The weekly briefing on a digest whose rising terms and representative papers are known by
construction: four quiet weeks of three planning papers, then a week of one planning paper,
three on video diffusion world models (that say nearly the same), two on tokenized world
models and one on driving; and list items whose teaser is the sentence stating the contribution."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest

from generator.config import load_config
from generator.pipeline import build
from generator.text.terms import stop_words

WEEKS = [dt.date(2025, 3, 3) + dt.timedelta(weeks=i) for i in range(5)]
PLANNING = ("{n}: Planning with a Learned World Model for Control, part {n}",
            "We study model-based planning with a learned world model of the dynamics for "
            "continuous control, variant {n}. The agent plans trajectories with model "
            "predictive control in the learned world model and improves sample efficiency.")
OTHER = ("Compiler Scheduling Heuristics {n}",
         "Register allocation in optimizing compilers is studied for loop nests, case {n}.")
VIDEO = ("Video Diffusion World Models for Robot Manipulation {n}",
         "Existing simulators are hand-built and costly to extend. We propose a video "
         "diffusion world model that generates future camera frames for robot manipulation "
         "from actions, trained on large video datasets, version {n}.")
TOKENS = ("Tokenized World Models for Atari Agents {n}",
          "We introduce a discrete token world model with a transformer that imagines Atari "
          "games for sample efficient reinforcement learning, design {n}.")
DRIVING = ("A World Model for Autonomous Driving",
           "We present a world model of traffic scenes for autonomous driving that forecasts "
           "lidar point clouds of surrounding vehicles.")
THEMES = """
themes:
  - name: World models
    slug: world-models
    description: Learned models of an environment used by agents.
    keywords: [world model, learned world model, model-based planning]
  - name: Compilers
    slug: compilers
    description: Compiler construction.
    keywords: [compiler, compilers, register allocation]
  - name: Robot skills
    slug: robot-skills
    description: Skills of robots.
    keywords: [skill discovery]
"""


def _entry(title: str, abstract: str, authors: list[str], day: dt.date) -> dict:
    return {"paper": {"id": "", "title": title, "summary": abstract,
                      "authors": [{"name": a} for a in authors],
                      "publishedAt": f"{day.isoformat()}T00:00:00.000Z"}}


def _week(i: int) -> list[dict]:
    day = WEEKS[i]
    entries = [_entry(PLANNING[0].format(n=f"{i}{k}"), PLANNING[1].format(n=f"{i}{k}"),
                      ["Ada Lovelace", "Alan Turing"], day) for k in range(1 if i == 4 else 3)]
    entries += [_entry(OTHER[0].format(n=f"{i}{k}"), OTHER[1].format(n=f"{i}{k}"),
                       ["Grace Hopper"], day) for k in range(2)]
    if i == 4:
        entries += [_entry(VIDEO[0].format(n=k), VIDEO[1].format(n=k),
                           ["Vera Video", "Dan Diffusion", "Carl Camera", "Rita Robot",
                            "Otto Other"], day) for k in range(3)]
        entries += [_entry(TOKENS[0].format(n=k), TOKENS[1].format(n=k), ["Tom Token"], day)
                    for k in range(2)]
        entries.append(_entry(*DRIVING, ["Dina Drive"], day))
    return entries


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("briefing")
    content = root / "content"
    (content / "sources").mkdir(parents=True)
    (content / "digest.yaml").write_text("title: Briefing test\nbase_url: https://x.test/d/\n")
    (content / "themes.yaml").write_text(THEMES)
    manifest = ["sources:"]
    for i, day in enumerate(WEEKS):
        name = f"week{i}.json"
        (content / "sources" / name).write_text(json.dumps(_week(i)), encoding="utf-8")
        manifest += [f"  - file: {name}", f"    collected: {day.isoformat()}",
                     "    query: world models", "    origin: test"]
    (content / "sources.yaml").write_text("\n".join(manifest) + "\n")
    out = root / "site"
    build(load_config(content), out)
    return out


class _Classes(HTMLParser):
    """The text of each element with a given class, and the hrefs inside it."""

    def __init__(self, cls: str) -> None:
        super().__init__()
        self.cls, self.depth, self.found = cls, 0, []  # type: list[tuple[str, list[str]]]
        self.found = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += 1
            if tag == "a":
                self.found[-1][1].append(dict(attrs).get("href") or "")
        elif self.cls in (dict(attrs).get("class") or "").split():
            self.depth = 1
            self.found.append(("", []))

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            text, links = self.found[-1]
            self.found[-1] = (text + data, links)


def _by_class(html: str, cls: str) -> list[tuple[str, list[str]]]:
    parser = _Classes(cls)
    parser.feed(html)
    return [(" ".join(text.split()), links) for text, links in parser.found]


def _page(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def test_the_rising_terms_are_the_new_weeks_topic_in_whole_phrases(site: Path) -> None:
    page = _page(site, "weeks/2025-W14/world-models.html")
    [(rising, _)] = _by_class(page, "rising")
    terms = re.findall(r"([\w -]+?) \((\d+) papers?; (\d+) before\)",
                       rising.removeprefix("Rising this week:"))
    phrases = [t.strip() for t, _, _ in terms]
    assert phrases, rising
    # The whole name, not a fragment of it ("diffusion world"); three papers, none before.
    assert phrases[0] == "video diffusion world model", phrases
    assert (int(terms[0][1]), int(terms[0][2])) == (3, 0)
    for phrase in phrases:
        words = phrase.split()
        assert words[0] not in stop_words() and words[-1] not in stop_words(), phrase
        assert phrase not in ("world", "world model", "learned world model"), \
            "the theme's steady vocabulary did not rise"
    # No phrase repeats a word of another (no "video diffusion" and "video").
    seen: list[str] = [w for p in phrases for w in p.split()]
    assert len(seen) == len(set(seen)), phrases


def test_the_papers_to_read_first_cover_the_week_once_each(site: Path) -> None:
    page = _page(site, "weeks/2025-W14/world-models.html")
    [(_, links)] = _by_class(page, "representative")
    titles = [_page(site, "weeks/2025-W14/" + href).split("<h1>")[1].split("</h1>")[0]
              for href in links]
    assert len(titles) == len(set(titles)) == 3
    # The most central paper is one of the three near-identical video papers; the other two
    # are the other kinds of paper, not a second video paper.
    assert titles[0].startswith("Video Diffusion World Models"), titles
    assert titles[1].startswith("Tokenized World Models"), titles
    assert sum(t.startswith("Video Diffusion") for t in titles) == 1, titles
    assert sum(t.startswith("Tokenized") for t in titles) == 1, titles


def test_the_volume_is_compared_with_the_weeks_before(site: Path) -> None:
    page = _page(site, "weeks/2025-W14/world-models.html")
    [(volume, _)] = _by_class(page, "volume")
    assert volume == ("7 papers this week, against 3 a week on average in the previous 4 "
                      "weeks of the digest.")
    first = _page(site, "weeks/2025-W10/world-models.html")
    [(volume, _)] = _by_class(first, "volume")
    assert "first week" in volume and "3 papers" in volume
    # A week after three papers cannot say which terms rose, and says why.
    [(rising, _)] = _by_class(_page(site, "weeks/2025-W11/world-models.html"), "rising")
    assert rising == "Too few papers in the previous weeks (3) to tell which terms rose."


def test_the_home_page_states_the_empty_theme_and_collapses_other(site: Path) -> None:
    home = _page(site, "index.html")
    [(line, links)] = _by_class(home, "week-summary")
    assert line.startswith("9 new papers this week: 7 in World models, 2 in Compilers")
    assert "nothing new in Robot skills" in line
    [(empty, _)] = _by_class(home, "theme-empty")
    assert empty == "Robot skills: nothing new this week."
    assert "weeks/2025-W14/robot-skills.html" not in home  # no link to an empty theme-week


def test_list_items_show_authors_teaser_and_no_week_link_on_the_weekly_page(site: Path) -> None:
    page = _page(site, "weeks/2025-W14/world-models.html")
    items = _by_class(page, "paper-item")
    video = next(text for text, _ in items if text.startswith("Video Diffusion World Models"))
    assert "Vera Video, Dan Diffusion, Carl Camera et al." in video
    # The teaser is the sentence that states the contribution, not the first (background).
    assert "We propose a video diffusion world model" in video
    assert "Existing simulators" not in video
    assert all("weeks/2025-W14/index.html" not in links
               for _, links in _by_class(page, "paper-item"))
    home_items = _by_class(_page(site, "index.html"), "paper-item")
    assert any("Tom Token" in text and "We introduce a discrete token world model" in text
               for text, _ in home_items)


def test_the_weekly_feed_carries_each_weeks_briefing(site: Path) -> None:
    text = _page(site, "weeks/feed.xml")
    ET.fromstring(text.encode("utf-8"))  # well-formed
    feed = feedparser.parse(text)
    assert not feed.bozo, feed.bozo_exception
    assert [e.title for e in feed.entries][:2] == ["Week 2025-W14: 9 new papers",
                                                   "Week 2025-W13: 5 new papers"]
    newest = feed.entries[0].content[0].value
    assert "Robot skills: nothing new this week." in newest
    assert "Rising:" in newest and "https://x.test/d/papers/video-diffusion" in newest
    assert len({e.id for e in feed.entries}) == len(feed.entries) == 5
