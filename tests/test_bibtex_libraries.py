"""BibTeX as reference managers write it (issue 24): Zotero, Better BibTeX (BibLaTeX), Mendeley
(free text above the entries) and JabRef. Each fixture is read through read_source, so sniffing
is exercised too, and holds the same hard cases: TeX accents on a dotless i, a collaboration in
double braces, two co-authors with one name, a 35,000-character abstract and an entry without
a title (each a problem for that entry only)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.models import Listing, SourceInfo
from generator.stages.read import ReadResult, read_source, sniff_format
from generator.stages.read.bibtex import decode_tex, sniff_bibtex

FIXTURES = Path(__file__).parent / "fixtures" / "libraries"
LIBRARIES = ["zotero.bib", "better_bibtex.bib", "mendeley.bib", "jabref.bib"]

CONTRASTIVE = "Contrastive World Models for Skill Discovery in Long-Horizon Control"
CONTRASTIVE_ABSTRACT = (
    "We study how agents discover reusable skills from unlabelled experience. A contrastive "
    "world model ranks candidate skills by how well it predicts their outcomes; on 12 "
    "long-horizon tasks the discovered library solves 35% more episodes than intrinsic-reward "
    "baselines.")
# Two different co-authors called Lei Zhang: both stay.
CONTRASTIVE_AUTHORS = ("Lucía Martínez", "Lei Zhang", "Chidi Okafor", "Lei Zhang")
SCALING = "Scaling Laws for $k$-Shot Imitation from Play"
SCALING_ABSTRACT = ("How much play data does a robot need? We fit scaling laws to ~3,000 runs and "
                    "find that imitation error falls as a power law in the number of "
                    "demonstrations.")


def abs_url(ident: str) -> str:
    return f"https://arxiv.org/abs/{ident}"


def read(name: str) -> ReadResult:
    info = SourceInfo(file=name, collected=dt.date(2025, 4, 28), query="q", origin="test")
    return read_source(FIXTURES / name, info)


def check(listing: Listing, title: str, abstract_start: str, authors: tuple[str, ...],
          arxiv_id: str, published: dt.date | None, url: str) -> None:
    """One paper, field by field; its line is the line of its title."""
    assert listing.title == title
    assert listing.abstract.startswith(abstract_start), listing.abstract[:120]
    assert listing.authors == authors
    assert listing.arxiv_id == arxiv_id
    assert listing.published == published
    assert listing.url == url
    lines = (FIXTURES / listing.source.file).read_text(encoding="utf-8").split("\n")
    assert lines[listing.line - 1].strip().startswith("title"), listing.line


def check_problems(result: ReadResult, long_abstract_line: int, untitled_line: int,
                   untitled_key: str) -> None:
    """The oversized abstract is reported at its entry's title, the missing title at its "@"."""
    name = result.problems[0].path
    lines = Path(name).read_text(encoding="utf-8").split("\n")
    long, untitled = result.problems
    assert long.line == long_abstract_line
    assert re.fullmatch(r"abstract of 35,\d{3} characters \(over 20,000\); skipped", long.reason)
    assert lines[long.line - 1].strip().startswith("title")
    assert untitled.line == untitled_line
    assert untitled.reason.endswith(f"{{{untitled_key} has no title; skipped")
    assert lines[untitled.line - 1].startswith("@")


@pytest.mark.parametrize("name", LIBRARIES)
def test_every_library_export_is_sniffed_as_bibtex(name: str) -> None:
    assert sniff_format((FIXTURES / name).read_text(encoding="utf-8"), name) == "bibtex"


def test_zotero_export() -> None:
    result = read("zotero.bib")
    contrastive, atlas, scaling = result.listings
    check(contrastive, CONTRASTIVE, CONTRASTIVE_ABSTRACT, CONTRASTIVE_AUTHORS, "2401.01234",
          None, abs_url("2401.01234"))  # month = jan, year = 2024 is not a day
    check(atlas, "Measurement of the Higgs boson mass in the $H\\to ZZ^*\\to 4\\ell$ decay channel",
          "The mass of the Higgs boson is measured in the four-lepton decay channel using "
          "proton–proton collision data", ("ATLAS Collaboration",), "", None,
          "https://www.sciencedirect.com/science/article/pii/S0370269323003350")
    assert atlas.abstract.endswith("13 TeV & an integrated luminosity of 140 fb$^\\textrm{-1}$.")
    check(scaling, SCALING, SCALING_ABSTRACT, ("Anaïs Loiseau", "Dušan Kovač", "Ida Østergaard"),
          "2404.02020", None, abs_url("2404.02020"))
    check_problems(result, 35, 49, "noauthor_notitle_2024")


def test_better_bibtex_biblatex_export() -> None:
    result = read("better_bibtex.bib")
    contrastive, openx, scaling = result.listings
    check(contrastive, CONTRASTIVE, CONTRASTIVE_ABSTRACT, CONTRASTIVE_AUTHORS, "2401.01234",
          dt.date(2024, 1, 3), abs_url("2401.01234"))
    assert contrastive.categories == ("cs.LG",)
    check(openx, "Open X-Embodiment: Robotic Learning Datasets and RT-X Models",
          "Large, high-capacity models trained on diverse datasets",
          ("Open X-Embodiment Collaboration", "Abhishek Padalkar", "Roberto Martín-Martín",
           "Anthony Šimeonov"),
          "2310.08864", None, abs_url("2310.08864"))  # date = {2024-05} is not a day
    assert openx.categories == ("cs.RO",)
    check(scaling, SCALING, SCALING_ABSTRACT, ("Anaïs Loiseau", "Dušan Kovač", "Ida Østergaard"),
          "2404.02020", dt.date(2024, 4, 2), abs_url("2404.02020"))
    check_problems(result, 36, 47, "zhang2024")


def test_mendeley_export_with_its_free_text_header() -> None:
    result = read("mendeley.bib")
    contrastive, cms, scaling = result.listings
    check(contrastive, CONTRASTIVE, CONTRASTIVE_ABSTRACT, CONTRASTIVE_AUTHORS, "2401.01234",
          None, abs_url("2401.01234"))
    check(cms, "Search for long-lived particles decaying to displaced jets",
          "A search for long-lived particles decaying to displaced jets is presented, using "
          "proton-proton collisions at $\\sqrt{s} = 13$ TeV; no excess is observed & limits",
          ("CMS Collaboration",), "", None,
          "https://journals.aps.org/prd/abstract/10.1103/PhysRevD.108.012001")
    check(scaling, SCALING, SCALING_ABSTRACT,
          ("Anaïs Loiseau", "Dušan Kovač", "Ida Østergaard", "Hans Straßer"),
          "2404.02020", None, abs_url("2404.02020"))
    check_problems(result, 41, 45, "Zhang2024")


def test_jabref_export() -> None:
    result = read("jabref.bib")
    contrastive, gwtc, play = result.listings
    check(contrastive, CONTRASTIVE, CONTRASTIVE_ABSTRACT, CONTRASTIVE_AUTHORS, "2401.01234",
          None, abs_url("2401.01234"))
    assert contrastive.categories == ("cs.LG",)
    check(gwtc, "GWTC-3: Compact Binary Coalescences Observed by LIGO and Virgo During the Second "
          "Part of the Third Observing Run", "We report on the population of compact binary",
          ("LIGO Scientific Collaboration", "Virgo Collaboration", "R. Abbott"), "", None,
          "https://link.aps.org/doi/10.1103/PhysRevX.13.041039")
    check(play, "Play to Plan: Long-Horizon Manipulation from Undirected Play",
          "We turn hours of undirected play into plans",
          ("Benoît Lemaire", "Jean-Luc François", "Dušan Kovač", "Hans Straßer"), "", None,
          "https://proceedings.mlr.press/v270/lemaire24a.html")
    assert play.abstract.endswith("success rises from 41 % to 68 %.")
    check_problems(result, 39, 50, "Zhang2024")


def test_the_same_paper_reads_the_same_from_every_manager() -> None:
    first = [read(name).listings[0] for name in LIBRARIES]
    assert {(p.title, p.abstract, p.authors, p.arxiv_id, p.url) for p in first} == {
        (CONTRASTIVE, CONTRASTIVE_ABSTRACT, CONTRASTIVE_AUTHORS, "2401.01234",
         abs_url("2401.01234"))}


def test_free_text_above_the_entries_is_bibtex_only_when_it_says_so() -> None:
    entry = "@article{a,\n  title = {A},\n}\n"
    assert sniff_bibtex("% a comment\n\n" + entry)
    assert sniff_bibtex("Exported from my reference manager as BibTeX.\n\n" + entry)
    # Prose of one's own stays unrecognised (--format bibtex reads it): tests/test_formats.py.
    assert not sniff_bibtex("My references for the reading group.\n\n" + entry)
    # Another format that quotes an entry is not BibTeX.
    yaml_list = "# exported as BibTeX and YAML\n- title: A\n  bibtex: |\n    " + entry
    assert not sniff_bibtex(yaml_list)
    assert sniff_format(yaml_list, "x.yaml") == "plain-yaml"


@pytest.mark.parametrize(("raw", "text"), [
    (r"Beno\^\it", "Benoît"), (r"Beno{\^\i}t", "Benoît"), (r"Mart\'{\i}n", "Martín"),
    (r"Ana\"{\i}s", "Anaïs"), (r"Mart{\'\i}nez", "Martínez"), (r"{\'\i}", "í"), (r"\^\j", "ĵ"),
    (r"Du\v{s}an", "Dušan"), (r"Kova{\v c}", "Kovač"), (r"Fran\c{c}ois", "François"),
    (r"\o{}stergaard", "østergaard"), (r"{\O}stergaard", "Østergaard"), (r"Stra{\ss}er", "Straßer"),
    (r"{\~{}}3,000", "~3,000"), (r"x\^{}2", "x^2"), (r"{\it Ab initio} methods", "Ab initio methods"),
    (r"\'\unknown", r"\'\unknown"), (r"\i", "ı"),
])
def test_tex_accents_on_dotless_letters_and_on_nothing(raw: str, text: str) -> None:
    assert decode_tex(raw) == text


def test_a_library_of_2500_entries_is_ingested_whole(content_copy: Path, tmp_path: Path) -> None:
    """`digest ingest` of a large Zotero library: the template is the fixture's first entry.
    (Its speed is measured by hand, not asserted: timings belong to benchmarks.)"""
    fixture = (FIXTURES / "zotero.bib").read_text(encoding="utf-8")
    template = fixture[fixture.index("@article"): fixture.index("\n}\n") + 3]
    big = tmp_path / "library.bib"
    big.write_text("\n".join(template.replace("2401.01234", f"2405.{n:05d}")
                             .replace("martinez_contrastive_2024", f"key{n}")
                             for n in range(2500)), encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(big), "--content", str(content_copy),
                                      "--date", "2025-04-28"])
    assert result.exit_code == 0, result.output
    assert "Added library.bib (2500 listings, collected 2025-04-28): 2500 new papers" \
        in result.output
