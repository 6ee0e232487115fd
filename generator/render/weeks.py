"""A week's pages: the week page (each theme's preview), every theme's papers that week in
headed sections over numbered pages, and each theme's week as a .bib download."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.models import Paper, Week
from generator.render.bib import paper_entry, week_theme_bib_path
from generator.render.pages import Keeper, Page, Pages, kept_or_made
from generator.render.paths import week_path
from generator.render.themes import group_by_subtopic
from generator.render.views import ThemeView
from generator.stages.digest import OTHER

if TYPE_CHECKING:
    from generator.stages.digest import Digest, EditorNote

PREVIEW = 15  # papers per theme on the week page and home; the weekly theme page has all


@dataclass(frozen=True, slots=True)
class Section:
    """A headed group of papers on a weekly theme page."""

    title: str | None  # None: one list without a heading
    key: str
    papers: tuple[Paper, ...]

    def canon_parts(self) -> tuple[Any, ...]:
        return self.title, self.key, self.papers


@dataclass(frozen=True, slots=True)
class WeekTheme:
    """One theme's block on a week page: its papers, a preview grouped by sub-topic, and the
    theme's papers of the weeks its briefing compares with (what the briefing reads besides
    the week's papers: part of a kept page's key, so the briefing is made only if shown)."""

    theme: ThemeView
    papers: tuple[Paper, ...]
    preview: tuple[Section, ...]
    earlier: tuple[tuple[Paper, ...], ...]

    def canon_parts(self) -> tuple[Any, ...]:
        return self.theme, self.papers, self.preview, self.earlier


@dataclass(frozen=True, slots=True)
class WeekSummary:
    """What a week brought: a block per declared theme with papers, the declared themes with
    none (stated, not left out), and the papers in no theme (a count and a link, not a list)."""

    blocks: tuple[WeekTheme, ...]
    empty: tuple[ThemeView, ...]
    other: int  # papers of the week in no theme

    def canon_parts(self) -> tuple[Any, ...]:
        return self.blocks, self.empty, self.other


def week_pages(pages: Pages, digest: Digest, themes: tuple[ThemeView, ...],
               week: Week) -> Iterator[Page]:
    """The week's page, then each theme's pages that week. Every theme gets a page every
    week, even an empty one, so that a reader following one theme can always step to the
    previous and next week."""
    nav = week_nav(digest, week)
    week_note = digest.note_for(week)
    papers_of_week = digest.papers_of_week(week)
    newest = max(p.first_seen for p in papers_of_week)
    yield pages.page(week_path(week.key), "week.html", newest, keep=True, week=week,
                     week_nav=nav, note=week_note,
                     summary=week_summary(digest, themes, week))
    for theme in themes:
        note = digest.note_for(week, theme.slug)
        papers = digest.theme_week(week, theme.slug)
        highlighted, sections = _sections(digest, theme.slug, papers, note or week_note)
        chunks = _paginate_sections(sections, digest.config.page_size)
        paths = [week_path(week.key, theme.slug, n) for n in range(1, len(chunks) + 1)]
        for number, chunk in enumerate(chunks, start=1):
            yield pages.page(paths[number - 1], "week_theme.html", newest, keep=True,
                             listed=bool(papers),
                             week=week, week_nav=nav, theme=theme, papers=papers, note=note,
                             earlier=digest.compared_weeks(week, theme.slug),
                             sections=chunk, highlighted=sorted(highlighted),
                             pagination={"number": number, "count": len(chunks),
                                         "paths": paths})


def _sections(digest: Digest, theme: str, papers: tuple[Paper, ...],
              chosen: EditorNote | None) -> tuple[set[str], list[Section]]:
    """A theme's papers of a week as headed sections: those the note highlights first (in
    the note's order), then the rest by sub-topic; and the ids highlighted."""
    highlighted = set(chosen.paper_ids) & {p.id for p in papers} if chosen else set()
    first = tuple(p for p in digest.highlights_first(papers, chosen) if p.id in highlighted)
    rest = tuple(p for p in papers if p.id not in highlighted)
    sections = [Section("Highlights", "highlights", first)] if first else []
    sections += _by_subtopic(digest, theme, rest)
    return highlighted, sections


def _paginate_sections(sections: list[Section], size: int) -> list[list[Section]]:
    """Split headed groups into pages of at most `size` papers; a group may continue over."""
    pages: list[list[Section]] = [[]]
    room = size
    for section in sections:
        rest = section.papers
        while rest:
            if room == 0:
                pages.append([])
                room = size
            part, rest = rest[:room], rest[room:]
            pages[-1].append(Section(section.title, section.key, part))
            room -= len(part)
    return pages


def _by_subtopic(digest: Digest, theme: str, papers: tuple[Paper, ...]) -> list[Section]:
    """A week's papers of one theme grouped by sub-topic, in the theme's sub-topic order."""
    topics = digest.subtopics.get(theme, ())
    if not topics:
        return [Section(None, "", papers)] if papers else []
    grouped = group_by_subtopic(digest, theme, papers)
    sections = [Section(t.name, f"topic-{t.key}", grouped[i]) for i, t in enumerate(topics)]
    return [s for s in sections if s.papers]


def week_nav(digest: Digest, week: Week | None) -> dict[str, Any]:
    """The weeks before and after `week`, for the links between them; and under "themes",
    for each theme, the nearest weeks before and after that have papers of it (None: no
    link), so that a weekly theme page never links to an empty one. The pages of those
    empty theme-weeks are still written, for links made before; nothing links to them."""
    if week is None:
        return {"previous": None, "next": None, "themes": {}}
    i = digest.weeks.index(week)
    themes = {}
    for slug, having in _theme_weeks(digest).items():
        before, after = bisect.bisect_left(having, i), bisect.bisect_right(having, i)
        themes[slug] = {"previous": digest.weeks[having[before - 1]] if before else None,
                        "next": digest.weeks[having[after]] if after < len(having) else None}
    return {"previous": digest.weeks[i - 1] if i > 0 else None,
            "next": digest.weeks[i + 1] if i + 1 < len(digest.weeks) else None,
            "themes": themes}


_THEME_WEEKS: list[tuple[Digest, dict[str, list[int]]]] = []  # the last digest's, below


def _theme_weeks(digest: Digest) -> dict[str, list[int]]:
    """Theme slug -> the indexes of the weeks (in digest.weeks) that have papers of it.
    Made once per digest (week_nav asks for each week): the last digest's is kept."""
    if _THEME_WEEKS and _THEME_WEEKS[0][0] is digest:
        return _THEME_WEEKS[0][1]
    having = {t.slug: [i for i, w in enumerate(digest.weeks) if digest.count_in(t.slug, w.paper_ids)]
              for t in digest.themes}
    _THEME_WEEKS[:] = [(digest, having)]
    return having


def week_summary(digest: Digest, themes: tuple[ThemeView, ...],
                 week: Week | None) -> WeekSummary:
    """A week's themes: highlights first, then by sub-topic; Other as a count."""
    if week is None:
        return WeekSummary((), (), 0)
    note = digest.note_for(week)
    ordered = digest.highlights_first(digest.papers_of_week(week), note)
    chosen = set(note.paper_ids) if note else set()
    blocks, empty = [], []
    for theme in themes:
        if theme.slug == OTHER.slug:
            continue
        papers = digest.papers_in(theme.slug, ordered)
        if not papers:
            empty.append(theme)
            continue
        first = tuple(p for p in papers if p.id in chosen)
        sections = [Section("Highlights", "highlights", first)] if first else []
        sections += _by_subtopic(digest, theme.slug, tuple(p for p in papers if p.id not in chosen))
        blocks.append(WeekTheme(theme, papers, tuple(_preview(sections, PREVIEW)),
                                digest.compared_weeks(week, theme.slug)))
    return WeekSummary(tuple(blocks), tuple(empty),
                       digest.count_in(OTHER.slug, week.paper_ids))


def _preview(sections: list[Section], size: int) -> list[Section]:
    """At most `size` papers, dealt round-robin from the sections so each sub-topic shows."""
    taken = [0] * len(sections)
    left = size
    while left > 0 and any(t < len(s.papers) for t, s in zip(taken, sections, strict=True)):
        for i, section in enumerate(sections):
            if left > 0 and taken[i] < len(section.papers):
                taken[i] += 1
                left -= 1
    return [Section(s.title, s.key, s.papers[:n])
            for s, n in zip(sections, taken, strict=True) if n]


def archive_rows(digest: Digest, themes: tuple[ThemeView, ...]) -> list[dict[str, Any]]:
    """The archive page's table: each week, newest first, with its papers per theme."""
    rows = []
    for week in reversed(digest.weeks):
        rows.append({"week": week, "total": len(week.paper_ids),
                     "counts": {t.slug: digest.count_in(t.slug, week.paper_ids)
                                for t in themes}})
    return rows


def week_bibs(digest: Digest, keeper: Keeper | None) -> Iterator[Page]:
    """weeks/<week>/<theme>.bib for each theme with papers that week (an empty theme-week
    has no download, and its page no link); kept like pages when their papers are."""
    entries: dict[str, str] = {}  # a paper's entry is made once, and only if needed
    for week in digest.weeks:
        for theme in digest.themes:
            papers = digest.theme_week(week, theme.slug)
            if not papers:
                continue
            path = week_theme_bib_path(week.key, theme.slug)

            def make(papers: tuple[Paper, ...] = papers) -> bytes:
                for p in papers:
                    if p.id not in entries:
                        entries[p.id] = paper_entry(p)
                return "\n".join(entries[p.id] for p in papers).encode("utf-8")

            keyed = keeper.keep(path, "week-bib", path, papers) if keeper is not None else None
            yield kept_or_made(path, keyed, make)
