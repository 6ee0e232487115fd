"""The tree the TeX reader (tex_parser.py) makes: plain strings and styled runs, and how a
tree reads as plain text (super- and subscripts as Unicode glyphs where Unicode has them)."""

from __future__ import annotations

from dataclasses import dataclass

from generator.text.tex_symbols import SUBSCRIPT, SUPERSCRIPT


@dataclass(frozen=True, slots=True)
class Styled:
    """A run of converted text with one style: "sup", "sub", "em", "strong" or "url"."""

    style: str
    children: tuple[Node, ...]


Node = str | Styled


def map_letters(nodes: list[Node], table: dict[str, str]) -> str:
    """The nodes' text with each letter replaced by its `table` form (script, double-struck)."""
    return "".join(table.get(c, c) for c in plain(nodes))


def plain(nodes: list[Node] | tuple[Node, ...]) -> str:
    """The nodes as plain text (node_text of each)."""
    return "".join(node_text(n) for n in nodes)


def bracket(nodes: list[Node]) -> list[Node]:
    """a/b stays a/b, but (a+b)/c needs its parentheses once the fraction bar is gone."""
    return nodes if len(plain(nodes).strip()) <= 1 else ["(", *nodes, ")"]


def scripted(style: str, text: str) -> str | None:
    """text in Unicode super- or subscripts, or None if some character has no such glyph."""
    table = SUPERSCRIPT if style == "sup" else SUBSCRIPT
    text = text.replace(" ", "")  # TeX ignores spaces in math
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    return None


def node_text(node: Node) -> str:
    """A node as plain text: a script as Unicode glyphs, else as ^x or ^(x+y); styles dropped."""
    if isinstance(node, str):
        return node
    inner = plain(node.children)
    if node.style in ("sup", "sub"):
        glyphs = scripted(node.style, inner)
        if glyphs is not None:
            return glyphs
        mark = "^" if node.style == "sup" else "_"
        compact = inner.replace(" ", "")
        return f"{mark}{compact}" if len(compact) <= 1 else f"{mark}({compact})"
    return inner
