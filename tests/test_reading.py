"""Reading with a cache: a stored merge extended by a new week's dumps is exactly the merge of
every dump afresh, and a site built from the cache is byte for byte the site built without."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.config import load_config
from generator.models import Listing, SourceInfo
from generator.pipeline import build, read_papers
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
    """Ingest a dump of papers with these titles (new ones, or known ones listed again)."""
    rows = [{"title": t, "abstract": f"{ABSTRACT} Also about {t.lower()}."} for t in titles]
    dump = tmp_path / f"week-{day.isoformat()}.json"
    dump.write_text(json.dumps(rows), encoding="utf-8")
    ingest_file(content, dump, day)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _same_site(out: Path, scratch: Path) -> None:
    """The cached build's site is the cold build's, file for file and byte for byte."""
    built, cold = _tree(out), _tree(scratch)
    assert sorted(built) == sorted(cold)
    assert [path for path in cold if built[path] != cold[path]] == []


def test_a_build_after_new_dumps_gives_the_site_a_build_without_the_cache_gives(
        content_copy: Path, tmp_path: Path) -> None:
    out, cache, scratch = tmp_path / "site", tmp_path / "cache", tmp_path / "scratch"
    papers = read_papers(load_config(content_copy)).papers
    oldest = min(papers, key=lambda p: (p.first_seen, p.id))
    newest = max(papers, key=lambda p: (p.first_seen, p.id))
    first = build(load_config(content_copy), out, cache_dir=cache)  # the merge is stored

    # A new week: new papers, and a known paper listed again, later (it gains the listing).
    _new_week(content_copy, tmp_path, ["Skills from world models, newly", "Embeddings anew",
                                       oldest.title], dt.date(2025, 6, 2))
    grown = build(load_config(content_copy), out, cache_dir=cache)
    assert (grown.papers, grown.listings) == (first.papers + 2, first.listings + 3)
    assert grown.publish.kept > 0  # (the cache was used)
    fresh = build(load_config(content_copy), scratch)
    assert (grown.papers, grown.listings, grown.warnings) == (
        fresh.papers, fresh.listings, fresh.warnings)
    _same_site(out, scratch)
    assert "collected 2 June 2025</li>" in (out / "papers" / f"{oldest.slug}.html").read_text(
        encoding="utf-8")

    # A dump dated before the newest paper, listing it: where its listing goes depends on
    # every dump, and the site is still the one a build without the cache makes.
    _new_week(content_copy, tmp_path, [newest.title], dt.date(2025, 1, 6))
    older = build(load_config(content_copy), out, cache_dir=cache)
    build(load_config(content_copy), scratch)
    assert older.papers == grown.papers and older.listings == grown.listings + 1
    _same_site(out, scratch)
    assert "collected 6 January 2025</li>" in (out / "papers" / f"{newest.slug}.html").read_text(
        encoding="utf-8")


def test_a_removed_dump_or_a_damaged_cache_gives_the_site_a_build_without_it_gives(
        content_copy: Path, tmp_path: Path) -> None:
    out, cache, scratch = tmp_path / "site", tmp_path / "cache", tmp_path / "scratch"
    first = build(load_config(content_copy), out, cache_dir=cache)
    manifest = content_copy / "sources.yaml"
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    first_entry = next(i for i, line in enumerate(lines) if line.lstrip().startswith("- file:"))
    nxt = next(i for i, line in enumerate(lines) if i > first_entry
               and line.lstrip().startswith("- file:"))
    manifest.write_text("".join(lines[:first_entry] + lines[nxt:]), encoding="utf-8")
    fewer = build(load_config(content_copy), out, cache_dir=cache)
    assert fewer.papers < first.papers
    build(load_config(content_copy), scratch)
    _same_site(out, scratch)
    # Every file of the cache overwritten (a disk fault, a bad copy): the build ignores what
    # it cannot trust and gives the same site again.
    damaged = [path for path in cache.rglob("*") if path.is_file()]
    assert damaged
    for path in damaged:
        path.write_bytes(b"not a pickle")
    again = build(load_config(content_copy), out, cache_dir=cache)
    assert not again.up_to_date and again.papers == fewer.papers
    _same_site(out, scratch)


def test_a_dump_with_skipped_records_builds_again_from_the_cache(content_copy: Path,
                                                                 tmp_path: Path) -> None:
    # Each dump's problems are kept with its parse and in the stored merge: they must load
    # again from the cache, and say the same.
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
    assert not again.up_to_date
    assert again.warnings == first.warnings and again.papers == first.papers
