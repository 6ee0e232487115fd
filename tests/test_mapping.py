"""The map's layout (stages/map_layout.py): deterministic and inside the unit square."""

from __future__ import annotations

from generator.config import load_config
from generator.pipeline import read_papers
from generator.stages import map_layout as mapping

from .conftest import CONTENT


def test_the_default_digests_map_is_deterministic_and_inside_the_unit_square() -> None:
    papers = read_papers(load_config(CONTENT)).papers
    first = mapping.map_papers(papers, random_state=0)
    assert first == mapping.map_papers(tuple(reversed(papers)), random_state=0)
    assert set(first) == {p.id for p in mapping.mapped(papers)}
    xs, ys = zip(*first.values(), strict=True)
    assert min(xs) == 0.0 and max(xs) == 1.0 and min(ys) == 0.0 and max(ys) == 1.0
