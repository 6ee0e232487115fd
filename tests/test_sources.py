"""Parsing the listing dumps: the real seeds, and the broken files users will hand us."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from generator.errors import SourceError
from generator.models import SourceInfo
from generator.stages.read import ReadResult, read_source, sniff_format
from generator.stages.read.text import decode_text

from .conftest import CONTENT, SEED_COUNTS

ABSTRACT = ("We study how agents learn reusable skills from unlabelled experience and show that "
            "the learned skills transfer to new tasks.")


def info(name: str = "dump.txt") -> SourceInfo:
    return SourceInfo(file=name, collected=dt.date(2025, 1, 6), query="q", origin="test")


def layout_a(*records: tuple[str, str]) -> str:
    header = "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n" \
             "byAK and the research community\n\nApr 24\n\n"
    return header + "\n\n".join(f"{t}\n\n{a}" for t, a in records) + "\n"


def layout_b(*records: tuple[str, str]) -> str:
    head = "Get trending papers in your email inbox once a day!\nGet trending papers in your email inbox!\n"
    body = "\n".join(f"{t}\n{a}" for t, a in records)
    return head + "Subscribe" + body


def parse(tmp_path: Path, data: str | bytes, name: str = "dump.txt") -> ReadResult:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return read_source(path, info(name))


@pytest.mark.parametrize(("name", "count"), sorted(SEED_COUNTS.items()))
def test_each_seed_dump_parses_into_its_exact_number_of_listings(name: str, count: int) -> None:
    result = read_source(CONTENT / "sources" / name, info(name))
    listings = result.listings
    assert result.problems == ()
    assert len(listings) == count
    assert all(len(li.title) < 200 and len(li.abstract) > 300 for li in listings)
    assert not any(li.title.startswith("Subscribe") for li in listings)


@pytest.mark.parametrize("name", sorted(SEED_COUNTS))
def test_each_listing_records_the_line_its_title_is_on(name: str) -> None:
    path = CONTENT / "sources" / name
    lines = path.read_text(encoding="utf-8").split("\n")
    for listing in read_source(path, info(name)).listings:
        assert lines[listing.line - 1].removeprefix("Subscribe").strip() == listing.title


def test_layouts_are_told_apart_by_content_not_name() -> None:
    assert sniff_format(layout_a(("T", ABSTRACT)), "x") == "hf-listing-a"
    assert sniff_format(layout_b(("T", ABSTRACT)), "x") == "hf-listing-b"
    with pytest.raises(SourceError, match="unrecognised format"):
        sniff_format("Just some notes\nabout papers\n", "notes.txt")


def test_the_first_title_of_layout_b_loses_the_glued_subscribe(tmp_path: Path) -> None:
    listings = parse(tmp_path, layout_b(("Skill Chaining", ABSTRACT), ("Second", ABSTRACT))).listings
    assert [li.title for li in listings] == ["Skill Chaining", "Second"]
    assert [li.line for li in listings] == [3, 5]


def test_crlf_and_a_byte_order_mark_read_like_plain_text(tmp_path: Path) -> None:
    text = layout_a(("One", ABSTRACT), ("Two", ABSTRACT)).replace("\n", "\r\n")
    listings = parse(tmp_path, "\ufeff".encode() + text.encode("utf-8")).listings
    assert [li.title for li in listings] == ["One", "Two"]


def test_an_empty_file_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"empty\.txt:1: the file is empty"):
        parse(tmp_path, "  \n\n", name="empty.txt")


def test_a_binary_file_is_refused_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"bin\.txt:3: binary data"):
        parse(tmp_path, b"new\n\n\x00\x01\x02", name="bin.txt")


def test_a_non_utf8_line_skips_only_its_record_and_names_the_line(tmp_path: Path) -> None:
    data = layout_a(("One", ABSTRACT), ("Caf\u00e9 Two", ABSTRACT), ("Three", ABSTRACT))
    raw = data.encode("utf-8").replace("Caf\u00e9".encode(), "Caf\u00e9".encode("latin-1"))
    line = raw[: raw.index(b"\xe9")].count(b"\n") + 1
    result = parse(tmp_path, raw, name="latin.txt")
    assert [li.title for li in result.listings] == ["One", "Three"]
    assert len(result.problems) == 1
    assert re.search(rf"latin\.txt:{line}: not UTF-8 text \(byte 0xe9 at column 4\)",
                     str(result.problems[0]))


def test_a_last_title_without_abstract_names_its_line(tmp_path: Path) -> None:
    text = layout_a(("One", ABSTRACT), ("Two", ABSTRACT)) + "\nOrphan Title\n"
    result = parse(tmp_path, text)
    assert [li.title for li in result.listings] == ["One", "Two"]
    (problem,) = result.problems
    assert problem.line == text.split("\n").index("Orphan Title") + 1
    assert "title without abstract" in str(problem) and "Orphan Title" in str(problem)


def test_a_title_without_abstract_in_the_middle_is_skipped_not_shifted(tmp_path: Path) -> None:
    head = "Get trending papers in your email inbox!\n"
    text = head + "SubscribeFirst\n" + ABSTRACT + "\nLonely Title\nThird Title\n" + ABSTRACT + "\n"
    result = parse(tmp_path, text)
    assert [(li.title, li.line) for li in result.listings] == [("First", 2), ("Third Title", 5)]
    (problem,) = result.problems
    assert problem.line == 4 and "Lonely Title" in str(problem)


def test_an_abstract_without_title_and_a_huge_line_are_skipped(tmp_path: Path) -> None:
    huge = "x" * (10 * 1024 * 1024)
    text = layout_b(("First", ABSTRACT), (huge, ABSTRACT), ("Last", ABSTRACT))
    result = parse(tmp_path, text)
    assert [li.title for li in result.listings] == ["First", "Last"]
    assert [p.line for p in result.problems] == [5, 6]
    assert "10,485,760 characters" in str(result.problems[0])


def test_a_header_with_no_listings_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no listings found"):
        parse(tmp_path, "new\n\nSubscribe\n\nApr 24\n")


def test_decode_text_normalises_old_mac_line_ends() -> None:
    assert decode_text(b"a\rb\r\nc", "x").text == "a\nb\nc"
