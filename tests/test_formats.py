"""The formats people collect: arXiv API and listing feeds, Hugging Face API JSON, BibTeX, and
plain JSON/YAML/CSV lists; sniffing, --format, merging by arXiv id, safety, and .bib export."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import cli
from generator.config import load_config
from generator.errors import ConfigError, SourceError
from generator.models import Listing, Paper, SourceInfo, SourceRef
from generator.pipeline import build
from generator.render.bib import bib_key, paper_entry, tex_escape
from generator.stages.merge import merge_papers
from generator.stages.read import PARSERS, read_source, sniff_format
from generator.stages.read import text as text_module
from generator.stages.read.bibtex import decode_tex, parse_bibtex, parse_names, read_bibtex
from generator.stages.read.fields import arxiv_id, json_items

from .conftest import CONTENT, public_papers

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
SNIFFED = {
    "arxiv_api.xml": "arxiv-api",
    "arxiv_listing.rss": "arxiv-listing",
    "arxiv_listing_atom.xml": "arxiv-listing",
    "hf_daily.json": "hf-api",
    "zotero.bib": "bibtex",
    "plain.json": "plain-json",
    "plain.yaml": "plain-yaml",
    "plain.csv": "plain-csv",
}
SKILL = "Skill Discovery with Contrastive World Models for Long-Horizon Control"
ZOE = "Zoë Müller-Łukasiewicz"


def info(name: str, collected: dt.date = dt.date(2025, 4, 28), fmt: str = "") -> SourceInfo:
    return SourceInfo(file=name, collected=collected, query="q", origin="test", format=fmt)


def read(name: str, fmt: str | None = None) -> list[Listing]:
    result = read_source(FIXTURES / name, info(name), fmt=fmt)
    assert result.problems == ()
    return list(result.listings)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- sniffing and the parsers, fixture by fixture ----------------------------------------------


@pytest.mark.parametrize(("name", "fmt"), sorted(SNIFFED.items()))
def test_sniffing_picks_the_right_parser_for_every_fixture(name: str, fmt: str) -> None:
    assert sniff_format((FIXTURES / name).read_text(encoding="utf-8"), name) == fmt
    assert fmt in PARSERS


def test_sniffing_still_refuses_notes_and_keeps_the_text_dumps() -> None:
    with pytest.raises(SourceError, match="unrecognised format"):
        sniff_format("Just some notes\nabout papers\n", "notes.txt")
    for seed in sorted((CONTENT / "sources").iterdir()):
        assert sniff_format(seed.read_text(encoding="utf-8"), seed.name).startswith("hf-listing")


def test_arxiv_api_entries_keep_every_field_and_their_lines() -> None:
    skill, old = read("arxiv_api.xml")
    lines = (FIXTURES / "arxiv_api.xml").read_text(encoding="utf-8").split("\n")
    # The multi-line, indented title is one clean line, recorded at its <title>'s line.
    assert skill.title == SKILL
    assert lines[skill.line - 1].strip().startswith("<title>Skill Discovery")
    assert skill.abstract.startswith("We study how agents discover reusable skills from "
                                     "unlabelled experience with a contrastive world model.")
    assert "planning & control stay consistent when x < y." in skill.abstract
    assert "\n" not in skill.abstract and "  " not in skill.abstract
    assert skill.authors == (ZOE, "Rahul Venkataraman")
    assert skill.arxiv_id == "2401.01234"  # v2 dropped
    assert skill.published == dt.date(2024, 1, 3)
    assert skill.url == "https://arxiv.org/abs/2401.01234"
    assert skill.pdf_url == "https://arxiv.org/pdf/2401.01234"
    assert skill.categories == ("cs.LG", "cs.AI")  # primary first, each once
    assert old.arxiv_id == "hep-th/9901001"
    assert old.title == "Old-Style Identifiers in a Dual Description of String Compactifications"
    assert old.published == dt.date(1999, 1, 4) and old.categories == ("hep-th",)


def test_arxiv_listing_rss_strips_the_announcement_and_html() -> None:
    skill, sparse, escaped = read("arxiv_listing.rss")
    assert skill.title == SKILL and skill.arxiv_id == "2401.01234"
    assert skill.abstract.startswith("We study how agents")  # "arXiv:... Announce Type" gone
    assert skill.authors == (ZOE, "Rahul Venkataraman")
    assert skill.published == dt.date(2024, 1, 4)
    # CDATA holding HTML: tags dropped, the entity decoded.
    assert sparse.abstract == ("We train sparse autoencoders on the activations of policy "
                               "networks & find directions that match task phases.")
    assert sparse.authors == ("Alice Smith", "Bob Jones", "Chloé Durand")
    # Escaped HTML: the markup goes, escaped text inside it stays text.
    assert escaped.abstract == ("Abstracts sometimes arrive as escaped HTML: <b> stays text, "
                                "and so does a & sign.")
    assert escaped.arxiv_id == "2401.06789" and escaped.categories == ("cs.CL",)


def test_arxiv_listing_atom_variant() -> None:
    (entry,) = read("arxiv_listing_atom.xml")
    assert entry.title == "Embedding Spaces for Task Transfer in Multi-Task Reinforcement Learning"
    assert entry.arxiv_id == "2401.09999"
    assert entry.authors == ("Mei Chen", "Oluwaseun Adeyemi")
    assert entry.abstract.startswith("Task embeddings let a single policy")
    assert entry.categories == ("cs.LG", "cs.RO")


def test_old_rss_1_feed_with_escaped_html_creators() -> None:
    rdf = """<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://arxiv.org/"><title>cs.LG updates on arXiv.org</title></channel>
<item rdf:about="http://arxiv.org/abs/1301.00001">
<title>A Title From 2013. (arXiv:1301.00001v2 [cs.LG] UPDATED)</title>
<link>http://arxiv.org/abs/1301.00001</link>
<description rdf:parseType="Literal">&lt;p&gt;An abstract.&lt;/p&gt;</description>
<dc:creator> &lt;a href="http://arxiv.org/find/cs/1/au:+Doe_J/0/1/0/all/0/1"&gt;Jane Doe&lt;/a&gt;, &lt;a href="x"&gt;Li Wei&lt;/a&gt;</dc:creator>
</item>
</rdf:RDF>"""
    assert sniff_format(rdf, "old.rss") == "arxiv-listing"
    records, problems = PARSERS["arxiv-listing"](rdf, "old.rss")
    assert problems == []
    (item,) = records
    assert (item.title, item.abstract, item.arxiv_id, item.authors, item.line) == (
        "A Title From 2013", "An abstract.", "1301.00001", ("Jane Doe", "Li Wei"), 6)


def test_arxiv_api_error_entries_and_untitled_entries_are_reported_with_lines() -> None:
    feed = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id>
    <title>Error</title>
    <summary>incorrect id format for 1234</summary>
  </entry>
  <entry>
    <id>http://arxiv.org/abs/2401.00003v1</id>
    <summary>No title here.</summary>
  </entry>
  <entry>
    <id>http://arxiv.org/abs/2401.00004v1</id>
    <title>Fine</title>
    <summary>Fine.</summary>
  </entry>
</feed>"""
    records, problems = PARSERS["arxiv-api"](feed, "api.xml")
    assert [r.arxiv_id for r in records] == ["2401.00004"]
    assert [(p.line, "error" in p.reason or "without a title" in p.reason)
            for p in problems] == [(3, True), (8, True)]


def test_hf_daily_papers_api() -> None:
    skill, latent = read("hf_daily.json")
    assert skill.title == SKILL and skill.arxiv_id == "2401.01234"
    assert skill.authors == (ZOE, "Rahul Venkataraman")
    assert skill.published == dt.date(2024, 1, 3)  # the paper's date, not the listing's
    assert skill.abstract.endswith("with a contrastive world model.")
    assert latent.authors == ("Søren Kierkegaard-Ødegaard", "李明")
    lines = (FIXTURES / "hf_daily.json").read_text(encoding="utf-8").split("\n")
    assert [lines[r.line - 1].strip() for r in (skill, latent)] == ["{", "{"]
    assert latent.line == 24


def test_json_items_keep_the_line_each_entry_starts_on() -> None:
    text = '[\n {"a": 1},\n\n {"b": "x\\ny"}, {"c": 3}\n]\n'
    assert list(json_items(text, "x.json")) == [(2, {"a": 1}), (4, {"b": "x\ny"}),
                                                 (4, {"c": 3})]
    with pytest.raises(SourceError) as err:
        list(json_items('[\n {"a": 1},\n {"b": }\n]', "x.json"))
    assert err.value.line == 3


def test_bibtex_zotero_export() -> None:
    skill, rep, curriculum = read("zotero.bib")
    assert skill.title == SKILL
    assert skill.authors == (ZOE, "Rahul Venkataraman")
    assert skill.arxiv_id == "2401.01234" and skill.categories == ("cs.LG",)
    assert skill.published is None  # a year and month are not a day
    assert rep.title == "Representation Learning — a TeX-heavy Title Test for Façades"
    assert rep.authors == ("François Lefèvre", "Kurt Gödel", "Hans Straßer",
                           "Research and Development Team")
    assert rep.abstract == ("We compare representations learned by self-supervised objectives "
                            "– contrastive, masked and predictive – on the same data; 50% of "
                            "the gains come from augmentation & schedule.")
    assert rep.published == dt.date(2023, 7, 23) and rep.arxiv_id == ""
    assert curriculum.arxiv_id == "2312.11111"  # from the \url{...} in howpublished
    assert curriculum.authors == ("Tunde Oyelaran", "Ida Østergaard", "José María García")
    assert curriculum.abstract == ""
    lines = (FIXTURES / "zotero.bib").read_text(encoding="utf-8").split("\n")
    assert all(lines[r.line - 1].strip().startswith("title") for r in (skill, rep, curriculum))


def test_bibtex_strings_comments_concatenation_and_a_broken_entry() -> None:
    text = """% a comment with an @ sign: user@example.org
@String{conf = {Conference on Things}}
@comment{ @misc{ignored, title = {Not a paper}} }
@article{ok1, title = "Quoted " # conf, year = 2020, month = mar, day = 5}
@article{broken, title = {Unclosed, author = {X}
@article{ok2,
  title = {{\\'E}tude of {\\v{S}}koda and \\"{U}ber --- {10\\,\\%}},
  author = {de la Cruz, Juan and Smith, Jr., John},
}
"""
    entries, problems = read_bibtex(text, "x.bib")
    assert [e.key for e in entries] == ["ok1", "ok2"]
    assert entries[0].fields["title"] == "Quoted Conference on Things"
    assert [p.line for p in problems] == [5]
    records, problems = parse_bibtex(text, "x.bib")
    assert records[0].published == dt.date(2020, 3, 5)
    assert records[1].title == "Étude of Škoda and Über — 10 %"
    assert records[1].authors == ("Juan de la Cruz", "John Smith Jr.")


@pytest.mark.parametrize(("raw", "text"), [
    (r"{\"o}", "ö"), (r"\'e", "é"), (r"\c{c}", "ç"), (r"\ss{}", "ß"), (r"a--b", "a–b"),
    (r"a---b", "a—b"), ("a~b", "a b"), (r"{{Protected}}", "Protected"), (r"\&\%\_\#\$", "&%_#$"),
    (r"$\alpha$-stable \emph{models}", r"$\alpha$-stable models"), (r"\'{\i}", "í"),
    (r"\textbraceleft{}x\textbraceright{}", "{x}"), (r"\unknown{x}", r"\unknownx"),
])
def test_tex_decoding(raw: str, text: str) -> None:
    assert decode_tex(raw) == text


def test_bibtex_names() -> None:
    assert parse_names("Last, First and Given Family and {Org and Co} and others") == (
        "First Last", "Given Family", "Org and Co")


@pytest.mark.parametrize("name", ["plain.json", "plain.yaml", "plain.csv"])
def test_plain_lists(name: str) -> None:
    records = read(name)
    assert all(r.title and r.abstract and r.published for r in records)
    assert all(r.url.startswith("https://") or r.url == "" for r in records)


def test_plain_list_details() -> None:
    option, robot = read("plain.json")
    assert option.authors == ("Ana Souza", "Björn Lindqvist")
    assert option.url == "https://example.org/papers/option-discovery" and not option.arxiv_id
    assert robot.arxiv_id == "2401.07777" and robot.authors == ("Kenji Watanabe", "Priya Raman")
    temporal, contrastive = read("plain.yaml")
    assert temporal.abstract == ("Options learned from intrinsic signals alone solve "
                                 "sparse-reward tasks.")
    assert temporal.published == dt.date(2024, 1, 6) and temporal.line == 2
    assert contrastive.authors == ("Ines Duarte", "Omar Haddad") and contrastive.line == 11
    skill, play = read("plain.csv")
    assert (skill.line, play.line) == (2, 3)
    assert play.abstract == ("Play data, relabelled with goals, trains policies that "
                             "generalise to new goals.")


def test_urls_that_are_not_http_are_dropped(tmp_path: Path) -> None:
    path = write(tmp_path, "x.json", json.dumps([
        {"title": "A", "abstract": "B", "url": "javascript:alert(1)"},
        {"title": "C", "abstract": "D", "url": "https://ok.example/x\" onmouseover=\"x"}]))
    records = read_source(path, info("x.json")).listings
    assert [r.url for r in records] == ["", ""]


def test_arxiv_ids() -> None:
    assert arxiv_id("http://arxiv.org/abs/2401.01234v2") == "2401.01234"
    assert arxiv_id("oai:arXiv.org:hep-th/9901001v3") == "hep-th/9901001"
    # An old-style id with a subject class is the bare archive/number arXiv itself answers.
    assert arxiv_id("arXiv:math.GT/0309136") == "math/0309136"
    assert arxiv_id("https://arxiv.org/abs/cs.DB/0408030v1") == "cs/0408030"
    assert arxiv_id("10.48550/arXiv.2401.01234") == "2401.01234"
    assert arxiv_id("10.1000/2401.01234") == ""  # not in arXiv context
    assert arxiv_id("2401.01234v5", bare=True) == "2401.01234"


# -- safety ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml"])
def test_entity_declarations_are_refused_without_expansion(name: str) -> None:
    started = time.perf_counter()
    with pytest.raises(SourceError) as err:
        read_source(FIXTURES / name, info(name))
    assert time.perf_counter() - started < 2
    assert "refused" in str(err.value) and "entit" in str(err.value)
    assert err.value.line == 3  # the first <!ENTITY
    assert "lollol" not in str(err.value) and "root:" not in str(err.value)


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.json"
    shutil.copy(FIXTURES / "plain.json", path)
    monkeypatch.setattr(text_module, "MAX_FILE_BYTES", 100)
    with pytest.raises(SourceError, match=r"over the limit of 100 for one dump"):
        read_source(path, info("big.json"))


def test_a_forced_format_that_does_not_fit_is_an_error_not_a_guess() -> None:
    with pytest.raises(SourceError, match="expected an Atom <feed>"):
        read_source(FIXTURES / "arxiv_listing.rss", info("x"), fmt="arxiv-api")
    with pytest.raises(SourceError, match="expected a JSON list"):
        read_source(FIXTURES / "zotero.bib", info("x"), fmt="plain-json")


# -- merging -----------------------------------------------------------------------------------


def all_listings() -> list[Listing]:
    out = []
    for day, name in enumerate(sorted(SNIFFED), start=1):
        source = info(name, dt.date(2025, 4, day))
        out += read_source(FIXTURES / name, source).listings
    return out


def test_merge_by_arxiv_id_across_formats_and_by_title_without_one() -> None:
    listings = all_listings()
    papers = merge_papers(listings)
    (skill,) = [p for p in papers if p.arxiv_id == "2401.01234"]
    # API, listing RSS, HF JSON, BibTeX by id; the CSV row without id by title.
    assert sorted(s.file for s in skill.sources) == sorted(
        ["arxiv_api.xml", "arxiv_listing.rss", "hf_daily.json", "zotero.bib", "plain.csv"])
    assert skill.title == SKILL
    assert skill.authors == (ZOE, "Rahul Venkataraman")
    assert skill.published == dt.date(2024, 1, 3)
    assert skill.categories[:2] == ("cs.LG", "cs.AI")
    assert skill.url == "https://arxiv.org/abs/2401.01234"
    assert len({p.id for p in papers}) == len(papers) == len(
        {li.arxiv_id or li.title for li in listings}) - 1  # the CSV row joined by title
    # The order of listings does not matter.
    assert merge_papers(reversed(listings)) == papers


def test_merge_keeps_the_earliest_non_empty_field() -> None:
    early = SourceInfo("a.txt", dt.date(2025, 1, 1), "", "")
    late = SourceInfo("b.bib", dt.date(2025, 2, 1), "", "")
    papers = merge_papers([
        Listing("A Paper", "Abstract.", early, 3),
        Listing("A paper", "", late, 9, authors=("X Y",), arxiv_id="2401.00001",
                published=dt.date(2024, 1, 1), url="https://arxiv.org/abs/2401.00001"),
    ])
    (paper,) = papers
    assert (paper.title, paper.abstract, paper.authors, paper.arxiv_id, paper.first_seen) == (
        "A Paper", "Abstract.", ("X Y",), "2401.00001", dt.date(2025, 1, 1))


def test_two_arxiv_papers_with_one_title_stay_two_with_distinct_ids() -> None:
    source = SourceInfo("a.xml", dt.date(2025, 1, 1), "", "")
    papers = merge_papers([Listing("Introduction", "A.", source, 1, arxiv_id="2401.00001"),
                           Listing("Introduction", "B.", source, 5, arxiv_id="2401.00002")])
    assert len(papers) == 2 and len({p.id for p in papers}) == 2
    assert len({p.slug for p in papers}) == 2


# -- BibTeX export -----------------------------------------------------------------------------


def test_exported_bibtex_round_trips_through_the_parser() -> None:
    paper = Paper(
        id="0123456789ab", slug="braces-and-100-percent-of-c-plus-plus",
        title="Braces {x}, 100% of C++ & $\\alpha$-nets -- a ~test~ of ^ <b> ''quotes'' `` _#\\",
        abstract="An abstract with } and { unbalanced, a backslash \\ and $x_1$ --- done.",
        first_seen=dt.date(2025, 1, 1),
        sources=(SourceRef("a", 1, dt.date(2025, 1, 1), ""),),
        authors=(ZOE, "Plato", "Ludwig van Beethoven", "Research and Development, Inc."),
        arxiv_id="hep-th/9901001", published=dt.date(1999, 1, 4),
        url="https://arxiv.org/abs/hep-th/9901001", categories=("hep-th",))
    text = paper_entry(paper)
    records, problems = parse_bibtex(text, "x.bib")
    assert problems == []
    (back,) = records
    assert (back.title, back.authors, back.arxiv_id, back.published,
            back.url, back.categories) == (paper.title, paper.authors,
                                           paper.arxiv_id, paper.published, paper.url,
                                           paper.categories)
    assert back.abstract == "" and "abstract" not in text  # a citation, as arXiv exports one
    entries, _ = read_bibtex(text, "x.bib")
    assert entries[0].key == bib_key(paper) == "braces-and-100-percent-012345"
    assert tex_escape("{a}") == "\\textbraceleft{}a\\textbraceright{}"


def test_every_parsed_fixture_round_trips_through_the_exporter() -> None:
    for paper in merge_papers(all_listings()):
        (back,), problems = parse_bibtex(paper_entry(paper), "x.bib")
        assert problems == []
        assert (back.title, back.authors, back.arxiv_id, back.published) == (
            paper.title, paper.authors, paper.arxiv_id, paper.published)


# -- config, ingest and a whole build ----------------------------------------------------------


def test_manifest_format_key_is_validated(content_copy: Path) -> None:
    manifest = content_copy / "sources.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "    query: task embeddings\n", "    query: task embeddings\n    format: bibtx\n", 1),
        encoding="utf-8")
    with pytest.raises(ConfigError, match=r"format: unknown format 'bibtx' \(did you mean "
                       r"'bibtex'\?\)"):
        load_config(content_copy)


def ingest(content: Path, path: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["ingest", str(path), "--content", str(content),
                                      "--date", "2025-04-28", *extra])
    return result.exit_code, result.output


def test_format_override_on_ingest(content_copy: Path, tmp_path: Path) -> None:
    odd = tmp_path / "refs.txt"
    # A .bib whose first line is prose: sniffing cannot tell, --format can.
    odd.write_text("My references for the reading group.\n\n" +
                   (FIXTURES / "zotero.bib").read_text(encoding="utf-8"), encoding="utf-8")
    code, out = ingest(content_copy, odd)
    assert code == 1 and "unrecognised format" in out and "--format" in out
    code, out = ingest(content_copy, odd, "--format", "bibtex")
    assert code == 0, out
    assert "Added refs.txt (3 listings" in out
    entry = yaml.safe_load((content_copy / "sources.yaml").read_text())["sources"][-1]
    assert entry["format"] == "bibtex"
    assert load_config(content_copy).sources[-1].format == "bibtex"
    code, out = ingest(content_copy, FIXTURES / "plain.csv", "--format", "nope")
    assert code == 2 and "Invalid value for '--format'" in out


def test_a_bomb_is_refused_by_ingest_and_nothing_changes(content_copy: Path) -> None:
    before = (content_copy / "sources.yaml").read_bytes()
    code, out = ingest(content_copy, FIXTURES / "billion_laughs.xml")
    assert code == 1 and "refused" in out and "lol" * 3 not in out
    assert (content_copy / "sources.yaml").read_bytes() == before
    assert not (content_copy / "sources" / "billion_laughs.xml").exists()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The default content plus every format fixture, ingested by the CLI and built."""
    root = tmp_path_factory.mktemp("formats")
    content = root / "content"
    shutil.copytree(CONTENT, content)
    outputs = []
    for name in sorted(SNIFFED):
        code, out = ingest(content, FIXTURES / name)
        assert code == 0, out
        outputs.append(out)
    site = root / "site"
    build(load_config(content), site)
    return site, outputs


def test_ingest_reports_papers_known_by_arxiv_id(built: tuple[Path, list[str]]) -> None:
    _, outputs = built
    by_name = dict(zip(sorted(SNIFFED), outputs, strict=True))
    assert "Added arxiv_api.xml (2 listings, collected 2025-04-28): 2 new papers" \
        in by_name["arxiv_api.xml"]
    # Ingested after the API response: the same paper by id, in other formats.
    assert "1 already known" in by_name["arxiv_listing.rss"]
    assert "1 already known" in by_name["hf_daily.json"]


def test_built_paper_page_shows_authors_and_links(built: tuple[Path, list[str]]) -> None:
    site, _ = built
    rows = public_papers(site)
    (row,) = [r for r in rows if r["arxiv_id"] == "2401.01234"]
    assert row["title"] == SKILL
    assert row["authors"] == [ZOE, "Rahul Venkataraman"]
    assert row["published"] == "2024-01-03"
    assert row["links"] == {"abs": "https://arxiv.org/abs/2401.01234",
                            "pdf": "https://arxiv.org/pdf/2401.01234"}
    assert len(row["sources"]) == 5
    page = (site / row["url"]).read_text(encoding="utf-8")
    assert ZOE in page and "Rahul Venkataraman" in page
    assert ('<a class="button kind-arxiv" href="https://arxiv.org/abs/2401.01234" '
            'rel="nofollow noopener">arXiv abstract</a>') in page
    assert ('<a class="button kind-pdf" href="https://arxiv.org/pdf/2401.01234" '
            'rel="nofollow noopener">PDF</a>') in page
    assert 'href="https://huggingface.co/papers/2401.01234"' in page
    assert "arXiv:2401.01234" in page and "3 January 2024" in page
    assert "<summary>Cite (BibTeX)</summary>" in page
    # A paper from an old text dump has none of these, and its page says nothing about them.
    plain = next(r for r in rows if not r["arxiv_id"] and not r["authors"])
    assert plain["links"] == {}
    assert plain["published"] is None
    plain_page = (site / plain["url"]).read_text(encoding="utf-8")
    assert "arXiv abstract" not in plain_page and "arxiv.org/abs/" not in plain_page
    # ... but a reader can still find it: searches for its exact title.
    assert "https://arxiv.org/search/?query=" in plain_page and "Find on Hugging Face" in plain_page


def test_escaped_markup_stays_text_on_the_page(built: tuple[Path, list[str]]) -> None:
    site, _ = built
    rows = public_papers(site)
    (row,) = [r for r in rows if r["arxiv_id"] == "2401.06789"]
    page = (site / row["url"]).read_text(encoding="utf-8")
    assert "&lt;b&gt; stays text" in page and "<b> stays" not in page


def test_built_bib_entries_parse_and_match_the_papers(built: tuple[Path, list[str]]) -> None:
    """A paper page shows its entry to copy (no file per paper); a weekly theme page offers
    its papers' entries as a .bib download. Both parse as the papers they cite."""
    site, _ = built
    rows = public_papers(site)
    assert not list((site / "papers").glob("*.bib"))
    (row,) = [r for r in rows if r["arxiv_id"] == "2401.01234"]
    page = (site / row["url"]).read_text(encoding="utf-8")
    shown = html.unescape(re.search(r'<details class="cite">.*?<pre>(.*?)</pre>', page,
                                    re.S).group(1))
    (record,), problems = parse_bibtex(shown, "p.bib")
    assert problems == [] and record.title == SKILL and record.arxiv_id == "2401.01234"
    assert record.authors == (ZOE, "Rahul Venkataraman")
    week = row["week"]
    theme_bibs = sorted((site / "weeks" / week).glob("*.bib"))
    assert theme_bibs
    for bib in theme_bibs:
        records, problems = parse_bibtex(bib.read_text(encoding="utf-8"), bib.name)
        assert problems == [] and records
        page = (site / "weeks" / week / f"{bib.stem}.html").read_text(encoding="utf-8")
        assert f'href="../../weeks/{week}/{bib.name}"' in page and "Cite (BibTeX)" in page
    titles = {r.title for b in theme_bibs for r in parse_bibtex(b.read_text(), b.name)[0]}
    assert SKILL in titles
