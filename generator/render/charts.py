"""Small SVG charts of papers per week, drawn at build time so they read without JavaScript.

The chart has no viewBox: its x coordinates are percentages of its width and its y
coordinates CSS pixels of a fixed height, so it fills a phone's width or a wide column
without being scaled, and its labels keep their size (13 px) on every screen; a scaled
720-unit drawing put them at 7 px on a phone. Lines are drawn as segments (a polyline takes
no percentages).

The x axis is every week from the digest's first to its last: a week of the digest in which
a theme had no paper is a 0 on its line; a week the digest has no listings for is a gap,
which no line crosses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from generator.stages.weeks import week_key

if TYPE_CHECKING:
    from generator.render.views import ThemeView
    from generator.stages.digest import Digest

HEIGHT, TOP, BOTTOM = 220, 18, 28  # CSS px: the plot runs from TOP to HEIGHT - BOTTOM
MAX_X_LABELS = 12  # more weeks than this: label every n-th so the labels never overlap
PHONE_X_LABELS = 4  # of those, the ones a phone shows (the others have class "minor")


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    values: tuple[int | None, ...]  # one per week of the axis; None: the digest has no such week


def line_chart(series: Sequence[Series], x_labels: Sequence[str], title: str,
               description: str) -> Markup:
    """A line chart of counts as inline SVG: one line per series, broken where a value is
    None, and a legend when there is more than one series (one is named by the title)."""
    n = len(x_labels)
    top = max([1, *(v for s in series for v in s.values if v is not None)])
    plot_h = HEIGHT - TOP - BOTTOM

    def x(i: int) -> str:
        return f"{100 * (i + 0.5) / n:.2f}%" if n else "0%"

    def y(v: int) -> float:
        return TOP + plot_h * (1 - v / top)

    parts = [Markup('<svg class="chart" width="100%" height="{h}" role="img" '
                    'aria-labelledby="chart-title chart-desc">').format(h=HEIGHT),
             Markup('<title id="chart-title">{}</title><desc id="chart-desc">{}</desc>')
             .format(title, description)]
    for tick in sorted({0, top // 2, top}):  # a value above its grid line, at the left
        parts.append(Markup('<line class="grid" x1="0" x2="100%" y1="{y:.1f}" y2="{y:.1f}"/>'
                            '<text class="tick" x="0" y="{ty:.1f}">{v}</text>')
                     .format(y=y(tick), ty=y(tick) - 4, v=tick))
    gaps = [i for i in range(n) if all(s.values[i] is None for s in series)]
    for i in gaps:  # a week with no listings: a dashed line where its points would be
        parts.append(Markup('<line class="gap" x1="{x}" x2="{x}" y1="{y1}" y2="{y2}"/>')
                     .format(x=x(i), y1=TOP, y2=HEIGHT - BOTTOM))
    parts += _x_labels(x_labels, x)
    for k, s in enumerate(series):
        parts.append(Markup('<g class="series series-{k}">').format(k=k % 6))
        for i in range(n - 1):
            a, b = s.values[i], s.values[i + 1]
            if a is not None and b is not None:
                parts.append(Markup('<line x1="{x1}" y1="{y1:.1f}" x2="{x2}" y2="{y2:.1f}"/>')
                             .format(x1=x(i), y1=y(a), x2=x(i + 1), y2=y(b)))
        for i, v in enumerate(s.values):
            if v is not None:
                parts.append(Markup('<circle cx="{cx}" cy="{cy:.1f}" r="4.5"><title>{label}, '
                                    '{week}: {v}</title></circle>').format(
                    cx=x(i), cy=y(v), label=s.label, week=x_labels[i], v=v))
        parts.append(Markup("</g>"))
    parts.append(Markup("</svg>"))
    caption = []
    if len(series) > 1:
        caption.append(Markup('<ul class="legend">{}</ul>').format(Markup("").join(
            Markup('<li><span class="swatch series-{k}" aria-hidden="true"></span>{label}</li>')
            .format(k=k % 6, label=s.label) for k, s in enumerate(series))))
    if gaps:
        caption.append(Markup('<p class="chart-note">A dashed line is a week with no listings '
                              'at all; no line crosses it.</p>'))
    return Markup('<figure class="chart-figure">{svg}{caption}</figure>').format(
        svg=Markup("").join(parts),
        caption=Markup("<figcaption>{}</figcaption>").format(Markup("").join(caption))
        if caption else "")


def _x_labels(labels: Sequence[str], x: Callable[[int], str]) -> list[Markup]:
    """Every n-th week's label, counted back from the newest so that it is always labelled;
    those a phone has no room for are "minor" (the stylesheet hides them on a narrow screen).
    Labels at the ends are aligned to the end so they stay inside the chart."""
    n = len(labels)
    step = max(1, -(-n // MAX_X_LABELS))
    coarse = step * max(1, -(-n // (PHONE_X_LABELS * step)))
    out = []
    for i, label in enumerate(labels):
        back = n - 1 - i
        if back % step:
            continue
        where = (i + 0.5) / n
        anchor = "start" if where < 0.08 else "end" if where > 0.92 else "middle"
        minor = Markup(' minor') if back % coarse else Markup("")
        out.append(Markup('<text class="tick{m}" x="{x}" y="{y}" text-anchor="{a}">{label}'
                          '</text>').format(m=minor, x=x(i),
                                            y=HEIGHT - 8, a=anchor, label=label))
    return out


def week_axis(digest: Digest) -> tuple[list[str], list[int]]:
    """Every week from the digest's first to its last, labelled as the digest labels its
    weeks, and the axis position of each of the digest's weeks."""
    if not digest.weeks:
        return [], []
    first = digest.weeks[0].start
    labels, at, start = [], [], first
    for week in digest.weeks:
        while start < week.start:  # a week with no listings: labelled, never plotted
            labels.append(week_key(start, start.weekday()))
            start += dt.timedelta(days=7)
        at.append(len(labels))
        labels.append(week.key)
        start = week.start + dt.timedelta(days=7)
    return labels, at


def _per_week(digest: Digest, slug: str, at: list[int], n: int) -> tuple[int | None, ...]:
    """A theme's papers in each week of the axis: a count for a digest week (0 included),
    None for a week the digest has no listings for."""
    values: list[int | None] = [None] * n
    for week, i in zip(digest.weeks, at, strict=True):
        values[i] = digest.count_in(slug, week.paper_ids)
    return tuple(values)


def _gaps(labels: list[str], at: list[int]) -> str:
    return (" Weeks with no listings at all are gaps in the lines."
            if len(at) < len(labels) else "")


def themes_over_weeks(digest: Digest, themes: Sequence[ThemeView]) -> Markup:
    """Papers per week in each theme, oldest week first."""
    labels, at = week_axis(digest)
    series = [Series(t.name, _per_week(digest, t.slug, at, len(labels))) for t in themes]
    first, last = (labels[0], labels[-1]) if labels else ("", "")
    description = (f"New papers per week in each theme, {first} to {last}.{_gaps(labels, at)} "
                   "The table below gives every number.")
    return line_chart(series, labels, "Papers per week by theme", description)


def theme_over_weeks(digest: Digest, theme: ThemeView) -> Markup:
    """One theme's new papers per week."""
    labels, at = week_axis(digest)
    values = _per_week(digest, theme.slug, at, len(labels))
    description = (f"New {theme.name} papers per week.{_gaps(labels, at)} "
                   "The archive lists every number.")
    return line_chart([Series(theme.name, values)], labels,
                      f"{theme.name}: papers per week", description)
