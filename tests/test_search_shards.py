"""The search index in shards: every paper indexed once, unchanged shards reused, and one
search in the browser finding papers of every shard."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from generator.config import load_config
from generator.errors import GeneratorError
from generator.pipeline import build
from generator.tools.ingest import ingest_file

from .browser import serve_directory
from .conftest import CONTENT, public_papers, search_files

SHARD = 200  # the default digest's 747 papers make 4 shards


def _with_shards(content: Path) -> Path:
    digest_yaml = content / "digest.yaml"
    digest_yaml.write_text(digest_yaml.read_text(encoding="utf-8") +
                           f"search_shard_size: {SHARD}\n", encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(content, site) of the default digest built with 4 search shards."""
    root = tmp_path_factory.mktemp("sharded")
    content = _with_shards(Path(shutil.copytree(CONTENT, root / "content")))
    site = root / "site"
    build(load_config(content), site)
    return content, site


def _listing(site: Path) -> list[dict[str, object]]:
    return json.loads((site / "search" / "shards.json").read_text())["shards"]  # type: ignore[no-any-return]


def test_every_paper_is_in_exactly_one_shard(sharded: tuple[Path, Path]) -> None:
    _, site = sharded
    shards = _listing(site)
    assert [s["name"] for s in shards] == ["0", "1", "2", "3"]
    assert [s["papers"] for s in shards] == [200, 200, 200, 147]
    slugs = []
    for shard in shards:
        folder = site / "search" / str(shard["name"])
        docs = [row[0] for block in search_files(folder, "d") for row in block]
        assert len(docs) == shard["papers"]
        slugs += docs
    rows = public_papers(site)
    assert sorted(slugs) == sorted(r["slug"] for r in rows)  # each paper once, none left out


def _entry_inodes(site: Path) -> dict[str, int]:
    return {str(s["name"]): (site / "search" / str(s["name"]) / "d0.json.gz")
            .stat().st_ino for s in _listing(site)}


def test_a_new_week_reindexes_only_the_newest_shard(tmp_path: Path, content_copy: Path) -> None:
    content = _with_shards(content_copy)
    site = tmp_path / "site"
    build(load_config(content), site)
    before = _entry_inodes(site)
    themes_before = (site / "data" / "themes" / "embeddings.json").read_bytes()
    dump = tmp_path / "new-week.json"
    dump.write_text(json.dumps([{"title": "A Shard-Local Paper About Sentence Embeddings",
                                 "abstract": "We study sentence embeddings for retrieval."}]),
                    encoding="utf-8")
    ingest_file(content, dump, dt.date(2025, 5, 1), query="embeddings")
    build(load_config(content), site)
    after = _entry_inodes(site)
    assert [s["papers"] for s in _listing(site)] == [200, 200, 200, 148]
    # The index holds no model output, so the three older shards are the very same files
    # even though the theme model was trained again; only the newest shard was indexed.
    assert {k: after[k] for k in "012"} == {k: before[k] for k in "012"}
    assert after["3"] != before["3"]
    # The theme filter's masks are a data file, rewritten with the model's new decisions.
    members = json.loads((site / "data" / "themes" / "embeddings.json").read_text())
    assert "a-shard-local-paper-about-sentence-embeddings" in members["papers"]
    assert (site / "data" / "themes" / "embeddings.json").read_bytes() != themes_before
    assert _themes_by_mask(site)["a-shard-local-paper-about-sentence-embeddings"] >= {
        "embeddings"}


def _themes_by_mask(site: Path) -> dict[str, set[str]]:
    """slug -> the themes data/search-themes.json gives it, papers numbered across shards."""
    slugs = []
    for shard in _listing(site):
        folder = site / "search" / str(shard["name"])
        slugs += [row[0] for block in search_files(folder, "d") for row in block]
    data = json.loads((site / "data" / "search-themes.json").read_text())
    assert len(data["masks"]) == len(slugs)
    return {slug: {theme for i, (theme, _) in enumerate(data["themes"]) if mask >> i & 1}
            for slug, mask in zip(slugs, data["masks"], strict=True)}


def test_each_papers_themes_in_the_search_index_are_its_themes(
        sharded: tuple[Path, Path]) -> None:
    _, site = sharded
    given = _themes_by_mask(site)
    themes = json.loads((site / "data" / "search-themes.json").read_text())["themes"]
    members = {theme: set(json.loads((site / "data" / "themes" / f"{theme}.json").read_text())
                          ["papers"]) for theme, _ in themes}
    assert len(themes) >= 4 and all(members.values())
    assert given == {slug: {t for t, papers in members.items() if slug in papers}
                     for slug in given}


def test_a_failed_build_stops_the_indexer_and_leaves_nothing_beside_the_site(
        tmp_path: Path, content_copy: Path) -> None:
    # The template fails after the search worker has started (many small shards): no
    # temporary folder is left beside the site, and no worker process is left running.
    digest_yaml = content_copy / "digest.yaml"
    digest_yaml.write_text(digest_yaml.read_text(encoding="utf-8") + "search_shard_size: 20\n",
                           encoding="utf-8")
    (content_copy / "templates").mkdir()
    (content_copy / "templates" / "home.html").write_text("{{ no_such_variable }}")
    with pytest.raises(GeneratorError, match="no_such_variable"):
        build(load_config(content_copy), tmp_path / "site")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.digest", "content"]
    # The working folder keeps its lock and the (unfinished, never served) standby only.
    assert {p.name for p in (tmp_path / ".site.digest").iterdir()} <= {"lock", "standby"}
    assert multiprocessing.active_children() == []  # no worker left running


@pytest.mark.browser
@pytest.mark.parametrize("shard", [0, 1, 2, 3])
def test_one_search_covers_every_shard(sharded: tuple[Path, Path], browser: object,
                                       shard: int) -> None:
    _, site = sharded
    rows = public_papers(site)
    rows.sort(key=lambda r: (r["first_seen"], r["id"]))  # the shards' order
    wanted = rows[shard * SHARD]["title"]
    query = " ".join(wanted.split()[:6])
    with serve_directory(site) as url:
        page = browser.new_page()  # type: ignore[attr-defined]
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{url}/search.html?q={quote(query)}")
        page.locator("#search-results li").first.wait_for()
        titles = page.locator("#search-results li a").all_inner_texts()
        assert wanted in titles, (query, titles[:10])
        assert errors == []
        page.close()
