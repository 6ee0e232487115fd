"""Assign papers to the declared themes, keeping the evidence that explains each decision."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .models import Assignment, Match, Paper, ThemeSpec


@dataclass(frozen=True, slots=True)
class ThemeResult:
    """For each paper id, its theme assignments (strongest first); empty means 'Other'."""

    assignments: dict[str, tuple[Assignment, ...]]

    def themes_of(self, paper_id: str) -> tuple[Assignment, ...]:
        return self.assignments.get(paper_id, ())


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """Match a phrase case-insensitively on word boundaries, with any run of space or hyphen."""
    words = [re.escape(w) for w in re.split(r"[\s\-]+", phrase.strip()) if w]
    return re.compile(r"(?<!\w)" + r"[\s\-]+".join(words) + r"(?!\w)", re.IGNORECASE)


def find_matches(paper: Paper, phrases: Sequence[str]) -> tuple[Match, ...]:
    """Every phrase found in the title or abstract, with how often."""
    found = []
    for phrase in phrases:
        pattern = phrase_pattern(phrase)
        for where, text in (("title", paper.title), ("abstract", paper.abstract)):
            count = len(pattern.findall(text))
            if count:
                found.append(Match(phrase=phrase, where=where, count=count))
    return tuple(found)


def assign_themes(papers: Sequence[Paper], specs: Sequence[ThemeSpec],
                  random_state: int = 0) -> ThemeResult:
    """A paper is in a theme when one of its keywords matches and no exclusion does."""
    assignments: dict[str, tuple[Assignment, ...]] = {}
    for paper in papers:
        mine = []
        for spec in specs:
            matches = find_matches(paper, spec.keywords)
            if matches and not find_matches(paper, spec.exclude):
                mine.append(Assignment(theme=spec.slug, score=1.0, matches=matches, terms=()))
        assignments[paper.id] = tuple(mine)
    return ThemeResult(assignments=assignments)
