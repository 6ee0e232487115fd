"""The map page's figure: each mapped paper a dot linking to its page, coloured by its
strongest theme, and the names of the sub-topics written where their papers gather.

The dots keep their <title> (a tooltip on hover) and assets/map.js shows the title of the
dot a finger taps, with a link to the paper (a finger cannot hover, and a 2 px dot is no
target). The names are placed at build time (map_labels.py) for two sizes of type: the
ones that fit a phone's larger type without overlapping show everywhere, the rest only on
wider screens.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from markupsafe import Markup

from generator.render.map_labels import Region, place_labels, regions
from generator.text.tex import tex_to_text

if TYPE_CHECKING:
    from generator.render.views import ThemeView
    from generator.stages.digest import Digest

MAP_WIDTH, MAP_HEIGHT, MAP_PAD = 1000, 700, 12
TOOLTIP_CHARS = 48  # point titles are cut to keep the map page under the page-size budget
MAP_BUDGET = 135_000  # characters of dots: with the names and the page, under 150 KB of HTML
NAMES_BUDGET = 3_000  # characters of the regions' names, at most


def paper_map(digest: Digest, themes: Sequence[ThemeView]) -> tuple[Markup, int]:
    """Mapped papers as dots linking to their pages, newest first until the page budget is
    spent, and the names of the sub-topics they show; returns the figure and how many papers
    it shows."""
    # Five colours for themes; grey (5) for Other, so the themed papers stand out.
    colour = {t.slug: (5 if t.slug == "other" else k % 5) for k, t in enumerate(themes)}
    dots: list[Markup] = []
    shown: dict[str, tuple[float, float]] = {}
    used = 0
    for paper in digest.papers:
        if paper.id not in digest.positions:
            continue
        x, y = digest.positions[paper.id]
        cx = round(MAP_PAD + x * (MAP_WIDTH - 2 * MAP_PAD))
        cy = round(MAP_PAD + y * (MAP_HEIGHT - 2 * MAP_PAD))
        theme = digest.themes_of(paper)[0]
        title = tex_to_text(paper.title)
        if len(title) > TOOLTIP_CHARS:
            title = title[: TOOLTIP_CHARS - 1].rstrip() + "…"
        # Kept short (radius and colour come from CSS): every byte here is paid per paper.
        dot = Markup('<a href="papers/{slug}.html"><circle cx="{x}" cy="{y}" class="s{k}">'
                     '<title>{title}</title></circle></a>').format(
            slug=paper.slug, x=cx, y=cy, k=colour.get(theme, 5), title=title)
        used += len(dot)
        if used > MAP_BUDGET:
            break
        dots.append(dot)
        shown[paper.id] = (cx, cy)
    names = _names(regions(digest, shown, MAP_WIDTH, MAP_HEIGHT))
    legend = Markup("").join(
        Markup('<li><span class="swatch s{k}" aria-hidden="true"></span>{name}</li>')
        .format(k=colour[t.slug], name=t.name) for t in themes)
    figure = Markup('<figure class="map-figure"><svg viewBox="0 0 {w} {h}" role="group" '
                    'aria-label="Map of papers: each dot links to a paper">{dots}{names}</svg>'
                    '<figcaption><ul class="legend">{legend}</ul></figcaption></figure>').format(
        w=MAP_WIDTH, h=MAP_HEIGHT, dots=Markup("").join(reversed(dots)), names=names,
        legend=legend)
    return figure, len(dots)


def _names(found: list[Region]) -> Markup:
    """The regions' names as SVG text over the dots (after them, so drawn on top), within
    NAMES_BUDGET characters; a phone shows the "major" ones only."""
    out: list[Markup] = []
    used = 0
    for label in place_labels(found, MAP_WIDTH, MAP_HEIGHT):
        text = Markup('<text class="region{m}" x="{x:.0f}" y="{y:.0f}">{name}</text>').format(
            m=Markup("") if label.major else Markup(" minor"), x=label.x, y=label.y,
            name=label.name)
        used += len(text)
        if used > NAMES_BUDGET:
            break
        out.append(text)
    if not out:
        return Markup("")
    return Markup('<g class="regions" aria-hidden="true">{}</g>').format(Markup("").join(out))
