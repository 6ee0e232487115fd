"""Atom 1.0 feeds: one for the whole digest, one per theme; every date comes from the data."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jinja2

from generator.models import Paper
from generator.render.paths import theme_path
from generator.render.weeks import week_summary

if TYPE_CHECKING:
    from generator.render.views import ThemeView
    from generator.stages.digest import Digest

# Fixed namespace so feed and entry ids never change between builds or base URLs.
ID_NAMESPACE = uuid.UUID("6f1d6a52-6a53-4f0e-9a43-2b1c8b3c9d10")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    id: str
    paper: Paper
    updated: str  # RFC 3339
    themes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Feed:
    id: str
    title: str
    path: str  # where the feed is written, relative to the site root
    page: str  # the HTML page the feed mirrors
    updated: str
    entries: tuple[FeedEntry, ...]


def atom_time(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def entry_id(paper: Paper) -> str:
    """A stable, globally unique id for a paper's entry, in every feed it appears in."""
    return uuid.uuid5(ID_NAMESPACE, f"paper:{paper.id}").urn


def make_feed(key: str, title: str, path: str, page: str, papers: tuple[Paper, ...],
              theme_names: Callable[[Paper], tuple[str, ...]], size: int,
              fallback: dt.date) -> Feed:
    """The newest `size` papers (newest first, then by id) as a feed; `theme_names` gives
    the names of a paper's themes."""
    newest = sorted(papers, key=lambda p: (-p.first_seen.toordinal(), p.id))[:size]
    entries = tuple(FeedEntry(id=entry_id(p), paper=p, updated=atom_time(p.first_seen),
                              themes=theme_names(p)) for p in newest)
    updated = atom_time(max((p.first_seen for p in newest), default=fallback))
    return Feed(id=uuid.uuid5(ID_NAMESPACE, f"feed:{key}").urn, title=title, path=path,
                page=page, updated=updated, entries=entries)


def feed_path(theme: str | None = None) -> str:
    return "feeds/all.xml" if theme is None else f"feeds/{theme}.xml"


BRIEFING_FEED = "weeks/feed.xml"  # not in feeds/, where any theme slug may name a feed
BRIEFING_WEEKS = 8  # entries of the weekly feed: each reads its week and the four before


def briefing_feed(digest: Digest, env: jinja2.Environment, themes: tuple[ThemeView, ...],
                  common: Mapping[str, Any]) -> Iterator[tuple[str, bytes]]:
    """weeks/feed.xml: one entry per week, newest first, whose content is each theme's
    briefing (what a reader following the digest by week reads in a feed reader)."""
    weeks = tuple(reversed(digest.weeks[-BRIEFING_WEEKS:]))
    entries = [{"id": uuid.uuid5(ID_NAMESPACE, f"week:{w.key}").urn, "week": w,
                "updated": atom_time(max(digest.by_id[i].first_seen for i in w.paper_ids)),
                "summary": week_summary(digest, themes, w)} for w in weeks]
    feed = {"id": uuid.uuid5(ID_NAMESPACE, "feed:weekly").urn, "path": BRIEFING_FEED,
            "title": f"{digest.config.title}: the week in each theme",
            "updated": entries[0]["updated"] if entries else atom_time(digest.built_at)}
    yield BRIEFING_FEED, env.get_template("weekly.xml").render(
        **common, feed=feed, entries=entries).encode("utf-8")


def site_feeds(digest: Digest, env: jinja2.Environment, themes: tuple[ThemeView, ...],
               common: Mapping[str, Any]) -> Iterator[tuple[str, bytes]]:
    """The whole digest's feed and each theme's, rendered with feed.xml."""
    def names(paper: Paper) -> tuple[str, ...]:  # asked only for the papers in feeds
        return tuple(t.name for t in themes if t.slug in digest.themes_of(paper))

    size, fallback = digest.config.feed_size, digest.built_at
    template = env.get_template("feed.xml")
    feeds = [make_feed("all", digest.config.title, feed_path(), "index.html", digest.papers,
                       names, size, fallback)]
    feeds += [make_feed(f"theme:{t.slug}", f"{t.name} · {digest.config.title}",
                        feed_path(t.slug), theme_path(t.slug), t.papers, names, size, fallback)
              for t in themes]
    for feed in feeds:
        yield feed.path, template.render(**common, feed=feed).encode("utf-8")
