"""The public data (docs/data.md): every paper as JSON in parts, each theme's members, and
each paper's themes in the search index's order (the search page's theme filter)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from generator.models import Paper
from generator.render.gzipped import gzipped
from generator.render.pages import Keeper, Page, kept_or_made
from generator.render.paths import (
    PAPERS_JSON,
    SEARCH_THEMES,
    data_part_path,
    paper_path,
    theme_members_path,
)
from generator.render.search_index import theme_masks
from generator.stages.digest import OTHER

if TYPE_CHECKING:
    from generator.render.views import ThemeView
    from generator.stages.digest import Digest

# Of data/papers.json: 3, parts gzip-compressed; 2, parts plain JSON; 1, one list of every paper.
DATA_FORMAT = 3
# Papers per part of the public data: about 9 MB of JSON, 2.6 MB compressed (the public data
# is the abstracts' second copy: 184 MB of JSON at 100,000 papers, 51 MB compressed)
DATA_PART = 5000
# zlib's level for the parts. A 5,000-paper part (9.3 MB): level 3 2.69 MB in 0.15 s of CPU,
# 4 2.57 MB in 0.12 s, 6 2.41 MB in 0.32 s.
GZIP_LEVEL = 4


def papers_data(digest: Digest, keeper: Keeper | None = None) -> Iterator[Page]:
    """data/papers/<n>.json.gz, the papers oldest first in parts of DATA_PART, each a list with
    one paper per line, gzip-compressed (no name or time in its header: the same papers give
    the same bytes), and data/papers.json, the index of the parts. A part is kept like a
    page when its papers' stamps are unchanged, so a new week rewrites the newest part, not
    51 MB at 100,000 papers; and no file comes near the 100 MB a GitHub repository allows
    per file."""
    ordered = sorted(digest.papers, key=lambda p: (p.first_seen, p.id))
    parts = []
    for number, start in enumerate(range(0, len(ordered), DATA_PART)):
        chunk = tuple(ordered[start:start + DATA_PART])
        path = data_part_path(number)
        parts.append({"path": path, "papers": len(chunk)})

        def make(chunk: tuple[Paper, ...] = chunk) -> bytes:
            # json's C encoder, row by row (an indented dump of the whole list goes through
            # its pure-Python one: several seconds at 100,000 papers).
            lines = [json.dumps(_paper_row(digest, paper), ensure_ascii=False).encode()
                     for paper in chunk]
            return gzipped(b"[\n" + b",\n".join(lines) + b"\n]\n", GZIP_LEVEL)

        keyed = keeper.keep(path, "papers-json", path, chunk) if keeper is not None else None
        yield kept_or_made(path, keyed, make)
    index = {"format": DATA_FORMAT, "papers": len(ordered), "parts": parts}
    yield Page(PAPERS_JSON, (json.dumps(index, indent=1) + "\n").encode("utf-8"))


def _paper_row(digest: Digest, paper: Paper) -> dict[str, Any]:
    """What the public data says of a paper: only what its stamp covers (Keeper)."""
    return {
        "id": paper.id,
        "slug": paper.slug,
        "title": paper.title,
        "abstract": paper.abstract,
        "themes": [t for t in digest.themes_of(paper) if t != OTHER.slug],
        "scores": {a.theme: round(a.score, 4) for a in digest.assignments.get(paper.id, ())},
        "first_seen": paper.first_seen.isoformat(),
        "week": digest.week_of(paper).key,
        "url": paper_path(paper),
        "sources": [{"file": s.file, "line": s.line, "collected": s.collected.isoformat(),
                     "query": s.query} for s in paper.sources],
        "authors": list(paper.authors),
        "arxiv_id": paper.arxiv_id,
        "published": paper.published.isoformat() if paper.published else None,
        "categories": list(paper.categories),
        "links": {k: u for k, u in (("abs", paper.url), ("pdf", paper.pdf_url)) if u},
    }


def theme_members(themes: tuple[ThemeView, ...]) -> Iterator[tuple[str, bytes]]:
    """data/themes/<slug>.json: the slugs of a theme's papers."""
    for theme in themes:
        data = {"theme": theme.slug, "name": theme.name,
                "papers": sorted(p.slug for p in theme.papers)}
        yield theme_members_path(theme.slug), (json.dumps(data, ensure_ascii=False)
                                               + "\n").encode("utf-8")


def search_themes(digest: Digest, themes: tuple[ThemeView, ...]) -> tuple[str, bytes]:
    """data/search-themes.json: the themes (slug and name) and, for every paper in the search
    index's order (oldest first, as the shards cut them), a bit mask of its themes, bit i
    for themes[i]. The results page reads it for the theme filter and each result's themes;
    the index itself holds nothing the theme model decides, so it is made while the model
    runs."""
    order = [p.slug for p in sorted(digest.papers, key=lambda p: (p.first_seen, p.id))]
    data = {"themes": [[t.slug, t.name] for t in themes],
            "masks": theme_masks([[p.slug for p in t.papers] for t in themes], order)}
    return SEARCH_THEMES, (json.dumps(data, ensure_ascii=False, separators=(",", ":"))
                           + "\n").encode("utf-8")
