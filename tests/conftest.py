"""Shared fixtures: the repo's own default content, a session-wide build of it, tiny projects."""

from __future__ import annotations

import atexit
import gzip
import json
import os
import re
import shutil
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings

from generator.config import load_config
from generator.pipeline import BuildReport, build

from .browser import chromium, serve_directory

# On CI the property tests draw the same examples every run (a red build must be reproducible);
# on a developer's machine they explore new ones each time.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parent.parent
SEED_COUNTS = {
    "000_2ea270ecf2e2adad.txt": 48,
    "001_fada9facd4924fc7.txt": 274,
    "002_e19e62a2dc6055c4.txt": 71,
    "003_081b339fd5401ceb.txt": 353,
    "004_28fae66a7931d339.txt": 70,
}


def _seed_content() -> Path:
    """The default digest as shipped: the repository's content/ with the five seed dumps
    only. The repository's weekly workflow adds fetched dumps and enrich.yaml to content/;
    the tests that count the default digest's papers read this copy, so they hold
    whatever has been fetched since."""
    folder = Path(tempfile.mkdtemp(prefix="digest-seed-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    target = folder / "content"
    shutil.copytree(REPO / "content", target, ignore=shutil.ignore_patterns("enrich.yaml"))
    # The manifest's text is kept (tests edit it as text): only entries of other dumps,
    # which ingest and fetch append as blocks, are cut out.
    manifest = target / "sources.yaml"
    head, *blocks = re.split(r"(?m)^(?=\s*- file:)", manifest.read_text(encoding="utf-8"))
    kept = [b for b in blocks if yaml.safe_load(b)[0]["file"] in SEED_COUNTS]
    manifest.write_text(head + "".join(kept), encoding="utf-8")
    for dump in (target / "sources").iterdir():
        if dump.name not in SEED_COUNTS:
            dump.unlink()
    return target


CONTENT = _seed_content()


def search_files(folder: Path, kind: str) -> list[Any]:
    """The JSON of a search shard's files of one kind, in order ("t": its term files, each an
    object; "d": its blocks of results, each a list of rows), read as search.js reads them:
    t<n>.json.gz and d<n>.json.gz, gzip-compressed (docs/data.md)."""
    paths = sorted(folder.glob(f"{kind}*.json.gz"), key=lambda p: int(p.name[1:].split(".")[0]))
    return [json.loads(gzip.decompress(path.read_bytes())) for path in paths]


def public_papers(site: Path) -> list[dict[str, Any]]:
    """Every paper of a site's public data, read as docs/data.md describes it: the parts
    data/papers.json lists, in order."""
    index = json.loads((site / "data" / "papers.json").read_text(encoding="utf-8"))
    return [row for part in index["parts"]
            for row in json.loads(gzip.decompress((site / part["path"]).read_bytes()))]


@pytest.fixture(scope="session")
def built_default(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport]:
    """The default digest, built once for all the tests that only read it."""
    out = tmp_path_factory.mktemp("default") / "site"
    report = build(load_config(CONTENT), out)
    return out, report


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium (Debian's), one per test module."""
    with chromium() as b:
        yield b


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the default content directory."""
    dest = tmp_path / "content"
    shutil.copytree(CONTENT, dest)
    return dest


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Write {relative path: text} under tmp_path (text dedented) and return the root."""

    def make(files: dict[str, str]) -> Path:
        for rel, text in files.items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return tmp_path

    return make


@pytest.fixture(scope="module")
def served(built_default: tuple[Path, BuildReport],
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The default build at http://127.0.0.1:PORT/ and again under /digest/."""
    site, _ = built_default
    root = tmp_path_factory.mktemp("www")
    shutil.copytree(site, root / "digest")
    for item in site.iterdir():
        target = root / item.name
        if item.is_dir():
            shutil.copytree(item, target)
        else:
            shutil.copy2(item, target)
    with serve_directory(root) as url:
        yield url
