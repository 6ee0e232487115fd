"""Add a new listing dump to a digest's content: check it, copy it, record it in the manifest.

Nothing in content/ changes unless the file parses cleanly, and ingesting a file whose bytes
are already in sources/ changes nothing at all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from generator.config import load_config
from generator.errors import IngestError, SourceError
from generator.models import Listing, SourceInfo
from generator.stages.merge import merge_listings
from generator.stages.read import parse_dump, read_sources
from generator.stages.read.text import read_dump
from generator.text.atomic import write_atomic
from generator.text.yamltext import append_entries, load


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
                origin: str = "", fmt: str = "", strict: bool = False) -> IngestReport:
    """Check that `path` parses, copy it into content/sources/ and add it to sources.yaml.

    Bad records are skipped and listed in the report's warnings ("file:line: reason"), as
    `digest build` skips and lists them; with `strict` any of them refuses the file, as
    `build --strict` would fail on it. A file with no good record is always refused.
    `fmt` names the parser (recorded in the manifest as `format:`); "" sniffs the content.
    """
    config = load_config(content_dir)
    refused = f"{path}: refused; nothing in {content_dir} was changed"
    data = _read(path, refused)
    existing = _same_bytes(config.sources_dir, data, {s.file for s in config.sources})
    info = SourceInfo(file=existing or path.name, collected=collected, query=query,
                      origin=origin, format=fmt)
    try:
        result = parse_dump(data, info, str(path))  # the very bytes stored below
    except SourceError as err:
        raise IngestError(f"{err}\n{refused}") from None
    skipped = [str(p) for p in result.problems]
    if skipped and strict:
        raise IngestError("\n".join([*skipped, f"{refused} (--strict: {len(skipped)} bad "
                                     f"{'record' if len(skipped) == 1 else 'records'})"]))
    if not result.listings:
        raise IngestError("\n".join([*skipped, f"{refused}: no record could be read"]))
    before = read_sources(config.sources_dir, config.sources).listings
    [(new, known_count)] = count_papers(before, [result.listings])
    listings = len(result.listings)
    warnings = [skipped_warning(problem) for problem in skipped]
    if existing is not None:
        return IngestReport(file=existing, added=False, listings=listings, new_papers=new,
                            known_papers=known_count, warnings=tuple(warnings))
    latest = max((s.collected for s in config.sources), default=None)
    if latest is not None and collected < latest:
        warnings.append(f"{collected} is before the latest collection date ({latest}); papers "
                        "this dump shares with later dumps move to its earlier week")
    origin = origin or f"added with `digest ingest` from {path.name}"
    [stored] = store_dumps(content_dir, [(path.name, data, replace(info, origin=origin))])
    if stored is None:  # another ingest stored the same bytes meanwhile
        return IngestReport(file=path.name, added=False, listings=listings, new_papers=new,
                            known_papers=known_count)
    return IngestReport(file=stored, added=True, listings=listings, new_papers=new,
                        known_papers=known_count, warnings=tuple(warnings))


def _read(path: Path, refused: str) -> bytes:
    """The file's bytes; one over the size limit is refused before it is read (a 200 MB
    file cost its size in memory, and seconds, only to be refused by the parser)."""
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    try:
        return read_dump(path, str(path))
    except SourceError as err:
        raise IngestError(f"{err}\n{refused}") from None
    except OSError as err:
        raise IngestError(f"{path}: cannot read the file: {err.strerror}\n{refused}") from None


def skipped_warning(problem: str) -> str:
    """A bad record's problem as ingest and fetch report it: what a build will skip."""
    return problem if "skipped" in problem else f"{problem}; a build skips this record"


def count_papers(before: Sequence[Listing], added: Sequence[Sequence[Listing]]
                 ) -> list[tuple[int, int]]:
    """For each group of `added` listings (one new dump each), in order: (new papers,
    known papers), decided by the build's own merge (stages.merge.merge_listings) of every
    listing, so what ingest and fetch report is what the next build makes. A paper no
    `before` listing has is new in the first group that lists it, and known in later ones.
    Each group is merged under a file name no manifest entry can have, so it is told apart
    even from a manifest dump of the same name."""
    marked = [replace(li, source=replace(li.source, file=f"\0{n}"))
              for n, group in enumerate(added) for li in group]
    counts = [[0, 0] for _ in added]
    for paper in merge_listings([*before, *marked]).papers:
        mine = sorted({int(s.file[1:]) for s in paper.sources if s.file.startswith("\0")})
        if not mine:
            continue
        fresh = all(s.file.startswith("\0") for s in paper.sources)
        for i, group in enumerate(mine):
            counts[group][0 if fresh and i == 0 else 1] += 1
    return [(new, known) for new, known in counts]


def store_dumps(content_dir: Path, dumps: list[tuple[str, bytes, SourceInfo]]
                ) -> list[str | None]:
    """Copy dumps (wanted file name, bytes, manifest entry) into content/sources/ and record
    them in sources.yaml in one write; return the name each was given, in order, or None
    for a dump whose bytes a manifest entry already names (a file left in sources/ by a
    killed run, and named by no entry, does not count).

    Ingests and fetches may run at once (a scheduled fetch beside a person's ingest): the
    content folder is locked while its manifest is read and rewritten, so no entry is lost.
    Should anything fail, the files written are removed and the manifest is as it was.
    """
    sources_dir = content_dir / "sources"
    sources_dir.mkdir(parents=True, exist_ok=True)
    with _locked(content_dir):
        listed = _listed(content_dir / "sources.yaml")
        written: list[Path] = []
        entries: list[SourceInfo] = []
        names: list[str | None] = []
        try:
            for wanted, data, info in dumps:
                if _same_bytes(sources_dir, data, listed) is not None:
                    names.append(None)
                    continue
                name = _free_name(sources_dir, wanted, data)
                write_atomic(sources_dir / name, data)
                written.append(sources_dir / name)
                entries.append(replace(info, file=name))
                names.append(name)
                listed.add(name)
            if entries:
                _append_to_manifest(content_dir / "sources.yaml", entries)
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
    return names


def _listed(manifest: Path) -> set[str]:
    """The files the manifest names now (read under the lock: another run may just have
    added some)."""
    data = load(manifest.read_text(encoding="utf-8")) if manifest.exists() else None
    entries = data.get("sources") if isinstance(data, dict) else None
    return {str(e["file"]) for e in entries or [] if isinstance(e, dict) and "file" in e}


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on the folder itself (flock on its descriptor): no lock file is
    left in content/, and the lock goes with the process, however it ends."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _same_bytes(sources_dir: Path, data: bytes, among: set[str]) -> str | None:
    """The file of `among` in sources_dir with exactly these bytes, if any."""
    digest = hashlib.sha256(data).digest()
    if not sources_dir.is_dir():
        return None
    for candidate in sorted(sources_dir.iterdir()):
        if candidate.name not in among:  # not in the manifest (a killed run's), or being written
            continue
        try:
            if candidate.is_file() and candidate.stat().st_size == len(data) \
                    and hashlib.sha256(candidate.read_bytes()).digest() == digest:
                return candidate.name
        except FileNotFoundError:  # removed meanwhile (a failed ingest cleaning up)
            continue
    return None


def _free_name(sources_dir: Path, name: str, data: bytes) -> str:
    """The file's own name, or name-<hash> when another file already has it."""
    if not (sources_dir / name).exists():
        return name
    stem, suffix = os.path.splitext(name)
    return f"{stem}-{hashlib.sha256(data).hexdigest()[:8]}{suffix}"


def _append_to_manifest(manifest: Path, infos: list[SourceInfo]) -> None:
    """Append entries as text, keeping the user's comments (yamltext.append_entries)."""
    text = manifest.read_text(encoding="utf-8") if manifest.exists() else "sources:\n"
    entries = []
    for info in infos:
        entry: dict[str, object] = {"file": info.file, "collected": info.collected,
                                    "query": info.query, "origin": info.origin}
        if info.format:  # a format named by hand or by fetch; otherwise every build sniffs
            entry["format"] = info.format
        entries.append(entry)
    write_atomic(manifest, append_entries(text, "sources", entries).encode("utf-8"))
