"""A theme's pages: its papers newest first and one list per sub-topic, each a front page
and an archive; and its most confident papers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from markupsafe import Markup

from generator.models import Paper
from generator.render.charts import theme_over_weeks
from generator.render.pages import Page, Pages
from generator.render.paths import theme_path
from generator.render.views import ThemeView
from generator.stages.digest import OTHER, Digest

if TYPE_CHECKING:  # only named in annotations: importing it would import scikit-learn
    from generator.stages.themes import Subtopic


def theme_pages(pages: Pages, digest: Digest, theme: ThemeView) -> Iterator[Page]:
    """Newest first and one list per sub-topic, each a front page and an archive numbered
    from the oldest (archive_pages); and the most confident papers, one page."""
    topics = digest.subtopics.get(theme.slug, ())
    views: list[tuple[str, tuple[Paper, ...], Subtopic | None]] = [("", theme.papers, None)]
    grouped = group_by_subtopic(digest, theme.slug, theme.papers)
    views += [(f"topic-{t.key}", grouped[i], t) for i, t in enumerate(topics)]
    newest = max((p.first_seen for p in theme.papers), default=digest.built_at)
    chart = theme_over_weeks(digest, theme)
    for view, papers, topic in views:
        yield from _view_pages(pages, digest, theme, view, papers, topic, topics,
                               None if view else chart, newest)
    if theme.slug != OTHER.slug:
        score = digest.scores_in(theme.slug, theme.papers)
        by_score = sorted(theme.papers, key=lambda p: (-score.get(p.id, 0.0), p.id))
        yield pages.page(theme_path(theme.slug, 0, "confidence"), "theme.html", newest,
                         theme=theme, papers=tuple(by_score[:digest.config.page_size]),
                         view="confidence", chart=None, topic=None, topics=topics,
                         total=len(theme.papers),
                         pagination={"number": 0, "count": 0, "paths": []})


def _view_pages(pages: Pages, digest: Digest, theme: ThemeView, view: str,
                papers: tuple[Paper, ...], topic: Subtopic | None,
                topics: tuple[Subtopic, ...], chart: Markup | None,
                newest: dt.date) -> Iterator[Page]:
    """One list of a theme (`view`): its front page, never kept (it shows the newest
    papers and the archive's length), then its archive pages, kept while their papers are
    unchanged."""
    front, archive = archive_pages(papers, digest.config.page_size)
    paths = [theme_path(theme.slug, k, view) for k in range(len(archive) + 1)]
    yield pages.page(paths[0], "theme.html", newest, theme=theme, papers=front, view=view,
                     chart=chart, topic=topic, topics=topics, total=len(papers),
                     pagination={"number": 0, "count": len(archive), "paths": paths})
    for number, chunk in enumerate(archive, start=1):
        yield pages.page(paths[number], "theme.html", max(p.first_seen for p in chunk),
                         keep=True, theme=theme, papers=chunk, view=view, chart=None,
                         topic=topic, topics=topics, total=None,
                         pagination={"number": number, "count": None, "paths": None,
                                     "newer": paths[number + 1 if number < len(archive) else 0],
                                     "older": paths[number - 1] if number > 1 else None,
                                     "oldest": paths[1], "newest": paths[0]})


def archive_pages(papers: tuple[Paper, ...], size: int
                  ) -> tuple[tuple[Paper, ...], list[tuple[Paper, ...]]]:
    """Split a list (newest first) into its front page and its archive pages.

    Archive page k holds the k-th `size` papers counted from the oldest (newest first on the
    page), so a page's papers stay the same as the list grows: a new week changes the front
    page and adds an archive page now and then, and leaves the rest as they were. The front
    page holds the newest papers not on an archive page: from a quarter of `size` to five
    quarters of it (fewer only when the whole list is shorter), so it is never nearly empty
    and never much longer than an archive page (a longer one comes near the 150 KB page
    budget at 100,000 papers)."""
    least = -(-size // 4)
    count = (len(papers) - least) // size if len(papers) >= least else 0
    rest = len(papers) - count * size
    archive = [papers[len(papers) - k * size: len(papers) - (k - 1) * size]
               for k in range(1, count + 1)]
    return papers[:rest], archive


def group_by_subtopic(digest: Digest, theme: str, papers: tuple[Paper, ...]
                      ) -> list[tuple[Paper, ...]]:
    """Per sub-topic of the theme (in its order), its papers among `papers`, in their order;
    one pass over the papers."""
    topics = digest.subtopics.get(theme, ())
    position = {id(t): i for i, t in enumerate(topics)}
    groups: list[list[Paper]] = [[] for _ in topics]
    index = digest.topic_index  # (Digest.subtopic_of, without a call per paper)
    for paper in papers:
        topic = index.get((theme, paper.id))
        if topic is not None and id(topic) in position:
            groups[position[id(topic)]].append(paper)
    return [tuple(g) for g in groups]
