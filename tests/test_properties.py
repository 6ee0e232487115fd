"""Properties that hold for every input, checked with Hypothesis on arbitrary and hostile text.

Parsers fail only with SourceError and always name a real line; slugs are always URL-safe and
unique; the sanitizer is a fixed point of itself; escaped text never lets a '<' through.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import nh3
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.errors import SourceError
from generator.models import Listing, SourceInfo
from generator.stages.merge import SLUG_MAX, merge_papers, normalise_title, paper_id, slugify
from generator.stages.read import read_source
from generator.stages.read.hf_listing import (
    MAX_ABSTRACT_CHARS,
    MAX_TITLE_CHARS,
    MIN_ABSTRACT_CHARS,
    RawListing,
    parse_layout_a,
    parse_layout_b,
)
from generator.text.markup import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    SAFE_SCHEMES,
    linkify,
    paragraphs,
    render_markdown,
    sanitize_html,
)

# Modest and reproducible: no example database written into the tree, no deadline (the first
# call of a parser or of Markdown is slow), the whole module in a few seconds.
PROPERTY = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SOURCE = SourceInfo(file="dump.txt", collected=dt.date(2025, 4, 21), query="q", origin="test")

# -- strategies ----------------------------------------------------------------------------------

HEADER_LINES = ["new", "Get trending papers in your email inbox!",
                "Get trending papers in your email inbox once a day!", "Subscribe",
                "byAK and the research community", "Apr 24", "Mar 3"]
ABSTRACT = ("We study how agents learn reusable skills from unlabelled experience and show that "
            "the learned skills transfer to new tasks <script>alert(1)</script>.")
# Lines that look like a dump's: headers, titles, abstracts, blanks, lines too long, garbage.
dump_line = st.one_of(
    st.sampled_from(HEADER_LINES),
    st.sampled_from(["", " ", "\t", "Subscribe<b>Skills</b>", "SubscribeA Title", ABSTRACT,
                     "x" * (MAX_TITLE_CHARS + 1), "y" * (MAX_ABSTRACT_CHARS + 1)]),
    st.text(max_size=40),
    st.text(min_size=MIN_ABSTRACT_CHARS - 2, max_size=MIN_ABSTRACT_CHARS + 40),
)
dump_text = st.one_of(
    st.text(),
    st.lists(dump_line, max_size=14).map("\n".join),
    st.tuples(st.sampled_from(["new\n", "Get trending papers in your email inbox!\n"]),
              st.lists(dump_line, max_size=14).map("\n".join)).map("".join),
)
dump_bytes = st.one_of(
    st.binary(max_size=600),
    dump_text.map(lambda t: t.encode("utf-8")),
    st.tuples(dump_text, st.sampled_from(["\n", "\r\n", "\r"]), st.binary(max_size=8),
              st.sampled_from([b"", b"\xef\xbb\xbf"])).map(
        lambda t: t[3] + t[0].replace("\n", t[1]).encode("utf-8") + t[2]),
)

HTML_TOKENS = [
    "<a href='https://example.org/'>", "<a href=\"javascript:alert(1)\">", "<a href=x>", "</a>",
    "<a title='t' onclick='x()'>", "<p>", "</p>", "<table>", "</table>", "<tr>", "<td align=left>",
    "<th>", "<ul>", "<li>", "<ol>", "<pre>", "<code>", "<blockquote>", "<br>", "<br/>", "<hr>",
    "<strong>", "<em>", "<sub>", "<sup>", "<abbr title=x>", "<dl><dt>", "<dd>", "<h1>", "<h6>",
    "<script>", "</script>", "<style>", "</style>", "<svg onload=alert(1)>", "<math>", "<mi>",
    "<img src=x onerror=alert(1)>", "<iframe>", "<textarea>", "</textarea>", "<title>",
    "<noscript>", "<xmp>", "<template>", "<select>", "<option>", "<form>", "<object>",
    "<!--", "-->", "<![CDATA[", "]]>", "<?xml?>", "<!DOCTYPE html>", "&amp;", "&lt;", "&#60;",
    "&", "<", ">", "\"", "'", "=", "/", "\n", "\n\n", " ", "javascript:", "data:", "&#106;",
]
html_fragment = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(st.sampled_from(HTML_TOKENS), st.text(max_size=6)), max_size=25)
    .map("".join),
)
MARKDOWN_TOKENS = ["[x](", "](", ")", "[y]: ", "javascript:alert(1)", "https://example.org/a",
                   "data:text/html,x", "*", "**", "_", "`", "```\n", "> ", "- ", "1. ", "# ",
                   "| a | b |\n|---|---|\n| c | d |\n", "<", ">", "&", "\n", "\n\n", "    ",
                   "<https://example.org>", "<script>alert(1)</script>", "<b onclick=x>",
                   "<a href='javascript:x'>", "</a>", "{{ 7*7 }}", "\\", "![i](x.png)"]
markdown_source = st.one_of(
    st.text(max_size=80),
    st.lists(st.one_of(st.sampled_from(MARKDOWN_TOKENS), st.text(max_size=8)), max_size=25)
    .map("".join),
)
# Markdown with no raw HTML in it: every '<' written as the entity, so Markdown alone decides
# the tree (autolinks <https://...> are lost, which is fine here).
markdown_only = markdown_source.map(lambda text: text.replace("<", "&lt;"))
URL_TOKENS = ["https://example.org/a", "http://x.io/p?q=1&r=<2>", "https://e.com/\"onmouseover=x",
              "{https://github.com/a/b}", "(https://y.io/z).", "https://", "javascript:alert(1)",
              "<script>", "&amp;", "&", "<", ">", "\"", "'", " ", ". ", "\n", "e.g. ", "Fig. "]
prose = st.one_of(
    st.text(max_size=120),
    st.lists(st.one_of(st.sampled_from(URL_TOKENS), st.text(max_size=10)), max_size=25)
    .map("".join),
)
TITLE_VARIANTS = ["Über Skills", "Uber Skills", "uber skills!", "ÜBER-SKILLS", "Uber  Skills",
                  "Ｕｂｅｒ Skills", "Skills", "skills", "", "!!!", "日本語",
                  "Skill\u200bNet",
                  "a" * 120, "a " * 60, "Uber Skills 1a2b3c"]
title = st.one_of(st.sampled_from(TITLE_VARIANTS), st.text(max_size=100))


class _Html(HTMLParser):
    """Start tags with their entity-decoded attributes, and all text, entity-decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(markup: str) -> _Html:
    parser = _Html()
    parser.feed(markup)
    parser.close()
    return parser


def scheme(url: str) -> str:
    url = re.sub(r"[\t\n\r]", "", url).lstrip("".join(map(chr, range(0x21))))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", url)
    return match.group(1).lower() if match else ""


def sanitize(markup: str) -> str:
    """nh3 exactly as generator.markup.render_markdown calls it."""
    return nh3.clean(markup, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=SAFE_SCHEMES, link_rel="nofollow noopener")


def pre_newline_dropped(markup: str) -> str:
    """What a parser makes of serialized markup's <pre>: the newline right after it dropped.

    nh3's serializer does not write that newline back, so each pass over a <pre> whose text
    starts with a newline eats one; this is the parser's rule, not a change of content.
    (Text cannot contain '<pre>': a '<' in text is always escaped.)
    """
    return markup.replace("<pre>\n", "<pre>")


def assert_safe(markup: str) -> None:
    """Only allowlisted tags and attributes, links only to allowed schemes, rel forced."""
    for tag, attrs in parse_html(markup).tags:
        assert tag in ALLOWED_TAGS, (tag, markup)
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        assert set(attrs) <= allowed, (tag, attrs)
        if tag == "a":
            assert attrs["rel"] == "nofollow noopener", attrs
            if attrs.get("href") is not None:
                assert scheme(str(attrs["href"])) in SAFE_SCHEMES | {""}, attrs


def assert_converges(once: str) -> None:
    """Re-parsing may re-nest what nh3 wrote, a level per pass; markup.sanitize_html repeats
    passes until nothing changes, and one more pass then changes nothing."""
    fixed = sanitize_html(once)
    assert_safe(fixed)  # re-parsing sanitized output never brings anything unsafe back
    assert sanitize(fixed) == pre_newline_dropped(fixed)


# -- (i) parsers ---------------------------------------------------------------------------------


def visible(text: str) -> str:
    """Text with control characters (and U+FFFE/U+FFFF, which XML forbids) removed, white
    space folded."""
    kept = "".join(c for c in text if c.isspace() or (unicodedata.category(c) != "Cc"
                                                      and c not in "\ufffe\uffff"))
    return " ".join(kept.split())


def check_parsed(text: str, records: list[RawListing], problems: list[SourceError]) -> None:
    lines = text.split("\n")
    for problem in problems:
        assert isinstance(problem, SourceError)
        assert 1 <= problem.line <= len(lines), problem
        assert str(problem).startswith(f"dump.txt:{problem.line}: ")
    for record in records:
        assert 1 <= record.line < record.abstract_line <= len(lines)
        assert 0 < len(record.title) <= MAX_TITLE_CHARS
        # The bounds apply to the line as pasted; folding white space may shorten it after.
        assert MIN_ABSTRACT_CHARS <= len(lines[record.abstract_line - 1].strip()) \
            <= MAX_ABSTRACT_CHARS
        # A record is exactly what its lines say, white space folded (and control characters,
        # which a parser may rightly drop, set aside).
        assert visible(record.title) in visible(lines[record.line - 1])
        assert visible(record.abstract) == visible(lines[record.abstract_line - 1])


@PROPERTY
@given(dump_text)
@example("Get trending papers in your email inbox!\nSubscribe\n" + "x" * 90)
@example("new\n\nApr 24\n\nA Title\n\n" + ABSTRACT + "\n\nLost title")
def test_layout_parsers_fail_only_with_source_error_naming_a_line(text: str) -> None:
    for parse in (parse_layout_a, parse_layout_b):
        try:
            records, problems = parse(text, "dump.txt")
        except SourceError as err:
            assert 1 <= err.line <= text.count("\n") + 1
            continue
        check_parsed(text, records, problems)


@PROPERTY
@given(dump_bytes)
@example(b"")
@example(b"\x00")
@example(b"\xef\xbb\xbfnew\r\n\r\nA Title\r\n\r\n" + ABSTRACT.encode() + b"\r\n\xff\xfe")
@example(b"Get trending papers in your email inbox!\nSubscribeA \xc3(\n" + ABSTRACT.encode())
def test_reading_any_bytes_fails_only_with_source_error_naming_a_line(data: bytes) -> None:
    line_count = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dump.txt"
        path.write_bytes(data)
        try:
            result = read_source(path, SOURCE, display="dump.txt")
        except SourceError as err:
            assert 1 <= err.line <= line_count, err
            assert str(err).startswith(f"dump.txt:{err.line}: ")
            return
    for problem in result.problems:
        assert 1 <= problem.line <= line_count, problem
        assert str(problem).startswith(f"dump.txt:{problem.line}: ")
    assert [p.line for p in result.problems] == sorted(p.line for p in result.problems)
    genuine_replacement_char = "\ufffd" in data.decode("utf-8", errors="ignore")
    for listing in result.listings:
        assert 1 <= listing.line <= line_count
        # A record on a line that is not UTF-8 is reported and skipped, never read with U+FFFD.
        assert genuine_replacement_char or "\ufffd" not in listing.title + listing.abstract


def test_a_nul_byte_is_reported_on_its_own_line_whatever_the_line_ends() -> None:
    data = b"Get trending papers in your email inbox!\rSubscribeA Title\rbinary \x00 here\r"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dump.txt"
        path.write_bytes(data)
        with pytest.raises(SourceError) as caught:
            read_source(path, SOURCE, display="dump.txt")
    assert caught.value.line == 3


# -- (ii) slugs ----------------------------------------------------------------------------------


@PROPERTY
@given(st.one_of(st.text(), title, html_fragment))
def test_slugify_is_url_safe_short_and_never_empty(text: str) -> None:
    slug = slugify(text)
    assert SLUG_RE.fullmatch(slug), slug
    assert 0 < len(slug) <= SLUG_MAX
    assert slugify(slug) == slug


@PROPERTY
@given(st.text(), st.integers(min_value=len("paper"), max_value=120))
def test_slugify_respects_any_limit(text: str, limit: int) -> None:
    slug = slugify(text, limit)
    assert SLUG_RE.fullmatch(slug) and len(slug) <= limit


@PROPERTY
@given(st.lists(st.tuples(title, st.integers(0, 20), st.sampled_from(["a.txt", "b.txt"])),
                max_size=30))
def test_merged_papers_have_unique_valid_slugs_and_keep_every_listing(
        rows: list[tuple[str, int, str]]) -> None:
    listings = [Listing(title=t, abstract=ABSTRACT, line=i + 1,
                        source=SourceInfo(file=f, collected=dt.date(2025, 1, 1) + dt.timedelta(d),
                                          query="", origin=""))
                for i, (t, d, f) in enumerate(rows)]
    papers = merge_papers(listings)
    slugs = [p.slug for p in papers]
    assert len(set(slugs)) == len(slugs), slugs
    assert all(SLUG_RE.fullmatch(s) for s in slugs), slugs
    assert len({p.id for p in papers}) == len(papers)
    assert len(papers) == len({normalise_title(t) for t, _, _ in rows})
    assert sum(len(p.sources) for p in papers) == len(listings)  # nothing lost
    # The same listings in another order give the same papers.
    assert merge_papers(list(reversed(listings))) == papers


def test_a_fallback_slug_never_collides_with_a_title_that_spells_it() -> None:
    pid = max(paper_id("Über Skills"), paper_id("Uber Skills"))  # the one that gets suffixed
    early = SourceInfo(file="a.txt", collected=dt.date(2025, 1, 1), query="", origin="")
    late = SourceInfo(file="b.txt", collected=dt.date(2025, 1, 2), query="", origin="")
    papers = merge_papers([
        Listing(title=f"Uber Skills {pid[:6]}", abstract=ABSTRACT, source=early, line=1),
        Listing(title="Über Skills", abstract=ABSTRACT, source=late, line=1),
        Listing(title="Uber Skills", abstract=ABSTRACT, source=late, line=3),
    ])
    slugs = [p.slug for p in papers]
    assert len(set(slugs)) == 3, slugs


# -- (iii) markup --------------------------------------------------------------------------------


@PROPERTY
@given(html_fragment)
@example("<table><a href='https://e.org'>x</a><td>y</table>")
@example("<p><pre>\n\nx</pre>")
@example("<pre>\n\n\nx</pre>")
@example("<a href='https://example.org/'><select><a href='https://example.org/'>x")
@example("<h1><a href='https://example.org/'><h1><object><a href='https://example.org/'>")
def test_the_sanitizer_output_is_safe_and_stable_when_parsed_again(markup: str) -> None:
    once = sanitize(markup)
    assert_safe(once)
    assert_converges(once)


@PROPERTY
@given(markdown_source)
@example("[x](javascript:alert(1)) <script>alert(2)</script> ![i](x.png)")
@example("<a href='jav&#x09;ascript:alert(1)'>x</a>")
def test_rendered_markdown_is_safe_and_stable_when_sanitized_again(source: str) -> None:
    rendered = str(render_markdown(source))
    assert_safe(rendered)
    assert_converges(rendered)


@PROPERTY
@given(markdown_only)
@example("# T\n\n> q\n\n- a\n- [b](https://e.org/ \"t\")\n\n    code\n\n"
         "| a | b |\n|---|---|\n| c | d |")
@example("[x](javascript:alert(1)) **[y](https://e.org/)** `c` &amp; &lt;script&gt;")
def test_markdown_without_raw_html_renders_to_a_fixed_point_of_the_sanitizer(source: str) -> None:
    """What Markdown itself writes is well nested, so sanitizing it again changes nothing."""
    rendered = str(render_markdown(source))
    assert sanitize(rendered) == pre_newline_dropped(rendered)


@pytest.mark.parametrize("source", [
    "<a href='https://e.org/'><select><a href='https://e.org/'>x",
    "text <a href='https://e.org/'>a<object><a href='https://x.org/'>b</a></object></a>",
    "<h1><a href='https://e.org/'>a<h1><a href='https://x.org/'>b",
])
def test_rendered_markdown_is_a_fixed_point_of_the_sanitizer(source: str) -> None:
    rendered = str(render_markdown(source))
    assert sanitize(rendered) == pre_newline_dropped(rendered)


LINK_TAG = re.compile(r'<a href="[^"<>]*" rel="nofollow noopener">|</a>')


@PROPERTY
@given(prose)
@example('see https://e.com/"onmouseover="alert(1) and <script>alert(2)</script>')
@example("{https://github.com/a/b}{https://x.org/<b>} &amp; &#60;")
def test_linkify_lets_no_angle_bracket_through_and_loses_no_text(text: str) -> None:
    html = str(linkify(text))
    assert "<" not in LINK_TAG.sub("", html), html
    parsed = parse_html(html)
    assert "".join(parsed.text) == text
    for tag, attrs in parsed.tags:
        assert tag == "a" and set(attrs) == {"href", "rel"}, (tag, attrs)
        assert scheme(str(attrs["href"])) in {"http", "https"}, attrs


@PROPERTY
@given(prose)
def test_paragraphs_escape_everything_and_keep_every_word(text: str) -> None:
    parts = [str(p) for p in paragraphs(text)]
    assert all("<" not in LINK_TAG.sub("", p) for p in parts), parts
    words = " ".join("".join(parse_html(p).text) for p in parts).split()
    assert words == text.split()
