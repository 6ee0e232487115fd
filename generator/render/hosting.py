"""The files static hosts and crawlers expect: sitemap.xml (an index of parts on a large site),
robots.txt, 404.html, .nojekyll, CNAME."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from operator import itemgetter
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from generator.config import Config

_PATH = itemgetter(0)


def base_path(base_url: str) -> str:
    """The URL path the site lives under: '/' at a domain root, '/repo/' for a project site."""
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else path + "/"


def is_absolute(base_url: str) -> bool:
    parts = urlsplit(base_url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


# The sitemaps protocol (sitemaps.org): at most 50,000 URLs and 50 MB (uncompressed) in one
# sitemap; a site with more lists its parts in a sitemap index.
SITEMAP_URLS = 50_000
SITEMAP_BYTES = 50 * 1024 * 1024
SITEMAP_PART = "sitemaps/sitemap-{}.xml"
_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
         '<{} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')


def sitemaps(base_url: str, pages: Sequence[tuple[str, dt.date]]
             ) -> Iterator[tuple[str, bytes]]:
    """sitemap.xml: every HTML page with its last change as the data says (never the clock),
    in path order; over SITEMAP_URLS pages (or SITEMAP_BYTES), a sitemap index of parts
    sitemaps/sitemap-<n>.xml, each within both limits."""
    base = escape(base_url)  # escaping is per character: the base once, not per page
    days: dict[dt.date, str] = {}  # a week's pages share a few dates
    parts: list[tuple[list[str], dt.date]] = [([], dt.date.min)]
    size = 0
    limit = SITEMAP_BYTES - 200  # room for the head and the closing tag
    for path, lastmod in sorted(pages, key=_PATH):  # each path once, as in the site
        day = days.get(lastmod)
        if day is None:
            day = days[lastmod] = lastmod.isoformat()
        line = f"  <url><loc>{base}{escape(path)}</loc><lastmod>{day}</lastmod></url>"
        lines, newest = parts[-1]
        if len(lines) == SITEMAP_URLS or size + len(line.encode()) + 1 > limit:
            parts.append(([], dt.date.min))
            lines, newest, size = parts[-1][0], dt.date.min, 0
        lines.append(line)
        parts[-1] = (lines, max(newest, lastmod))
        size += len(line.encode()) + 1
    if len(parts) == 1:
        yield "sitemap.xml", _xml("urlset", parts[0][0])
        return
    index = []
    for number, (lines, newest) in enumerate(parts, start=1):
        path = SITEMAP_PART.format(number)
        yield path, _xml("urlset", lines)
        index.append(f"  <sitemap><loc>{base}{path}</loc>"
                     f"<lastmod>{newest.isoformat()}</lastmod></sitemap>")
    yield "sitemap.xml", _xml("sitemapindex", index)


def _xml(root: str, lines: list[str]) -> bytes:
    return (_HEAD.format(root) + "\n" + "\n".join([*lines, f"</{root}>"]) + "\n"
            ).encode("utf-8")


def host_files(config: Config, not_found_html: str,
               pages: Sequence[tuple[str, dt.date]]) -> Iterator[tuple[str, bytes]]:
    """404.html (links absolute under the base path, so it works at any depth) and the rest."""
    yield "404.html", not_found_html.encode("utf-8")
    robots = "User-agent: *\nAllow: /\n"
    if is_absolute(config.base_url):
        # The sitemap protocol needs absolute URLs; without a real base URL there is none.
        yield from sitemaps(config.base_url, pages)
        robots += f"Sitemap: {config.base_url}sitemap.xml\n"
    yield "robots.txt", robots.encode("utf-8")
    # GitHub Pages would otherwise run Jekyll, which hides files and folders starting with _.
    yield ".nojekyll", b""
    if config.cname:
        yield "CNAME", f"{config.cname}\n".encode("ascii")
