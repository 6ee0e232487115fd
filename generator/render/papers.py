"""Each paper's page: most of a site's files, and the ones a new week leaves nearly all
unchanged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from generator.models import Paper
from generator.render.pages import Page, Pages
from generator.render.paths import paper_path

if TYPE_CHECKING:
    from generator.stages.digest import Digest


def paper_pages(pages: Pages, digest: Digest, papers: Iterable[Paper]) -> Iterator[Page]:
    """Each paper's page, in the order given."""
    for paper in papers:
        yield _paper_page(pages, digest, paper)


def paper_sitemap(digest: Digest) -> list[tuple[str, dt.date]]:
    """The paper pages' sitemap entries, as rendering them would add them."""
    return [(paper_path(p), _paper_date(p)) for p in digest.papers]


def _paper_page(pages: Pages, digest: Digest, paper: Paper) -> Page:
    # A paper page shows its paper and related papers only (Keeper.keep_paper); its
    # assignments are in the paper's stamp, so they are left out of the key.
    return pages.page(paper_path(paper), "paper.html", _paper_date(paper), keep=True,
                      one=paper, paper=paper,
                      implied={"assignments": digest.assignments.get(paper.id, ())})


def _paper_date(paper: Paper) -> dt.date:
    """A paper page's last change, for the sitemap: its newest listing."""
    sources = paper.sources
    return sources[0].collected if len(sources) == 1 else max(s.collected for s in sources)
