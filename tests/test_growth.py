"""A growing archive: the theme model is fitted on the oldest papers and scores the rest, so a
new week leaves older papers' themes as they were, and a build that reuses the cache (the fit,
the scores, the related papers' search, the pages) gives exactly the site of one from scratch.

The site tests set two size constants down so that the default digest's 747 papers take the
paths a digest of 100,000 takes: a training split (training.FIT_ALL_UP_TO) and the related
papers' candidate search (related.EXACT_LIMIT); no setting of a digest's reaches them."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.config import load_config
from generator.models import Paper
from generator.pipeline import build, read_papers
from generator.stages import related as similar
from generator.stages import training as growth
from generator.stages.themes import fit_themes, score_papers, theme_settings
from generator.stages.training import split_training, training_size
from generator.tools.ingest import ingest_file

from .conftest import CONTENT, REPO, public_papers


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


def test_the_fit_takes_the_oldest_papers() -> None:
    # 6,300 papers, listed in any order: the fit takes the oldest 6,250 (by first seen, then
    # id) and scores the 50 newer ones.
    rng = random.Random(0)
    papers = [Paper(id=f"{n:06x}", slug=f"p-{n}", title=f"Paper {n}", abstract="Text.",
                    first_seen=dt.date(2024, 1, 1) + dt.timedelta(rng.randrange(400)),
                    sources=())
              for n in range(6300)]
    rng.shuffle(papers)
    trained, rest = split_training(papers)
    assert len(trained) == training_size(len(papers)) == 6250 and len(rest) == 50
    newest_trained = max((p.first_seen, p.id) for p in trained)
    assert all((p.first_seen, p.id) > newest_trained for p in rest)
    assert split_training(list(reversed(papers))) == (trained, rest)


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


@pytest.fixture
def small_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default digest fitted on its oldest 625 papers (steps from 400, not 5,000)."""
    monkeypatch.setattr(growth, "FIT_ALL_UP_TO", 400)


def _themes_and_scores(site: Path) -> dict[str, tuple[list[str], dict[str, float]]]:
    """Each paper's themes and scores, as the public data gives them."""
    return {row["id"]: (row["themes"], row["scores"]) for row in public_papers(site)}


def _same_site(out: Path, scratch: Path) -> None:
    built, cold = _tree(out), _tree(scratch)
    assert sorted(built) == sorted(cold)
    assert [path for path in cold if built[path] != cold[path]] == []


def _small_week(content: Path, tmp_path: Path, day: dt.date, titles: list[str]) -> None:
    """Ingest a dump of a few new papers, collected on `day`."""
    rows = [{"title": t, "abstract": f"We study {t.lower()}: agents learn reusable skills and "
             "world models from experience, and embeddings of them transfer to new tasks."}
            for t in titles]
    dump = tmp_path / f"small-{day.isoformat()}.json"
    dump.write_text(json.dumps(rows), encoding="utf-8")
    ingest_file(content, dump, day)


@pytest.mark.parametrize("search", ["candidates", "exact"])
def test_a_site_grown_by_a_week_equals_one_built_from_scratch(
        content_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_steps: None,
        search: str) -> None:
    # The newest week (81 papers) is scored by a fit on the oldest 625 papers, and its
    # related papers are found by the candidate search or the exact one, extending what
    # the last build stored; then two small weeks, too small for the cache to store the
    # related papers' search again: the second extends what the 747 papers' build stored.
    # Pages are kept from build to build, so what any of them got wrong is still there when
    # the site is compared with one built from scratch.
    if search == "candidates":
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
    before = build(load_config(content_copy), out, cache_dir=cache)
    old, old_themes = _tree(out), _themes_and_scores(out)

    for name in newest:
        (tmp_path / name).rename(content_copy / "sources" / name)
    manifest.write_text(yaml.safe_dump(full), encoding="utf-8")
    grown = build(load_config(content_copy), out, cache_dir=cache)
    assert (before.papers, grown.papers) == (666, 747)
    # Most pages were kept without rendering: the older papers' pages, the archives.
    assert before.publish.kept == 0 and grown.publish.kept > 0.6 * before.pages
    new = _tree(out)

    # Papers that were there before keep their themes and scores; the new week has themes
    # and sub-topics like the rest.
    new_themes = _themes_and_scores(out)
    assert {pid: new_themes[pid] for pid in old_themes} == old_themes
    week = {row["slug"] for row in public_papers(out) if row["id"] not in old_themes}
    assert len(week) == 81 and any(new_themes[pid][0] for pid in new_themes
                                   if pid not in old_themes)
    in_topics = {m for page in out.glob("themes/*/topic-*.html")
                 for m in re.findall(r'href="\.\./\.\./papers/([^"]+)\.html"',
                                     page.read_text(encoding="utf-8"))}
    assert week & in_topics
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

    for day, titles in ((dt.date(2025, 5, 1), ["Skill Graphs for Agents",
                                               "World Model Embeddings", "Agents That Plan"]),
                        (dt.date(2025, 5, 8), ["Skill Libraries Revisited",
                                               "Embeddings of Plans", "Models of Worlds"])):
        _small_week(content_copy, tmp_path, day, titles)
        small = build(load_config(content_copy), out, cache_dir=cache)
        assert small.publish.kept > 0.6 * grown.pages
    assert small.papers == 753
    build(load_config(content_copy), scratch)  # no cache at all
    _same_site(out, scratch)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


SKILLS = ("We learn a library of reusable skills without rewards: skill discovery maximises "
          "the mutual information between skills and states, and a high-level policy composes "
          "the skills to solve long-horizon tasks.")


def test_papers_edited_in_any_field_or_gone_give_the_site_of_a_fresh_build(
        content_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        small_steps: None) -> None:
    # A page (or a part of the public data) is kept while what it shows of its papers is
    # unchanged: each field of a paper is changed on a paper of its own, and one paper is
    # taken out. Papers the model scores (the newest) are edited in the dumps; older ones,
    # whose text the fit read, gain metadata from enrich.yaml (which the model does not
    # read), each in a part of the public data of its own (parts of 100 papers).
    import generator.render.data as render

    monkeypatch.setattr(similar, "EXACT_LIMIT", 100)
    monkeypatch.setattr(render, "DATA_PART", 100)
    out, cache, scratch = tmp_path / "site", tmp_path / "cache", tmp_path / "scratch"
    config = load_config(content_copy)
    ordered = sorted(read_papers(config).papers, key=lambda p: (p.first_seen, p.id))
    enriched = ordered[10:600:100]  # one in each of the public data's first parts
    links = {"url": "https://example.org/abs", "pdf_url": "https://example.org/paper.pdf"}
    enrich = content_copy / "enrich.yaml"  # the paper that gains an arXiv id has its links
    enrich.write_text(yaml.safe_dump({"papers": [{"title": enriched[5].title, **links}]}),
                      encoding="utf-8")
    first = build(load_config(content_copy), out, cache_dir=cache)
    scores_before = _themes_and_scores(out)

    def edit(paper: Paper, old: str, new: str) -> None:
        dump = config.sources_dir / paper.sources[0].file
        text = dump.read_text(encoding="utf-8")
        assert text.count(old) == 1, paper.title
        dump.write_text(text.replace(old, new), encoding="utf-8")

    newest = ordered[-len(ordered) // 10:]  # none of them in the fit's training papers
    rescored = next(p for p in reversed(newest)  # in a theme, not yet in skills
                    if scores_before[p.id][0] and "skills" not in scores_before[p.id][0])
    gone, recased, *_ = (p for p in reversed(newest) if p is not rescored)
    edit(rescored, rescored.abstract, SKILLS)  # scored again
    edit(gone, f"\n{gone.title}\n\n{gone.abstract}\n", "\n")
    edit(recased, recased.title, recased.title.upper())  # the same paper, its title recased
    fields = [{"authors": ["A. Author", "B. Author"]}, {"published": dt.date(2024, 5, 6)},
              {"categories": ["cs.LG", "cs.AI"]}, {"url": "https://example.org/other"},
              {"pdf_url": "https://example.org/other.pdf"},
              {**links, "arxiv_id": "2401.01234"}]  # the arXiv id alone changes
    enrich.write_text(yaml.safe_dump({"papers": [
        {"title": paper.title, **values} for paper, values in zip(enriched, fields,
                                                                  strict=True)]}),
                      encoding="utf-8")

    again = build(load_config(content_copy), out, cache_dir=cache)
    assert again.papers == first.papers - 1
    assert again.publish.kept > first.pages / 2  # the other pages were kept
    build(load_config(content_copy), scratch)
    _same_site(out, scratch)
    rows = {row["id"]: row for row in public_papers(out)}
    assert _themes_and_scores(out)[rescored.id] != scores_before[rescored.id]
    assert gone.id not in rows
    assert rows[recased.id]["title"] == recased.title.upper()
    assert [rows[p.id]["authors"] for p in enriched[:2]] == [fields[0]["authors"], []]
    assert rows[enriched[5].id]["arxiv_id"] == "2401.01234"


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


def test_pages_are_not_kept_across_a_new_version_of_the_program(
        content_copy: Path, tmp_path: Path) -> None:
    # A new release writes the public data's rows with one more field: a build by it with
    # the old release's cache and site keeps none of the old release's pages, and gives the
    # site the new release builds without a cache.
    out, cache = tmp_path / "site", content_copy.parent / ".digest-cache"
    build(load_config(content_copy), out, cache_dir=cache)
    release = tmp_path / "release"
    for part in ("generator", "templates"):  # a source checkout of the new release
        shutil.copytree(REPO / part, release / part, ignore=shutil.ignore_patterns("__pycache__"))
    data = release / "generator" / "render" / "data.py"
    code = data.read_text(encoding="utf-8")
    row = '"arxiv_id": paper.arxiv_id,'
    assert code.count(row) == 1
    data.write_text(code.replace(row, row + ' "new": 1,'), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(release)}

    def digest(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "generator", "build", *args,
                               "--content", str(content_copy)], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    printed = digest("--out", str(out))  # with the project's cache, beside the content
    assert "Nothing changed" not in printed and "kept from the last build" not in printed
    digest("--out", str(tmp_path / "scratch"), "--no-cache")
    _same_site(out, tmp_path / "scratch")
    assert all(row.get("new") == 1 for row in public_papers(out))


def test_the_public_data_is_in_parts_and_a_part_whose_papers_did_not_change_is_kept(
        content_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.render.data as render

    monkeypatch.setattr(render, "DATA_PART", 200)
    out, cache, scratch = tmp_path / "site", tmp_path / "cache", tmp_path / "scratch"
    build(load_config(content_copy), out, cache_dir=cache)
    index = json.loads((out / "data" / "papers.json").read_text(encoding="utf-8"))
    assert index["papers"] == 747
    assert index["parts"] == [{"path": f"data/papers/{n}.json.gz", "papers": size}
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
