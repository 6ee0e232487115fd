"""The files static hosts and crawlers expect: sitemap.xml, robots.txt, 404.html, .nojekyll, CNAME."""

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


def sitemap_xml(base_url: str, pages: Sequence[tuple[str, dt.date]]) -> bytes:
    """Every HTML page with its last change as the data says (never the clock)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    base = escape(base_url)  # escaping is per character: the base once, not per page
    days: dict[dt.date, str] = {}  # a week's pages share a few dates
    for path, lastmod in sorted(pages, key=_PATH):  # each path once, as in the site
        day = days.get(lastmod)
        if day is None:
            day = days[lastmod] = lastmod.isoformat()
        lines.append(f"  <url><loc>{base}{escape(path)}</loc><lastmod>{day}</lastmod></url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def host_files(config: Config, not_found_html: str,
               pages: Sequence[tuple[str, dt.date]]) -> Iterator[tuple[str, bytes]]:
    """404.html (links absolute under the base path, so it works at any depth) and the rest."""
    yield "404.html", not_found_html.encode("utf-8")
    robots = "User-agent: *\nAllow: /\n"
    if is_absolute(config.base_url):
        # The sitemap protocol needs absolute URLs; without a real base URL there is none.
        yield "sitemap.xml", sitemap_xml(config.base_url, pages)
        robots += f"Sitemap: {config.base_url}sitemap.xml\n"
    yield "robots.txt", robots.encode("utf-8")
    # GitHub Pages would otherwise run Jekyll, which hides files and folders starting with _.
    yield ".nojekyll", b""
    if config.cname:
        yield "CNAME", f"{config.cname}\n".encode("ascii")
