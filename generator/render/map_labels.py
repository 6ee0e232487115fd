"""Where the map writes the names of its regions: each sub-topic's name (a theme's own name
when it has no sub-topics) at the densest part of its papers' dots, placed so that no two
names overlap.

Map units are the SVG's viewBox (1000 by 700), which a phone shows at about a third of its
size and a wide screen at nearly its size. The stylesheet sets the names' type in map units
for each width (.map-figure .region): PHONE_FONT on narrow screens, WIDE_FONT at most on
wide ones. A name is "major" when it fits among the other major names at PHONE_FONT (it is
shown everywhere); the others are placed among all names at WIDE_FONT and shown on wide
screens only. Names shrink about their centres at smaller type, so none overlaps at any
width.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from generator.models import OTHER_TOPIC

if TYPE_CHECKING:
    from generator.stages.digest import Digest

PHONE_FONT, WIDE_FONT = 36.0, 20.0  # map units; must match style.css (.map-figure .region)
CHAR_WIDTH, LINE_HEIGHT = 0.58, 1.3  # a name's box, in ems: generous for a sans-serif
MIN_DOTS = 3  # a sub-topic with fewer dots on the map is not named
# The neighbourhood whose most crowded centre is the name's place: this many times the
# spacing of the dots if they were spread evenly (t-SNE spreads any number over the map):
# 70 map units for the default digest's 676 dots, 270 for a few dozen.
RADIUS = 2.2
MIN_SHARE = 0.3  # a name only where at least this share of its dots gather (not a scatter)
MAJORS, MAJOR_WIDTH = 6, 0.6  # names a phone shows: at most six, none over 0.6 of the width


@dataclass(frozen=True, slots=True)
class Region:
    """A named group of dots and the centre of its densest part."""

    name: str
    x: float
    y: float
    weight: int  # dots near the centre: who is placed first


@dataclass(frozen=True, slots=True)
class Placed:
    name: str
    x: float
    y: float
    major: bool


def regions(digest: Digest, shown: Mapping[str, tuple[float, float]], width: float,
            height: float) -> list[Region]:
    """Each sub-topic (of every theme but Other, and not a theme's own "Other <theme>
    papers"; a theme without sub-topics as itself) with at least MIN_DOTS dots shown, at
    the centre of its densest part, heaviest first."""
    groups: list[tuple[str, list[str]]] = []
    for theme in digest.themes:
        if theme.slug == "other":
            continue
        topics = digest.subtopics.get(theme.slug, ())
        if topics:
            # ("Other <theme> papers" gathers papers under no phrase: not a region)
            groups += [(t.name, list(t.paper_ids)) for t in topics if t.key != OTHER_TOPIC]
        else:
            groups.append((theme.name, [p.id for p in digest.papers_in(theme.slug)]))
    radius = RADIUS * (width * height / max(1, len(shown))) ** 0.5
    found = []
    for name, ids in groups:
        points = np.array([shown[i] for i in ids if i in shown], dtype=float)
        if len(points) < MIN_DOTS:
            continue
        centre, near = _densest(points, radius)
        if near >= max(MIN_DOTS, MIN_SHARE * len(points)):
            found.append(Region(name, float(np.clip(centre[0], 0, width)),
                                float(np.clip(centre[1], 0, height)), near))
    found.sort(key=lambda r: (-r.weight, r.name))
    return found


def _densest(points: np.ndarray, radius: float) -> tuple[np.ndarray, int]:
    """The mean of the dots within `radius` of the dot that has the most such neighbours, and
    how many they are: a t-SNE map may split a group, and its mean may fall between the
    parts, where no dot of it is."""
    if len(points) > 2000:  # a bound on the distance matrix; the map shows at most 1,500
        points = points[:: -(-len(points) // 2000)]
    d2 = ((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2)
    close = d2 <= radius * radius
    best = int(close.sum(axis=1).argmax())
    members = points[close[best]]
    return members.mean(axis=0), len(members)


def place_labels(found: list[Region], width: float, height: float) -> list[Placed]:
    """The names, heaviest first, each at its centre or the nearest free spot around it;
    major where they fit at PHONE_FONT (the first MAJORS that do, none wider than
    MAJOR_WIDTH of the map), else minor where they fit at WIDE_FONT, else left out."""
    majors: list[Placed] = []
    minors: list[Placed] = []
    for region in found:
        fits = len(region.name) * CHAR_WIDTH * PHONE_FONT <= MAJOR_WIDTH * width
        spot = _free_spot(region, PHONE_FONT, majors, width, height) if fits else None
        if spot is not None and len(majors) < MAJORS:
            majors.append(Placed(region.name, *spot, major=True))
            continue
        spot = _free_spot(region, WIDE_FONT, majors + minors, width, height)
        if spot is not None:
            minors.append(Placed(region.name, *spot, major=False))
    return majors + minors


Box = tuple[float, float, float, float]


def _box(name: str, x: float, y: float, font: float) -> Box:
    half_w, half_h = len(name) * CHAR_WIDTH * font / 2, LINE_HEIGHT * font / 2
    return x - half_w, y - half_h, x + half_w, y + half_h


def _free_spot(region: Region, font: float, taken: list[Placed], width: float,
               height: float) -> tuple[float, float] | None:
    """The region's centre, or the first spot around it (a name's height up or down, half
    its width left or right, and twice that) where its box at `font` is inside the map and
    overlaps no taken name's box at the same size; None if there is none."""
    boxes = [_box(p.name, p.x, p.y, font) for p in taken]
    x0, y0, x1, y1 = _box(region.name, 0, 0, font)
    step_x, step_y = (x1 - x0) / 2, y1 - y0
    for k in (0, 1, 2):
        for dx, dy in ((0, 0), (0, -1), (0, 1), (-1, 0), (1, 0)) if k else ((0, 0),):
            x = min(max(region.x + k * dx * step_x, -x0), width - x1)
            y = min(max(region.y + k * dy * step_y, -y0), height - y1)
            if x1 - x0 > width:
                return None
            a = _box(region.name, x, y, font)
            if not any(a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
                       for b in boxes):
                return x, y
    return None
