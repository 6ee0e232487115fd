"""Small SVG charts, drawn at build time so they read without JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from generator.text.tex import tex_to_text

if TYPE_CHECKING:
    from generator.render.views import ThemeView
    from generator.stages.digest import Digest

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 40
MAX_X_LABELS = 12  # more weeks than this: label every n-th so the labels never overlap


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    values: tuple[int, ...]


def line_chart(series: Sequence[Series], x_labels: Sequence[str], title: str,
               description: str) -> Markup:
    """A line chart of counts, one line (and one legend entry) per series, as inline SVG."""
    n = len(x_labels)
    top = max([1, *(v for s in series for v in s.values)])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * (i + 0.5) / n if n else 0)

    def y(v: int) -> float:
        return TOP + plot_h * (1 - v / top)

    parts = [Markup('<svg class="chart" viewBox="0 0 {w} {h}" role="img" '
                    'aria-labelledby="chart-title chart-desc">').format(w=WIDTH, h=HEIGHT),
             Markup('<title id="chart-title">{}</title><desc id="chart-desc">{}</desc>')
             .format(title, description)]
    for tick in sorted({0, top // 2, top}):
        parts.append(Markup('<line class="grid" x1="{x1}" x2="{x2}" y1="{y:.1f}" y2="{y:.1f}"/>'
                            '<text class="tick" x="{tx}" y="{ty:.1f}" text-anchor="end">{v}</text>')
                     .format(x1=LEFT, x2=WIDTH - RIGHT, y=y(tick), tx=LEFT - 6, ty=y(tick) + 4,
                             v=tick))
    step = max(1, -(-n // MAX_X_LABELS))
    for i, label in enumerate(x_labels):
        if i % step == 0 or i == n - 1:
            parts.append(Markup('<text class="tick" x="{x:.1f}" y="{y}" text-anchor="middle">'
                                '{label}</text>').format(x=x(i), y=HEIGHT - BOTTOM + 18,
                                                         label=label))
    for k, s in enumerate(series):
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(s.values))
        parts.append(Markup('<g class="series series-{k}"><polyline points="{p}"/>').format(
            k=k % 6, p=points))
        for i, v in enumerate(s.values):
            parts.append(Markup('<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3.5"><title>{label}, '
                                '{week}: {v}</title></circle>').format(
                cx=x(i), cy=y(v), label=s.label, week=x_labels[i], v=v))
        parts.append(Markup("</g>"))
    parts.append(Markup("</svg>"))
    legend = Markup("").join(
        Markup('<li><span class="swatch series-{k}" aria-hidden="true"></span>{label}</li>')
        .format(k=k % 6, label=s.label) for k, s in enumerate(series))
    return Markup('<figure class="chart-figure">{svg}<figcaption><ul class="legend">{legend}'
                  '</ul></figcaption></figure>').format(svg=Markup("").join(parts), legend=legend)


def themes_over_weeks(digest: Digest, themes: Sequence[ThemeView]) -> Markup:
    """Papers per week in each theme, oldest week first."""
    weeks = digest.weeks
    series = []
    for theme in themes:
        ids = {p.id for p in theme.papers}
        series.append(Series(theme.name, tuple(sum(1 for i in w.paper_ids if i in ids)
                                               for w in weeks)))
    first, last = (weeks[0].key, weeks[-1].key) if weeks else ("", "")
    description = (f"New papers per week in each theme, {first} to {last}. "
                   "The table below gives every number.")
    return line_chart(series, [w.key for w in weeks], "Papers per week by theme", description)





MAP_WIDTH, MAP_HEIGHT, MAP_PAD = 1000, 700, 12
TOOLTIP_CHARS = 48  # point titles are cut to keep the map page under the page-size budget
MAP_BUDGET = 135_000  # characters of dots: with the page around them, under 150 KB of HTML


def paper_map(digest: Digest, themes: Sequence[ThemeView]) -> tuple[Markup, int]:
    """Mapped papers as dots linking to their pages, coloured by their strongest theme, newest
    first until the page budget is spent; returns the figure and how many papers it shows."""
    # Five colours for themes; grey (5) for Other, so the themed papers stand out.
    colour = {t.slug: (5 if t.slug == "other" else k % 5) for k, t in enumerate(themes)}
    dots: list[Markup] = []
    used = 0
    for paper in digest.papers:
        if paper.id not in digest.positions:
            continue
        x, y = digest.positions[paper.id]
        theme = digest.themes_of(paper)[0]
        title = tex_to_text(paper.title)
        if len(title) > TOOLTIP_CHARS:
            title = title[: TOOLTIP_CHARS - 1].rstrip() + "…"
        # Kept short (radius and colour come from CSS): every byte here is paid per paper.
        dot = Markup('<a href="papers/{slug}.html"><circle cx="{x}" cy="{y}" class="s{k}">'
                     '<title>{title}</title></circle></a>').format(
            slug=paper.slug, x=round(MAP_PAD + x * (MAP_WIDTH - 2 * MAP_PAD)),
            y=round(MAP_PAD + y * (MAP_HEIGHT - 2 * MAP_PAD)), k=colour.get(theme, 5),
            title=title)
        used += len(dot)
        if used > MAP_BUDGET:
            break
        dots.append(dot)
    legend = Markup("").join(
        Markup('<li><span class="swatch s{k}" aria-hidden="true"></span>{name}</li>')
        .format(k=colour[t.slug], name=t.name) for t in themes)
    figure = Markup('<figure class="map-figure"><svg viewBox="0 0 {w} {h}" role="group" '
                    'aria-label="Map of papers: each dot links to a paper">{dots}</svg>'
                    '<figcaption><ul class="legend">{legend}</ul></figcaption></figure>').format(
        w=MAP_WIDTH, h=MAP_HEIGHT, dots=Markup("").join(reversed(dots)), legend=legend)
    return figure, len(dots)


def theme_over_weeks(digest: Digest, theme: ThemeView) -> Markup:
    """One theme's new papers per week."""
    ids = {p.id for p in theme.papers}
    values = tuple(sum(1 for i in w.paper_ids if i in ids) for w in digest.weeks)
    description = f"New {theme.name} papers per week; the archive lists every number."
    return line_chart([Series(theme.name, values)], [w.key for w in digest.weeks],
                      f"{theme.name}: papers per week", description)
