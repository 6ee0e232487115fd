"""Issue 23, "nothing lost, nothing leaked": hostile input as a tester fed it, the way a user
would (files given to `digest ingest`, dumps read by a build, requests to `digest serve`).
Each must end in one clear error naming the file and line, or in a clean result: never a
RecursionError, a crash of the models, a 200 MB read, 50,000 copies of one error or a
traceback from the server."""

from __future__ import annotations

import csv
import datetime as dt
import http.client
import os
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.errors import SourceError
from generator.models import Listing, SourceInfo, ThemeSpec
from generator.stages.merge import merge_papers
from generator.stages.read import read_source
from generator.stages.read.text import MAX_FILE_BYTES
from generator.stages.themes import assign_themes
from generator.tools.serve import make_server

pytestmark = pytest.mark.timeout(60)

SKILLS = ThemeSpec(slug="skills", name="Skills", description="", keywords=("skill",))
SAME = "Skill discovery for agents in open worlds with options and rewards."
OTHER = "Protein folding with graphs and enzymes."
DEEP = 300  # the tester's abstract: 300 nested \textbf{


def digest(*args: str) -> tuple[int, str]:
    """`digest ARGS` as a user runs it; its exit status and everything it printed."""
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A new digest's content folder with one theme and no dump yet."""
    folder = tmp_path / "content"
    (folder / "sources").mkdir(parents=True)
    (folder / "digest.yaml").write_text("title: T\nbase_url: https://example.org/d/\n")
    (folder / "themes.yaml").write_text("themes:\n  - name: Skills\n    slug: skills\n"
                                        "    description: Skills.\n    keywords: [skill]\n")
    (folder / "sources.yaml").write_text("sources: []\n")
    return folder


def write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "abstract", "date"])
        writer.writerows([(title, abstract, "2025-01-02") for title, abstract in rows])
    return path


def ingest_and_build(content: Path, dump: Path) -> Path:
    """`digest ingest DUMP` then `digest build`; the site, once both succeeded."""
    code, out = digest("ingest", str(dump), "--content", str(content), "--date", "2025-01-06")
    assert code == 0, out
    site = content.parent / "site"
    code, out = digest("build", "--content", str(content), "--out", str(site))
    assert code == 0, out
    assert "Traceback" not in out
    return site


# -- 1. TeX nested deeper than any parser should follow ------------------------------------------


def test_an_abstract_of_300_nested_textbf_is_ingested_and_built(content: Path,
                                                                tmp_path: Path) -> None:
    shapes = {
        "Braced bold": "\\textbf{" * DEEP + "deepest" + "}" * DEEP,
        "Unbraced bold": "\\textbf" * 2000 + " deepest",
        "Old switches": "{\\em " * 3000 + "deepest" + "}" * 3000,
        "Math scripts": "$x" + "^{" * 3000 + "2" + "}" * 3000 + "$ deepest",
        "Spaced braces": "{ " * 3000 + "deepest",
    }
    dump = write_csv(tmp_path / "deep.csv", [(f"{title} paper", abstract)
                                             for title, abstract in shapes.items()])
    site = ingest_and_build(content, dump)
    for title in shapes:
        made = site / "papers" / f"{title.lower().replace(' ', '-')}-paper.html"
        assert "deepest" in made.read_text(encoding="utf-8"), title
    page = (site / "papers" / "braced-bold-paper.html").read_text(encoding="utf-8")
    abstract = next(line for line in page.splitlines() if "deepest" in line)
    assert 0 < abstract.count("\\textbf{") < DEEP  # the outer levels still read as TeX


# -- 2. JSON nested thousands deep ----------------------------------------------------------------

NESTED = "[" * 1200 + "]" * 1200
NESTED_OBJECT = '{"a": ' * 1200 + "1" + "}" * 1200
JSON_DUMPS = {  # the second entry of each, on line 3, holds @ (nested 1,200 deep)
    "plain.json": '[\n{"title": "Fine", "abstract": "A."},\n{"title": "T", "abstract": @}\n]',
    "hf.json": '[\n{"paper": {"id": "2401.00001", "title": "Fine", "summary": "A."}},\n'
               '{"paper": {"title": @}}\n]',
    "s2.json": '{"total": 2, "offset": 0, "data": [\n{"paperId": "a", "title": "Fine"},\n'
               '{"paperId": @@}]}',
    "openalex.json": '{"meta": {}, "results": [\n{"id": "https://openalex.org/W1", "title": '
                     '"Fine"},\n{"id": "https://openalex.org/W2", "title": @}]}',
}


@pytest.mark.parametrize("name", sorted(JSON_DUMPS))
@pytest.mark.parametrize("fmt", ["", "named"])
def test_json_nested_1200_deep_is_refused_naming_file_and_line(name: str, fmt: str,
                                                               content: Path,
                                                               tmp_path: Path) -> None:
    dump = tmp_path / name
    dump.write_text(JSON_DUMPS[name].replace("@@", NESTED_OBJECT).replace("@", NESTED),
                    encoding="utf-8")
    named = {"plain.json": "plain-json", "hf.json": "hf-api", "s2.json": "semantic-scholar",
             "openalex.json": "openalex"}[name]
    extra = ["--format", named] if fmt else []
    code, out = digest("ingest", str(dump), "--content", str(content), *extra)
    assert code == 1, out
    assert f"{dump}:3: invalid JSON: nested too deeply" in out
    assert "Traceback" not in out and "RecursionError" not in out
    assert (content / "sources.yaml").read_text() == "sources: []\n"  # nothing was added


# -- 3. Sub-topics of papers that share all their words -------------------------------------------


def listings(same: int, others: int, edits: dict[int, str] | None = None) -> list[Listing]:
    """`same` copies of one skill abstract (paper i's edited by `edits`: "word " is put before
    it, " word" after it), then `others` papers of another field. The skill papers are over
    half the corpus, so max_df prunes every word they share."""
    source = SourceInfo(file="t.csv", collected=dt.date(2025, 1, 6), query="", origin="")
    edits = edits or {}
    found = [Listing(f"Skill paper {i:05d}", (edits[i] + SAME if edits.get(i, "").endswith(" ")
                                              else SAME + edits.get(i, "")), source, i + 2)
             for i in range(same)]
    return found + [Listing(f"Protein folding study {i}", OTHER, source, 100 + i)
                    for i in range(others)]


@pytest.mark.parametrize(("edits", "topics"), [
    ({}, 0),  # no term survives: "Found array with 0 feature(s)"
    ({0: " robots", 1: "robots "}, 0),  # one term ("robots"), no phrase that splits them
    # Two phrases, each written by three papers: two sub-topics and "other".
    ({**{i: " Humanoid robots." for i in range(3)}, **{i: " Robot arms." for i in range(3, 6)}},
     3),
])
def test_a_theme_of_identical_papers_gets_no_subtopics_instead_of_a_crash(
        edits: dict[int, str], topics: int) -> None:
    # 12 papers (the fewest that get sub-topics) with one text, but for the words `edits` add.
    papers = merge_papers(listings(12, 10, edits))
    result = assign_themes(papers, [SKILLS])  # warnings are errors (pyproject.toml)
    members = [p for p in papers if result.assignments[p.id]]
    assert len(members) == 12 and all(p.title.startswith("Skill") for p in members)
    assert len(result.subtopics["skills"]) == topics


def test_a_build_of_identical_papers_succeeds(content: Path, tmp_path: Path) -> None:
    rows = [(li.title, li.abstract) for li in listings(12, 10)]
    site = ingest_and_build(content, write_csv(tmp_path / "same.csv", rows))
    assert (site / "papers" / "skill-paper-00011.html").is_file()


# -- 4. A file far over the size limit is refused before it is read ------------------------------


def refused_quickly(call: object) -> tuple[float, int]:
    """(seconds, peak bytes allocated) of call()."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        call()  # type: ignore[operator]
    finally:
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return seconds, peak


def sparse(path: Path, size: int) -> Path:
    """A file of `size` bytes that takes no disk space (a hole, never written)."""
    path.write_text("title,abstract\n")
    os.truncate(path, size)
    return path


def test_ingest_refuses_a_200_mb_file_by_its_size_without_reading_it(content: Path,
                                                                     tmp_path: Path) -> None:
    big = sparse(tmp_path / "big.csv", 200 * 2**20)
    outcome: list[tuple[int, str]] = []
    seconds, peak = refused_quickly(lambda: outcome.append(
        digest("ingest", str(big), "--content", str(content))))
    [(code, out)] = outcome
    assert code == 1
    assert (f"{big}:1: the file is 209,715,200 bytes, over the limit of {MAX_FILE_BYTES:,} "
            "for one dump") in out
    assert seconds < 2 and peak < 20 * 2**20, (seconds, peak)
    assert not (content / "sources" / "big.csv").exists()


def test_a_build_refuses_a_200_mb_dump_by_its_size_without_reading_it(tmp_path: Path) -> None:
    big = sparse(tmp_path / "big.csv", 200 * 2**20)
    source = SourceInfo(file="big.csv", collected=dt.date(2025, 1, 6), query="", origin="")
    errors: list[SourceError] = []

    def read() -> None:
        with pytest.raises(SourceError) as caught:
            read_source(big, source)
        errors.append(caught.value)

    seconds, peak = refused_quickly(read)
    assert errors[0].path == str(big) and errors[0].line == 1
    assert "209,715,200 bytes, over the limit" in errors[0].reason
    assert seconds < 2 and peak < 20 * 2**20, (seconds, peak)


# -- 5. A CSV in Latin-1 is one error, not one per row -------------------------------------------


def test_a_latin1_csv_is_one_error_naming_the_first_bad_line(content: Path,
                                                             tmp_path: Path) -> None:
    rows = [("An ASCII title", "Plain text.")]
    rows += [(f"Caf\u00e9 study {i}", "R\u00e9sum\u00e9 of the caf\u00e9.") for i in range(5000)]
    dump = write_csv(tmp_path / "latin.csv", rows)
    dump.write_bytes(dump.read_text(encoding="utf-8").encode("latin-1"))
    code, out = digest("ingest", str(dump), "--content", str(content))
    assert code == 1
    assert sum("not UTF-8" in line for line in out.splitlines()) == 1, out[:2000]
    assert f"{dump}:3: not UTF-8 text (byte 0xe9 at column 4), and 4,999 more lines" in out
    assert "UTF-8" in out and len(out) < 1000


# -- 6. `digest serve` on hostile request paths ----------------------------------------------------


@pytest.fixture(params=["/", "/REPO/"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[int, str]]:
    """A small site served as `digest serve` serves it: (port, base path)."""
    site = tmp_path / "site"
    (site / "papers").mkdir(parents=True)
    (site / "themes" / "skills").mkdir(parents=True)
    (site / "index.html").write_text("<p>home</p>")
    (site / "404.html").write_text("<p>Page not found</p>")
    (site / "papers" / "a.html").write_text("<p>paper a</p>")
    (site / "themes" / "skills" / "index.html").write_text("<p>skills</p>")
    server = make_server(site, request.param, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], request.param
    server.shutdown()
    server.server_close()
    thread.join()


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def test_serve_answers_400_to_a_nul_and_404_to_a_folder_without_index(
        served: tuple[int, str], capfd: pytest.CaptureFixture[str]) -> None:
    port, base = served
    for path in ("%00", "a%00b.html", "papers/a.html%00.txt", "papers/%00/"):
        status, _ = get(port, base + path)
        assert status == 400, path
    for path in ("papers/", "papers", "themes/"):
        status, body = get(port, base + path)
        assert status == 404 and "Page not found" in body, path
        assert "a.html" not in body
    assert get(port, base + "papers/a.html") == (200, "<p>paper a</p>")
    assert get(port, base + "themes/skills/") == (200, "<p>skills</p>")
    printed = capfd.readouterr()
    assert "Traceback" not in printed.err + printed.out
