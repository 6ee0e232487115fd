"""The map's layout (mapping.py): t-SNE's schedule, its fallback, and a deterministic result."""

from __future__ import annotations

import pytest
from sklearn.manifold import TSNE

from generator.config import load_config
from generator.pipeline import read_papers
from generator.stages import map_layout as mapping

from .conftest import CONTENT


def test_tsne_exaggerates_for_100_iterations_then_settles_for_250() -> None:
    model = mapping._tsne(747, random_state=0)
    assert isinstance(model, mapping._ShortExaggeration)
    assert model._EXPLORATION_MAX_ITER == mapping.EXAGGERATED == 100
    assert model.max_iter == mapping.EXAGGERATED + mapping.SETTLING == 350


def test_without_scikit_learns_constant_its_own_schedule_is_used(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(TSNE, "_EXPLORATION_MAX_ITER")
    model = mapping._tsne(747, random_state=0)
    assert type(model) is TSNE and model.max_iter == 250 + mapping.SETTLING


def test_the_default_digests_map_is_deterministic_and_inside_the_unit_square() -> None:
    papers = read_papers(load_config(CONTENT)).papers
    first = mapping.map_papers(papers, random_state=0)
    assert first == mapping.map_papers(tuple(reversed(papers)), random_state=0)
    assert set(first) == {p.id for p in mapping.mapped(papers)}
    xs, ys = zip(*first.values(), strict=True)
    assert min(xs) == 0.0 and max(xs) == 1.0 and min(ys) == 0.0 and max(ys) == 1.0
