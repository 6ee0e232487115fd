"""What a reader is told about themes: sub-topics named by phrases their papers write,
membership in words with the rule behind it, evidence without fragments, and a theme's own
data (exclusions, not-examples) keeping passing mentions out."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from generator.cli import cli
from generator.config import load_config
from generator.errors import ConfigError
from generator.pipeline import BuildReport
from generator.stages.themes.model import ThemeSettings
from generator.stages.themes.standing import BORDERLINE, CLEAR, MEMBER, RULES, standing
from generator.stages.themes.wording import readable_terms
from generator.text.terms import PROSE

from .conftest import public_papers


def _folded(text: str) -> str:
    """Lower case, hyphens and runs of other non-word characters as one space."""
    return " " + re.sub(r"[\W_]+", " ", text.casefold()).strip() + " "


def test_subtopics_are_phrases_that_each_of_their_papers_writes(
        built_default: tuple[Path, BuildReport]) -> None:
    site, _ = built_default
    rows = {Path(r["url"]).name: r for r in public_papers(site)}
    names = {"skills": "Skills", "representation-learning": "Representation learning",
             "embeddings": "Embeddings", "model-based-rl": "Model-based RL"}
    seen: set[str] = set()
    placed = 0
    for slug, theme in names.items():
        for page in sorted((site / "themes" / slug).glob("topic-*.html")):
            html = page.read_text(encoding="utf-8")
            name = html_lib.unescape(re.search(rf"<title>{theme}: (.*?)(?: \(archive page \d+\))? · ",
                                               html).group(1))
            papers = re.findall(r'class="paper-title"><a href="../../papers/([^"]+)"', html)
            assert papers, page.name
            if page.name.startswith("topic-other"):
                assert name == f"Other {theme} papers"
                continue
            seen.add(name)
            words = re.split(r"[ \-]", name.casefold())
            assert len(words) == 2 and " · " not in name, name  # a phrase, not a bag of words
            assert not set(words) & (ENGLISH_STOP_WORDS | PROSE), name
            for file in papers:  # no paper under a name it does not write
                row = rows[file]
                assert _folded(name) in _folded(f"{row['title']} {row['abstract']}"), (
                    name, row["title"])
                placed += 1
    assert len(seen) >= 10 and placed >= 150, (seen, placed)


def test_paper_pages_state_membership_in_words_with_the_rule(
        built_default: tuple[Path, BuildReport]) -> None:
    site, _ = built_default
    muzero = (site / "papers" / "mastering-atari-go-chess-and-shogi-by-planning-with-a-learned-"
              "model.html").read_text(encoding="utf-8")
    themes = muzero[muzero.index('id="themes"'):muzero.index("</section>",
                                                            muzero.index('id="themes"'))]
    assert ">clear member</span>" in themes  # 36% was shown before: read as "probably not"
    assert "Clear member</strong>: " + RULES[CLEAR].replace("'", "&#39;") in themes
    standings: dict[str, int] = {}
    for page in (site / "papers").glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "model confidence" not in html, page.name
        for word in re.findall(r'<span class="standing">([^<]+)</span>', html):
            standings[word] = standings.get(word, 0) + 1
    assert set(standings) == {CLEAR, MEMBER, BORDERLINE}, standings
    assert standings[CLEAR] > standings[BORDERLINE] > 0


def test_a_list_explains_each_standing_it_shows_once_and_names_each_sub_topic_once(
        built_default: tuple[Path, BuildReport]) -> None:
    """A theme's list states the rule of every standing it shows, once, under the list (not on
    every item); a weekly theme page grouped by sub-topic links each sub-topic from its
    heading, not from each item."""
    site, _ = built_default
    checked = 0
    for page in [*(site / "themes").glob("*/*.html"), *(site / "weeks").glob("*/*.html")]:
        html = page.read_text(encoding="utf-8")
        shown = set(re.findall(r'<span class="standing">([^<]+)</span>', html))
        if not shown:
            continue
        checked += 1
        rules = re.findall(r'<p class="muted standing-rules">(.*?)</p>', html)
        assert len(rules) == 1, page
        for level in shown:
            rule = RULES[level].replace("'", "&#39;")
            assert rules[0].count(f"<strong>{level.capitalize()}</strong>: {rule}.") == 1, page
        assert 'class="standing" title=' not in html
    assert checked > 20
    week = (site / "weeks" / "2025-W11" / "embeddings.html").read_text(encoding="utf-8")
    headings = re.findall(r'<h2 class="subtopic" id="topic-([^"]+)"><a href="([^"]+)">', week)
    assert len(headings) >= 2
    for key, href in headings:
        assert href == f"../../themes/embeddings/topic-{key}.html"
        assert (site / "themes" / "embeddings" / f"topic-{key}.html").is_file()
        assert week.count(f'href="{href}"') == 1  # the heading's link, no item's


def test_the_words_that_weighed_most_are_written_by_the_paper(
        built_default: tuple[Path, BuildReport]) -> None:
    site, _ = built_default
    rows = {Path(r["url"]).name: r for r in public_papers(site)}
    shown = 0
    for page in (site / "papers").glob("*.html"):
        html = page.read_text(encoding="utf-8")
        row = rows[page.name]
        text = f" {row['title']} {row['abstract']} ".casefold()
        for line in re.findall(r"The words that weighed most: (.*?)\.\s*</li>", html, re.S):
            for term in re.findall(r"<em>(.*?)</em>", line):
                shown += 1
                assert term not in ("learning sentence", "based planning", "mentioned"), term
                # No stop word or research-prose word; a hyphenated pair is one word
                # ("model-based"), whose first part must say something.
                words = term.casefold().split() if " " in term else term.casefold().split("-")[:1]
                assert not set(words) & (ENGLISH_STOP_WORDS | PROSE), (page.name, term)
                # As the paper writes it: whole words, a hyphenated pair with its hyphen.
                pattern = r"(?<![\w\-])" + re.escape(term.casefold()).replace(r"\ ", r"\s+") + \
                    r"(?![\w\-])"
                assert re.search(pattern, text), (page.name, term)
    assert shown > 1000


def test_readable_terms_leave_out_fragments_and_keep_units() -> None:
    pairs = {"sentence embeddings": 23, "learning sentence": 10, "contrastive learning": 65,
             "learning framework": 23, "natural language": 96, "language processing": 53}
    terms = readable_terms(
        "We propose contrastive learning of sentence embeddings. Model-based planning with "
        "self-supervised LLMs, learning sentence embeddings in a contrastive learning "
        "framework for natural language processing; the mentioned InfoNCE loss.",
        lambda pair: float(pairs.get(pair, 0)))
    assert terms["model based"] == "model-based" and terms["self supervised"] == "self-supervised"
    assert terms["llms"] == "LLMs" and terms["infonce"] == "InfoNCE"
    assert {"contrastive learning", "sentence embeddings"} <= set(terms)
    for fragment in ("learning sentence", "based planning", "supervised llms", "self", "based",
                     "natural language", "mentioned", "propose", "learning framework"):
        assert fragment not in terms, fragment


def test_standing_follows_the_distance_from_the_threshold() -> None:
    s = ThemeSettings()  # thresholds 0.2 / 0.4 / 0.6 by keyword evidence, margin 0.1
    assert standing(0.36, 8.0, False, True, s) == CLEAR  # MuZero: title keyword, 0.36
    assert standing(0.25, 8.0, False, True, s) == BORDERLINE
    assert standing(0.05, 0.0, True, True, s) == CLEAR  # an example title
    assert standing(0.55, 1.0, False, True, s) == MEMBER  # a passing mention the model backs
    assert standing(0.45, 1.0, False, True, s) == BORDERLINE
    assert standing(0.75, 0.0, False, True, s) == MEMBER
    assert standing(1.0, 6.0, False, False, s) == MEMBER  # keywords alone, no model


SKILL_PAPERS = [
    ("Unsupervised Skill Discovery for Quadruped Robots", "locomotion gaits"),
    ("Composing Reusable Skills for Long-Horizon Manipulation", "kitchen tasks"),
    ("A Skill Library for Household Robots", "cleaning and cooking"),
    ("Hierarchical Skill Learning from Play Data", "teleoperated play"),
    ("Skill Chaining with Learned Initiation Sets", "door opening"),
    ("Latent Skills for Offline Reinforcement Learning", "offline datasets"),
    ("Skill Transfer Across Robot Morphologies", "arms and hands"),
    ("Motor Skill Acquisition from Human Videos", "human demonstrations"),
    ("Skill Extraction from Job Postings", "labor market data"),
    ("A Skill Taxonomy for the Job Market", "occupations and job advertisements"),
    ("Language Models Compose Skills They Learned Apart", "language model skills"),
    ("Skill Localization in Fine-Tuned Transformers", "parameter subsets"),
    ("Discovering Diverse Skills without Rewards", "mutual information"),
    ("Skill-Conditioned Policies for Table-Top Manipulation", "tabletop objects"),
]
OTHER_PAPERS = [
    ("Graph Neural Networks for Molecule Property Prediction", "molecules"),
    ("Efficient Attention for Long Documents", "document length"),
    ("Diffusion Models for Image Super-Resolution", "image resolution"),
    ("Federated Learning under Label Noise", "noisy clients"),
    ("Sparse Mixture of Experts for Translation", "translation quality"),
    ("Robust Speech Recognition in Noisy Rooms", "reverberation"),
    ("Causal Discovery from Time Series", "temporal causality"),
    ("Quantized Training of Vision Transformers", "low precision"),
    ("Uncertainty Estimates for Weather Forecasts", "ensemble forecasts"),
    ("Tabular Data Generation with Language Models", "synthetic tables"),
    ("Point Cloud Segmentation for Autonomous Driving", "lidar scans"),
    ("Protein Structure Prediction with Evolutionary Data", "protein folds"),
    ("Bayesian Optimisation of Chemical Reactions", "reaction yields"),
    ("Compressing Neural Networks by Pruning", "pruned weights"),
    ("Recommender Systems with Session Graphs", "user sessions"),
    ("Fairness Audits of Credit Scoring Models", "credit decisions"),
]
PASSING = "Measuring Text-to-Image Alignment with Human Ratings"


def _bib(entries: list[tuple[str, str]]) -> str:
    out = []
    for i, (title, abstract) in enumerate(entries):
        out.append(f"@article{{p{i},\n  title = {{{title}}},\n  year = {{2025}},\n"
                   f"  date = {{2025-03-1{i % 7}}},\n  abstract = {{{abstract}}},\n}}\n")
    return "\n".join(out)


def _entries() -> list[tuple[str, str]]:
    skill = [(t, f"We study the skill in {topic}: skills are learned, reused and composed, "
                 f"and each skill is evaluated on {topic}.") for t, topic in SKILL_PAPERS]
    other = [(t, f"We study {topic} and report results on {topic} benchmarks with careful "
                 "ablations of each component.") for t, topic in OTHER_PAPERS]
    passing = (PASSING, "We compare automatic metrics for text-to-image alignment with human "
               "ratings. Our prompts are skill-based prompts: skill-based prompts group the "
               "prompt set, and skill-based prompts reveal where image models fail.")
    return skill + other + [passing]


@pytest.mark.parametrize("data", ["", "    exclude: [skill-based prompts]\n",
                                  f"    not_examples: ['{PASSING}']\n"])
def test_a_themes_own_data_keeps_a_passing_mention_out(
        make_project: Callable[[dict[str, str]], Path], tmp_path: Path, data: str) -> None:
    root = make_project({
        "content/digest.yaml": "title: Tiny\ndescription: Tiny.\n"
                               "base_url: https://example.org/tiny/\nlanguage: en\n",
        "content/sources.yaml": "sources:\n  - file: list.bib\n    collected: 2025-03-20\n"
                                "    query: skills\n    origin: written for this test\n",
        "content/sources/list.bib": _bib(_entries()),
    })
    (root / "content" / "themes.yaml").write_text(
        "themes:\n  - name: Skills\n    slug: skills\n    description: Skills as the subject.\n"
        "    keywords: [skill, skill-based, job market]\n" + data, encoding="utf-8")
    site = tmp_path / "site"
    result = CliRunner().invoke(cli, ["build", "--content", str(root / "content"),
                                      "--out", str(site), "--no-cache", "--quiet"])
    assert result.exit_code == 0, result.output
    themes = {r["title"]: r["themes"] for r in public_papers(site)}
    assert sum("skills" in t for t in themes.values()) >= len(SKILL_PAPERS) - 1
    assert not any("skills" in themes[t] for t, _ in OTHER_PAPERS)
    # Without the theme's data the passing mention is a member; with either kind, it is not.
    assert ("skills" in themes[PASSING]) == (data == "")


def test_a_title_cannot_be_an_example_and_a_not_example(content_copy: Path) -> None:
    themes = content_copy / "themes.yaml"
    themes.write_text(themes.read_text(encoding="utf-8").replace(
        "    examples:\n    - World Models\n",
        "    examples:\n    - World Models\n    not_examples:\n    - 'world models.'\n"),
        encoding="utf-8")
    with pytest.raises(ConfigError, match="listed in both examples and not_examples: "
                                          "'world models.'"):
        load_config(content_copy)
