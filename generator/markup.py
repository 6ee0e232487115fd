"""Turn untrusted text into safe HTML: abstracts with clickable links, sanitized Markdown."""

from __future__ import annotations

import re

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


def render_markdown(source: str) -> Markup:
    """Markdown to HTML, then an allowlist sanitizer: no scripts, handlers or foreign schemes."""
    html = markdown.markdown(source, extensions=["tables", "sane_lists"], output_format="html")
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
