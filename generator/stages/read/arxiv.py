"""Parsers for arXiv's XML: API query responses (Atom) and the category listing feeds (RSS, Atom).

XML is parsed by defusedxml, which refuses entity declarations and external entities (no
"billion laughs", no file or network reads), and every element keeps the line its start tag is
on, so a record is reported by file:line like any other dump's.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from generator.errors import SourceError
from generator.stages.read.fields import (
    AFFILIATION,
    NAME_SUFFIX,
    arxiv_id,
    check_sizes,
    clean_names,
    clean_text,
    collect,
    parse_date,
    record,
    split_names,
    strip_html,
)
from generator.stages.read.hf_listing import Parsed, RawListing

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
RSS1 = "{http://purl.org/rss/1.0/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"

# The listing feeds start each abstract with "arXiv:2401.01234v1 Announce Type: new Abstract:".
_ANNOUNCE = re.compile(r"^\s*arXiv:\S+\s+Announce Type:\s*[\w-]+\s*(?:Abstract:\s*)?", re.I)
# The old RSS feeds end each title with "(arXiv:2401.01234v1 [cs.LG] UPDATED)".
_TITLE_TAIL = re.compile(r"\.?\s*\(arXiv:[^()]*\)\s*$")
_ROOT = re.compile(r"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
# Where a feed's own head ends and its first item begins (any namespace prefix).
_FIRST_ITEM = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s>/]", re.I)
_API_MARKS = ("opensearch", "arxiv.org/api")
_LISTING_MARKS = ("announce type", "rss.arxiv.org", "oai:arxiv.org:")
# What arXiv writes in a feed's own head: its namespace, its channel's title, links and address.
_HEAD_MARKS = ("arxiv.org/schemas/atom", "updates on arxiv.org", "arxiv.org/rss", "arxiv.org/api",
               "export.arxiv.org", "help@arxiv.org")


class _LineBuilder(ET.TreeBuilder):
    """A tree builder that notes the line of each element's start tag."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[ET.Element, int] = {}
        self.expat: object = None

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        element = super().start(tag, attrs)
        self.lines[element] = getattr(self.expat, "CurrentLineNumber", 1)
        return element


Lines = dict[ET.Element, int]


def read_xml(text: str, path: str) -> tuple[ET.Element, Lines]:
    """The document's root and each element's line; refuse DTD entities and broken XML."""
    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder)  # forbids entity declarations and external refs
    builder.expat = parser.parser
    try:
        parser.feed(text.encode("utf-8"))
        return parser.close(), builder.lines
    except DefusedXmlException as err:
        line = getattr(parser.parser, "CurrentLineNumber", 1)
        raise SourceError(path, line, f"refused: the XML declares an entity or refers to an "
                          f"external one ({type(err).__name__}); feeds never need them, and "
                          "expanding them is how an XML bomb exhausts memory") from None
    except ET.ParseError as err:
        line = err.position[0] if err.position else 1
        raise SourceError(path, line, f"invalid XML: {err}") from None


def sniff_xml(text: str) -> str | None:
    """'arxiv-api', 'arxiv-listing' or 'rss' (any other RSS or Atom feed) for a feed, else None.

    A feed is arXiv's when its own head (the part before its first item) carries what arXiv
    writes there (its arxiv: namespace, "cs.LG updates on arXiv.org", rss.arxiv.org or
    export.arxiv.org addresses), or when its first items carry marks only arXiv writes
    ("Announce Type", oai:arXiv.org: guids). An item that merely links an arXiv paper, as a
    lab blog's often do, or a blog that says it writes about arxiv.org papers, does not.
    """
    if not text.lstrip().startswith("<"):
        return None
    root = _ROOT.search(text)
    if root is None:
        return None
    name = root.group(2).lower()
    if name not in ("rss", "rdf", "feed"):
        return None
    head = text[:4000].lower()
    first_item = _FIRST_ITEM.search(head)
    own_head = head[:first_item.start()] if first_item else head
    listing = any(mark in head for mark in _LISTING_MARKS)
    if not listing and not any(mark in own_head for mark in _HEAD_MARKS):
        return "rss"
    if name != "feed":
        return "arxiv-listing"
    if any(mark in head for mark in _API_MARKS):
        return "arxiv-api"
    return "arxiv-listing" if listing else "arxiv-api"


def parse_arxiv_api(text: str, path: str) -> Parsed:
    """An arXiv API response: an Atom feed of entries with arxiv: extensions."""
    root, lines = read_xml(text, path)
    if root.tag != f"{ATOM}feed":
        raise SourceError(path, lines.get(root, 1), f"expected an Atom <feed> (an arXiv API "
                          f"response), found <{local_name(root.tag)}>")
    return _collect(root.iter(f"{ATOM}entry"), lines, path, _atom_entry)


def parse_arxiv_listing(text: str, path: str) -> Parsed:
    """An arXiv listing feed: RSS 2.0 (rss.arxiv.org), its Atom variant, or the old RSS 1.0."""
    root, lines = read_xml(text, path)
    if root.tag == "rss":
        return _collect(root.iter("item"), lines, path, _rss_item)
    if root.tag == f"{RDF}RDF":
        return _collect(root.iter(f"{RSS1}item"), lines, path, _rss_item)
    if root.tag == f"{ATOM}feed":
        return _collect(root.iter(f"{ATOM}entry"), lines, path, _atom_entry)
    raise SourceError(path, lines.get(root, 1), f"expected an RSS or Atom feed, found "
                      f"<{local_name(root.tag)}>")


Extract = Callable[[ET.Element, Lines, str], RawListing]


def _collect(entries: Iterable[ET.Element], lines: Lines, path: str, extract: Extract) -> Parsed:
    return collect(entries, lambda entry: extract(entry, lines, path), path,
                   "the feed has no entries")


def _atom_entry(entry: ET.Element, lines: Lines, path: str) -> RawListing:
    ident_text = child_text(entry, f"{ATOM}id")
    if "arxiv.org/api/errors" in ident_text:  # the API reports a bad query as an entry
        raise SourceError(path, lines[entry], "the arXiv API answered with an error: "
                          f"{clean_text(child_text(entry, f'{ATOM}summary'))}")
    title_el = entry.find(f"{ATOM}title")
    summary_el = entry.find(f"{ATOM}summary")
    names = [n.text or "" for n in entry.iterfind(f"{ATOM}author/{ATOM}name")]
    # The listing's Atom feed puts every author in one <name>, separated by commas.
    authors = people(names) or creators(entry)
    url = pdf_url = ""
    for link in entry.iterfind(f"{ATOM}link"):
        href = link.get("href", "")
        if link.get("title") == "pdf" or link.get("type") == "application/pdf":
            pdf_url = pdf_url or href
        elif link.get("rel", "alternate") == "alternate":
            url = url or href
    primary = entry.find(f"{ARXIV}primary_category")
    categories = [primary.get("term", "")] if primary is not None else []
    categories += [c.get("term", "") for c in entry.iterfind(f"{ATOM}category")]
    summary = rich_text(summary_el)
    ident = arxiv_id(ident_text) or arxiv_id(url) or arxiv_id(summary[:80])
    published = parse_date(child_text(entry, f"{ATOM}published")
                           or child_text(entry, f"{ATOM}updated"))
    return checked_record(path, lines, entry, title_el, summary_el, rich_text(title_el),
                          _ANNOUNCE.sub("", summary), authors=authors, ident=ident,
                          published=published, url=url, pdf_url=pdf_url,
                          categories=tuple(categories))


def _rss_item(item: ET.Element, lines: Lines, path: str) -> RawListing:
    ns = RSS1 if item.tag.startswith(RSS1) else ""
    title_el, summary_el = item.find(f"{ns}title"), item.find(f"{ns}description")
    link = child_text(item, f"{ns}link")
    description = strip_html(summary_el.text or "") if summary_el is not None else ""
    ident = (arxiv_id(child_text(item, "guid")) or arxiv_id(link) or arxiv_id(description[:80])
             or arxiv_id(item.get(f"{RDF}about", "")))
    title = _TITLE_TAIL.sub("", strip_html(title_el.text or "")) if title_el is not None else ""
    categories = tuple(clean_text(c.text or "") for c in item.iterfind(f"{ns}category"))
    published = parse_date(child_text(item, f"{ns}pubDate") or child_text(item, f"{DC}date"))
    return checked_record(path, lines, item, title_el, summary_el, title,
                          _ANNOUNCE.sub("", description), authors=creators(item), ident=ident,
                          published=published, url=link, categories=categories)


def checked_record(path: str, lines: Lines, entry: ET.Element, title_el: ET.Element | None,
                   summary_el: ET.Element | None, title: str, abstract: str,
                   **fields: object) -> RawListing:
    """The record, or a SourceError at the entry's line saying why it is skipped."""
    line = lines[title_el] if title_el is not None else lines[entry]
    check_sizes(path, line, title, abstract)
    abstract_line = lines[summary_el] if summary_el is not None else line
    return record(title, abstract, line, max(line, abstract_line),
                  **fields)  # type: ignore[arg-type]


def creators(element: ET.Element) -> tuple[str, ...]:
    """dc:creator: one element listing every author (arXiv's listings; old feeds wrap each in
    an HTML link), or one element per author (journals' and blogs' feeds)."""
    return people([creator.text or "" for creator in element.iterfind(f"{DC}creator")])


def people(texts: list[str]) -> tuple[str, ...]:
    """Author names from a record's author elements. A lone element may list several people
    ("A, B and C": split_names); of several elements each is one person, so its commas are
    part of the name ("Smith, John", "John Smith, Jr."), never a list."""
    texts = [text for text in texts if text.strip()]
    if len(texts) == 1:
        return split_names(texts[0])
    return clean_names([one_person(text) for text in texts])


# Lower-case particles of a surname written first: "van der Berg, Jan".
_PARTICLES = frozenset({"al", "bin", "da", "das", "de", "del", "della", "den", "der", "di", "do",
                        "dos", "du", "el", "ibn", "la", "le", "ten", "ter", "van", "von", "zu"})
_NOBODY = re.compile(r"(?i:et\.?\s*al\.?)|others")


def one_person(text: str) -> str:
    """One author element as a name: markup and bracketed affiliations dropped, "et al." as
    nobody (""), and "Last, First" turned to "First Last" when it surely is that (see
    _first_last); any other comma is kept as written."""
    text = strip_html(text)
    while (bare := AFFILIATION.sub(" ", text)) != text:
        text = bare
    text = clean_text(text)
    return "" if _NOBODY.fullmatch(text) else _first_last(text)


def _first_last(name: str) -> str:
    """"Smith, John" as "John Smith", but only for one comma between a surname (one capitalised
    word after any particles: "Smith", "van der Berg", "O'Brien") and one to three given names
    or initials ("John", "J. R.", "Jean-Luc"), and nothing else that separates names (";",
    "and", "&"). Anything else is kept as written: "Jane Roe, MIT", "Smith, PhD", "John Smith,
    Jr.", "García Márquez, Gabriel" (two surname words could be "First Last, Affiliation")."""
    last, comma, first = name.partition(",")
    if not comma or "," in first or re.search(r";|&|\band\b", name) or NAME_SUFFIX.fullmatch(
            first.strip()):
        return name
    *particles, surname = last.split() or [""]
    given = first.split()
    if (not given or len(given) > 3 or any(p not in _PARTICLES for p in particles)
            or not _name_word(surname, given=False)
            or not all(_name_word(word, given=True) for word in given)):
        return name
    return f"{' '.join(given)} {' '.join(last.split())}"


def _name_word(word: str, given: bool) -> bool:
    """A capitalised word of a name: "Smith", "O'Brien", "McDonald", "Jean-Luc"; a given name
    may be an initial ("J.", "J.-P."); an all-capitals surname ("MIT") or a given name with a
    capital inside ("PhD") is not taken for one."""
    for part in re.split(r"[-'’]", word):
        if given and len(part) == 2 and part.endswith("."):
            part = part[0]
        if not part.isalpha() or not part[0].isupper():
            return False
        if len(part) > 1 and (not part[1:].islower() if given else part.isupper()):
            return False
    return True


def markup(element: ET.Element) -> tuple[str, bool]:
    """An Atom text construct's text and whether it may be HTML: type="html" as written,
    type="xhtml" as its elements serialised (so block ends part words, as in HTML), anything
    else (type="text") plain."""
    kind = element.get("type")
    if kind == "xhtml":
        inner = html.escape(element.text or "", quote=False)
        return inner + "".join(ET.tostring(child, encoding="unicode") for child in element), True
    return element.text or "", kind == "html"


def rich_text(element: ET.Element | None) -> str:
    """An Atom text construct as one clean line; type="html" and "xhtml" lose their tags."""
    if element is None:
        return ""
    text, is_markup = markup(element)
    return strip_html(text) if is_markup else clean_text(text)


def child_text(element: ET.Element, path: str) -> str:
    """The stripped text of the first child at `path`, "" if there is none."""
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def local_name(tag: str) -> str:
    """A tag without its {namespace}."""
    return tag.rsplit("}", 1)[-1]
