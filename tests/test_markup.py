"""Untrusted text into HTML: escaped, links clickable and unmangled, Markdown sanitized."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from generator.text.markup import (
    _ABBREVIATION,
    _SENTENCE_END,
    find_urls,
    linkify,
    paragraphs,
    render_markdown,
    sentences,
)


def test_linkify_escapes_markup_and_links_urls() -> None:
    html = str(linkify("<b>bold</b> & code at https://github.com/a/b."))
    assert html.startswith("&lt;b&gt;bold&lt;/b&gt; &amp; code at ")
    assert '<a href="https://github.com/a/b" rel="nofollow noopener">https://github.com/a/b</a>.' in html


def test_urls_lose_tex_braces_and_trailing_punctuation() -> None:
    text = ("at https://github.com/NJU-RL/ACORM}{https://github.com/NJU-RL/ACORM. and "
            "{https://github.com/zahrag/BIOSCAN-5M} and https://x.org/a_(b), see (https://y.io/z).")
    assert [u for _, _, u in find_urls(text)] == [
        "https://github.com/NJU-RL/ACORM", "https://github.com/NJU-RL/ACORM",
        "https://github.com/zahrag/BIOSCAN-5M", "https://x.org/a_(b)", "https://y.io/z"]


def test_a_quote_in_a_url_cannot_break_out_of_the_attribute() -> None:
    html = str(linkify('see https://e.com/"onmouseover="alert(1)'))
    assert '<a href="https://e.com/" rel="nofollow noopener">' in html
    assert '"onmouseover' not in html and "&#34;onmouseover=&#34;alert(1)" in html


def test_markdown_is_sanitized() -> None:
    html = str(render_markdown("Hi <script>alert(1)</script> [x](javascript:alert(2)) "
                               "<img src=x onerror=alert(3)> **ok**"))
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html
    assert "<strong>ok</strong>" in html


def test_long_abstracts_become_paragraphs_at_sentence_ends() -> None:
    sentence = "We propose a method for learning skills from data without any labels at all. "
    parts = paragraphs(sentence * 12)
    assert len(parts) >= 2
    assert all(str(p).endswith("labels at all.") for p in parts)
    assert sentences("We use e.g. DQN. It works.") == ["We use e.g. DQN.", "It works."]


def _sentences_searching_everything(text: str) -> list[str]:
    """sentences() as it was: the abbreviation searched for in the whole sentence so far."""
    out: list[str] = []
    for piece in _SENTENCE_END.split(text):
        if out and _ABBREVIATION.search(out[-1]):
            out[-1] += " " + piece
        else:
            out.append(piece)
    return out


@given(st.lists(st.sampled_from(["e.g.", "i.e.", "et al.", "approx.", "Fig.", "No.", "A.",
                                 "x.", "Xe.g.", "resp.", "word", "Word", "2.", " ", "  ",
                                 "\n", ".", "!", "?", "(", "[", "'"]), max_size=40))
def test_a_sentence_end_is_found_by_its_last_characters_alone(words: list[str]) -> None:
    text = " ".join(words)
    assert sentences(text) == _sentences_searching_everything(text)
