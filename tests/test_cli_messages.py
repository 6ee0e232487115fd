"""What the command line tells its user is true: the address `serve` prints is the one the site
answers at, a build's warnings are repeated by every later build (skipped, cached or served)
until their cause is gone, and `check` counts what it checked."""

from __future__ import annotations

import contextlib
import http.client
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from generator.cli import cli

from .conftest import REPO

GOLDEN = REPO / "tests" / "golden" / "content"
BASE = "https://example.github.io/golden/"  # the fixture's base_url (its digest.yaml)
GHOST = "A Paper That Nobody Ever Wrote"
BROKEN = (b"new\n\nMar 18\n\nA Good Title\n\n" + b"An abstract that is long enough. " * 5 +
          b"\n\nA Title Whose Abstract Was Lost\n")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the golden fixture's content (33 papers) with two causes of a warning: a
    dump with a bad record, and a note highlighting a title that matches no paper."""
    content = tmp_path / "content"
    shutil.copytree(GOLDEN, content)
    (content / "sources" / "broken.txt").write_bytes(BROKEN)
    manifest = content / "sources.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") +
                        "  - {file: broken.txt, collected: 2025-03-19, query: test}\n",
                        encoding="utf-8")
    _ghost_highlight(content, present=True)
    return content


def _ghost_highlight(content: Path, present: bool) -> None:
    note = content / "notes" / "2025-W11.md"
    text = note.read_text(encoding="utf-8")
    line = f"  - {GHOST}\n"
    text = (text.replace("highlights:\n", "highlights:\n" + line, 1) if present
            else text.replace(line, ""))
    note.write_text(text, encoding="utf-8")


def _warnings(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("warning: ")]


def _says_ghost(warnings: list[str]) -> bool:
    return any(GHOST in w for w in warnings)


def _says_broken(warnings: list[str]) -> bool:
    return any("broken.txt:" in w and "A Title Whose Abstract Was Lost" in w for w in warnings)


# --- warnings: kept with the build's record -------------------------------------------------


def test_warnings_return_on_skipped_and_cached_builds_until_their_cause_is_gone(
        project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"

    def build() -> tuple[str, list[str]]:
        result = CliRunner().invoke(cli, ["build", "--content", str(project), "--out", str(site)])
        assert result.exit_code == 0, result.output
        return result.stdout, _warnings(result.stderr)

    out, warnings = build()  # the first build: everything computed
    assert _says_ghost(warnings) and _says_broken(warnings), warnings
    out, again = build()  # nothing changed: the build is skipped
    assert "Nothing changed since the last build" in out
    assert again == warnings
    about = project / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\nOne more sentence.\n",
                     encoding="utf-8")
    out, cached = build()  # a build that reuses the stored stages and keeps unchanged pages
    assert "kept from the last build" in out, out
    assert cached == warnings
    _ghost_highlight(project, present=False)  # one cause fixed: its warning is gone
    out, fixed = build()
    assert "Wrote" in out
    assert not _says_ghost(fixed) and _says_broken(fixed), fixed
    out, skipped = build()  # and stays gone on the skipped build after it
    assert "Nothing changed since the last build" in out
    assert skipped == fixed


# --- serve ----------------------------------------------------------------------------------


class Served:
    """`digest serve` running as a subprocess, its output (stdout and stderr, in order) read
    line by line."""

    def __init__(self, content: Path, out: Path, port: int | None = 0) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        chosen = [] if port is None else ["--port", str(port)]  # None: the default port
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--content", str(content),
             "--out", str(out), *chosen],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
            cwd=content.parent)
        self.lines: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def until(self, pattern: str, timeout: float = 120) -> tuple[list[str], re.Match[str]]:
        """The lines printed before the first one matching pattern, and its match."""
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                line = self.lines.get(timeout=max(left, 0.01))
            except queue.Empty:
                raise AssertionError(f"no line like {pattern!r} in {timeout} s; got {seen}"
                                     ) from None
            match = re.search(pattern, line)
            if match:
                return seen, match
            seen.append(line)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.reader.join(timeout=20)  # the pipe's end: everything printed is in self.lines
        assert self.process.stdout is not None
        self.process.stdout.close()


@pytest.fixture
def serving(project: Path, tmp_path: Path) -> Iterator[Served]:
    served = Served(project, tmp_path / "site")
    try:
        yield served
    finally:
        served.stop()


SERVING = r"^Serving (http://127\.0\.0\.1:(\d+)(/\S*)) "
BUILT = r"^(Built \d+ papers|Nothing changed since the last build)"


def test_serve_prints_the_address_it_serves_with_the_base_path(serving: Served) -> None:
    _, match = serving.until(SERVING)
    url, port, path = match.group(1), int(match.group(2)), match.group(3)
    assert port != 0 and path == urlsplit(BASE).path  # the real port, and /golden/
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        assert "<title>Golden Fixture Digest" in response.read().decode("utf-8")
    # The server's root, asked with GET or HEAD, redirects to the base path.
    for method in ("GET", "HEAD"):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request(method, "/")
        answer = conn.getresponse()
        assert (answer.status, answer.getheader("Location")) == (302, path), method
        conn.close()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("HEAD", path + "index.html")
    assert conn.getresponse().status == 200
    conn.close()


def test_serve_prints_the_warnings_of_every_build_until_their_cause_is_gone(
        serving: Served, project: Path) -> None:
    first, _ = serving.until(BUILT)
    assert _says_ghost(_warnings("\n".join(first))), first
    assert _says_broken(_warnings("\n".join(first))), first
    serving.until(SERVING)
    about = project / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\nEdited while served.\n",
                     encoding="utf-8")
    rebuilt, _ = serving.until(BUILT)  # a rebuild: the stages come from the cache
    assert _warnings("\n".join(rebuilt)) == _warnings("\n".join(first)), rebuilt
    _ghost_highlight(project, present=False)
    fixed, _ = serving.until(BUILT)
    warnings = _warnings("\n".join(fixed))
    assert not _says_ghost(warnings) and _says_broken(warnings), fixed


@contextlib.contextmanager
def _busy_port(port: int = 0) -> Iterator[int]:
    """A port on 127.0.0.1 that another socket listens on (port: that one, which may be in
    use already; 0: any)."""
    with socket.socket() as sock:
        with contextlib.suppress(OSError):  # in use already: busy all the same
            sock.bind(("127.0.0.1", port))
            sock.listen()
        yield sock.getsockname()[1] or port


def test_serve_on_a_busy_port_says_so_instead_of_a_traceback(project: Path,
                                                             tmp_path: Path) -> None:
    with _busy_port() as port:
        served = Served(project, tmp_path / "site", port=port)
        try:
            code = served.process.wait(timeout=60)
        finally:
            served.stop()  # (it has stopped: this reads the rest of its output)
        output = []
        while not served.lines.empty():
            output.append(served.lines.get())
        text = "\n".join(output)
        assert code == 1, text
        assert f"Error: port {port} on 127.0.0.1 is in use" in text and "Traceback" not in text
        assert not (tmp_path / "site").exists()  # said before building anything


def test_serve_on_its_default_port_in_use_takes_a_free_one_and_prints_it(
        project: Path, tmp_path: Path) -> None:
    with _busy_port(8000):
        served = Served(project, tmp_path / "site", port=None)
        try:
            before, match = served.until(SERVING)
            assert "Port 8000 is in use; serving on a free port instead." in before
            assert int(match.group(2)) not in (0, 8000)
            with urllib.request.urlopen(match.group(1), timeout=30) as response:
                assert response.status == 200
        finally:
            served.stop()


# --- check ----------------------------------------------------------------------------------


class _Targets(HTMLParser):
    """href and src values of a page, as a reader's browser would follow them."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.values += [v for k, v in attrs if k in ("href", "src") and v is not None]


def _counted(site: Path) -> dict[str, int]:
    """What is in the built site, counted here from its files."""
    files = [p for p in site.rglob("*") if not p.is_dir()]
    pages = [p for p in files if p.suffix == ".html"]
    targets = []
    for page in pages:
        parser = _Targets()
        parser.feed(page.read_text(encoding="utf-8"))
        targets += [urlsplit(t) for t in parser.values]
    internal = [t for t in targets if not (t.scheme or t.netloc)]
    atom = "{http://www.w3.org/2005/Atom}"
    feeds = [r for r in (ET.parse(p).getroot() for p in files if p.suffix == ".xml")
             if r.tag == f"{atom}feed"]
    sitemap = ET.parse(site / "sitemap.xml").getroot()
    return {
        "files": len(files), "pages": len(pages),
        "links": sum(1 for t in internal if t.path),
        "anchors": sum(1 for t in internal if t.fragment),
        "external": len(targets) - len(internal),
        "feeds": len(feeds), "entries": sum(len(r.findall(f"{atom}entry")) for r in feeds),
        "feed links": sum(len(list(r.iter(f"{atom}link"))) for r in feeds),
        "sitemap URLs": len(list(sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"))),
    }


CHECKED = (r"Checked (?P<files>[\d,]+) files \([\d.]+ MB\) against the size limits, "
           r"(?P<pages>[\d,]+) pages with (?P<links>[\d,]+) links into the site and "
           r"(?P<anchors>[\d,]+) #anchors \((?P<external>[\d,]+) links to other sites not "
           r"followed\), (?P<feeds>[\d,]+) feeds with (?P<entries>[\d,]+) entries and "
           r"(?P<feed_links>[\d,]+) links into the site, 1 sitemap of (?P<sitemap>[\d,]+) URLs "
           r"and the symbolic links in ")


def _check(site: Path, content: Path) -> tuple[int, str, dict[str, int]]:
    result = CliRunner().invoke(cli, ["check", str(site), "--content", str(content)])
    match = re.search(CHECKED, result.output)
    assert match, result.output
    numbers = {k: int(v.replace(",", "")) for k, v in match.groupdict().items()}
    return result.exit_code, result.output, numbers


def test_check_says_what_it_checked_with_the_site_s_own_counts(project: Path,
                                                               tmp_path: Path) -> None:
    site = tmp_path / "site"
    built = CliRunner().invoke(cli, ["build", "-q", "--content", str(project), "--out",
                                     str(site)])
    assert built.exit_code == 0, built.output
    code, out, said = _check(site, project)
    assert code == 0 and out.rstrip().endswith(f"{site}: no problems (served under /golden/)")
    counted = _counted(site)
    assert said == {"files": counted["files"], "pages": counted["pages"],
                    "links": counted["links"], "anchors": counted["anchors"],
                    "external": counted["external"], "feeds": counted["feeds"],
                    "entries": counted["entries"], "feed_links": counted["feed links"],
                    "sitemap": counted["sitemap URLs"]}
    assert min(said.values()) > 0  # a fixture that has each kind of thing
    # A page added by hand is counted, and its broken link and missing anchor found.
    (site / "extra.html").write_text('<a href="index.html">home</a> <a href="gone.html">x</a> '
                                     '<a href="#nowhere">y</a> <a href="https://e.org/">z</a>',
                                     encoding="utf-8")
    code, out, more = _check(site, project)
    assert code == 1 and "Error: 2 problems" in out
    assert "extra.html:1: broken link gone.html" in out
    assert (more["files"], more["pages"], more["links"], more["anchors"], more["external"]) == (
        said["files"] + 1, said["pages"] + 1, said["links"] + 2, said["anchors"] + 1,
        said["external"] + 1)


def test_check_finds_a_sitemap_url_and_a_feed_link_that_name_no_page(project: Path,
                                                                     tmp_path: Path) -> None:
    site = tmp_path / "site"
    built = CliRunner().invoke(cli, ["build", "-q", "--content", str(project), "--out",
                                     str(site)])
    assert built.exit_code == 0, built.output
    feed = ET.parse(site / "feeds" / "all.xml").getroot()
    entry = feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}link")
    assert entry is not None
    url = entry.get("href", "")
    assert url.startswith(f"{BASE}papers/")
    (site / url.removeprefix(BASE)).unlink()  # the sitemap and the feeds still list it
    code, out, _ = _check(site, project)
    assert code == 1
    assert f"sitemap.xml: broken link {url}" in out
    assert f"feeds/all.xml: broken link {url}" in out


def test_a_site_over_its_size_limit_is_warned_of_by_build_and_failed_by_check(
        tmp_path: Path) -> None:
    """GitHub Pages publishes at most 1 GB: the fixture's site, with the limit lowered below
    its weight by size_limit_mb (not by writing a gigabyte), is warned of by every build
    (a skipped one too) and failed by check, with its heaviest folders named; within the
    limit, neither says a word of it."""
    content = tmp_path / "content"
    shutil.copytree(GOLDEN, content)
    site = tmp_path / "site"
    digest = [sys.executable, "-m", "generator"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*digest, *args], capture_output=True, text=True, cwd=tmp_path,
                              timeout=300)

    built = run("build", "--content", str(content), "--out", str(site))
    assert built.returncode == 0, built.stderr
    assert "size_limit_mb" not in built.stderr
    checked = run("check", str(site), "--content", str(content))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    weight = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    limit = round(weight / 2 / 1e6, 3)  # half the site's weight, in MB
    settings = content / "digest.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + f"size_limit_mb: {limit}\n",
                        encoding="utf-8")
    said = f"the site weighs {weight / 1e6:,.1f} MB, over the {limit:g} MB a site may weigh"
    for _ in range(2):  # built, then skipped as unchanged: warned of both times
        again = run("build", "--content", str(content), "--out", str(site))
        assert again.returncode == 0, again.stderr
        warned = [line for line in again.stderr.splitlines() if said in line]
        assert len(warned) == 1 and warned[0].startswith("warning: "), again.stderr
        assert "Heaviest: papers/" in warned[0]
    checked = run("check", str(site), "--content", str(content))
    assert checked.returncode == 1
    assert said in checked.stdout and "Error: 1 problem in" in checked.stderr
