"""Check a built site without network: links, anchors, feeds, files and GitHub Pages limits.

Every function returns a list of problems as 'path[:line]: message'; empty means fine.
"""

from __future__ import annotations

import os
import posixpath
import stat
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ATOM = "{http://www.w3.org/2005/Atom}"
# GitHub Pages: a published site may be at most 1 GB; GitHub rejects files over 100 MB.
MAX_SITE_BYTES = 1_000_000_000
MAX_FILE_BYTES = 100_000_000


class _Links(HTMLParser):
    """Collects link targets (href, src) and anchor ids of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.targets: list[tuple[int, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src"):
                self.targets.append((self.getpos()[0], value))
            elif name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)


def check_site(site: Path, base_path: str = "/") -> list[str]:
    """Every check below; base_path is the URL path the site is served under ("/repo/")."""
    if not site.is_dir():
        return [f"{site}: not a directory"]
    return [*check_files(site), *check_links(site, base_path), *check_feeds(site)]


def check_files(site: Path) -> list[str]:
    """No symlinks, nothing unreadable, and within GitHub Pages' size limits."""
    problems, total = [], 0
    for dirpath, dirs, names in os.walk(site):
        for name in [*dirs, *names]:
            path = Path(dirpath) / name
            rel = path.relative_to(site).as_posix()
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                problems.append(f"{rel}: is a symbolic link (hosts do not follow them)")
            elif not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                problems.append(f"{rel}: not a regular file (a pipe, socket or device)")
            elif stat.S_ISREG(mode):
                size = path.stat().st_size
                total += size
                if size > MAX_FILE_BYTES:
                    problems.append(f"{rel}: {size:,} bytes, over GitHub's 100 MB file limit")
                if not os.access(path, os.R_OK):
                    problems.append(f"{rel}: not readable")
    if total > MAX_SITE_BYTES:
        problems.append(f"{site}: {total:,} bytes in all, over GitHub Pages' 1 GB limit")
    return problems


def check_links(site: Path, base_path: str = "/") -> list[str]:
    """Every internal href/src resolves to a file of the site, and every #anchor to an id.

    Relative links are resolved against the page; root-relative ones must start with
    base_path (only 404.html uses them, since it is served at any depth).
    """
    pages = {p.relative_to(site).as_posix(): p for p in sorted(site.rglob("*.html"))
             if _regular(p)}  # a pipe named *.html would block the read forever
    parsed: dict[str, _Links] = {}
    problems = []
    for rel, path in pages.items():
        parser = _Links()
        try:
            parser.feed(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as err:
            problems.append(f"{rel}: cannot be read as UTF-8 HTML ({err})")
            continue
        parsed[rel] = parser
    for rel, parser in parsed.items():
        for line, target in parser.targets:
            problem = _check_target(site, rel, target, parsed, base_path)
            if problem:
                problems.append(f"{rel}:{line}: {problem}")
    return problems


def _check_target(site: Path, page: str, target: str, parsed: dict[str, _Links],
                  base_path: str) -> str | None:
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None  # external: not checked without network
    if not parts.path:
        if parts.fragment and parts.fragment not in parsed[page].ids:
            return f"no element with id '{parts.fragment}' for {target}"
        return None
    if parts.path.startswith("/"):
        if not parts.path.startswith(base_path):
            return f"link {target} is outside the base path {base_path}"
        resolved = posixpath.normpath(unquote(parts.path[len(base_path):]) or ".")
    else:
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page),
                                                     unquote(parts.path)))
    if resolved.startswith("../") or resolved == "..":
        return f"link {target} leaves the site"
    file = site / resolved
    if file.is_dir():
        if parts.path.startswith("/") and (file / "index.html").is_file():
            return None  # a server answers /base/dir/ with its index.html
        return f"link {target} points at a directory (breaks from file://); link to index.html"
    if not file.is_file():
        return f"broken link {target}"
    if parts.fragment and resolved in parsed and parts.fragment not in parsed[resolved].ids:
        return f"no element with id '{parts.fragment}' in {resolved}"
    return None


def check_feeds(site: Path) -> list[str]:
    """Every .xml file parses; Atom feeds have the elements feed readers need."""
    problems = []
    for path in sorted(p for p in site.rglob("*.xml") if _regular(p)):
        rel = path.relative_to(site).as_posix()
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as err:
            problems.append(f"{rel}:{err.position[0]}: not well-formed XML: {err}")
            continue
        if root.tag != f"{ATOM}feed":
            continue
        for child in ("id", "title", "updated"):
            if root.find(f"{ATOM}{child}") is None:
                problems.append(f"{rel}: feed has no <{child}>")
        for i, entry in enumerate(root.findall(f"{ATOM}entry")):
            missing = [c for c in ("id", "title", "updated", "link")
                       if entry.find(f"{ATOM}{c}") is None]
            if missing:
                problems.append(f"{rel}: entry {i + 1} has no <{'>, <'.join(missing)}>")
    return problems


def _regular(path: Path) -> bool:
    """Whether path is a regular file (not a link, pipe, socket or device): the only kind
    the checks open; check_files reports the others."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False
