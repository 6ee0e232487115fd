"""The owner's interests as content: digest.yaml's interests: section, and the library files it
names (Zotero's BibTeX and CSL-JSON exports, reading lists), read with file and line."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from generator.config import load_config
from generator.errors import ConfigError
from generator.models import SourceInfo
from generator.stages.interests.library import read_entries, read_library
from generator.stages.interests.settings import Interests
from generator.stages.read import read_source, sniff_format

LIBRARIES = Path(__file__).parent / "fixtures" / "libraries"


def _with_interests(content: Path, section: str) -> Path:
    text = (content / "digest.yaml").read_text(encoding="utf-8")
    head = text.split("\ninterests:")[0]
    (content / "digest.yaml").write_text(head + "\n" + section, encoding="utf-8")
    return content


def test_the_default_digest_declares_an_example_library() -> None:
    from .conftest import CONTENT

    interests = load_config(CONTENT).interests
    assert interests is not None
    assert interests.library == ("interests/library.bib", "interests/reading-list.txt")
    assert interests.cut_off == 0.4 and "Danijar Hafner" in interests.follow_authors


def test_every_problem_of_the_interests_section_is_named_at_once(content_copy: Path) -> None:
    _with_interests(content_copy, """interests:
  library: [interests/missing.bib, ../outside.bib]
  not_interested: 7
  follow_author: [Someone]
  cut_off: 1.5
""")
    with pytest.raises(ConfigError) as err:
        load_config(content_copy)
    text = str(err.value)
    assert "interests.library: interests/missing.bib: file not found" in text
    assert "interests.library: ../outside.bib: outside the content folder" in text
    assert "interests.not_interested: expected a file name or a list of them" in text
    assert "unknown key 'follow_author' (did you mean 'follow_authors'?)" in text
    assert "interests.cut_off: expected a number above 0 and below 1, got 1.5" in text
    assert all(line.startswith(str(content_copy)) for line in text.splitlines()[1:] if line)


def test_a_library_file_is_required(content_copy: Path) -> None:
    _with_interests(content_copy, "interests:\n  follow_authors: [Danijar Hafner]\n")
    with pytest.raises(ConfigError, match="interests: library: missing"):
        load_config(content_copy)


def test_zoteros_csl_json_export_is_read_with_names_dates_and_arxiv_ids() -> None:
    path = LIBRARIES / "zotero-csl.json"
    text = path.read_text(encoding="utf-8")
    assert sniff_format(text, str(path)) == "csl-json"
    source = SourceInfo(file="zotero-csl.json", collected=dt.date(2025, 1, 1), query="", origin="")
    result = read_source(path, source)
    first, second = result.listings
    assert first.title == "Contrastive World Models for Skill Discovery in Long-Horizon Control"
    assert first.authors == ("Lucía Martínez", "Lei Zhang", "Open X-Embodiment Collaboration")
    assert first.arxiv_id == "2401.01234" and first.url == "https://arxiv.org/abs/2401.01234"
    assert first.published == dt.date(2024, 1, 3) and "contrastive world model" in first.abstract
    assert second.title == "Latent Skill Planning for Mobile Manipulation"  # markup dropped
    assert second.authors == ("Anna van der Berg",)
    # The item without a title is reported at the line its item starts on, not dropped silently.
    [problem] = result.problems
    assert problem.line == text.split("\n").index("\t{", 60) + 1 and "has no title" in str(problem)


def test_library_entries_keep_the_day_they_entered_the_library() -> None:
    entries, problems = read_entries(LIBRARIES / "zotero-csl.json", "zotero-csl.json")
    assert [e.dated for e in entries] == [dt.date(2024, 1, 10), dt.date(2023, 11, 1)]
    assert len(problems) == 1
    bib, _ = read_entries(LIBRARIES / "zotero.bib", "zotero.bib")
    contrastive = next(e for e in bib if e.arxiv_id == "2401.01234")
    assert contrastive.dated == dt.date(2024, 1, 10)  # urldate: the day Zotero saved it
    assert contrastive.file == "zotero.bib" and contrastive.line == 3  # its title's line


def test_a_reading_list_takes_titles_ids_and_urls_one_per_line(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text("# papers to keep\n\n2401.01234\narXiv:1803.10122v2\n"
                    "https://arxiv.org/abs/1912.01603\n"
                    "Dream to Control: Learning Behaviors by Latent Imagination\n"
                    "World Models https://arxiv.org/abs/1803.10122\n"
                    "@article{broken,\n", encoding="utf-8")
    entries, problems = read_entries(path, "list.txt")
    assert [(e.title, e.arxiv_id, e.line) for e in entries] == [
        ("", "2401.01234", 3), ("", "1803.10122", 4), ("", "1912.01603", 5),
        ("Dream to Control: Learning Behaviors by Latent Imagination", "", 6),
        ("World Models", "1803.10122", 7)]
    [problem] = problems
    assert (problem.path, problem.line) == ("list.txt", 8) and "looks like BibTeX" in str(problem)


def test_the_whole_library_is_read_and_bad_entries_are_named(tmp_path: Path) -> None:
    shutil.copy(LIBRARIES / "zotero.bib", tmp_path / "zotero.bib")
    (tmp_path / "broken.bib").write_text("@article{untitled,\n  author = {Nobody},\n}\n",
                                         encoding="utf-8")
    interests = Interests(library=("zotero.bib", "broken.bib"),
                          not_interested_papers=("2310.08864", "Some Title I Skip"))
    library = read_library(interests, tmp_path)
    assert len(library.entries) >= 3
    assert [(e.arxiv_id, e.title) for e in library.negatives] == [
        ("2310.08864", ""), ("", "Some Title I Skip")]
    problems = [(p.path, p.line) for p in library.problems]
    assert ("broken.bib", 1) in problems and "has no title" in str(library.problems[-1])
    assert {path for path, _ in problems} == {"zotero.bib", "broken.bib"}  # (its own bad ones)


def test_an_inited_projects_example_of_interests_builds_once_uncommented(tmp_path: Path) -> None:
    from generator.pipeline import build
    from generator.tools.init import SCAFFOLD

    content = tmp_path / "content"
    shutil.copytree(SCAFFOLD / "content", content)
    text = (content / "digest.yaml").read_text(encoding="utf-8")
    head, example = text.split("\n# interests:")
    assert "cut_off" in example and "follow_authors" in example  # every setting is shown
    # Uncommenting the section is removing one "# " from each of its lines.
    section = "\n".join(line[2:] for line in ("# interests:" + example).splitlines())
    (content / "digest.yaml").write_text(head + "\n" + section + "\n", encoding="utf-8")
    (content / "interests").mkdir()
    shutil.copy(LIBRARIES / "zotero.bib", content / "interests" / "library.bib")
    config = load_config(content)
    assert config.interests == Interests(library=("interests/library.bib",))
    build(config, tmp_path / "site")
    assert (tmp_path / "site" / "for-you" / "index.html").is_file()
    assert (tmp_path / "site" / "for-you" / "feed.xml").is_file()


def test_an_empty_library_list_is_refused(content_copy: Path) -> None:
    _with_interests(content_copy, "interests:\n  library: []\n")
    with pytest.raises(ConfigError, match="library: missing or empty"):
        load_config(content_copy)


def test_a_minified_csl_export_keeps_each_items_own_day(tmp_path: Path) -> None:
    path = tmp_path / "min.json"
    path.write_text(
        '[{"type":"article","title":"Old Paper","accessed":{"date-parts":[[2020,2,3]]}},'
        '{"type":"article","title":"New Paper","accessed":{"date-parts":[[2024,6,1]]}}]',
        encoding="utf-8")
    entries, _ = read_entries(path, "min.json")
    assert [(e.title, e.dated) for e in entries] == [
        ("Old Paper", dt.date(2020, 2, 3)), ("New Paper", dt.date(2024, 6, 1))]


def test_a_paper_both_kept_and_unwanted_is_left_out_of_the_library_with_a_warning(
        tmp_path: Path) -> None:
    (tmp_path / "lib.txt").write_text("World Models\n2401.01234\nDream to Control\n",
                                      encoding="utf-8")
    interests = Interests(library=("lib.txt",), not_interested_papers=("world models.",
                                                                       "arXiv:2401.01234"))
    library = read_library(interests, tmp_path)
    assert [e.title for e in library.entries] == ["Dream to Control"]
    assert [(p.path, p.line) for p in library.problems] == [("lib.txt", 1), ("lib.txt", 2)]
    assert all("also marked not interested" in str(p) for p in library.problems)


def test_followed_names_match_however_a_listing_writes_them() -> None:
    from generator.models import Paper
    from generator.stages.interests.reasons import followed_by

    def paper(pid: str, *authors: str) -> Paper:
        return Paper(id=pid, slug=pid, title=pid, abstract="", first_seen=dt.date(2025, 1, 1),
                     sources=(), authors=authors)

    papers = [paper("a", "D. Hafner", "Maria Rossi"), paper("b", "Hafner, Danijar"),
              paper("c", "Johannes Strauß"), paper("d", "Danijar Hafner Jr."),
              paper("e", "Dora Hafnerova"), paper("f", "Łukasz Kaiser")]
    found = followed_by(papers, ["Danijar Hafner", "Johannes Strauss", "Łukasz Kaiser"])
    assert found == {"a": ("D. Hafner",), "b": ("Hafner, Danijar",),
                     "c": ("Johannes Strauß",), "d": ("Danijar Hafner Jr.",),
                     "f": ("Łukasz Kaiser",)}


def test_reasons_are_words_a_reader_sees_never_tex_or_spaced_hyphens() -> None:
    from generator.models import Paper
    from generator.stages.interests.reasons import as_written, shown_text

    paper = Paper(id="x", slug="x", title="Regret Bounds", first_seen=dt.date(2025, 1, 1),
                  sources=(), abstract=r"We prove $\mathcal{O}(\sqrt{T})$ regret for "
                  "model - based agents, and model-free ones.")
    assert as_written(["mathcal", "model based", "model free", "regret"],
                      shown_text(paper)) == ("model-free", "regret")


def test_library_entries_weigh_less_the_longer_before_the_newest_they_were_added() -> None:
    """No page shows the weights, so they are checked here: the newest entry (and an
    undated one) weighs 1, one two years older half, and none less than a quarter."""
    from generator.stages.interests.ranking import recency

    newest = dt.date(2025, 1, 1)
    assert recency(newest, newest) == 1.0 and recency(None, newest) == 1.0
    assert recency(newest - dt.timedelta(days=730), newest) == 0.5
    assert recency(dt.date(2010, 1, 1), newest) == 0.25
