"""Check a built site without network: links, anchors, feeds, sitemap, files and GitHub Pages
limits.

Every check returns a SiteCheck: its problems as 'path[:line]: message' (none means fine) and
a count of what it visited, so that "no problems" can say what was looked at.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import stat
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.publish.size import DEFAULT_LIMIT_MB, over_limit
from generator.render.hosting import SITEMAP_BYTES, SITEMAP_URLS

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# GitHub rejects files over 100 MB (a site over 1 GB: publish/size.py).
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


@dataclass(frozen=True, slots=True)
class SiteCheck:
    """What the checks found and what they visited (each count is of things a check really
    looked at: a link to another site, which is not followed, counts as external only)."""

    problems: tuple[str, ...] = ()
    files: int = 0  # every entry below the site but folders: regular files, links, pipes
    bytes: int = 0  # the regular files' total size
    pages: int = 0  # HTML pages read and parsed
    links: int = 0  # internal href/src targets resolved to a file of the site
    anchors: int = 0  # #fragments looked up among a page's ids
    external: int = 0  # links to other sites (not followed: no network)
    xml: int = 0  # XML files parsed
    feeds: int = 0  # Atom feeds checked for the elements feed readers need
    entries: int = 0  # their entries
    feed_links: int = 0  # their links into the site, resolved to a file
    sitemaps: int = 0
    sitemap_urls: int = 0  # the sitemaps' <loc>s, resolved to a file

    def __add__(self, other: SiteCheck) -> SiteCheck:
        """Both checks' problems, and their counts summed."""
        return SiteCheck(*(getattr(self, f.name) + getattr(other, f.name)
                           for f in dataclasses.fields(self)))


def survey_site(site: Path, base: str = "/", limit_mb: float = DEFAULT_LIMIT_MB) -> SiteCheck:
    """Every check below. base: the URL the site is published at ("https://user.github.io/
    repo/"), or only its path ("/repo/"), which is all the pages' links need; the feeds'
    and sitemap's absolute URLs are known to lead into the site by its host as well.
    limit_mb: size_limit_mb in digest.yaml."""
    if not site.is_dir():
        return SiteCheck(problems=(f"{site}: not a directory",))
    return check_files(site, limit_mb) + check_links(site, _base_path(base)) + check_xml(site, base)


def check_site(site: Path, base: str = "/") -> list[str]:
    """The problems survey_site finds."""
    return list(survey_site(site, base).problems)


def check_files(site: Path, limit_mb: float = DEFAULT_LIMIT_MB) -> SiteCheck:
    """No symlinks, nothing unreadable, and within the size limits (the site's: `limit_mb`)."""
    problems, total, files = [], 0, 0
    for dirpath, dirs, names in os.walk(site):
        for name in [*dirs, *names]:
            path = Path(dirpath) / name
            rel = path.relative_to(site).as_posix()
            mode = os.lstat(path).st_mode
            files += not stat.S_ISDIR(mode)
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
    heavy = over_limit(site, total, limit_mb)
    if heavy:
        problems.append(heavy)
    return SiteCheck(problems=tuple(problems), files=files, bytes=total)


def check_links(site: Path, base_path: str = "/") -> SiteCheck:
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
    counts = {"links": 0, "anchors": 0, "external": 0}
    for rel, parser in parsed.items():
        for line, target in parser.targets:
            problem = _check_target(site, rel, target, parsed, base_path, counts)
            if problem:
                problems.append(f"{rel}:{line}: {problem}")
    return SiteCheck(problems=tuple(problems), pages=len(pages), **counts)


def _check_target(site: Path, page: str, target: str, parsed: dict[str, _Links],
                  base_path: str, counts: dict[str, int]) -> str | None:
    """The problem with one link of a page, if any; what was checked is counted in
    `counts` (links, anchors, external)."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        counts["external"] += 1  # not checked without network
        return None
    if not parts.path:
        counts["anchors"] += bool(parts.fragment)
        if parts.fragment and parts.fragment not in parsed[page].ids:
            return f"no element with id '{parts.fragment}' for {target}"
        return None
    counts["links"] += 1
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
    if not (parts.fragment and resolved in parsed):
        return None
    counts["anchors"] += 1
    if parts.fragment not in parsed[resolved].ids:
        return f"no element with id '{parts.fragment}' in {resolved}"
    return None


def check_xml(site: Path, base: str = "/") -> SiteCheck:
    """Every .xml file parses; Atom feeds have the elements feed readers need; a feed's links
    and a sitemap's URLs that lead into the site (_in_site: base is its URL, or only its
    path) name a file of it, and a sitemap lists nothing else; sitemaps and sitemap indexes
    keep to the protocol's limits."""
    result = SiteCheck()
    for path in sorted(p for p in site.rglob("*.xml") if _regular(p)):
        rel = path.relative_to(site).as_posix()
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as err:
            result += SiteCheck(problems=(f"{rel}:{err.position[0]}: not well-formed XML: "
                                          f"{err}",), xml=1)
            continue
        result += SiteCheck(xml=1)
        if root.tag == f"{ATOM}feed":
            result += _check_feed(site, rel, root, base)
        elif root.tag == f"{SITEMAP}urlset":
            result += _check_sitemap(site, rel, root, base, path.stat().st_size)
        elif root.tag == f"{SITEMAP}sitemapindex":
            result += _check_sitemap_index(site, rel, root, base)
    return result


def _check_feed(site: Path, rel: str, root: ET.Element, base: str) -> SiteCheck:
    problems = [f"{rel}: feed has no <{child}>" for child in ("id", "title", "updated")
                if root.find(f"{ATOM}{child}") is None]
    entries = root.findall(f"{ATOM}entry")
    for i, entry in enumerate(entries):
        missing = [c for c in ("id", "title", "updated", "link")
                   if entry.find(f"{ATOM}{c}") is None]
        if missing:
            problems.append(f"{rel}: entry {i + 1} has no <{'>, <'.join(missing)}>")
    links = inside = 0
    for link in root.iter(f"{ATOM}link"):
        href = link.get("href") or ""
        links += 1
        if _in_site(href, base):
            inside += 1
            problem = _site_url(site, href, base)
            if problem:
                problems.append(f"{rel}: {problem}")
    return SiteCheck(problems=tuple(problems), feeds=1, entries=len(entries),
                     feed_links=inside, external=links - inside)


def _check_sitemap_index(site: Path, rel: str, root: ET.Element, base: str) -> SiteCheck:
    """A sitemap index lists at most SITEMAP_URLS sitemaps, each a sitemap file of the site
    (which is checked as one where it is parsed)."""
    problems = []
    locs = [(loc.text or "").strip() for loc in root.iter(f"{SITEMAP}loc")]
    if len(locs) > SITEMAP_URLS:
        problems.append(f"{rel}: lists {len(locs):,} sitemaps; the sitemaps protocol allows "
                        f"{SITEMAP_URLS:,}")
    for url in locs:
        problem = _site_url(site, url, base) if _in_site(url, base) else \
            f"{url} is not under {base}"
        if problem:
            problems.append(f"{rel}: {problem}")
    return SiteCheck(problems=tuple(problems), sitemaps=1)


def _check_sitemap(site: Path, rel: str, root: ET.Element, base: str, size: int
                   ) -> SiteCheck:
    """Every URL of a sitemap names a file of the site, and there are at most SITEMAP_URLS
    of them in at most SITEMAP_BYTES (the sitemaps protocol's limits). URLs outside the site
    are one problem (the site was built for another base URL, so all of them are), not one
    a line."""
    problems, outside, urls = [], [], 0
    if size > SITEMAP_BYTES:
        problems.append(f"{rel}: {size:,} bytes; the sitemaps protocol allows "
                        f"{SITEMAP_BYTES:,} in one sitemap (a sitemap index lists parts)")
    for loc in root.iter(f"{SITEMAP}loc"):
        url = (loc.text or "").strip()
        urls += 1
        if not _in_site(url, base):
            outside.append(url)
            continue
        problem = _site_url(site, url, base)
        if problem:
            problems.append(f"{rel}: {problem}")
    if urls > SITEMAP_URLS:
        problems.append(f"{rel}: {urls:,} URLs; the sitemaps protocol allows {SITEMAP_URLS:,} "
                        "in one sitemap (a sitemap index lists parts)")
    if outside:
        problems.append(f"{rel}: {len(outside):,} of its {urls:,} URLs are not under {base}, "
                        f"e.g. {outside[0]} (built for another base URL?)")
    return SiteCheck(problems=tuple(problems), sitemaps=1, sitemap_urls=urls)


def _base_path(base: str) -> str:
    """The URL path of base (a URL or only its path), ending in "/"."""
    path = urlsplit(base).path or "/"
    return path if path.endswith("/") else path + "/"


def _in_site(url: str, base: str) -> bool:
    """Whether an absolute URL (the feeds' and sitemap's are) leads into the site: its path is
    under the base path, on the base URL's host when base names one."""
    parts, home = urlsplit(url), urlsplit(base)
    return (parts.scheme in ("http", "https") and parts.path.startswith(_base_path(base))
            and (not home.netloc or parts.netloc.lower() == home.netloc.lower()))


def _site_url(site: Path, url: str, base: str) -> str | None:
    """The problem with a URL into the site, if it names no file of it (a folder stands for
    its index.html, as a server answers it)."""
    rest = urlsplit(url).path[len(_base_path(base)):]
    resolved = posixpath.normpath(unquote(rest) or ".")
    file = site / resolved
    if resolved.startswith("../") or resolved == ".." or not (
            file.is_file() or (file / "index.html").is_file()):
        return f"broken link {url}"
    return None


def _regular(path: Path) -> bool:
    """Whether path is a regular file (not a link, pipe, socket or device): the only kind
    the checks open; check_files reports the others."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False
