"""Reading with a cache: a new week's dump is read and merged on its own, and the papers are
always exactly those of reading and merging every dump afresh."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.config import load_config
from generator.errors import SourceError
from generator.models import Listing, SourceInfo, paper_keys
from generator.pipeline import build
from generator.speed import cached_read as reading
from generator.speed import store as cache_module
from generator.speed.cached_read import Corpus, MergeState, read_corpus, remember_merge, state_key
from generator.stages.merge import extend_merged, merge_listings, normalise_title
from generator.tools.ingest import ingest_file

ABSTRACT = "An abstract long enough to be one, about skills and world models and embeddings."


def _listing(title: str, day: int, file: str, line: int, arxiv: str = "") -> Listing:
    source = SourceInfo(file=file, collected=dt.date(2025, 4, 1) + dt.timedelta(day),
                        query="q", origin="o")
    return Listing(title=title, abstract=f"{ABSTRACT} {title}", source=source, line=line,
                   arxiv_id=arxiv)


# Few titles and ids, so that listings often meet: a shared title, a shared id, a title that
# slugs like another, a day before the merged ones.
TITLES = st.sampled_from(["World Models", "world models!", "Skills", "Über Skills",
                          "Uber Skills", "Embeddings of Skills", "A", "B c"])
ROWS = st.lists(st.tuples(TITLES, st.integers(0, 6), st.sampled_from(["", "2401.00001",
                                                                     "2401.00002"])),
                max_size=12)


@settings(max_examples=300, deadline=None)
@given(ROWS, ROWS)
def test_an_extended_merge_is_the_merge_of_all_or_none(old_rows: list, new_rows: list) -> None:
    old = [_listing(t, d, "old.txt", i + 1, a) for i, (t, d, a) in enumerate(old_rows)]
    new = [_listing(t, d, "new.txt", i + 1, a) for i, (t, d, a) in enumerate(new_rows)]
    extended = extend_merged(merge_listings(old), new)
    if extended is not None:
        assert extended == merge_listings(old + new)


NEW_TITLES = st.lists(st.sampled_from(["Graph Skills", "graph skills", "Über Embeddings",
                                        "Uber Embeddings", "World Models", "A", "Old 1"]),
                      min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(ROWS, NEW_TITLES, st.integers(7, 9), st.booleans())
def test_new_papers_after_the_merged_ones_always_extend_it(old_rows: list, titles: list,
                                                          day: int, with_ids: bool) -> None:
    # Titles that slug alike, repeat among themselves, or spell a merged paper's slug with
    # its id suffix: the extension must still be the merge of all, and never refused.
    old = [_listing(t, d, "old.txt", i + 1, a) for i, (t, d, a) in enumerate(old_rows)]
    merged = merge_listings(old)
    fresh_titles = [t for t in titles if t.casefold().replace("ü", "u") not in
                    {li.title.casefold().replace("ü", "u") for li in old}]
    new = [_listing(t, day, "new.txt", i + 1, f"2402.{i:05}" if with_ids else "")
           for i, t in enumerate(fresh_titles)]
    if any(normalise_title(li.title) in merged.by_title_key for li in new):
        return  # (a title that folds to a merged one: not a new paper)
    extended = extend_merged(merged, new)
    assert extended is not None
    assert extended == merge_listings(old + new)


def test_new_papers_of_a_later_week_extend_the_merge() -> None:
    old = [_listing(f"Old paper {n}", n % 5, "old.txt", n) for n in range(1, 40)]
    new = [_listing(f"New paper {n}", 9, "new.txt", n) for n in range(1, 10)]
    new.append(_listing("Old paper 1 (another)", 9, "new.txt", 11))  # slugs like an old one
    merged = merge_listings(old)
    extended = extend_merged(merged, new)
    assert extended is not None and extended == merge_listings(old + new)
    assert extended.papers[: len(merged.papers)] == merged.papers
    assert extend_merged(merged, []) is merged


def test_later_listings_of_merged_papers_extend_the_merge() -> None:
    old = [_listing(f"Old paper {n}", n % 5, "old.txt", n, arxiv=f"2401.{n:05}" if n % 2 else "")
           for n in range(1, 10)]
    merged = merge_listings(old)
    again = [dataclasses.replace(_listing("Old paper 3", 9, "new.txt", 1, arxiv="2401.00003"),
                                 authors=("A. Author",), categories=("cs.LG",)),
             _listing("old paper 4!", 8, "new.txt", 2),  # no id, as the merged one
             _listing("Old paper 3", 8, "new.txt", 3),  # no id: joins the paper with it
             _listing("A new paper", 9, "new.txt", 4)]
    extended = extend_merged(merged, again)
    assert extended is not None and extended == merge_listings(old + again)
    assert [len(p.sources) for p in extended.papers].count(3) == 1  # paper 3, listed thrice


@pytest.mark.parametrize("listing", [
    _listing("A new paper", 9, "new.txt", 1, arxiv="2401.00003"),  # a merged paper's id
    _listing("Old paper 3", 9, "new.txt", 1, arxiv="2401.09999"),  # its title, a new id
    _listing("Old paper 3", 3, "new.txt", 1),  # listed again, but not after its listings
    _listing("A new paper", 0, "new.txt", 1),  # seen before the newest merged paper
])
def test_listings_that_change_merged_papers_are_merged_with_all(listing: Listing) -> None:
    old = [_listing(f"Old paper {n}", n % 5, "old.txt", n, arxiv=f"2401.{n:05}")
           for n in range(1, 10)]
    assert extend_merged(merge_listings(old), [listing]) is None


def _new_week(content: Path, tmp_path: Path, titles: list[str], day: dt.date) -> None:
    """Ingest a dump of new papers with these titles."""
    rows = [{"title": t, "abstract": f"{ABSTRACT} Also about {t.lower()}."} for t in titles]
    dump = tmp_path / f"week-{day.isoformat()}.json"
    dump.write_text(json.dumps(rows), encoding="utf-8")
    ingest_file(content, dump, day)


def _same(cached: Corpus, fresh: Corpus) -> None:
    assert (cached.listings, cached.papers, cached.warnings) == (
        fresh.listings, fresh.papers, fresh.warnings)
    assert cached.keys == paper_keys(fresh.papers)


def _read(content: Path, cache: Path | None) -> Corpus:
    config = load_config(content)
    return read_corpus(config.sources_dir, config.sources, cache)


def _remember(content: Path, cache: Path, state: MergeState | None) -> None:
    assert state is not None
    remember_merge(cache, load_config(content).sources_dir, state)


def _state_file(content: Path, cache: Path) -> Path:
    return cache / f"{reading.STATE}-{state_key(load_config(content).sources_dir)}.pickle"


def test_a_new_weeks_dump_is_read_and_merged_alone(content_copy: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    first = _read(content_copy, cache)
    assert first.state is not None
    _same(first, _read(content_copy, None))
    _remember(content_copy, cache, first.state)
    merges: list[int] = []
    real = reading.merge_listings
    monkeypatch.setattr(reading, "merge_listings",
                        lambda listings, *a: merges.append(len(listings)) or real(listings, *a))
    again = _read(content_copy, cache)
    assert again.state is None and again.papers == first.papers  # nothing new, nothing kept
    assert merges == []

    _new_week(content_copy, tmp_path, ["A first new paper", "A second new paper"],
              dt.date(2025, 6, 2))
    grown = _read(content_copy, cache)
    assert merges == []  # extended: the 747 papers were not merged again
    assert len(grown.papers) == len(first.papers) + 2
    _same(grown, _read(content_copy, None))
    # Two listings more than the state covers: it is not worth storing again (STALE)...
    assert grown.state is None
    _new_week(content_copy, tmp_path, ["A fourth new paper"], dt.date(2025, 6, 5))
    merges.clear()  # (reading afresh merges)
    grown = _read(content_copy, cache)
    assert merges == [] and len(grown.papers) == len(first.papers) + 3
    _same(grown, _read(content_copy, None))
    # ...until the dumps it does not cover hold more than that share of its listings.
    monkeypatch.setattr(cache_module, "STALE", 0.001)
    merges.clear()
    grown = _read(content_copy, cache)
    assert merges == [] and grown.state is not None
    _same(grown, _read(content_copy, None))
    _remember(content_copy, cache, grown.state)

    # A dump that lists a merged paper again, later: the paper gains the listing.
    _new_week(content_copy, tmp_path, [first.papers[0].title, "A third new paper"],
              dt.date(2025, 6, 9))
    merges.clear()
    touched = _read(content_copy, cache)
    assert merges == [] and len(touched.papers[0].sources) == len(first.papers[0].sources) + 1
    _same(touched, _read(content_copy, None))
    # One dated before the paper it lists: where its listing goes depends on what the merge
    # no longer holds, so every dump is merged again.
    _new_week(content_copy, tmp_path, [first.papers[-1].title], dt.date(2025, 1, 6))
    merges.clear()
    older = _read(content_copy, cache)
    assert len(merges) == 1
    _same(older, _read(content_copy, None))


def test_a_removed_dump_or_a_broken_state_reads_every_dump(content_copy: Path,
                                                           tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _read(content_copy, cache)
    assert first.state is not None
    _remember(content_copy, cache, first.state)
    state = _state_file(content_copy, cache)
    assert state.is_file()
    state.write_bytes(b"not a pickle")
    _same(_read(content_copy, cache), _read(content_copy, None))
    _remember(content_copy, cache, first.state)
    manifest = content_copy / "sources.yaml"
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    first_entry = next(i for i, line in enumerate(lines) if line.lstrip().startswith("- file:"))
    nxt = next(i for i, line in enumerate(lines) if i > first_entry
               and line.lstrip().startswith("- file:"))
    manifest.write_text("".join(lines[:first_entry] + lines[nxt:]), encoding="utf-8")
    fewer = _read(content_copy, cache)
    _same(fewer, _read(content_copy, None))
    assert len(fewer.papers) < len(first.papers)


def test_a_build_keeps_its_merge_and_a_grown_site_equals_one_built_afresh(
        content_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out, cache, scratch = tmp_path / "site", tmp_path / "cache", tmp_path / "scratch"
    build(load_config(content_copy), out, cache_dir=cache)
    assert _state_file(content_copy, cache).is_file()
    _new_week(content_copy, tmp_path, ["Skills from world models, newly", "Embeddings anew"],
              dt.date(2025, 6, 2))
    merges: list[int] = []
    real = reading.merge_listings
    monkeypatch.setattr(reading, "merge_listings",
                        lambda listings, *a: merges.append(len(listings)) or real(listings, *a))
    grown = build(load_config(content_copy), out, cache_dir=cache)
    assert merges == []  # the stored merge was extended
    fresh = build(load_config(content_copy), scratch)
    assert (grown.papers, grown.listings, grown.warnings) == (
        fresh.papers, fresh.listings, fresh.warnings)
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(scratch) for p in scratch.rglob("*") if p.is_file())
    assert all((out / f).read_bytes() == (scratch / f).read_bytes() for f in files)


def test_a_dump_with_skipped_records_builds_again_from_the_cache(content_copy: Path,
                                                                 tmp_path: Path) -> None:
    # Each dump's problems are kept with its parse and in the stored merge: they must load
    # again (an exception pickles its message alone), and say the same.
    dump = content_copy / "sources" / "extra.json"
    dump.write_text(json.dumps([{"title": "A paper with a title", "abstract": ABSTRACT},
                                {"abstract": "An abstract without a title: skipped."}]),
                    encoding="utf-8")
    manifest = content_copy / "sources.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "\n".join([
        "  - file: extra.json", "    collected: 2025-06-02", "    query: extra",
        "    origin: a test", ""]), encoding="utf-8")
    out, cache = tmp_path / "site", tmp_path / "cache"
    first = build(load_config(content_copy), out, cache_dir=cache)
    assert len(first.warnings) == 1 and "extra.json:" in first.warnings[0]
    (content_copy / "about.md").write_text("Changed, so the build is not skipped.\n",
                                           encoding="utf-8")
    again = build(load_config(content_copy), out, cache_dir=cache)
    assert again.warnings == first.warnings and again.papers == first.papers
    assert _read(content_copy, cache).warnings == _read(content_copy, None).warnings


def test_a_source_error_pickles_with_its_fields() -> None:
    error = SourceError("sources/a.json", 7, "entry without a title; skipped")
    again = pickle.loads(pickle.dumps(error))
    assert (again.path, again.line, again.reason, str(again)) == (
        error.path, error.line, error.reason, str(error))
