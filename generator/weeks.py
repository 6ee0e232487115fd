"""Schedule papers into the ISO weeks of their first-seen dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .models import Paper, Week


def week_key(day: dt.date) -> str:
    """ISO week label, e.g. '2025-W17'."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def schedule_weeks(papers: Iterable[Paper]) -> tuple[Week, ...]:
    """The weeks that have papers, oldest first; each lists its papers newest first, then by id."""
    by_week: dict[str, list[Paper]] = {}
    for paper in papers:
        by_week.setdefault(week_key(paper.first_seen), []).append(paper)
    weeks = []
    for key in sorted(by_week):
        members = sorted(by_week[key], key=lambda p: (-p.first_seen.toordinal(), p.id))
        year, number = int(key[:4]), int(key[6:])
        start = dt.date.fromisocalendar(year, number, 1)
        weeks.append(Week(key=key, start=start, end=start + dt.timedelta(days=6),
                          paper_ids=tuple(p.id for p in members)))
    return tuple(weeks)
