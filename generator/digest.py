"""The assembled digest: everything render needs, computed once, read-only afterwards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .config import Config
from .models import Assignment, Paper, ThemeSpec, Week

OTHER = ThemeSpec(slug="other", name="Other", keywords=("-",),
                  description="Papers that fit none of the digest's themes.")


@dataclass(frozen=True)
class Digest:
    """Papers, themes and weeks with the lookups pages need; built by `assemble_digest`."""

    config: Config
    built_at: dt.date
    papers: tuple[Paper, ...]  # newest first, then by id
    themes: tuple[ThemeSpec, ...]  # as declared, then "Other"
    weeks: tuple[Week, ...]  # oldest first
    assignments: dict[str, tuple[Assignment, ...]]  # paper id -> its themes (empty: Other)
    by_id: dict[str, Paper] = field(default_factory=dict)

    def themes_of(self, paper: Paper) -> tuple[str, ...]:
        """The theme slugs of a paper; ('other',) when it is in none."""
        slugs = tuple(a.theme for a in self.assignments.get(paper.id, ()))
        return slugs or (OTHER.slug,)

    def papers_in(self, theme: str, papers: tuple[Paper, ...] | None = None) -> tuple[Paper, ...]:
        """The papers of one theme, in the order given (default: all, newest first)."""
        return tuple(p for p in (self.papers if papers is None else papers)
                     if theme in self.themes_of(p))

    def papers_of_week(self, week: Week) -> tuple[Paper, ...]:
        return tuple(self.by_id[i] for i in week.paper_ids)


def assemble_digest(config: Config, papers: tuple[Paper, ...],
                    assignments: dict[str, tuple[Assignment, ...]],
                    weeks: tuple[Week, ...], built_at: dt.date) -> Digest:
    """Sort papers for output and index them; the order is part of the output's determinism."""
    ordered = tuple(sorted(papers, key=lambda p: (-p.first_seen.toordinal(), p.id)))
    return Digest(config=config, built_at=built_at, papers=ordered,
                  themes=(*config.themes, OTHER), weeks=weeks, assignments=assignments,
                  by_id={p.id: p for p in ordered})
