"""Merging listings into papers: one paper per title, earliest date, every source, safe slugs."""

from __future__ import annotations

import datetime as dt
import re

from generator.config import load_config
from generator.models import Listing, SourceInfo
from generator.stages.merge import merge_papers, normalise_title, paper_id, slugify, title_keys
from generator.stages.read import read_sources

from .conftest import CONTENT

ABSTRACT = "An abstract long enough to be one, about skills and world models and embeddings."


def listing(title: str, day: int, file: str = "a.txt", line: int = 1) -> Listing:
    source = SourceInfo(file=file, collected=dt.date(2025, 4, day), query="q", origin="o")
    return Listing(title=title, abstract=ABSTRACT, source=source, line=line)


def seed_papers() -> tuple:
    config = load_config(CONTENT)
    return read_sources(config.sources_dir, config.sources).listings, config


def test_the_816_seed_listings_merge_into_747_papers() -> None:
    listings, _ = seed_papers()
    papers = merge_papers(listings)
    assert len(listings) == 816
    assert len(papers) == 747
    assert sum(len(p.sources) for p in papers) == 816


def test_titles_known_from_the_parse_cache_merge_exactly_as_titles_made_here() -> None:
    # A build passes the keys and slugs kept with each dump's parse; the merge must not
    # depend on whether a title's were made now or then, and must add the missing ones.
    listings, _ = seed_papers()
    half = title_keys(li.title for li in listings[: len(listings) // 2])
    assert merge_papers(listings, half) == merge_papers(listings)
    assert half == title_keys(li.title for li in listings)


def test_a_paper_in_several_dumps_keeps_every_source_and_the_earliest_date() -> None:
    listings, config = seed_papers()
    dates = {s.file: s.collected for s in config.sources}
    papers = merge_papers(listings)
    multi = [p for p in papers if len(p.sources) > 1]
    assert len(multi) == 63
    for paper in multi:
        assert paper.first_seen == min(dates[s.file] for s in paper.sources)
        assert len({s.file for s in paper.sources}) == len(paper.sources)


def test_titles_differing_in_case_space_punctuation_and_unicode_form_merge() -> None:
    papers = merge_papers([
        listing("World Models: A Survey", 20, "b.txt", 7),
        listing("world  models — a survey", 10, "a.txt", 3),
        listing("ＷＯＲＬＤ Models, a Survey!", 15, "c.txt", 9),  # full-width letters (NFKC)
        listing("Another Paper", 12),
    ])
    assert len(papers) == 2
    merged = next(p for p in papers if len(p.sources) == 3)
    assert merged.first_seen == dt.date(2025, 4, 10)
    assert merged.title == "world  models — a survey"  # the earliest listing's title
    assert [s.file for s in merged.sources] == ["a.txt", "c.txt", "b.txt"]


def test_ids_come_from_the_title_not_the_input_order() -> None:
    a, b = listing("Skill Discovery", 1), listing("Dreamer", 2)
    first, second = merge_papers([a, b]), merge_papers([b, a])
    assert {p.id for p in first} == {p.id for p in second}
    assert {p.id: p.slug for p in first} == {p.id: p.slug for p in second}
    assert paper_id("Skill  discovery!") == paper_id("skill discovery")


def test_seed_slugs_are_unique_url_safe_and_readable() -> None:
    listings, _ = seed_papers()
    papers = merge_papers(listings)
    slugs = [p.slug for p in papers]
    assert len(set(slugs)) == len(slugs)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s) and len(s) <= 87 for s in slugs)
    by_title = {p.title: p.slug for p in papers}
    assert by_title["Mastering Atari, Go, Chess and Shogi by Planning with a Learned Model"] == \
        "mastering-atari-go-chess-and-shogi-by-planning-with-a-learned-model"


def test_titles_that_fold_to_one_slug_get_distinct_slugs_and_the_first_keeps_it() -> None:
    papers = merge_papers([listing("Über Skills", 3), listing("Uber Skills", 1), listing("∑∑∑", 2)])
    slugs = {p.title: p.slug for p in papers}
    assert len(papers) == 3
    assert slugs["Uber Skills"] == "uber-skills"
    assert slugs["Über Skills"].startswith("uber-skills-") and slugs["Über Skills"] != "uber-skills"
    assert slugs["∑∑∑"] == "paper"


def test_slugify_cuts_long_titles_at_a_word_boundary() -> None:
    slug = slugify("word " * 40)
    assert len(slug) <= 80 and slug.endswith("word") and "--" not in slug
    assert slugify("Éléments de ‘géométrie’") == "elements-de-geometrie"


def test_normalise_title_folds_what_a_reader_would_not_notice() -> None:
    assert normalise_title("  Hello,\tWORLD —  ok ") == "hello world ok"
