"""Schedule papers into weeks: the week of a paper's first-seen date.

Weeks start on Monday (ISO 8601) unless digest.yaml says otherwise. A week is labelled with the
ISO week that holds most of its days (the one of its fourth day), so labels stay unique and in
order whatever the first weekday: with Monday starts they are exactly the ISO weeks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from generator.models import Paper, Week

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def week_start(day: dt.date, first_weekday: int = 0) -> dt.date:
    """The first day of the week that holds `day` (first_weekday: 0 = Monday ... 6 = Sunday)."""
    return day - dt.timedelta(days=(day.weekday() - first_weekday) % 7)


def week_key(day: dt.date, first_weekday: int = 0) -> str:
    """The label of the week that holds `day`, e.g. '2025-W17'."""
    year, week, _ = (week_start(day, first_weekday) + dt.timedelta(days=3)).isocalendar()
    return f"{year}-W{week:02d}"


def schedule_weeks(papers: Iterable[Paper], first_weekday: int = 0) -> tuple[Week, ...]:
    """The weeks that have papers, oldest first; each lists its papers newest first, then by id."""
    by_start: dict[dt.date, list[Paper]] = {}
    for paper in papers:
        by_start.setdefault(week_start(paper.first_seen, first_weekday), []).append(paper)
    weeks = []
    for start in sorted(by_start):
        members = sorted(by_start[start], key=lambda p: (-p.first_seen.toordinal(), p.id))
        weeks.append(Week(key=week_key(start, first_weekday), start=start,
                          end=start + dt.timedelta(days=6), paper_ids=tuple(p.id for p in members)))
    return tuple(weeks)
