"""Issue 23, nothing lost, nothing leaked: YAML that expands or nests without end, days at
the ends of the calendar, a note of brackets that never close, queries holding characters
YAML reads as line breaks. Each is fed as a user would (a content folder, a build, the
command line) and must end promptly with a message naming the file and line, or cleanly."""

from __future__ import annotations

import re
import time
from pathlib import Path

import markdown
import pytest
import yaml
from click.testing import CliRunner

from generator.cli import cli
from generator.config import load_config
from generator.errors import ConfigError
from generator.pipeline import build
from generator.text.markup import render_markdown, sanitize_html

from .conftest import public_papers

pytestmark = pytest.mark.timeout(60)

PAPERS = """\
# Papers noted by hand.
- title: Options Learned Without Rewards
  abstract: Skills from intrinsic signals alone solve sparse-reward tasks.
  date: 2024-01-06
- title: Contrastive Embeddings of Tasks
  abstract: Task embeddings from contrastive objectives cluster related skills.
  date: 2024-01-07
"""
MANIFEST = """\
# The manifest: a comment that appending an entry must keep.
sources:
  - file: list.yaml
    collected: 2025-04-21
"""
WEEK = "2025-W17"  # the week of 2025-04-21


def make_content(tmp_path: Path, **files: str) -> Path:
    """A minimal digest (two papers in one week, one theme), with `files` ({path in the
    content folder: text}) written over it."""
    base = {"digest.yaml": "title: Hostile\nbuilt_at: 2025-04-25\n",
            "themes.yaml": "themes:\n  - {name: Skills, slug: skills, keywords: [skills]}\n",
            "sources.yaml": MANIFEST, "sources/list.yaml": PAPERS}
    root = tmp_path / "content"
    for rel, text in {**base, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def bomb(indent: str = "", keyed: bool = True) -> list[str]:
    """A 'billion laughs' in nine lines: nine values, then eight levels of nine aliases each
    (9**9, 387 million values, from about 340 bytes). Mapping entries a: ... i:, or list items."""
    names = "abcdefghi"
    lines = []
    for level, name in enumerate(names):
        values = ", ".join(['"lol"'] * 9 if level == 0 else [f"*{names[level - 1]}"] * 9)
        lines.append(f"{indent}{name + ': ' if keyed else '- '}&{name} [{values}]")
    return lines


def refused_line(text: str, file: str, problem: str) -> int:
    """The line `file:LINE: invalid YAML: <problem>` names in `text` (it must be there)."""
    found = re.search(rf"{re.escape(file)}:(\d+): invalid (?:YAML|front matter): {problem}", text)
    assert found, text
    return int(found[1])


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


# -- 1. aliases and nesting ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["digest.yaml", "themes.yaml", "sources.yaml"])
def test_an_alias_bomb_in_a_config_file_is_refused_at_its_line(tmp_path: Path, name: str) -> None:
    shared = ("themes:\n"
              "  - {name: Skills, slug: skills, keywords: &words [skills, options]}\n"
              "  - {name: Options, slug: options, keywords: *words}\n")
    root = make_content(tmp_path, **{"themes.yaml": shared})
    config = load_config(root)  # anchors used as anchors are meant still work
    assert [t.keywords for t in config.themes] == [("skills", "options")] * 2

    path = root / name
    before = path.read_text(encoding="utf-8")
    path.write_text(before + "\n".join(bomb()) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(root)
    line = refused_line(str(err.value), name, "its aliases expand to more than 1,000,000 values")
    first = before.count("\n") + 1
    assert first < line <= first + 8


def test_an_alias_bomb_in_a_notes_front_matter_is_a_warning_naming_its_line(
        tmp_path: Path) -> None:
    note = "\n".join(["---", "title: Laughs", *bomb(), "---", "The note's text."]) + "\n"
    root = make_content(tmp_path, **{f"notes/{WEEK}.md": note})
    report = build(load_config(root), tmp_path / "site")
    line = refused_line("\n".join(report.warnings), f"notes/{WEEK}.md",
                        "its aliases expand to more than 1,000,000 values")
    assert 3 < line <= 11  # the bomb's lines: 3 (a:) to 11 (i:)
    page = (tmp_path / "site" / "weeks" / WEEK / "index.html").read_text(encoding="utf-8")
    assert "The note&#39;s text." not in page and "The note's text." not in page


def test_an_alias_bomb_in_enrich_yaml_stops_the_build_naming_its_line(tmp_path: Path) -> None:
    enrich = "\n".join(["papers:", "  - title: Options Learned Without Rewards",
                        "    authors:", *bomb("      ", keyed=False)]) + "\n"
    root = make_content(tmp_path, **{"enrich.yaml": enrich})
    code, out = run("build", "--content", str(root), "--out", str(tmp_path / "site"))
    assert code == 1
    line = refused_line(out, "enrich.yaml", "its aliases expand to more than 1,000,000 values")
    assert 4 < line <= 12
    assert not (tmp_path / "site").exists()


def test_an_alias_bomb_in_a_plain_yaml_dump_is_refused_by_ingest(tmp_path: Path) -> None:
    root = make_content(tmp_path)
    dump = tmp_path / "laughs.yaml"
    dump.write_text("\n".join(["- title: A Paper", "  abstract: Text.", *bomb("  ")]) + "\n",
                    encoding="utf-8")
    code, out = run("ingest", str(dump), "--content", str(root), "--date", "2025-04-22")
    assert code == 1
    line = refused_line(out, "laughs.yaml", "its aliases expand to more than 1,000,000 values")
    assert 3 < line <= 11
    assert (root / "sources.yaml").read_text(encoding="utf-8") == MANIFEST
    assert not (root / "sources" / "laughs.yaml").exists()


DEEP = "[" * 5000 + "]" * 5000


def test_a_document_nested_5000_deep_is_refused_at_its_line(tmp_path: Path) -> None:
    root = make_content(tmp_path, **{"themes.yaml": f"# Too deep.\nthemes: {DEEP}\n"})
    with pytest.raises(ConfigError) as err:
        load_config(root)
    assert refused_line(str(err.value), "themes.yaml", "nested more than 100 levels deep") == 2


def test_front_matter_nested_5000_deep_is_a_warning_naming_its_line(tmp_path: Path) -> None:
    note = f"---\ntitle: Deep\nhighlights: {DEEP}\n---\nThe note's text.\n"
    root = make_content(tmp_path, **{f"notes/{WEEK}.md": note})
    report = build(load_config(root), tmp_path / "site")
    warnings = "\n".join(report.warnings)
    assert refused_line(warnings, f"notes/{WEEK}.md", "nested more than 100 levels deep") == 3


def test_aliases_that_nest_deep_together_are_refused_at_the_alias(tmp_path: Path) -> None:
    # Each anchor is 90 levels deep and holds the one before it: 20 of them nest 1,800 deep
    # once expanded (a walk of the data recurses that deep), though no line nests over 91.
    lines = ["a0: &a0 " + "[" * 90 + "x" + "]" * 90]
    lines += [f"a{i}: &a{i} " + "[" * 90 + f"*a{i - 1}" + "]" * 90 for i in range(1, 20)]
    root = make_content(tmp_path)
    (root / "digest.yaml").write_text("title: Hostile\n" + "\n".join(lines) + "\n",
                                      encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(root)
    assert refused_line(str(err.value), "digest.yaml", "nested more than 100 levels deep "
                        "once the alias \\*a0 is expanded") == 3


def test_an_alias_inside_the_node_it_names_is_refused_at_its_line(tmp_path: Path) -> None:
    root = make_content(tmp_path, **{"digest.yaml": "title: Hostile\nloop: &loop [1, *loop]\n"})
    with pytest.raises(ConfigError) as err:
        load_config(root)
    assert refused_line(str(err.value), "digest.yaml", "the alias \\*loop is inside the node "
                        "it names") == 2


# -- 2. dates --------------------------------------------------------------------------------

RANGE = "is outside the dates a digest takes \\(1800-01-01 to 2199-12-31\\)"


@pytest.mark.parametrize("args", [
    ["ingest", "NEW", "--date", "9999-12-27"],
    ["ingest", "NEW", "--date", "0001-01-01"],
    ["fetch", "--date", "9999-12-27"],
    ["fetch", "--since", "1799-12-31"],
    ["enrich", "--limit", "0", "--date", "2200-01-01"],
])
def test_a_date_option_outside_the_range_is_refused(tmp_path: Path, args: list[str]) -> None:
    root = make_content(tmp_path)
    new = tmp_path / "new.yaml"
    new.write_text("- title: A Paper\n  abstract: Text.\n", encoding="utf-8")
    code, out = run(*[str(new) if a == "NEW" else a for a in args], "--content", str(root))
    assert code == 2, out
    assert re.search(rf"Invalid value for '--(date|since)': \S+ {RANGE}", out), out
    assert (root / "sources.yaml").read_text(encoding="utf-8") == MANIFEST
    assert sorted(p.name for p in (root / "sources").iterdir()) == ["list.yaml"]


def test_config_dates_outside_the_range_are_named_and_its_ends_build(tmp_path: Path) -> None:
    manifest = MANIFEST + ("  - {file: list.yaml, collected: 9999-12-27}\n"
                           "  - {file: list.yaml, collected: 1799-12-31}\n"
                           "  - {file: list.yaml, collected: 2024-02-30}\n")
    root = make_content(tmp_path, **{"sources.yaml": manifest,
                                     "digest.yaml": "title: Hostile\nbuilt_at: 9999-12-31\n"})
    with pytest.raises(ConfigError) as err:
        load_config(root)
    text = str(err.value)
    assert re.search(rf"digest.yaml: built_at: 9999-12-31 {RANGE}", text)
    assert re.search(rf"sources.yaml: sources\[1\].collected: 9999-12-27 {RANGE}", text)
    assert re.search(rf"sources.yaml: sources\[2\].collected: 1799-12-31 {RANGE}", text)
    assert "sources[3].collected: expected a date YYYY-MM-DD, got '2024-02-30'" in text

    manifest = MANIFEST.replace("2025-04-21", "2199-12-31") + (
        "  - {file: old.yaml, collected: 1800-01-01}\n")
    old = "- title: An Old Paper\n  abstract: Text.\n  date: 1800-01-01\n"
    root = make_content(tmp_path, **{"sources.yaml": manifest, "sources/old.yaml": old,
                                     "digest.yaml": "title: Hostile\nbuilt_at: 2199-12-31\n"})
    report = build(load_config(root), tmp_path / "site")
    assert sorted(report.weeks) == ["1800-W01", "2200-W01"]  # 2199-12-31 is in 2200's week 1
    assert not report.warnings


BIBTEX = """\
@article{far2999,
  title = {A Paper From Far Ahead},
  author = {Doe, Jane},
  year = {2999}, month = dec, day = {31},
}
@article{fine2024,
  title = {A Paper Of Its Time},
  author = {Roe, Richard},
  year = {2024}, month = jan, day = {5},
}
"""


def test_dump_dates_outside_the_range_are_unknown(tmp_path: Path) -> None:
    yaml_list = PAPERS + "- title: A Paper Dated 9999\n  abstract: Text.\n  date: 9999-12-31\n"
    json_list = '[{"title": "A Paper Dated 1066", "abstract": "Text.", "date": "1066-10-14"}]'
    manifest = MANIFEST + ("  - {file: list.json, collected: 2025-04-21}\n"
                           "  - {file: library.bib, collected: 2025-04-21}\n")
    root = make_content(tmp_path, **{"sources/list.yaml": yaml_list, "sources/list.json": json_list,
                                     "sources/library.bib": BIBTEX, "sources.yaml": manifest})
    report = build(load_config(root), tmp_path / "site")
    assert not report.warnings
    published = {row["title"]: row["published"] for row in public_papers(tmp_path / "site")}
    assert published == {"Options Learned Without Rewards": "2024-01-06",
                         "Contrastive Embeddings of Tasks": "2024-01-07",
                         "A Paper Dated 9999": None, "A Paper Dated 1066": None,
                         "A Paper From Far Ahead": None, "A Paper Of Its Time": "2024-01-05"}


def test_an_enrich_date_outside_the_range_is_named_with_its_line(tmp_path: Path) -> None:
    enrich = ("papers:\n  - title: Options Learned Without Rewards\n    arxiv_id: '2401.01234'\n"
              "    published: 9999-12-31\n")
    root = make_content(tmp_path, **{"enrich.yaml": enrich})
    code, out = run("build", "--content", str(root), "--out", str(tmp_path / "site"))
    assert code == 1
    assert re.search(rf"enrich.yaml:2: papers\[0\].published: 9999-12-31 {RANGE}", out), out


# -- 3. a note of brackets ---------------------------------------------------------------------

ORDINARY = """\
A [link](https://example.org/a "Title") and a [reference][ref], a [short one][], an
[[outer] link](https://example.org/b), an image ![alt](https://example.org/i.png) and
`[code](span)` with ``[[[`` in it; \\[escaped\\](brackets) and [not a link] and [a] [b].

```
[fenced](block) [[[ ]]]
```

    [indented](block)

| column | [cell](https://example.org/c) |
| --- | --- |
| [x] | y |

[ref]: https://example.org/ref
[short one]: https://example.org/short
"""
HOSTILE = ["[" * 20000, "[" * 10000 + "]" * 10000, "[x " * 7000, "![" * 10000, "[`a`" * 5000]


def test_a_note_of_unclosed_brackets_renders_promptly_as_text(tmp_path: Path) -> None:
    body = ORDINARY + "\n\n" + "\n\n".join(HOSTILE) + "\n"
    started = time.perf_counter()
    html = str(render_markdown(body))
    assert time.perf_counter() - started < 5  # two minutes before
    expected = sanitize_html(markdown.markdown(ORDINARY, extensions=["tables", "sane_lists"],
                                               output_format="html"))
    assert html.startswith(expected) and 'href="https://example.org/short"' in expected
    assert "[" * 20000 in html and "[" * 10000 + "]" * 10000 in html

    root = make_content(tmp_path, **{f"notes/{WEEK}.md": body})
    build(load_config(root), tmp_path / "site")
    page = (tmp_path / "site" / "weeks" / WEEK / "index.html").read_text(encoding="utf-8")
    assert expected in page and "[" * 20000 in page


# -- 4. queries holding YAML's line breaks ------------------------------------------------------


@pytest.mark.parametrize("query", [
    # NEL, LINE and PARAGRAPH SEPARATOR (line breaks to YAML); DEL, a C1 control, BOM and a
    # noncharacter (YAML's reader refuses them)
    "nel\x85ls\u2028ps\u2029del\x7fc1\x9fbom\ufeffnon\ufffe",
    "caf\udce9",  # an argument that was not UTF-8 (Latin-1 "café"), as Python passes it on
])
def test_an_ingest_query_of_line_breaks_keeps_the_manifests_comments(
        tmp_path: Path, query: str) -> None:
    root = make_content(tmp_path)
    new = tmp_path / "new.yaml"
    new.write_text("- title: A Paper\n  abstract: Text.\n", encoding="utf-8")
    code, out = run("ingest", str(new), "--content", str(root), "--date", "2025-04-22",
                    "--query", query)
    assert code == 0, out
    text = (root / "sources.yaml").read_text(encoding="utf-8")
    assert text.startswith(MANIFEST)  # appended to, comments and all
    assert yaml.safe_load(text)["sources"][1]["query"] == query
