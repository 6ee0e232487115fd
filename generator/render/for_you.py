"""The For you pages: each week's papers ranked by the owner's library (stages/interests/),
with their reasons, a front page for the latest week, and an Atom feed of them. A digest
without `interests:` has none of these files, and no link to them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jinja2

from generator.models import Paper, Week
from generator.render.feeds import ID_NAMESPACE, atom_time
from generator.render.pages import Page, Pages

if TYPE_CHECKING:
    from generator.stages.digest import Digest
    from generator.stages.interests.library import LibraryEntry
    from generator.stages.interests.ranking import Ranking

FOR_YOU_FEED = "for-you/feed.xml"


def for_you_path(week: str | None = None) -> str:
    """The latest week's For you page (week None), or one week's."""
    return "for-you/index.html" if week is None else f"for-you/{week}.html"


@dataclass(frozen=True, slots=True)
class Pick:
    """A listed paper as the page shows it: its score, the followed authors among its own,
    the words that weighed most and the library's nearest entries."""

    paper: Paper
    score: float
    followed: tuple[str, ...]
    terms: tuple[str, ...]
    closest: tuple[tuple[LibraryEntry, Paper | None], ...]  # and the digest's paper it is


@dataclass(frozen=True, slots=True)
class WeekPicks:
    """One week of For you: what is listed, what the library already holds, and the best
    of the rest when nothing is listed (so a reader sees how near the week came)."""

    week: Week
    picks: tuple[Pick, ...]
    in_library: tuple[Paper, ...]
    nearest: Pick | None


def week_picks(digest: Digest, ranking: Ranking, week: Week) -> WeekPicks:
    ids = week.paper_ids
    picks = tuple(_pick(digest, ranking, i) for i in ranking.listed(ids))
    nearest = None
    if not picks:
        rest = sorted((i for i in ids if i in ranking.scores),
                      key=lambda i: (-ranking.scores[i], i))
        nearest = _pick(digest, ranking, rest[0]) if rest else None
    return WeekPicks(week, picks, tuple(digest.by_id[i] for i in ranking.in_library(ids)),
                     nearest)


def _pick(digest: Digest, ranking: Ranking, pid: str) -> Pick:
    reason = ranking.reasons.get(pid)
    return Pick(paper=digest.by_id[pid], score=ranking.scores[pid],
                followed=ranking.followed.get(pid, ()),
                terms=reason.terms if reason else (),
                closest=tuple((ranking.entries[i], _paper(digest, ranking.matched[i]))
                              for i in reason.closest) if reason else ())


def _paper(digest: Digest, pid: str | None) -> Paper | None:
    return digest.by_id.get(pid) if pid else None


def for_you_pages(pages: Pages, digest: Digest) -> Iterator[Page]:
    """for-you/<week>.html for every week, and for-you/index.html for the latest."""
    if digest.for_you is None or not digest.weeks:
        return
    ranking = digest.for_you()
    library = _library_summary(digest, ranking)
    keys = [w.key for w in digest.weeks]
    for i, week in enumerate(digest.weeks):
        context: dict[str, Any] = {"picks": week_picks(digest, ranking, week),
                                   "library": library,
                   "previous": keys[i - 1] if i else None,
                   "next": keys[i + 1] if i + 1 < len(keys) else None}
        newest = max(digest.by_id[p].first_seen for p in week.paper_ids)
        yield pages.page(for_you_path(week.key), "for_you.html", newest, **context)
        if i == len(keys) - 1:
            yield pages.page(for_you_path(), "for_you.html", newest, **context)


def _library_summary(digest: Digest, ranking: Ranking) -> dict[str, Any]:
    """What the pages say of the ranking: how it was made, and from what."""
    matched = sum(1 for m in ranking.matched if m is not None)
    unused = [e for e, m in zip(ranking.entries, ranking.matched, strict=True)
              if m is None and not e.title]
    return {"method": ranking.method, "cut_off": ranking.cut_off,
            "entries": len(ranking.entries), "usable": ranking.usable, "matched": matched,
            "unused": unused, "unwanted": len(ranking.unwanted),
            "follow": digest.config.interests.follow_authors if digest.config.interests else ()}


def for_you_feed(digest: Digest, env: jinja2.Environment, common: Mapping[str, Any]
                 ) -> Iterator[tuple[str, bytes]]:
    """for-you/feed.xml: the listed papers of the newest weeks, newest week first and best
    first within it, at most feed_size; each entry with its reasons."""
    if digest.for_you is None:
        return
    ranking = digest.for_you()
    entries: list[dict[str, Any]] = []
    for week in reversed(digest.weeks):
        picks = week_picks(digest, ranking, week).picks
        for pick in picks[:digest.config.feed_size - len(entries)]:
            entries.append({"id": uuid.uuid5(ID_NAMESPACE, f"for-you:{pick.paper.id}").urn,
                            "pick": pick, "week": week,
                            "updated": atom_time(pick.paper.first_seen)})
        if len(entries) >= digest.config.feed_size:
            break
    feed = {"id": uuid.uuid5(ID_NAMESPACE, "feed:for-you").urn, "path": FOR_YOU_FEED,
            "updated": max((e["updated"] for e in entries), default=atom_time(digest.built_at))}
    yield FOR_YOU_FEED, env.get_template("for_you.xml").render(
        **common, feed=feed, entries=entries).encode("utf-8")
