"""Field helpers the structured parsers share: clean text, arXiv ids, names, dates, safe URLs."""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import html.entities
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from generator.errors import SourceError
from generator.stages.read.hf_listing import MAX_ABSTRACT_CHARS, MAX_TITLE_CHARS, RawListing, _clean
from generator.text.markup import URL_RE

# New-style ids (0704.0001 on, five digits from 1501) and old-style archive/YYMMNNN ids, each
# with an optional version; the version is dropped because every version is the same paper.
_NEW_ID = r"\d{4}\.\d{4,5}"
_OLD_ID = r"[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7}"
ARXIV_ID = re.compile(rf"(?<![\w./-])(?P<id>{_NEW_ID}|{_OLD_ID})(?:v\d+)?(?![\w-])")
# Where an id is found: an arxiv.org URL, an "arXiv:" prefix, an OAI identifier, a DataCite DOI.
_ARXIV_CONTEXT = re.compile(
    rf"(?:arxiv\.org/(?:abs|pdf|html)/|arxiv[:\s.]\s*|oai:arxiv\.org:)"
    rf"(?P<id>{_NEW_ID}|{_OLD_ID})(?:v\d+)?", re.IGNORECASE)
# Tags in feeds that escape their HTML (<p>, <a href=...>), namespaced ones too (JATS, which
# Crossref and OpenAlex abstracts carry: <jats:p>, <jats:italic>); a lone "x < y" is not a tag.
_PREFIX = r"(?:[A-Za-z_][\w.-]*:)?"
_TAG = re.compile(rf"</?{_PREFIX}[A-Za-z][\w.-]*(?:\s[^<>]*)?/?>")
# What shows a field is HTML (see strip_html): the end tag of an element that marks up text,
# namespaced or not (</p>, </jats:p>, </jats:italic>), an empty <br/>, <hr> or <img ...>, or
# a character reference by one of HTML's own entity names or by number. Not </s>: language-model
# papers write the end-of-sequence token "</s>" in plain text; and not anything shaped like an
# entity: "AT&T; Q&As;" in a plain abstract is text, so its "<think>" must stay.
_MARKUP_ENDS = ("a|abbr|b|big|blockquote|bold|cite|code|dd|div|dl|dt|em|font|h[1-6]|i|italic|li|"
                "list-item|monospace|ol|p|pre|sc|sec|small|span|strike|strong|sub|sup|table|td|th|"
                "tr|tt|u|ul|underline")
_ENTITY_NAMES = "|".join(sorted(name[:-1] for name in html.entities.html5 if name.endswith(";")))
HTML_EVIDENCE = re.compile(rf"(?i:</{_PREFIX}(?:{_MARKUP_ENDS})\s*>|<(?:br|hr)\s*/?>|<img\s[^<>]*>)"
                           rf"|&(?:{_ENTITY_NAMES});|&#(?:[0-9]{{1,7}}|[xX][0-9A-Fa-f]{{1,6}});")
# Tags whose element is a block: each becomes a space, so paragraphs do not run together.
_BLOCK = re.compile(rf"</?{_PREFIX}(?:abstract|article|blockquote|br|dd|div|dl|dt|figcaption|"
                    r"figure|h[1-6]|hr|li|list|list-item|ol|p|pre|sec|section|table|td|th|title|"
                    r"tr|ul)\b[^<>]*>", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)  # <!-- more -->, a feed's "read more" mark
_HIDDEN = re.compile(r"<(script|style)\b[^<>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
# Text in brackets after a name is an affiliation or a footnote mark, not part of the name.
AFFILIATION = re.compile(r"\([^()\[\]]*\)|\[[^()\[\]]*\]")
# "et al." (or "et al") ends a shortened author list; it is nobody.
_ET_AL = re.compile(r"(?:^|\s)et\.?\s*al\b\.?$", re.IGNORECASE)
# A suffix written after a comma belongs to the name before it: "John Smith, Jr.".
NAME_SUFFIX = re.compile(r"(?i:jr|sr)\.?|II|III|IV")
MAX_AUTHORS = 2000  # large collaborations list ~3000 names; more than this is a broken record


def clean_text(text: str) -> str:
    """One line of text: hard line breaks and indentation folded, control characters dropped."""
    return _clean(text)


def strip_html(text: str) -> str:
    r"""Text from a feed field that is HTML or plain text, told apart by what the field holds.

    Once the XML parser has undone a feed's own escaping, HTML still shows itself
    (HTML_EVIDENCE): an end or empty tag of an element that marks up text (</p>, </em>, <br/>,
    JATS's </jats:p>) or an escaped character (&amp;, &lt;, &#233;; a real entity name or a
    number only), because HTML carried in XML is escaped twice (or sits in CDATA). Such a
    field loses its comments and the contents of <script> and <style>, then its tags (a
    block's break becomes a space, an inline tag nothing, so "<em>x</em>." stays "x.";
    namespaced tags too), and its entities are decoded (old arXiv feeds, blogs, Crossref's
    JATS abstracts). Anything else is plain text and is kept as written, white space folded:
    rss.arxiv.org escapes its abstracts once, so one that mentions <think> tags or
    "$1<p \leq 2$ and $q>1$" arrives holding "<", and stripping it as markup would drop words
    ("for $1 1$").
    """
    if not HTML_EVIDENCE.search(text):
        return clean_text(text)
    text = _HIDDEN.sub("", _COMMENT.sub("", text))
    text = _TAG.sub("", _BLOCK.sub(" ", text))
    return clean_text(html.unescape(text))


def arxiv_id(text: str, bare: bool = False) -> str:
    """The versionless arXiv id in text ("" if none). Without `bare`, only an id in arXiv
    context counts (a URL, "arXiv:", an OAI identifier), so a DOI or a date is never taken."""
    found = _ARXIV_CONTEXT.search(text)
    if found is None and bare:
        found = ARXIV_ID.search(text.strip())
    if found is None:
        return ""
    ident = found.group("id")
    archive, _, number = ident.partition("/")
    if not number:
        return ident
    # An old-style id is archive/YYMMNNN; a subject class written after the archive
    # ("cs.DB/0408030", as libraries and references do) is not part of it, and arXiv's
    # own answers give the bare form, so the two must be one key to merge as one paper.
    return f"{archive.partition('.')[0].lower()}/{number}"


def arxiv_urls(ident: str) -> tuple[str, str]:
    """The abstract page and PDF of an arXiv id."""
    return f"https://arxiv.org/abs/{ident}", f"https://arxiv.org/pdf/{ident}"


def safe_url(url: str) -> str:
    """The URL if it is one plain http(s) URL (markup's own URL pattern), else ""."""
    url = url.strip()
    return url if URL_RE.fullmatch(url) else ""


def split_names(text: str) -> tuple[str, ...]:
    """Author names from one string: "A, B and C", "A, B, and C", "A; B" or "A and B".

    Text in parentheses or square brackets is an affiliation (or a footnote mark), not part
    of a name: rss.arxiv.org writes "Amina Doumane (PLUME, LIP), Samuel Humeau (PLUME, LIP)",
    and splitting at the commas inside the parentheses made 20 "authors" of 8. Groups are
    dropped innermost first (so "A ((1) MIT, (2) CMU)" goes too) before splitting; an unclosed
    "(" or "[" stays as text. Between semicolons a comma is part of a name ("Lee, Ann; Li, Bo").
    "et al." and "others" are nobody and are dropped; a suffix (Jr., Sr., II, III, IV) after a
    comma stays with the name before it: "John Smith, Jr.".
    """
    text = strip_html(text)
    while (bare := AFFILIATION.sub(" ", text)) != text:
        text = bare
    parts = text.split(";") if ";" in text else re.split(r",|\band\b", text)
    names: list[str] = []
    for part in parts:
        name = _ET_AL.sub("", clean_text(part)).strip()
        if not name or name == "others":
            continue
        if names and NAME_SUFFIX.fullmatch(name):
            names[-1] += f", {name}"
        else:
            names.append(name)
    return clean_names(names)


def clean_names(names: list[Any] | tuple[Any, ...]) -> tuple[str, ...]:
    """Non-empty names, white space folded, in order. A name that appears twice is kept
    twice: two co-authors may share a name (a real paper has two different "Lei Zhang"s)."""
    out = [cleaned for name in names if isinstance(name, str) and (cleaned := clean_text(name))]
    return tuple(out[:MAX_AUTHORS])


# The days a digest takes, wherever a date enters: a dump's publication dates (outside, a
# date is unknown, as an unreadable one is), sources.yaml's `collected`, digest.yaml's
# `built_at`, enrich.yaml's dates and the commands' --date and --since (outside, refused).
# Weeks step days from these dates, and Python's dates stop at years 1 and 9999, so a day
# near either end broke every later build; these years hold every paper a digest lists and
# every day it is collected, and a day outside them is a typo or a placeholder.
FIRST_DAY = dt.date(1800, 1, 1)
LAST_DAY = dt.date(2199, 12, 31)


def outside_dates(day: dt.date) -> str:
    """Why `day` (a date-time counts as its day) is refused, or "" when it lies within
    FIRST_DAY..LAST_DAY."""
    if isinstance(day, dt.datetime):
        day = day.date()
    if FIRST_DAY <= day <= LAST_DAY:
        return ""
    return (f"{day.isoformat()} is outside the dates a digest takes "
            f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()})")


def known_day(day: dt.date | None) -> dt.date | None:
    """`day`, or None (unknown) when it is outside the dates a digest takes."""
    return day if day is not None and not outside_dates(day) else None


def parse_date(text: str) -> dt.date | None:
    """An ISO date or date-time (2024-01-02, 2024-01-02T18:59:59.000Z) or an RFC 822 one
    (Mon, 08 Jan 2024 00:00:00 -0500), as the day it names; None if it is neither, or a
    day outside the dates a digest takes (known_day)."""
    text = text.strip()
    if m := re.match(r"(\d{4})-(\d{2})-(\d{2})(?![\d])", text):
        try:
            return known_day(dt.date(int(m[1]), int(m[2]), int(m[3])))
        except ValueError:
            return None
    try:
        return known_day(email.utils.parsedate_to_datetime(text).date())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def check_sizes(path: str, line: int, title: str, abstract: str) -> None:
    """Raise a SourceError (this record is skipped) for a missing title or an oversized field."""
    if not title:
        raise SourceError(path, line, "entry without a title; skipped")
    if len(title) > MAX_TITLE_CHARS:
        raise SourceError(path, line, f"title of {len(title):,} characters (over "
                          f"{MAX_TITLE_CHARS}); skipped")
    if len(abstract) > MAX_ABSTRACT_CHARS:
        raise SourceError(path, line, f"abstract of {len(abstract):,} characters (over "
                          f"{MAX_ABSTRACT_CHARS:,}); skipped")


def record(title: str, abstract: str, line: int, abstract_line: int | None = None, *,
           authors: tuple[str, ...] = (), ident: str = "", published: dt.date | None = None,
           url: str = "", pdf_url: str = "", categories: tuple[str, ...] = ()) -> RawListing:
    """A RawListing with URLs filtered to http(s); an arXiv paper gets arXiv's own
    versionless abstract and PDF links, so every listing of it links the same pages. A
    publication day outside the dates a digest takes is unknown (a YAML list's own dates
    and BibTeX's year/month/day do not pass through parse_date)."""
    url, pdf_url = safe_url(url), safe_url(pdf_url)
    if ident:
        url, pdf_url = arxiv_urls(ident)
    return RawListing(title=title, abstract=abstract, line=line,
                      abstract_line=abstract_line or line, authors=authors, arxiv_id=ident,
                      published=known_day(published), url=url, pdf_url=pdf_url,
                      categories=tuple(dict.fromkeys(c for c in categories if c)))


def json_items(text: str, path: str) -> Iterator[tuple[int, Any]]:
    """(line, value) for each element of the JSON array that is the whole text.

    Elements are decoded one at a time from their own offset, so each keeps the line it
    starts on; a syntax error is a SourceError at its line.
    """
    pos = skip_space(text, 0)
    if not text.startswith("[", pos):
        raise SourceError(path, line_at(text, pos), "expected a JSON list of entries")
    items, pos = json_array(json.JSONDecoder(), text, pos, path)
    if text[pos:].strip():
        raise SourceError(path, line_at(text, pos), "invalid JSON: expected the end of the list")
    yield from items


def json_array(decoder: json.JSONDecoder, text: str, pos: int, path: str
               ) -> tuple[list[tuple[int, Any]], int]:
    """The elements of the JSON array whose "[" is at `pos`, each with the line it starts
    on, and the offset after the array (also for an array nested in an object)."""
    items: list[tuple[int, Any]] = []
    line, counted = line_at(text, pos), pos
    pos = skip_space(text, pos + 1)
    if text.startswith("]", pos):
        return items, pos + 1
    while True:
        line += text.count("\n", counted, pos)
        counted = pos
        value, pos = json_value(decoder, text, pos, path)
        items.append((line, value))
        pos = skip_space(text, pos)
        if text.startswith(",", pos):
            pos = skip_space(text, pos + 1)
        elif text.startswith("]", pos):
            return items, pos + 1
        else:
            raise SourceError(path, line_at(text, pos), "invalid JSON: expected ',' or ']'")


def json_value(decoder: json.JSONDecoder, text: str, pos: int, path: str) -> tuple[Any, int]:
    """One JSON value at `pos` and the offset after it; a syntax error names its line, and
    so does a value nested deeper than the decoder can follow ([[[...]]] thousands deep),
    which would otherwise end the run with a RecursionError."""
    try:
        return decoder.raw_decode(text, pos)
    except json.JSONDecodeError as err:
        raise SourceError(path, err.lineno, f"invalid JSON: {err.msg}") from None
    except RecursionError:
        raise SourceError(path, line_at(text, pos), "invalid JSON: nested too deeply to "
                          "read (lists or objects inside each other thousands deep)") from None


def skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def line_at(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


Item = TypeVar("Item")


def collect(items: Iterable[Item], make: Callable[[Item], RawListing], path: str,
            empty: str) -> tuple[list[RawListing], list[SourceError]]:
    """Turn each item into a record; a bad one becomes a problem and reading goes on.
    A source with neither records nor problems is an error saying `empty`."""
    records: list[RawListing] = []
    problems: list[SourceError] = []
    for item in items:
        try:
            records.append(make(item))
        except SourceError as err:
            problems.append(err)
    if not records and not problems:
        raise SourceError(path, 1, empty)
    return records, problems
