"""`digest ingest` and `digest build` agree: the same papers, counts and skipped records.

Also the fields every format shares: two co-authors of the same name stay two, and an
old-style arXiv id with a subject class is the id arXiv itself gives.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli
from generator.tools.init import init_project

from .conftest import public_papers

ATOM = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?search_query%3Dti%3Atwin" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: search_query=ti:twin</title>
  <id>http://arxiv.org/api/abc</id>
  <updated>2025-05-01T00:00:00-04:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">2</opensearch:totalResults>
  <entry>
    <id>http://arxiv.org/abs/2501.00007v2</id>
    <published>2025-01-02T18:00:00Z</published>
    <title>Twin Authors in Large Collaborations</title>
    <summary>  We study how author lists with two people of one name are handled by digital
libraries, and find that many merge them.</summary>
    <author><name>Lei Zhang</name></author>
    <author><name>Mei Chen</name></author>
    <author><name>Lei Zhang</name></author>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cs.DL" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
  <entry>
    <id>http://arxiv.org/abs/cs/0408030v1</id>
    <published>2004-08-12T10:00:00Z</published>
    <title>Query Processing over Old Archives</title>
    <summary>An old-style arXiv paper, listed by the arXiv API under its bare identifier.</summary>
    <author><name>Ann Old</name></author>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cs.DB" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
</feed>
"""


def project(tmp_path: Path) -> Path:
    root = tmp_path / "digest"
    init_project(root, package_spec="litdigest")
    return root


def cmd(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [args[0], *args[1:], "--content", str(root / "content")]
                                if args[0] == "ingest" else
                                [args[0], "--content", str(root / "content"),
                                 "--out", str(root / "site"), *args[1:]])
    return result.exit_code, result.output


def built_papers(out: str) -> int:
    found = re.search(r": (\d+) papers in", out)
    assert found, out
    return int(found.group(1))


def test_two_co_authors_of_one_name_stay_two_in_every_format(tmp_path: Path) -> None:
    root = project(tmp_path)
    (tmp_path / "api.xml").write_text(ATOM, encoding="utf-8")
    (tmp_path / "hf.json").write_text(json.dumps([{"paper": {
        "id": "2501.00008", "title": "Twins on Hugging Face",
        "summary": "A daily paper whose two first authors share a name, as happens often.",
        "authors": [{"name": "Wei Wang"}, {"name": "Wei Wang"}],
        "publishedAt": "2025-01-03T00:00:00.000Z"}}]), encoding="utf-8")
    (tmp_path / "list.json").write_text(json.dumps([{
        "title": "Twins in a Hand-Made List", "abstract": "A list entry whose authors repeat.",
        "authors": ["Yan Li", "Yan Li", "Bo Xu"]}]), encoding="utf-8")
    for name in ("api.xml", "hf.json", "list.json"):
        code, out = cmd(root, "ingest", str(tmp_path / name), "--date", "2025-05-01")
        assert code == 0, out
    code, out = cmd(root, "build")
    assert code == 0, out
    rows = public_papers(root / "site")
    authors = {row["title"]: row["authors"] for row in rows}
    assert authors["Twin Authors in Large Collaborations"] == ["Lei Zhang", "Mei Chen",
                                                                "Lei Zhang"]
    assert authors["Twins on Hugging Face"] == ["Wei Wang", "Wei Wang"]
    assert authors["Twins in a Hand-Made List"] == ["Yan Li", "Yan Li", "Bo Xu"]


def test_an_old_style_id_with_a_subject_class_merges_with_arxiv_s_own(tmp_path: Path) -> None:
    root = project(tmp_path)
    (tmp_path / "api.xml").write_text(ATOM, encoding="utf-8")
    # A library's entry names the subject class and words the title differently.
    (tmp_path / "library.json").write_text(json.dumps([{
        "title": "Query processing over old archives (extended version)",
        "abstract": "The same paper, from a reference manager's export.",
        "url": "https://arxiv.org/abs/cs.DB/0408030"}]), encoding="utf-8")
    assert cmd(root, "ingest", str(tmp_path / "api.xml"), "--date", "2025-05-01")[0] == 0
    code, out = cmd(root, "ingest", str(tmp_path / "library.json"), "--date", "2025-05-02")
    assert code == 0, out
    assert "0 new papers, 1 already known" in out
    code, out = cmd(root, "build")
    assert code == 0, out
    rows = public_papers(root / "site")
    assert [r["arxiv_id"] for r in rows if r["arxiv_id"].startswith("cs/")] == ["cs/0408030"]


CSV = """title,abstract,url,date,authors
Composable Skill Graphs,We compose skills learned from play into graphs for planning.,,2025-04-01,Ada Byron
,A row whose title cell is empty: a spreadsheet's stray line.,,2025-04-02,Nobody
World Models for Tabletop Robots,A learned world model plans tabletop manipulation.,,2025-04-03,Alan Kay
"""


def test_ingest_takes_the_good_records_and_lists_the_skipped_as_build_does(tmp_path: Path) -> None:
    root = project(tmp_path)
    path = tmp_path / "rows.csv"
    path.write_text(CSV, encoding="utf-8")
    before = (root / "content" / "sources.yaml").read_bytes()
    code, out = cmd(root, "ingest", str(path), "--date", "2025-05-01", "--strict")
    assert code == 1
    assert f"{path}:3: entry without a title" in out and "--strict: 1 bad record" in out
    assert (root / "content" / "sources.yaml").read_bytes() == before
    code, out = cmd(root, "ingest", str(path), "--date", "2025-05-01")
    assert code == 0, out
    assert f"warning: {path}:3: entry without a title; skipped" in out
    assert "Added rows.csv (2 listings, collected 2025-05-01): 2 new papers" in out
    code, built = cmd(root, "build")
    assert code == 0
    assert "sources/rows.csv:3: entry without a title; skipped" in built
    assert cmd(root, "build", "--strict", "--no-cache")[0] == 1
    # A file with no good record is refused, strict or not.
    (tmp_path / "bad.csv").write_text("title,abstract\n,no title here at all\n", encoding="utf-8")
    code, out = cmd(root, "ingest", str(tmp_path / "bad.csv"))
    assert code == 1 and "no record could be read" in out


def test_ingest_counts_new_and_known_papers_as_the_next_build_merges_them(tmp_path: Path) -> None:
    root = project(tmp_path)
    code, out = cmd(root, "build")
    papers = built_papers(out)
    known_title = "Planning with a Learned World Model for Sample-Efficient Control"
    assert known_title in (root / "content" / "sources" / "example.txt").read_text()
    # A dump that lists one paper twice (the title cased differently), a known paper (its
    # title re-punctuated, now with an arXiv id), the same id again under another title,
    # and one new paper.
    rows = [
        {"title": "Learning to Reuse Skills", "abstract": "A new paper on reusing skills."},
        {"title": "LEARNING TO REUSE SKILLS", "abstract": "The same paper, listed again."},
        {"title": known_title.upper() + "!", "abstract": "A known paper, now with its id.",
         "url": "https://arxiv.org/abs/2502.00001"},
        {"title": "A Retitled Version", "abstract": "The known paper's id, another title.",
         "url": "https://arxiv.org/abs/2502.00001"},
        {"title": "Entirely New Embeddings", "abstract": "Another new paper about embeddings."},
    ]
    (tmp_path / "tricky.json").write_text(json.dumps(rows), encoding="utf-8")
    code, out = cmd(root, "ingest", str(tmp_path / "tricky.json"), "--date", "2025-05-01")
    assert code == 0, out
    found = re.search(r"(\d+) new papers, (\d+) already known", out)
    assert found, out
    code, built = cmd(root, "build")
    assert code == 0, built
    assert int(found.group(1)) == built_papers(built) - papers == 2
    assert int(found.group(2)) == 1
