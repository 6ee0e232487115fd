"""Score theme assignments against a hand-labelled file: precision, recall, F1 per theme."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.errors import ConfigError
from generator.stages.merge import normalise_title


@dataclass(frozen=True, slots=True)
class LabelRow:
    title: str
    labels: frozenset[str]
    uncertain: frozenset[str]


@dataclass(frozen=True, slots=True)
class ThemeScore:
    theme: str
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class Evaluation:
    scores: tuple[ThemeScore, ...]
    rows: int  # rows scored
    unmatched: tuple[str, ...]  # label titles that match no paper

    @property
    def macro_f1(self) -> float:
        return sum(s.f1 for s in self.scores) / len(self.scores) if self.scores else 0.0


def load_labels(path: Path) -> tuple[LabelRow, ...]:
    """Read a labels file: a JSON list of {title, labels: [...], uncertain: [...]}."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ConfigError(f"{path}: cannot read labels: {err}") from None
    if not isinstance(data, list):
        raise ConfigError(f"{path}: expected a JSON list of rows")
    rows = []
    for i, row in enumerate(data):
        if not (isinstance(row, dict) and isinstance(row.get("title"), str)
                and isinstance(row.get("labels", []), list)
                and isinstance(row.get("uncertain", []), list)):
            raise ConfigError(f"{path}: row {i}: expected {{title, labels: [...], uncertain: [...]}}")
        rows.append(LabelRow(row["title"], frozenset(row.get("labels", [])),
                             frozenset(row.get("uncertain", []))))
    return tuple(rows)


def evaluate(predicted: Mapping[str, set[str]], rows: Sequence[LabelRow],
             themes: Sequence[str]) -> Evaluation:
    """predicted: normalised title -> theme slugs. A row is skipped for a theme it is unsure of."""
    matched = [r for r in rows if normalise_title(r.title) in predicted]
    unmatched = tuple(r.title for r in rows if normalise_title(r.title) not in predicted)
    scores = []
    for theme in themes:
        tp = fp = fn = 0
        for row in matched:
            if theme in row.uncertain:
                continue
            gold = theme in row.labels
            got = theme in predicted[normalise_title(row.title)]
            tp += gold and got
            fp += got and not gold
            fn += gold and not got
        scores.append(ThemeScore(theme, tp, fp, fn))
    return Evaluation(scores=tuple(scores), rows=len(matched), unmatched=unmatched)
