"""Add a new listing dump to a digest's content: check it, copy it, record it in the manifest.

Nothing in content/ changes unless the file parses cleanly, and ingesting a file whose bytes
are already in sources/ changes nothing at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from .config import load_config
from .corpus import normalise_title
from .errors import IngestError, SourceError
from .models import Listing, SourceInfo
from .sources import read_source, read_sources


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What an ingest did."""

    file: str  # the dump's name in content/sources/
    added: bool  # False: the same bytes were already there, nothing changed
    listings: int
    new_papers: int
    known_papers: int
    warnings: tuple[str, ...] = ()


def ingest_file(content_dir: Path, path: Path, collected: dt.date, query: str = "",
                origin: str = "", fmt: str = "") -> IngestReport:
    """Check that `path` parses, copy it into content/sources/ and add it to sources.yaml.

    `fmt` names the parser (recorded in the manifest as `format:`); "" sniffs the content.
    """
    config = load_config(content_dir)
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    data = path.read_bytes()
    existing = _same_bytes(config.sources_dir, data)
    info = SourceInfo(file=existing or path.name, collected=collected, query=query,
                      origin=origin, format=fmt)
    try:
        result = read_source(path, info)
    except SourceError as err:
        raise IngestError(f"{err}\n{path}: refused; nothing in {content_dir} was changed") from None
    if result.problems:
        raise IngestError("\n".join([*(str(p) for p in result.problems),
                                     f"{path}: refused; nothing in {content_dir} was changed"]))
    before = read_sources(config.sources_dir, config.sources).listings
    known = {_paper_key(li) for li in before} | {normalise_title(li.title) for li in before}
    papers = {_paper_key(li): normalise_title(li.title) for li in result.listings}
    old = {key for key, title in papers.items() if key in known or title in known}
    listings, new, known_count = len(result.listings), len(papers) - len(old), len(old)
    if existing is not None:
        return IngestReport(file=existing, added=False, listings=listings, new_papers=new,
                            known_papers=known_count)
    name = _free_name(config.sources_dir, path.name, data)
    warnings = []
    latest = max((s.collected for s in config.sources), default=None)
    if latest is not None and collected < latest:
        warnings.append(f"{collected} is before the latest collection date ({latest}); papers "
                        "this dump shares with later dumps move to its earlier week")
    target = config.sources_dir / name
    config.sources_dir.mkdir(parents=True, exist_ok=True)
    _write_atomic(target, data)
    try:
        _append_to_manifest(content_dir / "sources.yaml", name, collected, query,
                            origin or f"added with `digest ingest` from {path.name}", fmt)
    except BaseException:
        target.unlink()
        raise
    return IngestReport(file=name, added=True, listings=listings, new_papers=new,
                        known_papers=known_count, warnings=tuple(warnings))


def _same_bytes(sources_dir: Path, data: bytes) -> str | None:
    digest = hashlib.sha256(data).digest()
    if not sources_dir.is_dir():
        return None
    for candidate in sorted(sources_dir.iterdir()):
        if candidate.is_file() and candidate.stat().st_size == len(data) \
                and hashlib.sha256(candidate.read_bytes()).digest() == digest:
            return candidate.name
    return None


def _free_name(sources_dir: Path, name: str, data: bytes) -> str:
    """The file's own name, or name-<hash> when another file already has it."""
    if not (sources_dir / name).exists():
        return name
    stem, suffix = os.path.splitext(name)
    return f"{stem}-{hashlib.sha256(data).hexdigest()[:8]}{suffix}"


def _paper_key(listing: Listing) -> str:
    """What makes two listings one paper: the arXiv id if known, else the normalised title."""
    return f"arxiv:{listing.arxiv_id}" if listing.arxiv_id else normalise_title(listing.title)


def _append_to_manifest(manifest: Path, name: str, collected: dt.date, query: str,
                        origin: str, fmt: str = "") -> None:
    """Append an entry as text, keeping the user's comments; rewrite only if that fails."""
    text = manifest.read_text(encoding="utf-8") if manifest.exists() else "sources:\n"
    before = yaml.safe_load(text) or {}
    entry: dict[str, object] = {"file": name, "collected": collected, "query": query,
                                "origin": origin}
    # JSON strings are valid YAML scalars, so any query text is quoted safely.
    lines = [f"  - file: {json.dumps(name)}", f"    collected: {collected.isoformat()}",
             f"    query: {json.dumps(query, ensure_ascii=False)}",
             f"    origin: {json.dumps(origin, ensure_ascii=False)}"]
    if fmt:  # only a format named by hand is recorded; otherwise every build sniffs again
        entry["format"] = fmt
        lines.append(f"    format: {json.dumps(fmt)}")
    candidate = text + ("" if text.endswith("\n") else "\n") + "\n".join(lines) + "\n"
    after = _safe_load(candidate)
    expected = list(before.get("sources") or []) + [entry]
    if not (isinstance(after, dict) and after.get("sources") == expected):
        # The manifest's layout does not take an appended block entry (flow style, a key
        # after the list, ...): write it out whole. Comments are lost; the data is not.
        candidate = yaml.safe_dump({**before, "sources": expected}, sort_keys=False,
                                   allow_unicode=True)
    _write_atomic(manifest, candidate.encode("utf-8"))


def _safe_load(text: str) -> object:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
