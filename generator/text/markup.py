"""Turn untrusted text into safe HTML: abstracts with clickable links, sanitized Markdown."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import markdown
import nh3
from markupsafe import Markup, escape

# A URL runs until white space, a quote, an angle bracket or a brace (the seeds wrap URLs in
# TeX braces: "{https://...}"); trailing sentence punctuation is trimmed afterwards.
URL_RE = re.compile(r"https?://[^\s<>\"'{}\\]+", re.IGNORECASE)
TRAILING = ".,;:!?*~"
SAFE_SCHEMES = {"http", "https", "mailto"}
# A next sentence glued on with no space ("…/non_neg.Our method"); file suffixes are lower case.
GLUED_SENTENCE = re.compile(r"\.[A-Z][a-z]+$")

# Tags and attributes Markdown may produce in notes and descriptions; anything else is dropped.
ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}
MAX_PASSES = 16  # sanitizer passes; each undoes a level of misnesting, so this is plenty
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}


def find_urls(text: str) -> list[tuple[int, int, str]]:
    """(start, end, url) for each http(s) URL, with trailing punctuation and brackets trimmed."""
    found = []
    for m in URL_RE.finditer(text):
        url = m.group(0)
        while url and (url[-1] in TRAILING or (url[-1] in ")]" and _unbalanced(url))):
            url = url[:-1]
        if (glued := GLUED_SENTENCE.search(url)) and "/" in url[len("https://"):]:
            url = url[: glued.start()]
        if len(url) > len("https://"):
            found.append((m.start(), m.start() + len(url), url))
    return found


def _unbalanced(url: str) -> bool:
    closing = url[-1]
    opening = "(" if closing == ")" else "["
    return url.count(closing) > url.count(opening)


def linkify(text: str) -> Markup:
    """Escape text and make each URL in it a link."""
    if "://" not in text:  # no URL (most of an abstract's paragraphs): escaped, as below
        return escape(text)
    out, pos = [], 0
    for start, end, url in find_urls(text):
        out.append(escape(text[pos:start]))
        out.append(Markup('<a href="{0}" rel="nofollow noopener">{0}</a>').format(url))
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


# A sentence ends at . ! or ? followed by space and a capital, unless the word before the dot
# is a common abbreviation (e.g., i.e., et al., Fig.) or a single letter (an initial).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(\[])")
_ABBREVIATION = re.compile(r"(?:\b(?:e\.g|i\.e|et al|vs|cf|Fig|Figs|Eq|Eqs|Sec|No|approx|resp)"
                           r"|\b[A-Za-z])\.$")
# The longest text _ABBREVIATION matches ("approx.") is 7 characters: it is searched for in
# the last ABBREVIATION_TAIL only (a search from a later `pos` still sees the character
# before it for \b), not from every position of the sentence so far: half the splitting.
ABBREVIATION_TAIL = 10
PARAGRAPH_CHARS = 450  # a long abstract is broken into paragraphs of about this length


def sentences(text: str) -> list[str]:
    """Split one paragraph into sentences, keeping abbreviations and initials intact."""
    out: list[str] = []
    for piece in _SENTENCE_END.split(text):
        if out and _ABBREVIATION.search(out[-1], max(0, len(out[-1]) - ABBREVIATION_TAIL)):
            out[-1] += " " + piece
        else:
            out.append(piece)
    return out


def paragraphs(text: str) -> list[Markup]:
    """Linkified paragraphs: the text's own line breaks, and long ones cut at sentence ends."""
    result = []
    for block in (b.strip() for b in re.split(r"\n\s*\n|\n", text)):
        if not block:
            continue
        current = ""
        for sentence in sentences(block):
            if current and len(current) + len(sentence) > PARAGRAPH_CHARS:
                result.append(linkify(current))
                current = sentence
            else:
                current = f"{current} {sentence}" if current else sentence
        if current:
            result.append(linkify(current))
    return result


_SQUARE = re.compile(r"[\[\]]")


class _Closers:
    """Where each '[' of a text is closed, found in one pass over the text's brackets.

    Python-Markdown's link processors find a link's text by scanning from its '[' to the
    ']' that closes it, one character at a time (getText), and they try every '[' of a
    paragraph: with thousands that never close, or close far away, the scans add up to the
    square of the paragraph (a note of 20,000 '[' took two minutes). Positions are kept as
    distances from the text's end: a processor's match replaces a part of the text before
    the place it goes on from, so the table still holds for what follows, once checked.
    """

    def __init__(self) -> None:
        self.text = ""
        self.reach = 0  # the table holds for '[' this far from the end of self.text, or less
        self.after: dict[int, int] = {}  # '[' (distance from the end) -> just after its ']'

    def closing(self, data: str, opening: int) -> int | None:
        """The index just after the ']' that closes the '[' at `opening`, as Python-Markdown's
        getText would find it (code spans and escapes are placeholders by then), or None."""
        distance = len(data) - opening
        if not self._holds(data, distance):
            self._build(data)
        after = self.after.get(distance)
        return None if after is None else len(data) - after

    def _holds(self, data: str, distance: int) -> bool:
        """Whether the table answers for the '[' `distance` characters from data's end."""
        if distance > self.reach:
            return False
        if data is not self.text:
            if data[len(data) - distance:] != self.text[len(self.text) - distance:]:
                return False
            self.text, self.reach = data, distance  # a new text that ends as the old one did
        return True

    def _build(self, data: str) -> None:
        opened: list[int] = []
        after: dict[int, int] = {}
        for m in _SQUARE.finditer(data):
            if m.group() == "[":
                opened.append(len(data) - m.start())
            elif opened:  # a ']' closes the latest open '['; one with none open is text
                after[opened.pop()] = len(data) - m.end()
        self.text, self.reach, self.after = data, len(data), after


class _TabledText:
    """getText for one of Python-Markdown's link processors: the closing ']' looked up in a
    _Closers table, the same answer as the processor's own scan, in constant time."""

    def __init__(self, scan: Callable[[str, int], tuple[str, int, bool]]) -> None:
        self.scan = scan  # the processor's own getText
        self.closers = _Closers()

    def __call__(self, data: str, index: int) -> tuple[str, int, bool]:
        opening = index - 1
        if opening < 0 or data[opening] != "[":
            return self.scan(data, index)
        end = self.closers.closing(data, opening)
        if end is None:
            return "", len(data), False  # the caller drops all but the False
        return data[index:end - 1], end, True


# Python-Markdown's processors that find a link's or an image's text with getText.
LINK_PROCESSORS = ("reference", "link", "image_link", "image_reference", "short_reference",
                   "short_image_ref")


def _markdown() -> Any:
    """A Markdown converter whose link processors find a link's text by table (_Closers);
    everything else about them, and so every link, is Python-Markdown's own."""
    md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    for name in LINK_PROCESSORS:
        processor = md.inlinePatterns[name]
        processor.getText = _TabledText(processor.getText)
    return md


def render_markdown(source: str) -> Markup:
    """Markdown to HTML, then an allowlist sanitizer: no scripts, handlers or foreign schemes."""
    html = _markdown().convert(source)
    return Markup(sanitize_html(html))


def sanitize_html(html: str) -> str:
    """Allowlist sanitizing, run to a fixed point.

    One pass over misnested input can write markup (an <a> inside an <a>, an <h1> inside an
    <h1>) that the next parse re-nests differently; each pass undoes one level of such
    nesting, so passes are repeated until the output no longer changes.
    """
    for _ in range(MAX_PASSES):
        clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                          url_schemes=SAFE_SCHEMES, link_rel="nofollow noopener")
        if clean == html:
            return clean
        html = clean
    return html
