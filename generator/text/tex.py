"""Inline TeX in titles and abstracts: raw text in, readable Unicode text (or escaped HTML) out.

The reader is tex_parser.py (its tables in tex_symbols.py); it makes a tree of strings and
styled runs (tex_nodes.py), which this module writes as text or HTML.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from generator.text.tex_nodes import Node, node_text, plain, scripted
from generator.text.tex_parser import parse

# Text with none of these reads the same as TeX and as plain text (most abstracts).
_MARKUP = re.compile(r"[{}\\$^~]|``|''")


def tex_to_text(s: str) -> str:
    """Inline TeX as plain Unicode: $^3$ -> ³, $\\alpha$ -> α, {\\em x} -> x, \\% -> %."""
    if not _MARKUP.search(s):
        return s
    return "".join(node_text(n) for n in parse(s))


def tex_to_html(s: str) -> Markup:
    """Inline TeX as escaped HTML: <sup>/<sub> where Unicode has no glyph, <em>, <strong>,
    and URLs as links; nothing from the input passes unescaped."""
    if not _MARKUP.search(s) and "://" not in s:  # plain text without a URL (most titles)
        return escape(s)
    return Markup("").join(_html(n) for n in parse(s))


def _html(node: Node) -> Markup:
    """A node as escaped HTML: a script as Unicode glyphs where it can be, else <sup>/<sub>."""
    if isinstance(node, str):
        return escape(node)
    if node.style == "url":
        url = plain(node.children)
        return Markup('<a href="{0}" rel="nofollow noopener">{0}</a>').format(url)
    if node.style in ("sup", "sub"):
        glyphs = scripted(node.style, plain(node.children))
        if glyphs is not None:
            return escape(glyphs)
    inner = Markup("").join(_html(n) for n in node.children)
    if node.style in ("sup", "sub", "em", "strong"):
        return Markup("<{0}>{1}</{0}>").format(Markup(node.style), inner)
    return inner
