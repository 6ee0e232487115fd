"""Any other RSS or Atom feed (a lab's blog, a journal's contents) read as plain entries.

arXiv's own feeds have their parser (arxiv.py); sniffing hands a feed here when nothing in
it is arXiv's (arxiv.sniff_xml). An item becomes an entry with its title, its description
(or, without one, the opening of its full content) as the abstract, its link (http(s) only),
date, authors and categories; it gets an arXiv id only when its link is an arxiv.org page, so
a blog post that merely mentions a paper is never merged into it. The XML is read as arXiv's
is (read_xml): by defusedxml, which refuses entity declarations, and with each element's
line, so a record is reported by file:line.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

from generator.errors import SourceError
from generator.stages.read.arxiv import (
    ATOM,
    DC,
    RDF,
    RSS1,
    Lines,
    checked_record,
    child_text,
    creators,
    local_name,
    markup,
    one_person,
    people,
    read_xml,
    rich_text,
)
from generator.stages.read.fields import (
    HTML_EVIDENCE,
    arxiv_id,
    clean_names,
    clean_text,
    collect,
    parse_date,
    strip_html,
)
from generator.stages.read.hf_listing import Parsed, RawListing

CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
# RSS 2.0's <author> is an e-mail address, by custom followed by the name in parentheses.
_EMAIL_NAME = re.compile(r"^\s*\S+@\S+\s*\((?P<name>[^()]+)\)\s*$")
_EMAIL = re.compile(r"^\s*\S+@\S+\s*$")
# A post's full content is no abstract: a long one would be skipped as oversized (over 20,000
# characters), so an entry whose only text is its content gets the content's opening, its
# first paragraphs up to about this many characters.
OPENING_CHARS = 2000
# Where the content's paragraphs part: a block element's start or end tag (any namespace
# prefix); in plain text, a blank line. Each is marked with a private-use character, which no
# post holds (it is removed first) and which strip_html keeps like any other letter.
_PARAGRAPH = re.compile(r"</?(?:[A-Za-z_][\w.-]*:)?(?:address|article|aside|blockquote|br|dd|div|"
                        r"dl|dt|figure|footer|h[1-6]|header|hr|li|ol|p|pre|section|table|tr|ul)"
                        r"\b[^<>]*>", re.IGNORECASE)
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_BREAK = "\ue000"
# Headings, captions and code are not the post's prose ("Introduction", "Photo by ... on
# Unsplash", a training log).
_NOT_PROSE = re.compile(r"<(h[1-6]|figcaption|pre)\b[^<>]*>.*?</\1\s*>",
                        re.IGNORECASE | re.DOTALL)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s|$)")
# Words a full stop follows inside a sentence ("et al. show", "Fig. 2", "e.g. this").
_ABBREVIATIONS = frozenset({"al", "cf", "dr", "e.g", "eq", "fig", "figs", "i.e", "mr", "mrs", "ms",
                            "no", "prof", "sec", "st", "vs"})


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
    """An RSS 2.0 or 1.0 item: description, else the opening of content:encoded, is the
    abstract."""
    ns = RSS1 if item.tag.startswith(RSS1) else ""
    title_el = item.find(f"{ns}title")
    summary_el = item.find(f"{ns}description")
    abstract = strip_html(summary_el.text or "") if summary_el is not None else ""
    content_el = item.find(f"{CONTENT}encoded")
    if not abstract and content_el is not None:
        summary_el, abstract = content_el, opening(content_el.text or "", True)
    link = child_text(item, f"{ns}link") or _permalink(item)
    title = strip_html(title_el.text or "") if title_el is not None else ""
    published = parse_date(child_text(item, f"{ns}pubDate") or child_text(item, f"{DC}date"))
    categories = tuple(clean_text(c.text or "") for c in item.iterfind(f"{ns}category"))
    return checked_record(path, lines, item, title_el, summary_el, title, abstract,
                          authors=creators(item) or _rss_authors(item), ident=_arxiv_link(link),
                          published=published, url=link, categories=categories)


def _atom_entry(entry: ET.Element, lines: Lines, path: str) -> RawListing:
    """An Atom entry: summary, else the opening of content, is the abstract; each <author> is
    one person."""
    title_el = entry.find(f"{ATOM}title")
    summary_el = entry.find(f"{ATOM}summary")
    abstract = rich_text(summary_el)
    content_el = entry.find(f"{ATOM}content")
    if not abstract and content_el is not None and not content_el.get("src"):
        summary_el, abstract = content_el, opening(*markup(content_el))
    link = _atom_link(entry)
    names = [one_person(n.text or "") for n in entry.iterfind(f"{ATOM}author/{ATOM}name")]
    published = parse_date(child_text(entry, f"{ATOM}published")
                           or child_text(entry, f"{ATOM}updated"))
    categories = tuple(c.get("term", "") for c in entry.iterfind(f"{ATOM}category"))
    return checked_record(path, lines, entry, title_el, summary_el, rich_text(title_el),
                          abstract, authors=clean_names(names) or creators(entry),
                          ident=_arxiv_link(link), published=published, url=link,
                          categories=categories)


def opening(text: str, is_markup: bool) -> str:
    """The opening of a post's full content as its abstract: its first paragraphs while they
    fit in OPENING_CHARS; when even the first does not (or what fits is under half of that),
    the text up to the last sentence end that fits, or failing one the last whole word and
    "…". Headings, captions and code blocks are left out unless they are all there is. A post
    is never skipped for its length: Blogger's Atom and Medium's RSS give only the full post."""
    text = text.replace(_BREAK, "")
    if not (is_markup and HTML_EVIDENCE.search(text)):
        paragraphs = _BLANK_LINE.split(text)
    else:
        # Left-out elements become a <br>, which keeps the text HTML to strip_html.
        paragraphs = _paragraphs(_NOT_PROSE.sub("<br>", text)) or _paragraphs(text)
    found = ""
    for paragraph in filter(None, map(clean_text, paragraphs)):
        joined = f"{found} {paragraph}" if found else paragraph
        if len(joined) <= OPENING_CHARS:
            found = joined
            continue
        if len(found) < OPENING_CHARS // 2:
            found = _cut(joined, OPENING_CHARS)
        break
    return found


def _paragraphs(markup_text: str) -> list[str]:
    """The paragraphs of HTML as plain text (none if it has no text)."""
    marked = strip_html(_PARAGRAPH.sub(lambda m: f"{_BREAK}{m[0]}{_BREAK}", markup_text))
    return [part for part in marked.split(_BREAK) if part.strip()]


def _cut(text: str, limit: int) -> str:
    """Text up to its last sentence end within `limit` characters, else up to its last whole
    word there followed by "…"."""
    end = 0
    for found in _SENTENCE_END.finditer(text):
        if found.end() > limit:
            break
        before = text[:found.start()].rsplit(None, 1)[-1:] or [""]
        word = before[0].lstrip("([\"'“‘").lower()
        if text[found.start()] == "." and (word in _ABBREVIATIONS or
                                            (len(word) == 1 and word.isalpha())):
            continue
        end = found.end()
    if end:
        return text[:end]
    space = text.rfind(" ", 0, limit)
    return (text[:space] if space > 0 else text[:limit - 1]).rstrip() + "…"


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
    name, so it is left out rather than shown as one. A name after an address is one person,
    and so is each of several <author>s; a lone one may list several ("A and B")."""
    names: list[str] = []
    after_address = False
    for author in item.iterfind("author"):
        text = strip_html(author.text or "")
        if found := _EMAIL_NAME.match(text):
            names.append(found["name"])
            after_address = True
        elif not _EMAIL.match(text):
            names.append(text)
    if after_address:
        return clean_names([one_person(name) for name in names])
    return people(names)


def _arxiv_link(link: str) -> str:
    """The arXiv id of a link to an arxiv.org page, "" for a link anywhere else."""
    try:
        host = (urlsplit(link.strip()).hostname or "").lower()
    except ValueError:
        return ""
    if host != "arxiv.org" and not host.endswith(".arxiv.org"):
        return ""
    return arxiv_id(link)
