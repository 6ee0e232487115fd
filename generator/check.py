"""Check a built site without network: every internal link, asset and #anchor resolves."""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


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
            elif name in ("id", "name") and (name == "id" or tag == "a"):
                self.ids.add(value)


def check_links(site: Path) -> list[str]:
    """Problems as 'page:line: message'; empty when every internal reference resolves."""
    pages = {p.relative_to(site).as_posix(): p for p in sorted(site.rglob("*.html"))}
    parsed: dict[str, _Links] = {}
    for rel, path in pages.items():
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8"))
        parsed[rel] = parser
    problems = []
    for rel, parser in parsed.items():
        for line, target in parser.targets:
            problem = _check_target(site, rel, target, parsed)
            if problem:
                problems.append(f"{rel}:{line}: {problem}")
    return problems


def _check_target(site: Path, page: str, target: str, parsed: dict[str, _Links]) -> str | None:
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None  # external: not checked without network
    if not parts.path:
        if parts.fragment and parts.fragment not in parsed[page].ids:
            return f"no element with id '{parts.fragment}' for {target}"
        return None
    if parts.path.startswith("/"):
        return f"absolute link {target} breaks under a sub-path and from file://"
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
    if resolved.startswith("../") or resolved == "..":
        return f"link {target} leaves the site"
    file = site / resolved
    if file.is_dir():
        return f"link {target} points at a directory (breaks from file://); link to index.html"
    if not file.is_file():
        return f"broken link {target}"
    if parts.fragment and resolved in parsed and parts.fragment not in parsed[resolved].ids:
        return f"no element with id '{parts.fragment}' in {resolved}"
    return None
