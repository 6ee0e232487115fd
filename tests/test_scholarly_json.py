"""Semantic Scholar Graph API and OpenAlex answers (issue 24, case 9): every shape they come in
is sniffed and read with its authors, arXiv ids, dates and lines; other shapes are refused."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.errors import SourceError
from generator.models import Listing, SourceInfo
from generator.stages.read import ReadResult, read_source, sniff_format
from generator.tools.init import init_project

from .conftest import public_papers

FIXTURES = Path(__file__).parent / "fixtures" / "scholarly"
SNIFFED = {
    "s2_search.json": "semantic-scholar",
    "s2_bulk.json": "semantic-scholar",
    "s2_paper.json": "semantic-scholar",
    "openalex_works.json": "openalex",
    "openalex_work.json": "openalex",
}
SKILL = "Skill Discovery with Contrastive World Models for Long-Horizon Control"
SKILL_ABSTRACT = ("We study how agents discover reusable skills from unlabelled experience with a "
                  "contrastive world model.")
ZOE = "Zoë Müller-Łukasiewicz"


def info(name: str, fmt: str = "") -> SourceInfo:
    return SourceInfo(file=name, collected=dt.date(2025, 4, 28), query="q", origin="test",
                      format=fmt)


def read(name: str) -> list[Listing]:
    result = read_source(FIXTURES / name, info(name))
    assert result.problems == ()
    return list(result.listings)


def read_text(tmp_path: Path, text: str, fmt: str | None = None) -> ReadResult:
    path = tmp_path / "answer.json"
    path.write_text(text, encoding="utf-8")
    return read_source(path, info(path.name), fmt=fmt)


def starts(name: str, listing: Listing) -> tuple[str, str]:
    """The line a listing says it starts on, and the next one (its first key)."""
    lines = (FIXTURES / name).read_text(encoding="utf-8").split("\n")
    return lines[listing.line - 1].strip(), lines[listing.line].strip()


# -- sniffing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "fmt"), sorted(SNIFFED.items()))
def test_sniffing_names_the_scholarly_parsers(name: str, fmt: str) -> None:
    assert sniff_format((FIXTURES / name).read_text(encoding="utf-8"), name) == fmt


def test_a_list_of_api_papers_is_not_taken_for_a_plain_json_list() -> None:
    s2 = json.loads((FIXTURES / "s2_search.json").read_text(encoding="utf-8"))["data"]
    works = json.loads((FIXTURES / "openalex_works.json").read_text(encoding="utf-8"))["results"]
    assert sniff_format(json.dumps(s2), "batch.json") == "semantic-scholar"
    assert sniff_format(json.dumps(works), "works.json") == "openalex"
    # A hand-made list with a paperId column stays plain JSON.
    plain = [{"title": "A", "abstract": "B", "paperId": "p1"}]
    assert sniff_format(json.dumps(plain), "mine.json") == "plain-json"


def test_an_object_of_an_unknown_shape_is_an_unrecognised_format() -> None:
    text = json.dumps({"items": [{"title": "A", "creators": [{"name": "X"}]}], "total": 1})
    with pytest.raises(SourceError, match="unrecognised format.*Semantic Scholar or OpenAlex"):
        sniff_format(text, "other.json")


def test_a_plain_list_with_an_openalex_url_or_s2_keys_stays_plain_json(tmp_path: Path) -> None:
    """A loose key hit used to take these for API answers and lose abstracts and authors."""
    linked = [{"title": "Skills", "abstract": "We study skills.", "authors": ["A B", "C D"],
               "url": "https://openalex.org/W123456"}]
    assert sniff_format(json.dumps(linked), "mine.json") == "plain-json"
    (paper,) = read_text(tmp_path, json.dumps(linked, indent=1)).listings
    assert (paper.abstract, paper.authors) == ("We study skills.", ("A B", "C D"))
    keyed = [{"paperId": "p1", "title": "Skills", "abstract": "We study skills.",
              "authors": ["A B", "C D"], "publicationDate": "2024-01-02"},
             {"paperId": "p2", "title": "Options", "authors": "E F; G H",
              "externalIds": {"ArXiv": "2401.01234"}}]
    assert sniff_format(json.dumps(keyed), "mine.json") == "plain-json"
    first, second = read_text(tmp_path, json.dumps(keyed, indent=1)).listings
    assert (first.abstract, first.authors, second.authors) == (
        "We study skills.", ("A B", "C D"), ("E F", "G H"))


def test_semantic_scholar_default_fields_and_trimmed_batches_are_sniffed(tmp_path: Path) -> None:
    # A search without `fields=` answers with paperId and title alone.
    search = {"total": 2, "offset": 0, "next": 2, "data": [
        {"paperId": "8d2e4b6c0a1f3e5d7c9b1a3f5e7d9c1b3a5f7e9d", "title": "World Models"},
        {"paperId": "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c", "title": "Skill Chaining"}]}
    assert sniff_format(json.dumps(search), "search.json") == "semantic-scholar"
    result = read_text(tmp_path, json.dumps(search, indent=1))
    assert [r.title for r in result.listings] == ["World Models", "Skill Chaining"]
    empty = {"total": 0, "offset": 0, "data": []}
    assert sniff_format(json.dumps(empty), "none.json") == "semantic-scholar"
    # A batch asked for title and authors: the first id unknown, the first paper without
    # authors; the authors' objects, not any one key, say whose answer it is.
    batch = [None, {"paperId": "a", "title": "A", "authors": []},
             {"paperId": "b", "title": "B", "authors": [{"authorId": None, "name": "Ines Duarte"}]}]
    assert sniff_format(json.dumps(batch), "batch.json") == "semantic-scholar"
    assert read_text(tmp_path, json.dumps(batch)).listings[1].authors == ("Ines Duarte",)
    # A work's own OpenAlex id, not an OpenAlex URL anywhere, makes an OpenAlex list.
    works = [{"id": "https://openalex.org/W4391234567", "title": "Skills"}]
    assert sniff_format(json.dumps(works), "works.json") == "openalex"
    cites = [{"title": "Skills", "url": "https://x.org/1", "cites": "https://openalex.org/W1"}]
    assert sniff_format(json.dumps(cites), "mine.json") == "plain-json"


# -- markup in titles and abstracts ------------------------------------------------------------


def test_publisher_markup_is_stripped_from_titles_and_abstracts(tmp_path: Path) -> None:
    work = {"id": "https://openalex.org/W4391234567",
            "title": "CO<sub>2</sub> reduction in <i>Escherichia coli</i>",
            "abstract_inverted_index": {"We": [0], "fix": [1], "CO<sub>2</sub>": [2],
                                        "in": [3], "<i>E.": [4], "coli</i>.": [5]}}
    (listing,) = read_text(tmp_path, json.dumps(work)).listings
    assert listing.title == "CO2 reduction in Escherichia coli"
    assert listing.abstract == "We fix CO2 in E. coli."
    paper = {"paperId": "a", "title": "Fast <i>in vivo</i> imaging of H<sub>2</sub>O<sub>2</sub>",
             "abstract": "We image <b>live</b> cells.<br/>It works.", "authors": []}
    (listing,) = read_text(tmp_path, json.dumps(paper), fmt="semantic-scholar").listings
    assert listing.title == "Fast in vivo imaging of H2O2"
    assert listing.abstract == "We image live cells. It works."
    # Text that only mentions a tag is not markup and keeps its words.
    paper = {"paperId": "b", "title": "Reasoning with <think> tokens", "abstract": "1 < x > 0"}
    (listing,) = read_text(tmp_path, json.dumps(paper), fmt="semantic-scholar").listings
    assert (listing.title, listing.abstract) == ("Reasoning with <think> tokens", "1 < x > 0")


def test_jats_markup_in_openalex_abstracts_is_stripped(tmp_path: Path) -> None:
    """OpenAlex passes on Crossref's JATS abstracts word by word: "<jats:p>We", "strains.</jats:p>".
    (fields.strip_html knows the jats: prefix.)"""
    work = {"id": "https://openalex.org/W4391234568", "title": "Strain engineering",
            "abstract_inverted_index": {"<jats:p>We": [0], "engineer": [1],
                                        "<i>Escherichia": [2], "coli</i>": [3],
                                        "strains.</jats:p>": [4]}}
    (listing,) = read_text(tmp_path, json.dumps(work)).listings
    assert listing.abstract == "We engineer Escherichia coli strains."
    paper = {"paperId": "c", "title": "Strain engineering",
             "abstract": "<jats:p>We engineer strains.</jats:p>"}
    (listing,) = read_text(tmp_path, json.dumps(paper), fmt="semantic-scholar").listings
    assert listing.abstract == "We engineer strains."


# -- Semantic Scholar --------------------------------------------------------------------------


def test_semantic_scholar_search_answer_field_by_field() -> None:
    skill, molecules, latent, chaining = read("s2_search.json")
    assert (skill.title, skill.abstract) == (SKILL, SKILL_ABSTRACT)
    assert skill.authors == (ZOE, "Rahul Venkataraman")
    assert skill.arxiv_id == "2401.01234" and skill.published == dt.date(2024, 1, 3)
    assert (skill.url, skill.pdf_url) == ("https://arxiv.org/abs/2401.01234",
                                          "https://arxiv.org/pdf/2401.01234")
    # Two different co-authors named Lei Zhang: both kept, in order.
    assert molecules.authors == ("Lei Zhang", "Wei Chen", "Lei Zhang", "Ana Souza")
    assert molecules.arxiv_id == "" and molecules.published == dt.date(2023, 9, 14)
    assert molecules.url == ("https://www.semanticscholar.org/paper/"
                             "8d2e4b6c0a1f3e5d7c9b1a3f5e7d9c1b3a5f7e9d")
    assert molecules.pdf_url == ""
    # A null abstract is read as an empty one (as BibTeX entries without one are); a null
    # publicationDate with a year is no day.
    assert latent.title == "Latent Action Priors for Sample-Efficient Offline Reinforcement Learning"
    assert latent.abstract == "" and latent.published is None
    assert latent.authors == ("Nguyễn Thị Minh Khai", "Søren Kierkegaard-Ødegaard", "李明")
    # No ArXiv external id: the id comes from the open-access PDF's arxiv.org URL.
    assert chaining.arxiv_id == "2402.05555" and chaining.url == "https://arxiv.org/abs/2402.05555"
    assert chaining.authors == ("Ines Duarte", "Omar Haddad")  # an author without an id too
    assert [r.line for r in (skill, molecules, latent, chaining)] == [6, 38, 70, 93]
    for listing in (skill, molecules, latent, chaining):
        assert starts("s2_search.json", listing)[0] == "{"
        assert starts("s2_search.json", listing)[1].startswith('"paperId"')


def test_semantic_scholar_bulk_answer_and_one_paper() -> None:
    tasks, old, bare = read("s2_bulk.json")
    assert tasks.arxiv_id == "2403.01111"  # from the DOI 10.48550/arXiv.2403.01111 alone
    assert tasks.authors == ("Mei Chen", "Oluwaseun Adeyemi")
    assert tasks.published == dt.date(2024, 3, 2) and tasks.line == 5
    assert old.arxiv_id == "hep-th/9901001" and old.authors == ("José María García",)
    assert (bare.title, bare.abstract, bare.authors, bare.published) == (
        "World Models as Curricula", "", (), None)
    (robot,) = read("s2_paper.json")
    assert robot.title == "Robot Skill Libraries from Language Feedback"
    assert robot.abstract.startswith("Language feedback from non-experts")  # not the TLDR
    assert (robot.arxiv_id, robot.published, robot.line) == ("2401.07777", dt.date(2024, 1, 15), 1)
    assert robot.authors == ("Kenji Watanabe", "Priya Raman")


def test_a_batch_answer_reports_ids_it_did_not_find(tmp_path: Path) -> None:
    papers = json.loads((FIXTURES / "s2_search.json").read_text(encoding="utf-8"))["data"]
    text = "[\n" + ",\n".join([json.dumps(papers[0]), "null", json.dumps(papers[1])]) + "\n]\n"
    result = read_text(tmp_path, text)
    assert [r.title for r in result.listings] == [SKILL, papers[1]["title"]]
    assert [r.line for r in result.listings] == [2, 4]
    assert result.listings[1].authors == ("Lei Zhang", "Wei Chen", "Lei Zhang", "Ana Souza")
    (problem,) = result.problems
    assert problem.line == 3 and "found no paper for this id" in problem.reason


def test_citations_and_references_answers_read_the_papers_inside(tmp_path: Path) -> None:
    paper = json.loads((FIXTURES / "s2_paper.json").read_text(encoding="utf-8"))
    text = json.dumps({"offset": 0, "next": 1, "data": [
        {"contexts": ["as shown by"], "intents": ["background"], "isInfluential": False,
         "citingPaper": paper}]}, indent=1)
    (listing,) = read_text(tmp_path, text).listings
    assert listing.arxiv_id == "2401.07777" and listing.authors == ("Kenji Watanabe", "Priya Raman")


def test_an_author_search_is_not_read_as_papers(tmp_path: Path) -> None:
    text = json.dumps({"total": 1, "offset": 0, "data": [
        {"authorId": "1741101", "name": "Oren Etzioni",
         "papers": [{"paperId": "649def34f8be52c8b66281af98ae884c09aef38b", "title": "X"}]}]})
    assert sniff_format(text, "authors.json") == "semantic-scholar"
    result = read_text(tmp_path, text)
    assert result.listings == ()
    assert [p.reason for p in result.problems] == [
        "expected a Semantic Scholar paper (an object with paperId and title); skipped"]


def test_a_wrong_shape_or_an_error_answer_names_what_was_expected(tmp_path: Path) -> None:
    works = (FIXTURES / "openalex_works.json").read_text(encoding="utf-8")
    with pytest.raises(SourceError, match=r"expected a Semantic Scholar Graph API answer.*"
                       r"this object's keys: meta, results, group_by"):
        read_text(tmp_path, works, fmt="semantic-scholar")
    with pytest.raises(SourceError, match="the answer is an error: Too Many Requests"):
        read_text(tmp_path, '{"message": "Too Many Requests", "code": "429"}',
                  fmt="semantic-scholar")
    with pytest.raises(SourceError, match="expected an OpenAlex works answer"):
        read_text(tmp_path, (FIXTURES / "s2_paper.json").read_text(encoding="utf-8"),
                  fmt="openalex")


def test_broken_json_is_reported_at_its_line(tmp_path: Path) -> None:
    text = '{\n "total": 2,\n "data": [\n  {"paperId": "a", "title": "A"},\n  {"paperId": }\n ]\n}'
    with pytest.raises(SourceError) as err:
        read_text(tmp_path, text, fmt="semantic-scholar")
    assert err.value.line == 5 and "invalid JSON" in err.value.reason
    with pytest.raises(SourceError, match="extra data"):
        read_text(tmp_path, '{"paperId": "a", "title": "A"} {"x": 1}', fmt="semantic-scholar")


# -- OpenAlex ----------------------------------------------------------------------------------


def test_openalex_list_answer_field_by_field() -> None:
    skill, options, sparse, sentences = read("openalex_works.json")
    assert (skill.title, skill.abstract) == (SKILL, SKILL_ABSTRACT)  # rebuilt from the index
    assert skill.authors == (ZOE, "Rahul Venkataraman")  # display names, not raw ones
    assert (skill.arxiv_id, skill.published) == ("2401.01234", dt.date(2024, 1, 3))
    assert skill.url == "https://arxiv.org/abs/2401.01234"
    # A journal article whose arXiv id is only in its second location's landing page (v2).
    assert options.arxiv_id == "2311.04567"
    assert options.abstract == ("We discover options from the geometry of the state space: the "
                                "eigenvectors of the successor representation give the directions "
                                "of the options, and the options of the agent cover the state "
                                "space.")  # repeated words at each of their positions
    assert options.authors == ("Ana Souza", "Björn Lindqvist")
    assert options.published == dt.date(2024, 2, 1)
    # No abstract index; two different Lei Zhangs; a name written as \\u escapes.
    assert sparse.abstract == "" and sparse.arxiv_id == ""
    assert sparse.authors == ("Lei Zhang", "Nguyễn Thị Minh Khai", "Lei Zhang", "李明")
    assert (sparse.url, sparse.pdf_url) == ("https://openreview.net/forum?id=Xk2pQ7mN9r",
                                            "https://openreview.net/pdf?id=Xk2pQ7mN9r")
    assert sparse.published == dt.date(2023, 12, 10)
    # Without arXiv: the DOI is the link, the location's PDF the PDF.
    assert sentences.url == "https://doi.org/10.18653/v1/2024.acl-long.101"
    assert sentences.pdf_url == "https://aclanthology.org/2024.acl-long.101.pdf"
    assert sentences.authors == ("Chloé Durand", "Søren Kierkegaard-Ødegaard")
    for listing in (skill, options, sparse, sentences):
        assert starts("openalex_works.json", listing) == ("{", f'"id": "{_work_id(listing)}",')


def _work_id(listing: Listing) -> str:
    data = json.loads((FIXTURES / "openalex_works.json").read_text(encoding="utf-8"))
    return next(w["id"] for w in data["results"] if w["title"] == listing.title)


def test_one_openalex_work() -> None:
    (work,) = read("openalex_work.json")
    assert work.title == "Embedding Spaces for Task Transfer in Multi-Task Reinforcement Learning"
    assert work.abstract.startswith("Task embeddings let a single policy transfer across tasks;")
    assert (work.arxiv_id, work.published, work.line) == ("2402.09999", dt.date(2024, 2, 15), 1)
    assert work.authors == ("Mei Chen", "Oluwaseun Adeyemi")
    assert work.pdf_url == "https://arxiv.org/pdf/2402.09999"


def test_openalex_shapes_that_hold_no_works_are_refused(tmp_path: Path) -> None:
    grouped = json.dumps({"meta": {"count": 2}, "results": [],
                          "group_by": [{"key": "2024", "key_display_name": "2024", "count": 2}]})
    with pytest.raises(SourceError, match="a group_by answer counts works"):
        read_text(tmp_path, grouped, fmt="openalex")
    authors = json.dumps({"meta": {"count": 1}, "results": [
        {"id": "https://openalex.org/A5023888391", "display_name": "Jason Priem",
         "authorships": []}], "group_by": []})
    result = read_text(tmp_path, authors)
    assert result.listings == () and "expected an OpenAlex work" in result.problems[0].reason


def test_a_broken_abstract_index_skips_that_work_with_its_line(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "openalex_works.json").read_text(encoding="utf-8"))
    data["results"][1]["abstract_inverted_index"] = {"We": [0], "discover": "1"}
    result = read_text(tmp_path, json.dumps(data, indent=2))
    assert len(result.listings) == 3
    (problem,) = result.problems
    assert "abstract_inverted_index" in problem.reason and problem.line > 1


# -- a whole build -----------------------------------------------------------------------------


def test_digest_build_of_scholarly_dumps_shows_their_authors(
        make_project: Callable[[dict[str, str]], Path], tmp_path: Path) -> None:
    root = make_project({
        "content/digest.yaml": """
            title: Scholarly Digest
            description: Papers from Semantic Scholar and OpenAlex.
            base_url: https://example.org/digest/
            language: en
            """,
        "content/themes.yaml": """
            themes:
              - name: Skills
                slug: skills
                description: Reusable skills of agents.
                keywords: [skill, skills, options, world model]
              - name: Representations
                slug: representations
                description: Representation learning and embeddings.
                keywords: [contrastive, embeddings, representations]
            """,
        "content/sources.yaml": """
            sources:
              - file: s2_search.json
                collected: 2025-04-21
                query: skills
                origin: api.semanticscholar.org/graph/v1/paper/search
              - file: openalex_works.json
                collected: 2025-04-28
                query: skills
                origin: api.openalex.org/works
            """,
        **{f"content/sources/{name}": (FIXTURES / name).read_text(encoding="utf-8")
           for name in ("s2_search.json", "openalex_works.json")},
    })
    site = tmp_path / "site"
    result = CliRunner().invoke(cli, ["build", "--content", str(root / "content"),
                                      "--out", str(site), "--strict", "--no-cache"])
    assert result.exit_code == 0, result.output
    rows = public_papers(site)
    assert len(rows) == 7  # 4 + 4 papers, the skill paper in both
    (skill,) = [r for r in rows if r["arxiv_id"] == "2401.01234"]
    assert skill["title"] == SKILL and skill["authors"] == [ZOE, "Rahul Venkataraman"]
    assert skill["published"] == "2024-01-03" and len(skill["sources"]) == 2
    page = (site / skill["url"]).read_text(encoding="utf-8")
    assert ZOE in page and "Rahul Venkataraman" in page
    (sparse,) = [r for r in rows if r["title"].startswith("Sparse Autoencoders")]
    assert sparse["authors"] == ["Lei Zhang", "Nguyễn Thị Minh Khai", "Lei Zhang", "李明"]
    page = (site / sparse["url"]).read_text(encoding="utf-8")
    assert page.count("Lei Zhang") >= 2 and "李明" in page


# -- JSON nested too deeply --------------------------------------------------------------------

DEEP = "[" * 200_000 + "]" * 200_000  # 400 KB; the decoder recurses once a level


def test_json_nested_too_deeply_is_a_source_error_at_its_line(tmp_path: Path) -> None:
    plain = '[\n{"title": "A", "abstract": "B"},\n{"title": "C", "x": ' + DEEP + "}\n]\n"
    with pytest.raises(SourceError) as err:
        read_text(tmp_path, plain)
    assert (err.value.line, err.value.reason) == (3, "invalid JSON: nested too deeply to read "
                                                  "(lists or objects inside each other "
                                                  "thousands deep)")
    with pytest.raises(SourceError, match="nested too deeply") as err:
        read_text(tmp_path, DEEP, fmt="plain-json")
    assert err.value.line == 1
    with pytest.raises(SourceError):  # unrecognised: no reader's shape
        read_text(tmp_path, DEEP)
    s2 = ('{"total": 2, "offset": 0, "data": [\n{"paperId": "a", "title": "A"},\n'
          '{"paperId": "b", "title": "B", "x": ' + DEEP + "}\n]}")
    assert sniff_format(s2, "deep.json") == "semantic-scholar"
    for fmt in (None, "semantic-scholar"):
        with pytest.raises(SourceError, match="nested too deeply") as err:
            read_text(tmp_path, s2, fmt=fmt)
        assert err.value.line == 3
    first = '{"total": 1,\n "data": [' + DEEP + "]}"
    with pytest.raises(SourceError, match="nested too deeply") as err:
        read_text(tmp_path, first)
    assert err.value.line == 2


def test_digest_build_reports_a_too_deep_dump_without_a_traceback(tmp_path: Path) -> None:
    root = tmp_path / "project"
    init_project(root, package_spec="litdigest")
    dump = '{"total": 2, "data": [\n{"paperId": "a", "title": "A"},\n' + DEEP + "\n]}"
    (root / "content" / "sources" / "deep.json").write_text(dump, encoding="utf-8")
    manifest = root / "content" / "sources.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + (
        "  - file: deep.json\n    collected: 2025-04-25\n    query: deep\n"
        "    origin: api.semanticscholar.org/graph/v1/paper/search\n"), encoding="utf-8")
    args = ["build", "--content", str(root / "content"), "--out", str(tmp_path / "site")]
    said = "deep.json:3: invalid JSON: nested too deeply"
    result = CliRunner().invoke(cli, args)  # the dump is skipped with a warning
    assert result.exit_code == 0, result.output
    assert f"warning: {manifest.parent / 'sources'}" in result.output and said in result.output
    strict = CliRunner().invoke(cli, [*args, "--strict", "--no-cache"])
    assert strict.exit_code == 1 and said in strict.output
    assert isinstance(strict.exception, SystemExit)  # a clean error, not a RecursionError
    assert "Traceback" not in result.output + strict.output
