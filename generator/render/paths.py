"""Where each kind of page lives in the site, relative to its root. Templates are given
these functions too, so a page links to another by the same name that writes it (feeds'
paths are in feeds.py, the .bib files' in bib.py)."""

from __future__ import annotations

from generator.models import Paper

PAPERS_JSON = "data/papers.json"  # the index of the public data's parts (docs/data.md)


def paper_path(paper: Paper) -> str:
    """A paper's own page."""
    return f"papers/{paper.slug}.html"


def theme_path(slug: str, page: int = 0, view: str = "") -> str:
    """A theme's pages: newest first (view ""), most confident first ("confidence"), or one
    sub-topic ("topic-<key>"). Page 0 is the view's front page (its newest papers); pages 1,
    2, ... are its archive, numbered from the oldest (see themes.archive_pages)."""
    name = view or "index"
    return f"themes/{slug}/{name}.html" if page == 0 else f"themes/{slug}/{name}-{page}.html"


def week_path(key: str, theme: str | None = None, page: int = 1) -> str:
    """A week's page (theme None), or page `page` of one theme's papers that week."""
    if theme is None:
        return f"weeks/{key}/index.html"
    return f"weeks/{key}/{theme}.html" if page == 1 else f"weeks/{key}/{theme}-{page}.html"


def data_part_path(number: int) -> str:
    """Part `number` of the public data (docs/data.md): gzip-compressed JSON."""
    return f"data/papers/{number}.json.gz"


SEARCH_THEMES = "data/search-themes.json"  # each paper's themes, in the search index's order


def theme_members_path(slug: str) -> str:
    """The slugs of a theme's papers (public data)."""
    return f"data/themes/{slug}.json"
