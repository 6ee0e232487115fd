"""A growing archive: the theme model is fitted on the oldest papers and scores the rest, so a
new week leaves older papers' themes as they were, and a build that reuses the cached fit and
scores gives exactly the result of one from scratch."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from generator.config import Config, load_config
from generator.models import Paper
from generator.pipeline import build, read_papers
from generator.speed.cached_stages import _behind_little, theme_stage
from generator.stages import related as similar
from generator.stages import training as growth
from generator.stages.related import relate_papers
from generator.stages.themes import assign_themes, fit_themes, score_papers, theme_settings
from generator.stages.training import split_training, training_size

from .conftest import CONTENT, public_papers


@pytest.fixture(scope="module")
def corpus() -> tuple:
    config = load_config(CONTENT)
    papers = read_papers(config).papers
    return config, papers


def test_small_corpora_are_fitted_whole_and_larger_ones_in_steps_of_a_quarter() -> None:
    assert [training_size(n) for n in (0, 1, 747, 5000)] == [0, 1, 747, 5000]
    steps = sorted({training_size(n) for n in range(5000, 120_000, 97)})
    assert steps[:4] == [5000, 6250, 7812, 9765]
    for low, high in zip(steps, steps[1:], strict=False):
        assert high == low + low // 4
    for n in range(5001, 120_000, 997):  # the model always saw at least four fifths
        assert n * 0.8 <= training_size(n) <= n


def test_the_fit_takes_the_oldest_papers(corpus: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    _, papers = corpus
    monkeypatch.setattr(growth, "FIT_ALL_UP_TO", 400)
    trained, rest = split_training(tuple(reversed(papers)))
    assert len(trained) == training_size(len(papers)) == 625 and len(rest) == 122
    newest_trained = max((p.first_seen, p.id) for p in trained)
    assert all((p.first_seen, p.id) > newest_trained for p in rest)


def test_a_papers_score_depends_on_that_paper_and_the_fit_alone(corpus: tuple) -> None:
    config, papers = corpus
    settings = theme_settings(config)
    ordered = sorted(papers, key=lambda p: (p.first_seen, p.id))
    fit = fit_themes(ordered[:500], config.themes, settings)
    together = score_papers(fit, ordered[500:], config.themes, settings)
    alone = {}
    for part in (ordered[500:560], ordered[560:561], ordered[561:]):
        alone.update(score_papers(fit, part, config.themes, settings))
    assert together == alone
    assert any(s.assignments for s in together.values())
    assert any(t >= 0 for s in together.values() for t in s.topics)  # placed in sub-topics


def test_a_new_week_reuses_the_fit_and_equals_a_build_from_scratch(
        corpus: tuple, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, papers = corpus
    monkeypatch.setattr(growth, "FIT_ALL_UP_TO", 400)
    ordered = sorted(papers, key=lambda p: (p.first_seen, p.id))
    before, new_week = tuple(ordered[:-60]), ordered[-60:]
    assert training_size(len(before)) == training_size(len(papers))  # the same step
    fits, scored = [], []
    monkeypatch.setattr("generator.stages.themes.fit_themes",
                        _spy(fits, lambda trained, *a: len(trained), fit_themes))
    monkeypatch.setattr("generator.stages.themes.score_papers",
                        _spy(scored, lambda fit, missing, *a: len(missing), score_papers))
    cache = tmp_path / "cache"
    first = theme_stage(config, before, cache)
    second = theme_stage(config, papers, cache)
    assert fits == [625] and scored == [62, 60]  # the fit once; then the new week's papers only
    scratch = assign_themes(papers, config.themes, theme_settings(config))
    assert second == scratch
    # Papers that were there before keep their themes, scores and explanations.
    assert all(second.assignments[p.id] == first.assignments[p.id] for p in before)
    # The new week is not left out of anything: it has themes and sub-topics like the rest.
    week_ids = {p.id for p in new_week}
    assert any(second.assignments[i] for i in week_ids)
    in_topics = {i for topics in second.subtopics.values() for t in topics for i in t.paper_ids}
    assert week_ids & in_topics


def test_a_changed_abstract_is_scored_again(corpus: tuple, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    config, papers = corpus
    monkeypatch.setattr(growth, "FIT_ALL_UP_TO", 400)
    cache = tmp_path / "cache"
    theme_stage(config, papers, cache)
    newest = max(papers, key=lambda p: (p.first_seen, p.id))
    edited = dataclasses.replace(
        newest, title="Unsupervised Skill Discovery for Hierarchical Agents",
        abstract="We learn a library of reusable skills without rewards: skill discovery "
                 "maximises the mutual information between skills and states, and a "
                 "high-level policy composes the skills to solve long-horizon tasks.")
    changed = tuple(edited if p.id == newest.id else p for p in papers)
    cached = theme_stage(config, changed, cache)
    assert cached == assign_themes(changed, config.themes, theme_settings(config))
    assert "skills" in {a.theme for a in cached.assignments[newest.id]}


def _spy(calls: list, what, real):  # type: ignore[no-untyped-def]
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(what(*args))
        return real(*args, **kwargs)
    return wrapper



@pytest.mark.parametrize("exact_limit", [100, 10**9])  # the candidate search, and the exact one
def test_related_papers_of_a_new_week_equal_a_search_from_scratch(
        corpus: tuple, monkeypatch: pytest.MonkeyPatch, exact_limit: int) -> None:
    _, papers = corpus
    monkeypatch.setattr(growth, "FIT_ALL_UP_TO", 400)
    monkeypatch.setattr(similar, "EXACT_LIMIT", exact_limit)
    ordered = sorted(papers, key=lambda p: (p.first_seen, p.id))
    before = ordered[:-60]
    first, kept = relate_papers(before)
    grown, kept_again = relate_papers(papers, previous=kept)
    scratch, fresh = relate_papers(papers)
    assert grown == scratch
    assert (kept_again.candidates is None) == (exact_limit > len(papers))
    if fresh.candidates is not None:  # what the next build starts from is the same too
        assert kept_again.candidates is not None
        for name in ("rows", "shared", "exact"):
            assert np.array_equal(getattr(kept_again.candidates, name),
                                  getattr(fresh.candidates, name))
        assert np.array_equal(kept_again.best, fresh.best)
    assert (kept_again.rows != fresh.rows).nnz == 0
    # An old paper's list changes only where a new paper is now among its closest (exact
    # search), or among its candidates (the candidate search: one may push out another).
    new_ids = {p.id for p in ordered[-60:]}
    ids = sorted(p.id for p in papers)
    changed = [p.id for p in before if first[p.id] != grown[p.id]]
    assert 0 < len(changed) < len(before) / 2
    for pid in changed:
        near = set(grown[pid])
        if kept_again.candidates is not None:
            near = {ids[j] for j in kept_again.candidates.rows[ids.index(pid)] if j >= 0}
        assert near & new_ids, pid


def test_a_neighbourhood_a_few_papers_behind_is_extended_and_not_stored_again(
        corpus: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    # build.related_stage stores what the next build extends only once the stored one lacks
    # more than cache.STALE of it; a build two weeks on extends the older one just as well.
    _, papers = corpus
    monkeypatch.setattr(growth, "FIT_ALL_UP_TO", 400)
    monkeypatch.setattr(similar, "EXACT_LIMIT", 100)
    ordered = sorted(papers, key=lambda p: (p.first_seen, p.id))
    _, stored = relate_papers(ordered[:-10])
    week, kept = relate_papers(ordered[:-5], previous=stored)
    assert _behind_little(stored, kept)  # 5 new of 737: not stored again
    later, _ = relate_papers(ordered, previous=stored)  # so the next build extends `stored`
    assert later == relate_papers(ordered)[0]
    _, older = relate_papers(ordered[:-100])
    _, grown = relate_papers(ordered, previous=older)
    assert not _behind_little(older, grown)  # 100 new: stored
    assert not _behind_little(None, kept)
    edited = dataclasses.replace(ordered[0], abstract=ordered[1].abstract)
    _, changed = relate_papers([edited, *ordered[1:-5]], previous=stored)
    assert not _behind_little(stored, changed)  # a paper changed: its row is not the stored one


def test_related_papers_after_a_paper_went_or_changed_equal_a_search_from_scratch(
        corpus: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    _, papers = corpus
    monkeypatch.setattr(growth, "FIT_ALL_UP_TO", 400)
    monkeypatch.setattr(similar, "EXACT_LIMIT", 100)
    _, kept = relate_papers(papers)
    ordered = sorted(papers, key=lambda p: (p.first_seen, p.id))
    fewer = ordered[:-30] + ordered[-29:]  # one of the newest went
    assert relate_papers(fewer, previous=kept)[0] == relate_papers(fewer)[0]
    edited = dataclasses.replace(ordered[-1], abstract=ordered[-2].abstract)
    changed = ordered[:-1] + [edited]
    assert relate_papers(changed, previous=kept)[0] == relate_papers(changed)[0]


def test_a_site_grown_by_a_week_equals_one_built_from_scratch(
        content_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Small steps, so that the default digest has a training split and uses the candidate
    # search: the newest week (81 papers) is scored by a fit on the oldest 625 papers.
    monkeypatch.setattr(growth, "FIT_ALL_UP_TO", 400)
    monkeypatch.setattr(similar, "EXACT_LIMIT", 100)
    manifest = content_copy / "sources.yaml"
    full = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    last = max(s["collected"] for s in full["sources"])  # the newest week: two dumps
    newest = [s["file"] for s in full["sources"] if s["collected"] == last]
    earlier = {**full, "sources": [s for s in full["sources"] if s["file"] not in newest]}
    for name in newest:
        (content_copy / "sources" / name).rename(tmp_path / name)
    manifest.write_text(yaml.safe_dump(earlier), encoding="utf-8")
    out, cache, scratch = tmp_path / "site", tmp_path / "cache", tmp_path / "scratch"
    fits: list[int] = []
    monkeypatch.setattr("generator.stages.themes.fit_themes",
                        _spy(fits, lambda trained, *a: len(trained), fit_themes))
    before = build(load_config(content_copy), out, cache_dir=cache)
    old = _tree(out)

    for name in newest:
        (tmp_path / name).rename(content_copy / "sources" / name)
    manifest.write_text(yaml.safe_dump(full), encoding="utf-8")
    grown = build(load_config(content_copy), out, cache_dir=cache)
    assert (before.papers, grown.papers, fits) == (666, 747, [625])  # one fit for both
    # Most pages were kept without rendering: the older papers' pages, the archives.
    assert before.publish.kept == 0 and grown.publish.kept > 0.6 * before.pages
    build(load_config(content_copy), scratch)  # no cache at all
    assert fits == [625, 625]
    new = _tree(out)
    assert new == _tree(scratch)
    # What a new week leaves as it was: the theme archives. Only a list's newest archive
    # page may change, and only when a newer one was added (its "newer" link).
    pages: dict[str, list[int]] = {}
    for path in new:
        if m := re.fullmatch(r"(themes/[^/]+/[a-z0-9-]+)-(\d+)\.html", path):
            pages.setdefault(m[1], []).append(int(m[2]))
    archive = [p for p in old if re.fullmatch(r"themes/[^/]+/[a-z0-9-]+-\d+\.html", p)]
    assert len(archive) >= 4
    for path in archive:
        view, number = path.rsplit("-", 1)
        last_before = max(int(p.rsplit("-", 1)[1][:-5]) for p in archive
                          if p.rsplit("-", 1)[0] == view)
        if new[path] != old[path]:
            assert int(number[:-5]) == last_before < max(pages[view]), path
    assert sum(new[p] == old[p] for p in archive) >= len(archive) / 2


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_build_parses_only_the_dumps_whose_bytes_changed(
        content_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.stages.read as sources

    parses: list[str] = []
    real = sources.read_source
    monkeypatch.setattr(sources, "read_source",
                        lambda path, *a, **k: parses.append(path.name) or real(path, *a, **k))
    cache = tmp_path / "cache"
    config = load_config(content_copy)
    first = _read(config, cache)
    assert len(parses) == len(config.sources) == 5
    assert _read(config, cache) == first and len(parses) == 5  # none again
    dump = content_copy / "sources" / config.sources[0].file
    text = dump.read_text(encoding="utf-8")
    title = first[1][0].title
    assert title in text
    dump.write_text(text.replace(title, "A Retitled Paper", 1), encoding="utf-8")
    again = _read(config, cache)
    assert parses[5:] == [dump.name]  # only the edited dump
    assert again == _read(config)  # the same as with no cache at all
    assert any(p.title == "A Retitled Paper" for p in again[1])


def test_a_retitled_paper_updates_every_page_that_shows_it(
        content_copy: Path, tmp_path: Path) -> None:
    out, cache, scratch = tmp_path / "site", tmp_path / "cache", tmp_path / "scratch"
    build(load_config(content_copy), out, cache_dir=cache)
    old_title = "Mastering Atari, Go, Chess and Shogi by Planning with a Learned Model"
    for dump in (content_copy / "sources").iterdir():
        text = dump.read_text(encoding="utf-8")
        dump.write_text(text.replace(old_title, "Mastering Board Games by Planning"),
                        encoding="utf-8")
    again = build(load_config(content_copy), out, cache_dir=cache)
    assert again.publish.kept > 0
    build(load_config(content_copy), scratch)
    new = _tree(out)
    assert new == _tree(scratch)
    showing = [p for p, data in new.items() if b"Mastering Board Games by Planning" in data]
    assert len(showing) > 5  # its page, its neighbours' pages, its lists, its week


def test_templates_of_the_digest_own_turn_page_keeping_off(content_copy: Path,
                                                          tmp_path: Path) -> None:
    out, cache = tmp_path / "site", tmp_path / "cache"
    note = content_copy / "notes" / "2025-W17.md"

    def kept_after_a_change(text: str) -> int:
        note.write_text(text, encoding="utf-8")  # (else the build is skipped)
        return build(load_config(content_copy), out, cache_dir=cache).publish.kept

    build(load_config(content_copy), out, cache_dir=cache)
    assert kept_after_a_change("A note.") > 500
    assets = content_copy / "templates" / "assets"
    assets.mkdir(parents=True)
    (assets / "extra.css").write_text("body { color: black }", encoding="utf-8")
    assert kept_after_a_change("Another note.") > 500  # assets are copied, not templates
    (content_copy / "templates" / "paper.html").write_text(
        '{% extends "default/paper.html" %}', encoding="utf-8")
    assert kept_after_a_change("A third note.") == 0  # own templates may show anything


def test_a_papers_stamp_changes_with_every_field_it_shows(corpus: tuple) -> None:
    # A page is kept while the stamps of its papers are unchanged: every field of a paper,
    # its themes and evidence, its sub-topics and its week must be in the stamp.
    from generator.models import Assignment, Match, Paper, SourceRef
    from generator.publish.record import Recorded, Reuse
    from generator.speed.kept_pages import Stamps
    from generator.stages.digest import assemble_digest
    from generator.stages.weeks import schedule_weeks

    config, papers = corpus
    themes = assign_themes(papers, config.themes, theme_settings(config))
    paper = next(p for p in papers if themes.assignments[p.id])

    def stamp(changed: Paper, assignments: tuple = ()) -> bytes:
        swapped = tuple(changed if p.id == paper.id else p for p in papers)
        result = dataclasses.replace(themes, assignments={
            **themes.assignments, **({paper.id: assignments} if assignments else {})})
        digest, _ = assemble_digest(config, swapped, result,
                                    schedule_weeks(swapped, config.week_start),
                                    dt.date(2025, 5, 1))
        reuse = Reuse(recorded=Recorded(pages={}, state={}), live={}, program=b"")
        return Stamps(digest, reuse).of(changed)

    base = stamp(paper)
    other = {str: "x", int: 99, dt.date: dt.date(2020, 1, 1), tuple: ("x",)}
    for f in dataclasses.fields(Paper):
        value = getattr(paper, f.name)
        if f.name == "sources":
            new = (SourceRef(file="x.txt", line=1, collected=value[0].collected, query="q"),)
        elif f.name == "published":
            new = dt.date(2020, 1, 1)
        else:
            new = other[type(value)]
        assert stamp(dataclasses.replace(paper, **{f.name: new})) != base, f.name
    first = themes.assignments[paper.id][0]
    for changed in (dataclasses.replace(first, score=first.score / 2),
                    dataclasses.replace(first, terms=("x",)),
                    dataclasses.replace(first, matches=(Match("x", "title", 1),)),
                    Assignment(theme="other-theme", score=first.score, matches=first.matches,
                               terms=first.terms)):
        assert stamp(paper, (changed,)) != base


def test_a_backdated_dump_moves_the_training_split_and_the_site_follows(
        content_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Which papers are the oldest depends on the dumps' dates, not only on the papers' text:
    # the cached related papers must not outlive a change of dates.
    monkeypatch.setattr(growth, "FIT_ALL_UP_TO", 400)
    monkeypatch.setattr(similar, "EXACT_LIMIT", 100)
    out, cache, scratch = tmp_path / "site", tmp_path / "cache", tmp_path / "scratch"
    build(load_config(content_copy), out, cache_dir=cache)
    manifest = content_copy / "sources.yaml"
    data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    newest = max(data["sources"], key=lambda s: s["collected"])
    newest["collected"] = dt.date(2025, 3, 6)  # before every other dump
    manifest.write_text(yaml.safe_dump(data), encoding="utf-8")
    build(load_config(content_copy), out, cache_dir=cache)
    build(load_config(content_copy), scratch)
    assert _tree(out) == _tree(scratch)


def test_public_data_is_not_kept_across_a_change_of_program(
        content_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.render.data as render
    import generator.speed.skip as skip

    out, cache, scratch = tmp_path / "site", tmp_path / "cache", tmp_path / "scratch"
    build(load_config(content_copy), out, cache_dir=cache)
    # A new version of the program that writes rows differently (its key differs).
    real_row, real_key = render._paper_row, skip.program_key
    monkeypatch.setattr(render, "_paper_row", lambda d, p: {**real_row(d, p), "new": 1})
    monkeypatch.setattr(skip, "program_key", lambda *a: real_key(*a) + b"new")
    # (A new version's files differ, so the build is not skipped; here a note stands in.)
    (content_copy / "notes" / "2025-W17.md").write_text("A note.", encoding="utf-8")
    build(load_config(content_copy), out, cache_dir=cache)
    build(load_config(content_copy), scratch)
    assert _tree(out) == _tree(scratch)
    assert b'"new": 1' in (out / "data" / "papers" / "0.json").read_bytes()


def test_the_public_data_is_in_parts_and_a_part_whose_papers_did_not_change_is_kept(
        content_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.render.data as render

    monkeypatch.setattr(render, "DATA_PART", 200)
    out, cache, scratch = tmp_path / "site", tmp_path / "cache", tmp_path / "scratch"
    build(load_config(content_copy), out, cache_dir=cache)
    index = json.loads((out / "data" / "papers.json").read_text(encoding="utf-8"))
    assert index["papers"] == 747
    assert index["parts"] == [{"path": f"data/papers/{n}.json", "papers": size}
                              for n, size in enumerate((200, 200, 200, 147))]
    rows = public_papers(out)
    order = [(r["first_seen"], r["id"]) for r in rows]
    assert order == sorted(set(order)) and len(order) == 747  # oldest first, each once
    inodes = {part["path"]: (out / part["path"]).stat().st_ino for part in index["parts"]}
    # A note shows on week pages only: no paper's data changes, so no part is written.
    (content_copy / "notes" / "2025-W17.md").write_text("A note.", encoding="utf-8")
    again = build(load_config(content_copy), out, cache_dir=cache)
    assert again.publish.written > 0
    assert {path: (out / path).stat().st_ino for path in inodes} == inodes
    build(load_config(content_copy), scratch)
    assert _tree(out) == _tree(scratch)


def _read(config: Config, cache: Path | None = None
          ) -> tuple[int, tuple[Paper, ...], tuple[str, ...]]:
    """read_papers' listings, papers and warnings (what a build shows of a read)."""
    corpus = read_papers(config, cache_dir=cache)
    return corpus.listings, corpus.papers, corpus.warnings
