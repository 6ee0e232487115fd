"""Related papers as a reader sees them on a built site's paper pages: only papers above the
similarity floor, none (and no heading) when nothing is close, true neighbours first.

One build: the default digest plus a small dump of three world-model papers and one paper
on a subject nothing else in the digest is about."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from generator.config import load_config
from generator.pipeline import build, read_papers
from generator.stages.related import FLOOR, relate_papers

from .conftest import CONTENT

WORLD_MODELS = [
    ("Latent Dynamics World Models for Planning from Pixels",
     "We learn a world model of the environment's latent dynamics from images and plan "
     "actions by imagining trajectories in its latent space. The world model predicts future "
     "latent states and rewards; model-based planning in latent space solves visual control "
     "tasks with far fewer environment interactions than model-free agents."),
    ("Imagination-Based Policy Learning with Recurrent World Models",
     "A recurrent world model compresses an agent's observations into latent states and "
     "predicts their dynamics. The policy is trained entirely inside the world model on "
     "imagined trajectories of latent states and rewards, then transferred to the real "
     "environment: model-based reinforcement learning of visual control from pixels."),
    ("Planning with Learned Latent Dynamics Models for Visual Control",
     "Model-based agents learn a world model of latent dynamics and plan in it. We study "
     "which properties of the learned latent dynamics model matter for planning from pixels, "
     "comparing world models that predict latent states, rewards and images over long "
     "imagined trajectories."),
]
LONER = ("Sourdough Starter Microbiota under Repeated Refreshment",
         "We sequence the yeasts and lactic acid bacteria of forty sourdough starters kept by "
         "bakers and refreshed daily with rye flour. Refreshment schedule and flour type, more "
         "than the bakery's location, shaped which strains dominated after six weeks.")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the content folder, its built site)."""
    root = tmp_path_factory.mktemp("related")
    content = root / "content"
    shutil.copytree(CONTENT, content)
    papers = [{"title": t, "abstract": a, "url": f"https://example.org/{i}", "date": "2025-04-20"}
              for i, (t, a) in enumerate([*WORLD_MODELS, LONER])]
    (content / "sources" / "fixture.json").write_text(json.dumps(papers), encoding="utf-8")
    with (content / "sources.yaml").open("a", encoding="utf-8") as manifest:
        manifest.write("  - file: fixture.json\n    collected: 2025-04-24\n    query: fixture\n"
                       "    origin: tests/test_related_pages.py\n")
    out = root / "site"
    build(load_config(content), out)
    return content, out


def shown(page: Path) -> list[str] | None:
    """The slugs a paper page lists under "Related papers", in order; None without the
    section."""
    html = page.read_text(encoding="utf-8")
    section = re.search(r'<section aria-labelledby="related">(.*?)</section>', html, re.S)
    if section is None:
        assert "Related papers" not in html
        return None
    items = re.findall(r'<li><a href="[^"]*papers/([^"/]+)\.html">', section.group(1))
    assert items, "a related section with no paper in it"
    return items


def test_no_page_shows_a_paper_below_the_floor(site: tuple[Path, Path]) -> None:
    content, out = site
    papers = sorted(read_papers(load_config(content)).papers, key=lambda p: p.id)
    _, hood = relate_papers(papers)
    scores = (hood.rows @ hood.rows.T).toarray()
    np.fill_diagonal(scores, -1)
    row_of = {p.slug: i for i, p in enumerate(papers)}
    counts = []
    for paper in papers:
        listed = shown(out / "papers" / f"{paper.slug}.html") or []
        mine = scores[row_of[paper.slug]]
        for slug in listed:
            assert mine[row_of[slug]] >= FLOOR - 1e-6, (paper.title, slug)
        # Every paper at or above the floor is offered, up to five.
        assert len(listed) == min(5, int((mine >= FLOOR).sum())), paper.title
        counts.append(len(listed))
    # The floor is doing something on the real digest: pages with none and with a few.
    assert counts.count(0) > 0.05 * len(counts)
    assert sum(1 <= c <= 4 for c in counts) > 0.05 * len(counts)
    assert counts.count(5) > 0.05 * len(counts)


def test_a_paper_with_no_close_neighbour_shows_none(site: tuple[Path, Path]) -> None:
    _, out = site
    page = next((out / "papers").glob("sourdough-*.html"))
    assert shown(page) is None
    html = page.read_text(encoding="utf-8")
    assert '<h2 id="related">' not in html and "<ol class=\"related\">" not in html
    assert "<h2 id=\"sources\">Sources</h2>" in html  # the page goes on as usual


def test_true_neighbours_come_first(site: tuple[Path, Path]) -> None:
    _, out = site
    slugs = {}
    for title, _ in WORLD_MODELS:
        found = [p for p in (out / "papers").glob("*.html")
                 if f"<h1>{title}</h1>" in p.read_text(encoding="utf-8")]
        assert len(found) == 1, title
        slugs[title] = found[0].stem
    for title, slug in slugs.items():
        listed = shown(out / "papers" / f"{slug}.html")
        assert listed is not None, title
        others = {s for t, s in slugs.items() if t != title}
        assert set(listed[:2]) == others, (title, listed)
