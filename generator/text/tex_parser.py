"""The reader of inline TeX in titles and abstracts: a recursive descent that turns the text
into a tree of plain strings and styled runs (tex_nodes.py), math and commands converted
through the tables of tex_symbols.py. URLs are found first and copied untouched."""

from __future__ import annotations

import bisect
import re
import unicodedata

from generator.text.markup import find_urls
from generator.text.tex_nodes import Node, Styled, bracket, map_letters, node_text, plain
from generator.text.tex_symbols import (
    ACCENTS,
    BLACKBOARD,
    DROP_ONE_ARG,
    NOTHING,
    SCRIPT,
    STYLES,
    SWITCHES,
    SYMBOLS,
)

_ICON = re.compile(r"fa[A-Z]\w*")  # \faGithub, \faFile: Font Awesome icons, nothing to read
_NAME = re.compile(r"[A-Za-z]+")
# Two TeX leftovers around URLs in the seeds: \href{u}{u} that lost "\href" and its last
# brace, and a colour macro that lost its backslash ("blue{https://...}").
_HREF_TWICE = re.compile(r"(https?://[^\s{}\\]+)\}\{\1")
_COLOUR_WORD = re.compile(r"\b(?:blue|red|green|magenta|cyan|purple|orange)(?=\{https?://)")
# Bare superscripts whose "$" the listing dropped: R^2, 10^6, rangle^{-1}.
_BARE_SUP = re.compile(r"\^(\d+|\{[-+]?\d+\})")
_SPECIAL = re.compile(r"[{}\\$^_~`']")  # where the parser may have to act


def parse(s: str) -> tuple[Node, ...]:
    """The text as a tree of plain strings and styled runs, math and commands converted."""
    s = _COLOUR_WORD.sub("", _HREF_TWICE.sub(r"\1", s))
    urls = {start: end for start, end, _ in find_urls(s)}
    nodes, _ = _Parser(s, urls).run(0, math=False, in_group=False)
    return tuple(nodes)


_TEMPLATE_OPEN = ("{{", "{%", "{#")
# Groups and commands nested deeper than this are kept as written. The parser and the
# functions that read its tree recurse once per level (a few frames each), so an abstract of
# 300 nested "\textbf{" would end every build with a RecursionError; real TeX in titles and
# abstracts nests a handful of levels.
MAX_DEPTH = 40


class _Parser:
    """A recursive descent over the string; URLs (found beforehand) are copied untouched.
    `depth` counts the groups and commands open around the current position (MAX_DEPTH)."""

    def __init__(self, s: str, urls: dict[int, int], depth: int = 0) -> None:
        self.s = s
        self.urls = urls
        self.starts = sorted(urls)
        self.depth = depth

    def run(self, i: int, math: bool, in_group: bool) -> tuple[list[Node], int]:
        """Parse from i to the end, or to the "}" closing the current group (not consumed)."""
        s = self.s
        out: list[Node] = []
        while i < len(s):
            c = s[i]
            if i in self.urls:
                nodes, i = self.url(i)
                out.extend(nodes)
            elif not math and s.startswith(_TEMPLATE_OPEN, i):
                out.append(s[i:i + 2])  # "{{", "{%", "{#": template syntax is text, not TeX
                i += 2
            elif c == "}":
                if not math and (s[i - 1:i] in ("%", "#", "}") or s.startswith("}}", i)):
                    out.append("}")  # the close of "{{ x }}" or "{% x %}", kept as text
                    i += 1
                elif in_group:
                    return out, i
                else:
                    i += 1  # a stray closing brace: drop it
            elif c == "{":
                inner, i = self.group(i, math)
                out.extend(inner)
            elif c == "\\":
                nodes, i = self.command(i + 1, math)
                out.extend(nodes)
            elif c == "$" and not math and (span := self.math_span(i)) is not None:
                inner, i = self.inline_math(span)
                out.extend(inner)
            elif (marked := self.mark(i, math)) is not None:
                node, i = marked
                out.append(node)
            else:
                text, i = self.plain_run(i)
                out.append(text)
        return out, i

    def url(self, i: int) -> tuple[list[Node], int]:
        """The URL found at i, untouched, and the index after it; a space after it when the
        listing glued it to a word ("url{GitHub"), to keep the two apart."""
        s = self.s
        end = self.urls[i]
        out: list[Node] = [Styled("url", (s[i:end],))]
        j = end
        while j < len(s) and s[j] in "{}":
            j += 1
        if j > end and j < len(s) and s[j].isalnum():
            out.append(" ")
        return out, end

    def inline_math(self, span: tuple[int, int, int]) -> tuple[list[Node], int]:
        """The math of `span` (from math_span) read as math, and the index after its "$"."""
        start, stop, after = span
        inner, _ = _Parser(self.s[:stop], self.urls, self.depth).run(start, math=True,
                                                                     in_group=False)
        return inner, after

    def mark(self, i: int, math: bool) -> tuple[Node, int] | None:
        """The node a script (^ or _ in math, a bare ^2 outside), ~, a TeX quote or a prime at
        i makes, and the index after it; None when no such mark is at i."""
        s, c = self.s, self.s[i]
        if c in "^_" and math:
            arg, i = self.argument(i + 1, math)
            return Styled("sup" if c == "^" else "sub", tuple(arg)), i
        if c == "^" and (m := _BARE_SUP.match(s, i)):
            return Styled("sup", (m.group(1).strip("{}"),)), m.end()
        if c == "~":
            return " ", i + 1  # TeX's non-breaking space
        if not math and s.startswith(("``", "''"), i):
            return ("“" if c == "`" else "”"), i + 2
        if math and c == "'":
            return "′", i + 1
        return None

    def plain_run(self, i: int) -> tuple[str, int]:
        """Plain text from i to the next character that could start markup or a URL, and the
        index there; found by regex and bisection, not a Python loop over every character."""
        s = self.s
        found = _SPECIAL.search(s, i + 1)
        j = found.start() if found else len(s)
        at = bisect.bisect_right(self.starts, i)
        if at < len(self.starts) and self.starts[at] < j:
            j = self.starts[at]
        return s[i:j], j

    def math_span(self, i: int) -> tuple[int, int, int] | None:
        """(content start, content end, index after) of math opening with "$" or "$$" at i,
        by Pandoc's rule: the opening "$" has no space after it, the closing one no space
        before it and no digit after it, so "$20 and $30" stays money. None if not math."""
        s = self.s
        fence = "$$" if s.startswith("$$", i) else "$"
        start = i + len(fence)
        if start >= len(s) or s[start].isspace() or s[start] == "$":
            return None
        j = start
        while (j := s.find(fence, j)) != -1:
            if s[j - 1] == "\\":
                j += 1
                continue
            after = j + len(fence)
            if s[j - 1].isspace() or (after < len(s) and s[after].isdigit()):
                return None
            return start, j, after
        return None

    def group(self, i: int, math: bool) -> tuple[list[Node], int]:
        """The contents of the group opening at i (a "{"), and the index after its "}"; a
        group nested deeper than MAX_DEPTH is kept as written, braces and all."""
        if self.depth >= MAX_DEPTH:
            end = _group_end(self.s, i)
            return [self.s[i:end]], end
        self.depth += 1
        try:
            inner, j = self.run(i + 1, math, in_group=True)
        finally:
            self.depth -= 1
        return inner, j + 1  # past "}", or past the end when the group never closes

    def argument(self, i: int, math: bool) -> tuple[list[Node], int]:
        """One argument: a group, a command, or a single character; spaces before it skipped."""
        s = self.s
        while i < len(s) and s[i] == " ":
            i += 1
        if i >= len(s):
            return [], i
        if s[i] == "{":
            return self.group(i, math)
        if s[i] == "\\":
            return self.command(i + 1, math)
        return [s[i]], i + 1

    def optional(self, i: int) -> int:
        """Skip an optional argument [..] at i, if there is one."""
        if i < len(self.s) and self.s[i] == "[":
            close = self.s.find("]", i)
            return len(self.s) if close == -1 else close + 1
        return i

    def command(self, i: int, math: bool) -> tuple[list[Node], int]:
        """The command whose name starts at i (just after the backslash); one nested deeper
        than MAX_DEPTH is kept as written (its arguments are read as the text after it)."""
        m = _NAME.match(self.s, i)
        name = m.group(0) if m else self.s[i:i + 1]
        if self.depth >= MAX_DEPTH:
            return [self.s[i - 1:i + len(name)]], i + len(name)
        self.depth += 1
        try:
            return self.named(name, i + len(name), math)
        finally:
            self.depth -= 1

    def named(self, name: str, i: int, math: bool) -> tuple[list[Node], int]:
        """The command `name`, whose arguments (if any) start at i."""
        s = self.s
        if not name:
            return [], i  # a backslash at the very end
        if name in ACCENTS:
            arg, i = self.argument(i, math)
            text = "".join(node_text(n) for n in arg)
            if len(text) == 1:
                return [unicodedata.normalize("NFC", text + ACCENTS[name])], i
            return arg, i
        if name in SYMBOLS:
            return [SYMBOLS[name]], i
        if _ICON.fullmatch(name):  # "\faGithub~ https://...": the icon and its spacing go
            return [], self.skip_spaces(i, "~ ")
        if name in NOTHING:
            return [], i
        if name in DROP_ONE_ARG:
            _, i = self.argument(self.optional(i), math)
            return [], i
        if name in STYLES:
            arg, i = self.argument(i, math)
            return ([Styled(STYLES[name], tuple(arg))] if STYLES[name] else arg), i
        if name in SWITCHES:
            rest, i = self.run(self.skip_spaces(i, " "), math, in_group=True)
            return ([Styled(SWITCHES[name], tuple(rest))] if SWITCHES[name] else rest), i
        if name in ("mathcal", "mathscr", "mathbb"):
            arg, i = self.argument(i, math)
            table = BLACKBOARD if name == "mathbb" else SCRIPT
            return [map_letters(arg, table)], i
        if name == "textcolor":
            _, i = self.argument(self.optional(i), math)  # the colour
            return self.argument(i, math)
        if name in ("url", "href"):
            target, i = self.argument(i, math)
            if name == "url":
                return target, i
            shown, i = self.argument(i, math)
            if plain(shown).strip() == plain(target).strip():
                return shown, i
            return [*shown, " (", *target, ")"], i
        if name == "frac":
            top, i = self.argument(i, math)
            bottom, i = self.argument(i, math)
            return [*bracket(top), "/", *bracket(bottom)], i
        if name == "sqrt":
            arg, i = self.argument(self.optional(i), math)
            return ["√", *bracket(arg)], i
        if name == "footnote":
            arg, i = self.argument(i, math)
            return [" (", *arg, ")"], i
        # Unknown: its name is the best reading we have, kept apart from an argument.
        return [name, " "] if s.startswith("{", i) and not s.startswith("{}", i) else [name], i

    def skip_spaces(self, i: int, spaces: str) -> int:
        """The index of the first character from i that is not one of `spaces`."""
        while i < len(self.s) and self.s[i] in spaces:
            i += 1
        return i


def _group_end(s: str, i: int) -> int:
    """The index after the "}" closing the group that opens at i (the end of s if none),
    found by counting braces in one loop: what nests too deeply is not descended into.
    An escaped brace (\\{, \\}) does not count."""
    depth, j = 0, i
    while j < len(s):
        c = s[j]
        if c == "\\":
            j += 2
            continue
        depth += (c == "{") - (c == "}")
        j += 1
        if depth == 0:
            return j
    return len(s)
