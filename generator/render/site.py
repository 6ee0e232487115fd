"""Render the digest into the site's files: a stream of `Page`s, written by publish.

`render_site` is the table of contents: every kind of file but the paper pages, which
`render_paper_pages` yields (so a build can render them in another process). Every internal
link is relative (built from the page's `root`, "../" per directory level), so one build
works from file://, at a domain root and under any sub-path.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator

import jinja2
from markupsafe import Markup

from generator.models import Paper
from generator.render.charts import themes_over_weeks
from generator.render.data import papers_data, search_themes, theme_members
from generator.render.environment import assets
from generator.render.feeds import BRIEFING_FEED, briefing_feed, feed_path, site_feeds
from generator.render.for_you import FOR_YOU_FEED, for_you_feed, for_you_pages, for_you_path
from generator.render.hosting import base_path, host_files
from generator.render.pages import Keeper, Page, Pages, plain
from generator.render.paper_map import paper_map
from generator.render.papers import paper_pages, paper_sitemap
from generator.render.paths import paper_path, theme_path, week_path
from generator.render.sources import listing_words
from generator.render.themes import theme_pages
from generator.render.views import ThemeView, theme_views
from generator.render.weeks import archive_rows, week_bibs, week_nav, week_pages, week_summary
from generator.stages.digest import Digest
from generator.text.markup import render_markdown


def render_site(digest: Digest, env: jinja2.Environment, keeper: Keeper | None = None,
                on_page: Callable[[str], None] | None = None) -> Iterator[Page]:
    """Yield every file of the site but the paper pages (see
    render_paper_pages; the sitemap lists the paper pages all the same). The same digest
    always yields the same bytes. With a `keeper`, files whose inputs are as the last build
    made them are kept, not rendered (Page.data None); `on_page` is told each page's path."""
    pages, themes = _pages(digest, env, keeper, on_page)
    page = pages.page
    latest = digest.weeks[-1] if digest.weeks else None
    yield page("index.html", "home.html", week=latest, week_nav=week_nav(digest, latest),
               summary=week_summary(digest, themes, latest),
               note=digest.note_for(latest) if latest else None)
    yield page("about.html", "about.html", about=_about(digest))
    yield page("archive.html", "archive.html", weeks=archive_rows(digest, themes),
               chart=themes_over_weeks(digest, themes))
    yield page("themes/index.html", "themes.html")
    yield page("search.html", "search.html")
    for theme in themes:
        yield from theme_pages(pages, digest, theme)
    for week in digest.weeks:
        yield from week_pages(pages, digest, themes, week)
    pages.sitemap.extend(paper_sitemap(digest))  # rendered by render_paper_pages
    yield from plain(site_feeds(digest, env, themes, pages.common))
    yield from plain(briefing_feed(digest, env, themes, pages.common))
    yield from papers_data(digest, keeper)
    yield from plain(theme_members(themes))
    yield from plain(iter([search_themes(digest, themes)]))
    yield from week_bibs(digest, keeper)
    # Last: the For you ranking and the map's layout may still be computed by workers.
    yield from for_you_pages(pages, digest)
    yield from plain(for_you_feed(digest, env, pages.common))
    figure, mapped = paper_map(digest, themes)
    yield page("map.html", "map.html", figure=figure, mapped=mapped)
    yield from plain(assets(digest.config.templates_dir))
    not_found = env.get_template("404.html").render(
        **pages.common, path="404.html", root=base_path(digest.config.base_url))
    yield from plain(host_files(digest.config, not_found, pages.sitemap))


def render_paper_pages(digest: Digest, env: jinja2.Environment,
                       keeper: Keeper | None = None,
                       papers: Iterable[Paper] | None = None) -> Iterator[Page]:
    """Yield each paper's page (of `papers`, by default digest.papers in order): the files
    render_site leaves out. With a `keeper`, as there."""
    pages, _ = _pages(digest, env, keeper, None)
    yield from paper_pages(pages, digest, digest.papers if papers is None else papers)


def _pages(digest: Digest, env: jinja2.Environment, keeper: Keeper | None,
           on_page: Callable[[str], None] | None) -> tuple[Pages, tuple[ThemeView, ...]]:
    """What every page is rendered with: the context all templates are given (with the
    `once` cache of fragments, one per render) and the digest's themes as pages show them."""
    themes = theme_views(digest)
    fragments: dict[Hashable, Markup] = {}

    def once(key: Hashable, caller: Callable[[], Markup]) -> Markup:
        """`{% call once(key) %}...{% endcall %}`: the block rendered once per render for
        its key, which must name everything the block shows besides the digest (a paper's
        list item: the paper and the list's arguments; the same item shows in its theme's
        list, its sub-topic's list and its weekly theme page)."""
        found = fragments.get(key)
        if found is None:
            found = fragments[key] = caller()
        return found

    common = {"site": digest.config, "digest": digest, "themes": themes,
              "built_at": digest.built_at, "paper_path": paper_path, "theme_path": theme_path,
              "week_path": week_path, "feed_path": feed_path, "briefing_feed": BRIEFING_FEED,
              "for_you_path": for_you_path, "for_you_feed": FOR_YOU_FEED,
              "listing_words": listing_words,
              "theme_names": {t.slug: t.name for t in digest.themes}, "once": once}
    return Pages(env, common, keeper, digest.built_at, on_page), themes


def _about(digest: Digest) -> Markup:
    """content/about.md as HTML; empty when there is none."""
    path = digest.config.content_dir / "about.md"
    if not path.is_file():
        return Markup("")
    return render_markdown(path.read_text(encoding="utf-8"))
