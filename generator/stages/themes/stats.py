"""What the curator's report (`digest themes`) shows of each theme: its size, its seeds, the
model's strongest terms and the papers nearest the decision threshold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from generator.stages.themes.model import ThemeSettings, threshold


@dataclass(frozen=True)
class ThemeStats:
    """What the curator's report shows for one theme (`digest themes`)."""

    slug: str
    count: int
    seeds: int  # papers with strong keyword evidence
    top_terms: tuple[str, ...]  # the model's most positive features
    # Papers nearest the decision threshold: (paper id, probability, evidence, in theme?).
    boundary: tuple[tuple[str, float, float, bool], ...]
    admitted_without_keyword: int
    rejected_with_keyword: int


def theme_stats(slug: str, ids: Sequence[str], probability: np.ndarray, evidence: np.ndarray,
                chosen: np.ndarray, coef: np.ndarray | None, names: np.ndarray,
                settings: ThemeSettings) -> ThemeStats:
    margin = np.abs(probability - threshold(evidence, settings))
    nearest = np.lexsort((np.arange(len(ids)), margin))[:8]
    top: tuple[str, ...] = ()
    if coef is not None:
        order = np.lexsort((np.arange(len(coef)), -coef))[:10]
        top = tuple(str(names[j]) for j in order if coef[j] > 0)
    return ThemeStats(
        slug=slug, count=int(chosen.sum()),
        seeds=int((evidence >= settings.positive_evidence).sum()), top_terms=top,
        boundary=tuple((ids[i], float(probability[i]), float(evidence[i]), bool(chosen[i]))
                       for i in nearest),
        admitted_without_keyword=int((chosen & (evidence <= 0)).sum()),
        rejected_with_keyword=int((~chosen & (evidence > 0)).sum()))
