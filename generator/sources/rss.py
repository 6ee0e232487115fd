"""Any other RSS or Atom feed (a lab's blog, a journal's contents) read as plain entries.

arXiv's own feeds have their parser (arxiv.py); sniffing hands a feed here when nothing in
it is arXiv's (arxiv.sniff_xml). An item becomes an entry with its title, its description
(or content) as the abstract, its link (http(s) only), date, authors and categories; it gets
an arXiv id only when its link is an arxiv.org page, so a blog post that merely mentions a
paper is never merged into it. The XML is read as arXiv's is (read_xml): by defusedxml, which
refuses entity declarations, and with each element's line, so a record is reported by
file:line.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from ..errors import SourceError
from .arxiv import (
    ATOM,
    DC,
    RDF,
    RSS1,
    Lines,
    checked_record,
    child_text,
    creators,
    local_name,
    read_xml,
    rich_text,
)
from .fields import arxiv_id, clean_names, clean_text, collect, parse_date, split_names, strip_html
from .hf_listing import Parsed, RawListing

CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
# RSS 2.0's <author> is an e-mail address, by custom followed by the name in parentheses.
_EMAIL_NAME = re.compile(r"^\s*\S+@\S+\s*\((?P<name>[^()]+)\)\s*$")
_EMAIL = re.compile(r"^\s*\S+@\S+\s*$")


def parse_feed(text: str, path: str) -> Parsed:
    """An RSS 2.0, RSS 1.0 or Atom feed; an entry without a title is a problem at its line."""
    root, lines = read_xml(text, path)
    if root.tag == "rss":
        items = list(root.iter("item"))
    elif root.tag == f"{RDF}RDF":
        items = list(root.iter(f"{RSS1}item"))
    elif root.tag == f"{ATOM}feed":
        return collect(root.iter(f"{ATOM}entry"), lambda e: _atom_entry(e, lines, path), path,
                       "the feed has no entries (no <entry> in the Atom feed)")
    else:
        raise SourceError(path, lines.get(root, 1), f"expected an RSS or Atom feed, found "
                          f"<{local_name(root.tag)}>")
    return collect(items, lambda item: _rss_item(item, lines, path), path,
                   "the feed has no items (no <item> in the RSS feed)")


def _rss_item(item: ET.Element, lines: Lines, path: str) -> RawListing:
    """An RSS 2.0 or 1.0 item: description, else content:encoded, is the abstract."""
    ns = RSS1 if item.tag.startswith(RSS1) else ""
    title_el = item.find(f"{ns}title")
    summary_el = item.find(f"{ns}description")
    if summary_el is None or not (summary_el.text or "").strip():
        summary_el = item.find(f"{CONTENT}encoded")
    link = child_text(item, f"{ns}link") or _permalink(item)
    title = strip_html(title_el.text or "") if title_el is not None else ""
    abstract = strip_html(summary_el.text or "") if summary_el is not None else ""
    published = parse_date(child_text(item, f"{ns}pubDate") or child_text(item, f"{DC}date"))
    categories = tuple(clean_text(c.text or "") for c in item.iterfind(f"{ns}category"))
    return checked_record(path, lines, item, title_el, summary_el, title, abstract,
                          authors=creators(item) or _rss_authors(item), ident=_arxiv_link(link),
                          published=published, url=link, categories=categories)


def _atom_entry(entry: ET.Element, lines: Lines, path: str) -> RawListing:
    """An Atom entry: summary, else content, is the abstract; each <author> is one person."""
    title_el = entry.find(f"{ATOM}title")
    summary_el = entry.find(f"{ATOM}summary")
    if summary_el is None or not rich_text(summary_el):
        summary_el = entry.find(f"{ATOM}content")
    link = _atom_link(entry)
    names = [n.text or "" for n in entry.iterfind(f"{ATOM}author/{ATOM}name")]
    published = parse_date(child_text(entry, f"{ATOM}published")
                           or child_text(entry, f"{ATOM}updated"))
    categories = tuple(c.get("term", "") for c in entry.iterfind(f"{ATOM}category"))
    return checked_record(path, lines, entry, title_el, summary_el, rich_text(title_el),
                          rich_text(summary_el), authors=clean_names(names) or creators(entry),
                          ident=_arxiv_link(link), published=published, url=link,
                          categories=categories)


def _permalink(item: ET.Element) -> str:
    """An RSS 2.0 guid that is a permalink (the default unless isPermaLink="false")."""
    guid = item.find("guid")
    if guid is None or guid.get("isPermaLink", "true").lower() == "false":
        return ""
    return (guid.text or "").strip()


def _atom_link(entry: ET.Element) -> str:
    """The entry's page: its rel="alternate" link (the default rel), HTML first."""
    pages = [link for link in entry.iterfind(f"{ATOM}link")
             if link.get("rel", "alternate") == "alternate" and link.get("href")]
    pages.sort(key=lambda link: link.get("type", "text/html") != "text/html")
    return pages[0].get("href", "").strip() if pages else ""


def _rss_authors(item: ET.Element) -> tuple[str, ...]:
    """RSS 2.0 <author>s: "jane@example.org (Jane Roe)" gives the name; a bare address is no
    name, so it is left out rather than shown as one."""
    names: list[str] = []
    for author in item.iterfind("author"):
        text = strip_html(author.text or "")
        if found := _EMAIL_NAME.match(text):
            names.append(found["name"])
        elif not _EMAIL.match(text):
            names += split_names(text)
    return clean_names(names)


def _arxiv_link(link: str) -> str:
    """The arXiv id of a link to an arxiv.org page, "" for a link anywhere else."""
    try:
        host = (urlsplit(link.strip()).hostname or "").lower()
    except ValueError:
        return ""
    if host != "arxiv.org" and not host.endswith(".arxiv.org"):
        return ""
    return arxiv_id(link)
