"""The assembled digest: everything render needs, computed once, read-only afterwards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from generator.config import Config
from generator.models import OTHER_TOPIC, Assignment, Note, Paper, ThemeSpec, Week
from generator.stages.briefing import COMPARED, Briefing, TermCache, brief
from generator.stages.links import Link, find_links, list_links
from generator.stages.merge import normalise_title

if TYPE_CHECKING:  # only named in annotations: importing them would import scikit-learn
    from generator.stages.interests.ranking import Ranking
    from generator.stages.themes import Subtopic, ThemeResult

OTHER = ThemeSpec(slug="other", name="Other", keywords=("-",),
                  description="Papers that fit none of the digest's themes.")


@dataclass(frozen=True)
class Digest:
    """Papers, themes and weeks with the lookups pages need; built by `assemble_digest`."""

    config: Config
    built_at: dt.date
    papers: tuple[Paper, ...]  # newest first, then by id
    themes: tuple[ThemeSpec, ...]  # as declared, then "Other"
    weeks: tuple[Week, ...]  # oldest first
    assignments: dict[str, tuple[Assignment, ...]]  # paper id -> its themes (empty: Other)
    subtopics: dict[str, tuple[Subtopic, ...]]  # theme slug -> its sub-topics (maybe none)
    by_id: dict[str, Paper] = field(default_factory=dict)
    week_by_paper: dict[str, Week] = field(default_factory=dict)
    notes: dict[tuple[str, str | None], EditorNote] = field(default_factory=dict)
    topic_index: dict[tuple[str, str], Subtopic] = field(default_factory=dict)  # (theme, id)
    # id -> related ids; may still be computed by a worker (speed.workers.Deferred) until rendering
    related: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # id -> map (x, y); may still be computed by a worker (speed.workers.Deferred) while pages render
    positions: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    # id -> code/project links, found in the abstract when first asked for (kept pages never
    # ask, so a build that keeps most pages finds few)
    links: Mapping[str, tuple[Link, ...]] = field(default_factory=dict)
    members: dict[str, frozenset[str]] = field(default_factory=dict)  # theme -> paper ids
    listed: dict[str, tuple[Paper, ...]] = field(default_factory=dict)  # theme -> its papers
    # The owner's ranking (stages/interests/), perhaps still computed by a worker: a function
    # that waits for it the first time; None without interests.
    for_you: Callable[[], Ranking] | None = None
    # (week, theme) -> its papers and its briefing, made when a page first asks (a build that
    # keeps a week's pages never does); the papers' terms are read once per window of weeks
    _theme_weeks: dict[tuple[str, str], tuple[Paper, ...]] = field(default_factory=dict)
    _briefings: dict[tuple[str, str], Briefing] = field(default_factory=dict)
    _terms: TermCache | None = None

    def related_to(self, paper: Paper) -> tuple[Paper, ...]:
        return tuple(self.by_id[i] for i in self.related.get(paper.id, ()) if i in self.by_id)

    def item_links(self, paper: Paper) -> tuple[Link, ...]:
        """The links a list item shows (stages/links.list_links)."""
        return list_links(paper, self.links.get(paper.id, ()))

    def note_for(self, week: Week, theme: str | None = None) -> EditorNote | None:
        """The editor's note for a week (theme None) or for one theme in it."""
        return self.notes.get((week.key, theme))

    def highlights_first(self, papers: tuple[Paper, ...], note: EditorNote | None
                         ) -> tuple[Paper, ...]:
        """The papers a note highlights, in the note's order, then the rest as given."""
        if note is None or not note.paper_ids:
            return papers
        ids = set(p.id for p in papers)
        first = tuple(self.by_id[i] for i in note.paper_ids if i in ids)
        return first + tuple(p for p in papers if p.id not in note.paper_ids)

    def week_of(self, paper: Paper) -> Week:
        """The week a paper was first seen in."""
        return self.week_by_paper[paper.id]

    def themes_of(self, paper: Paper) -> tuple[str, ...]:
        """The theme slugs of a paper; ('other',) when it is in none."""
        return self.themes_of_id(paper.id)

    def themes_of_id(self, pid: str) -> tuple[str, ...]:
        slugs = tuple(a.theme for a in self.assignments.get(pid, ()))
        return slugs or (OTHER.slug,)

    def papers_in(self, theme: str, papers: tuple[Paper, ...] | None = None) -> tuple[Paper, ...]:
        """The papers of one theme, in the order given (default: all, newest first)."""
        if papers is None:
            return self.listed.get(theme, ())
        members = self.members.get(theme, frozenset())
        return tuple(p for p in papers if p.id in members)

    def count_in(self, theme: str, ids: tuple[str, ...]) -> int:
        """len(papers_in(theme, papers)) for the papers of these (distinct) ids, counted
        in C: the archive counts every theme of every week."""
        return len(self.members.get(theme, frozenset()).intersection(ids))

    def scores_in(self, theme: str, papers: tuple[Paper, ...]) -> dict[str, float]:
        """The model's score of each of these papers that is in the theme (the others' is
        0), by id: one pass for a sort of a whole theme, not a call per comparison key."""
        return {p.id: a.score for p in papers for a in self.assignments.get(p.id, ())
                if a.theme == theme}

    def assignment(self, paper: Paper, theme: str) -> Assignment | None:
        return next((a for a in self.assignments.get(paper.id, ()) if a.theme == theme), None)

    def subtopic_of(self, paper: Paper, theme: str) -> Subtopic | None:
        return self.topic_index.get((theme, paper.id))

    def papers_of_week(self, week: Week) -> tuple[Paper, ...]:
        return tuple(self.by_id[i] for i in week.paper_ids)

    def theme_week(self, week: Week, theme: str) -> tuple[Paper, ...]:
        """A theme's papers of a week (newest first), the same tuple each time it is asked."""
        found = self._theme_weeks.get((week.key, theme))
        if found is None:
            members = self.members.get(theme, frozenset())
            found = tuple(self.by_id[i] for i in week.paper_ids if i in members)
            self._theme_weeks[(week.key, theme)] = found
        return found

    def compared_weeks(self, week: Week, theme: str) -> tuple[tuple[Paper, ...], ...]:
        """The theme's papers in each of the weeks a briefing compares `week` with: all a
        briefing reads besides the week's own papers (so a kept page's key names them)."""
        i = self.weeks.index(week)
        return tuple(self.theme_week(w, theme) for w in self.weeks[max(0, i - COMPARED):i])

    def briefing(self, week: Week, theme: str) -> Briefing:
        """The theme's weekly briefing (stages/briefing.py)."""
        found = self._briefings.get((week.key, theme))
        if found is None:
            def topic(paper: Paper) -> str | None:
                found = self.subtopic_of(paper, theme)  # ("Other <theme> papers" is no topic)
                return found.name if found and found.key != OTHER_TOPIC else None

            terms = self._terms or TermCache(self.week_by_paper)
            found = brief(self.theme_week(week, theme), self.compared_weeks(week, theme),
                          terms, topic, terms.tally)
            self._briefings[(week.key, theme)] = found
        return found


class Links(Mapping[str, tuple[Link, ...]]):
    """Paper id -> the code and project links of its abstract, each found when first asked
    for."""

    def __init__(self, abstracts: dict[str, str]) -> None:
        self._abstracts = abstracts
        self._found: dict[str, tuple[Link, ...]] = {}

    def __getitem__(self, pid: str) -> tuple[Link, ...]:
        found = self._found.get(pid)
        if found is None:
            found = self._found[pid] = find_links(self._abstracts[pid])
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._abstracts)

    def __len__(self) -> int:
        return len(self._abstracts)


@dataclass(frozen=True, slots=True)
class EditorNote:
    """A note with its highlighted titles resolved to paper ids."""

    note: Note
    paper_ids: tuple[str, ...]


def assemble_digest(config: Config, papers: tuple[Paper, ...], themes: ThemeResult,
                    weeks: tuple[Week, ...], built_at: dt.date,
                    notes: tuple[Note, ...] = (),
                    related: Mapping[str, tuple[str, ...]] | None = None,
                    positions: Mapping[str, tuple[float, float]] | None = None,
                    for_you: Callable[[], Ranking] | None = None,
                    ) -> tuple[Digest, list[str]]:
    """Sort papers for output and index them; the order is part of the output's determinism.

    Returns the digest and warnings about notes that point at nothing.
    """
    ordered = tuple(sorted(papers, key=lambda p: (-p.first_seen.toordinal(), p.id)))
    resolved, warnings = _resolve_notes(notes, ordered, {w.key for w in weeks})
    slugs = (*(t.slug for t in config.themes), OTHER.slug)
    found: dict[str, list[Paper]] = {slug: [] for slug in slugs}
    for paper in ordered:  # every theme's papers in one pass (newest first, as `ordered`)
        assigned = themes.assignments.get(paper.id)
        if not assigned:
            found[OTHER.slug].append(paper)
        for a in assigned or ():
            found.setdefault(a.theme, []).append(paper)
    week_by_paper = {pid: w for w in weeks for pid in w.paper_ids}
    digest = Digest(config=config, built_at=built_at, papers=ordered,
                    themes=(*config.themes, OTHER), weeks=weeks,
                    assignments=themes.assignments, subtopics=themes.subtopics,
                    by_id={p.id: p for p in ordered},
                    week_by_paper=week_by_paper,
                    notes=resolved,
                    topic_index={(slug, pid): topic for slug, topics in themes.subtopics.items()
                                 for topic in topics for pid in topic.paper_ids},
                    related={} if related is None else related,
                    positions={} if positions is None else positions,
                    links=Links({p.id: p.abstract for p in ordered}),
                    members={slug: frozenset(p.id for p in listed)
                             for slug, listed in found.items()},
                    listed={slug: tuple(listed) for slug, listed in found.items()},
                    for_you=for_you,
                    _terms=TermCache(week_by_paper))
    return digest, warnings


def _resolve_notes(notes: tuple[Note, ...], papers: tuple[Paper, ...], week_keys: set[str]
                   ) -> tuple[dict[tuple[str, str | None], EditorNote], list[str]]:
    by_title = {normalise_title(p.title): p.id for p in papers} if notes else {}
    resolved: dict[tuple[str, str | None], EditorNote] = {}
    warnings: list[str] = []
    for note in notes:
        if note.week not in week_keys:
            warnings.append(f"{note.file}:1: week {note.week} has no papers, so the note is "
                            "shown nowhere")
            continue
        ids = []
        for title in note.highlights:
            pid = by_title.get(normalise_title(title))
            if pid is None:
                warnings.append(f"{note.file}:1: highlighted title {title!r} matches no paper; "
                                "ignored")
            elif pid not in ids:
                ids.append(pid)
        resolved[(note.week, note.theme)] = EditorNote(note=note, paper_ids=tuple(ids))
    return resolved, warnings
