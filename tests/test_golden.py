"""Golden tests: the fixture digest in tests/golden/content/, built with the command line,
must give exactly the site checked in as tests/golden/expected/, file for file and byte for
byte; and a build that uses the cache must give the same bytes as a cold one.

After an intended change to what the site holds, refresh the expected site with
`python tests/golden/refresh.py` (or `make golden`) and review the difference in git
(tests/golden/README.md). The program is driven only through `python -m generator build`,
so these tests do not depend on how the generator package is laid out.
"""

from __future__ import annotations

import difflib
import re
import shutil
from pathlib import Path

import pytest

from .golden.refresh import EXPECTED, GOLDEN, build_site, copy_content, read_tree

REFRESH = "python tests/golden/refresh.py (or: make golden)"
EXTRA_DUMP = GOLDEN / "extra" / "plain-2025-03-26.csv"
MAX_DIFFS = 5  # differing text files shown with a diff
MAX_DIFF_LINES = 40  # lines of each diff
MAX_LINE = 200  # characters of each diff line (the map and search index have long lines)
MAX_LISTED = 30  # missing, extra or differing files named


def _listing(label: str, paths: list[str]) -> list[str]:
    if not paths:
        return []
    shown = [f"  {p}" for p in paths[:MAX_LISTED]]
    if len(paths) > MAX_LISTED:
        shown.append(f"  ... and {len(paths) - MAX_LISTED} more")
    return [f"{label} ({len(paths)}):", *shown]


def _diff(path: str, want: bytes, got: bytes) -> list[str]:
    try:
        old, new = want.decode("utf-8"), got.decode("utf-8")
    except UnicodeDecodeError:
        return [f"--- {path}: binary, {len(want):,} bytes expected, {len(got):,} built"]
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(),
                                      f"expected/{path}", f"built/{path}", lineterm="", n=2))
    if not lines:  # only line endings or a final newline differ
        return [f"--- {path}: differs only in line endings or the final newline"]
    cut = [line if len(line) <= MAX_LINE else line[:MAX_LINE] + " [...]"
           for line in lines[:MAX_DIFF_LINES]]
    if len(lines) > MAX_DIFF_LINES:
        cut.append(f"[... {len(lines) - MAX_DIFF_LINES} more diff lines]")
    return cut


def compare_trees(expected: dict[str, bytes], built: dict[str, bytes],
                  expected_name: str, built_name: str, advice: str) -> str | None:
    """None when the trees are equal, else a report: missing and extra files, the files that
    differ, a short unified diff of the first few text ones, and `advice`."""
    missing = sorted(expected.keys() - built.keys())
    extra = sorted(built.keys() - expected.keys())
    differing = sorted(p for p in expected.keys() & built.keys() if expected[p] != built[p])
    if not (missing or extra or differing):
        return None
    report = [f"{built_name} differs from {expected_name}: {len(missing)} missing, "
              f"{len(extra)} extra, {len(differing)} differing files.",
              *_listing(f"Missing from {built_name}", missing),
              *_listing(f"Extra in {built_name}", extra),
              *_listing("Differing", differing)]
    for path in differing[:MAX_DIFFS]:
        report += ["", *_diff(path, expected[path], built[path])]
    if len(differing) > MAX_DIFFS:
        report.append(f"\n(diffs of the other {len(differing) - MAX_DIFFS} files not shown)")
    report += ["", advice]
    return "\n".join(report)


def test_the_fixture_builds_into_the_expected_site(tmp_path: Path) -> None:
    assert EXPECTED.is_dir(), f"{EXPECTED} is missing; make it with {REFRESH}"
    out = tmp_path / "site"
    build_site(copy_content(tmp_path), out)
    problem = compare_trees(
        read_tree(EXPECTED), read_tree(out), "tests/golden/expected", "the built site",
        f"If the change is intended, refresh the expected site with {REFRESH}, review "
        "`git diff tests/golden/expected` and commit it with the change.")
    if problem:
        pytest.fail(problem, pytrace=False)


def _add_dump(content: Path) -> None:
    """One more week: the extra dump (three new papers and one known one, in another
    format), recorded in the manifest as `digest ingest` would record it."""
    shutil.copy2(EXTRA_DUMP, content / "sources" / EXTRA_DUMP.name)
    with (content / "sources.yaml").open("a", encoding="utf-8") as manifest:
        manifest.write(f"  - file: {EXTRA_DUMP.name}\n"
                       "    collected: 2025-03-26\n"
                       "    query: hand-made list\n"
                       "    origin: plain CSV, written for the golden tests' cache check\n")


def _cold(tmp_path: Path, name: str, *, extended: bool) -> dict[str, bytes]:
    """A --no-cache build of the fixture (with the extra dump when `extended`), made from
    its own copy of the content so that it shares nothing with the cached builds."""
    project = tmp_path / name
    content = copy_content(project)
    if extended:
        _add_dump(content)
    build_site(content, project / "site")
    return read_tree(project / "site")


def _same(expected: dict[str, bytes], out: Path, expected_name: str, built_name: str,
          advice: str) -> None:
    problem = compare_trees(expected, read_tree(out), expected_name, built_name, advice)
    if problem:
        pytest.fail(problem, pytrace=False)


def test_a_cached_build_gives_the_same_site_as_a_cold_one(tmp_path: Path) -> None:
    project = tmp_path / "cached"
    content = copy_content(project)  # the cache goes beside it: project/.digest-cache/
    out = project / "site"
    advice = ("The cache changed what a build writes: a cached build must give the same "
              "bytes as a --no-cache build of the same content (do not refresh the golden "
              "files for this).")

    cold = _cold(tmp_path, "cold", extended=False)
    first = build_site(content, out, cache=True)
    cache = project / ".digest-cache"
    assert cache.is_dir() and any(cache.iterdir()), (
        f"the build with the cache left no {cache}:\n{first}")
    _same(cold, out, "a cold build", "the first cached build", advice)

    again = build_site(content, out, cache=True)  # nothing touched
    assert "Nothing changed" in again, f"an unchanged rebuild was not skipped:\n{again}"
    _same(cold, out, "a cold build", "the unchanged rebuild", advice)

    _add_dump(content)
    grown = build_site(content, out, cache=True)
    kept = re.search(r"(\d+) unchanged", grown)
    assert kept and int(kept[1]) > 0, (
        f"the build after a new dump kept no file of the last one (was the cache used?):\n"
        f"{grown}")
    cold_grown = _cold(tmp_path, "cold-grown", extended=True)
    assert cold_grown != cold and len(cold_grown) > len(cold)  # the new week is in it
    _same(cold_grown, out, "a cold build with the new dump",
          "the cached build after adding the dump", advice)
