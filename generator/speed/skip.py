"""Skip a build whose inputs and output are exactly as the last build left them.

A build is a pure function of its inputs: every file of the content directory, the settings
(the Config, which includes command-line overrides), SOURCE_DATE_EPOCH, the program itself
(its code and templates) and the versions of the libraries whose results it publishes. When
a fingerprint of all of these equals the one recorded after the last successful build into
the same output, and the output still holds exactly the files that build wrote (same paths,
sizes and modification times), building again would write the same bytes: the build is
skipped. Anything else, including a missing or unreadable record, means a full build.

The record lives in the cache directory (.digest-cache/), so deleting the cache, or
`digest build --no-cache`, always rebuilds. It also holds what speed/kept_pages.py needs to keep the
pages of the last build that a changed build would render the same.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.config import Config
from generator.publish.record import Identity, Recorded, Reuse
from generator.publish.sitefolder import MARKER, site_files
from generator.speed.kept_pages import program_key
from generator.speed.store import program_code, seal, unseal
from generator.speed.workers import Beside


def fingerprint(config: Config, templates: Path) -> str:
    """A hash of everything a build reads (see the module docstring)."""
    h = hashlib.sha256(program_code())  # the package's code and the library versions
    h.update(repr(config).encode())
    h.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode() + b"\0")
    for root in (templates, config.content_dir):
        for path in sorted(root.rglob("*")):
            if path.is_file():
                h.update(f"\0{path.relative_to(root).as_posix()}\0".encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def site_state(out_dir: Path) -> dict[str, Identity]:
    """Every file of the site: path -> (size, mtime in ns, inode). Dot-folders (a .git of
    the user's, say) are not the build's and are left out."""
    if not out_dir.is_dir():
        return {}
    state: dict[str, Identity] = {}
    for rel, entry in site_files(out_dir):
        st = entry.stat(follow_symlinks=False)
        state[rel] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return state


Changes = tuple[dict[str, Identity], tuple[str, ...]]  # new or changed entries; paths gone


def state_changes(now: dict[str, Identity], then: Mapping[str, Identity]) -> Changes:
    """How the site state `now` differs from `then` (site_state's entries that are new or
    changed, and the paths gone): what a worker listing the folder sends back instead of
    the whole state, which at 100,000 papers took the build 0.3 s to receive."""
    return ({path: ident for path, ident in now.items() if then.get(path) != ident},
            tuple(path for path in then if path not in now))


def with_changes(then: Mapping[str, Identity], changes: Changes) -> dict[str, Identity]:
    """The site state `then` with `changes` (state_changes) made to it."""
    changed, gone = changes
    state = dict(then)
    state.update(changed)
    for path in gone:
        del state[path]
    return state


def _record_path(cache_dir: Path, out_dir: Path) -> Path:
    where = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:16]
    return cache_dir / f"last-build-{where}.marshal"


def read_record(cache_dir: Path, out_dir: Path) -> dict[str, Any] | None:
    """The last build's record for out_dir, or None (none, or unreadable). Read once per
    build: at 100,000 papers it is about 50 MB. It holds only dicts, tuples, strings,
    bytes and numbers, so it is stored with marshal, which writes it in a fifth of
    pickle's time (0.06 s against 0.33 s at 100,000 papers: the build's last step) and
    reads it as fast. It is sealed like every cache entry (store.seal). A file that does not
    load means a full build, as a missing one."""
    path = _record_path(cache_dir, out_dir)
    try:
        with open(path, "rb") as handle:
            data = unseal(cache_dir, path.stem, handle.read())
        # (marshal.load reads item by item: 4x slower than loads.)
        record = marshal.loads(data) if data is not None else None
        return record if isinstance(record, dict) else None
    except (OSError, EOFError, ValueError, TypeError):
        return None


def last_build(record: dict[str, Any] | None, out_dir: Path, print_: str
               ) -> dict[str, Any] | None:
    """The last build's recorded report (from its `record`, see read_record), if fingerprint
    `print_` matches and the site is exactly as that build left it; else None."""
    try:
        if record is None or record["fingerprint"] != print_ \
                or not (out_dir / MARKER).is_file():
            return None
        if record["site"] != site_state(out_dir):
            return None
        return record["report"]  # type: ignore[no-any-return]
    except (OSError, KeyError, TypeError):
        return None


def recorded_pages(record: dict[str, Any] | None) -> Recorded | None:
    """What the last build recorded about its pages (speed/kept_pages.py), if anything."""
    try:
        return None if record is None else Recorded(pages=record["pages"], state=record["site"])
    except KeyError:
        return None


def recorded_site(record: dict[str, Any] | None) -> dict[str, Identity]:
    """The site state (every file's identity) the last build recorded, or nothing."""
    site = record.get("site") if record is not None else None
    return site if isinstance(site, dict) else {}


def remember_build(cache_dir: Path, out_dir: Path, print_: str, report: Any,
                   pages: dict[str, tuple[bytes | None, bytes]],
                   state: dict[str, Identity] | None = None) -> None:
    """Record a successful build (best effort: a cache that cannot be written costs time):
    its fingerprint and report, its pages' keys and hashes (`pages`), and every file's
    identity (`state`, else read from the folder)."""
    record = {"fingerprint": print_, "site": site_state(out_dir) if state is None else state,
              "pages": pages,
              "report": {**{k: getattr(report, k) for k in ("listings", "papers", "weeks",
                                                            "theme_counts", "warnings",
                                                            "pages")},
                         "total_bytes": report.publish.total_bytes}}
    path = _record_path(cache_dir, out_dir)
    try:
        tmp = path.with_suffix(f".tmp-{os.getpid()}")
        with open(tmp, "wb") as handle:
            handle.write(seal(cache_dir, path.stem, marshal.dumps(record)))
        os.replace(tmp, path)
        # The record's earlier form (a pickle, before this program stored it with marshal):
        # 50 MB at 100,000 papers that nothing reads any more.
        path.with_suffix(".pickle").unlink(missing_ok=True)
    except (OSError, ValueError):  # ValueError: a value marshal cannot store
        pass


@dataclass(frozen=True)
class LastBuild:
    """The last build into an output folder, as this one uses it: its record (None: no
    cache, or nothing recorded) and this build's fingerprint (None without a cache)."""

    cache_dir: Path | None
    out_dir: Path
    fingerprint: str | None
    record: dict[str, Any] | None

    @staticmethod
    def read(cache_dir: Path | None, config: Config, out_dir: Path, templates: Path
             ) -> LastBuild:
        if cache_dir is None:
            return LastBuild(None, out_dir, None, None)
        return LastBuild(cache_dir, out_dir, fingerprint(config, templates),
                         read_record(cache_dir, out_dir))

    def report_if_unchanged(self) -> dict[str, Any] | None:
        """The last build's report if nothing changed since (the build is skipped)."""
        if self.fingerprint is None:
            return None
        return last_build(self.record, self.out_dir, self.fingerprint)

    def list_output(self) -> Beside[Changes | None] | None:
        """The output folder's files, listed by a worker process while the build reads and
        derives (at 100,000 papers listing takes longer than reading), sent back as their
        difference from the record's; None without a cache."""
        if self.cache_dir is None:
            return None
        then, out_dir = recorded_site(self.record), self.out_dir
        return Beside(lambda: _listed(out_dir, then))

    def reuse(self, config: Config, templates: Path,
              listing: Beside[Changes | None] | None) -> Reuse | None:
        """What lets this build keep the last one's unchanged pages and the next build keep
        this one's (kept_pages.py), or None: no cache, or templates of the digest's own
        (they may show anything, so every page is rendered)."""
        if self.cache_dir is None or _own_templates(config):
            return None
        changes = listing.result() if listing is not None else None
        site = (self.out_dir / MARKER).is_file()
        if changes is not None:
            live = with_changes(recorded_site(self.record), changes)
        else:
            live = site_state(self.out_dir) if site else {}
        recorded = recorded_pages(self.record) if site else None
        return Reuse(recorded=recorded or Recorded(pages={}, state={}),
                     live=live if site else {}, program=program_key(config, templates))

    def remember(self, report: Any, pages: dict[str, tuple[bytes | None, bytes]],
                 state: dict[str, Identity] | None) -> None:
        if self.cache_dir is not None and self.fingerprint is not None:
            remember_build(self.cache_dir, self.out_dir, self.fingerprint, report, pages, state)


def _listed(out_dir: Path, then: dict[str, Identity]) -> Changes | None:
    """How site_state(out_dir) differs from `then` (the recorded state), if out_dir is a site
    this program wrote; else None (as for a folder that cannot be listed)."""
    try:
        return state_changes(site_state(out_dir), then) if (out_dir / MARKER).is_file() else None
    except OSError:
        return None


def _own_templates(config: Config) -> bool:
    """Whether the digest has templates of its own (beside assets/, which are copied)."""
    folder = config.templates_dir
    return folder.is_dir() and any(p.is_file() and "assets" not in p.relative_to(folder).parts
                                   for p in folder.rglob("*"))
