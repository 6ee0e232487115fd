"""Inline TeX in titles and abstracts: raw text in, readable Unicode text (or escaped HTML) out."""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from markupsafe import Markup, escape

from generator.text.markup import find_urls


@dataclass(frozen=True, slots=True)
class Styled:
    """A run of converted text with one style: "sup", "sub", "em", "strong" or "url"."""

    style: str
    children: tuple[Node, ...]


Node = str | Styled

# Unicode has super- and subscript glyphs for digits, signs and some letters only; anything
# else falls back to ^(...) in text and <sup> in HTML.
SUPERSCRIPT = dict(zip(
    "0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδφχ*′⊤",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᵠᵡ*′ᵀ", strict=True))
SUBSCRIPT = dict(zip(
    "0123456789+-=()aehijklmnoprstuvxβγρφχ",
    "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ", strict=True))

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "varrho": "ϱ",
    "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ",
    "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ",
    "Omega": "Ω",
}
SYMBOLS = {
    **GREEK,
    "times": "×", "cdot": "·", "div": "÷", "pm": "±", "mp": "∓", "leq": "≤", "le": "≤",
    "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠", "approx": "≈", "sim": "∼", "simeq": "≃",
    "equiv": "≡", "propto": "∝", "ll": "≪", "gg": "≫", "infty": "∞", "to": "→",
    "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒", "Leftarrow": "⇐", "mapsto": "↦",
    "leftrightarrow": "↔", "iff": "⇔", "in": "∈", "notin": "∉", "subset": "⊂",
    "subseteq": "⊆", "supset": "⊃", "cup": "∪", "cap": "∩", "emptyset": "∅", "forall": "∀",
    "exists": "∃", "neg": "¬", "land": "∧", "lor": "∨", "partial": "∂", "nabla": "∇",
    "sum": "∑", "prod": "∏", "int": "∫", "ell": "ℓ", "circ": "∘", "star": "⋆", "ast": "∗",
    "oplus": "⊕", "otimes": "⊗", "langle": "⟨", "rangle": "⟩", "mid": "|", "vert": "|",
    "Vert": "‖", "|": "‖", "ldots": "…", "dots": "…", "cdots": "⋯", "prime": "′",
    "top": "⊤", "dagger": "†", "degree": "°", "quad": " ", "qquad": " ",
    # Text-mode macros from conference style files, and TeX's escaped characters.
    "eg": "e.g.", "ie": "i.e.", "etal": "et al.", "vs": "vs.", "cf": "cf.", "wrt": "w.r.t.",
    "etc": "etc.", "textasciitilde": "~", "textendash": "–", "textemdash": "—",
    "%": "%", "$": "$", "&": "&", "#": "#", "_": "_", "{": "{", "}": "}", " ": " ",
    ",": " ", ";": " ", ":": " ", "!": "", "\\": " ",
}
# Commands whose argument is shown in a style; "" shows it plain.
STYLES = {
    "textbf": "strong", "mathbf": "strong", "bm": "strong", "boldsymbol": "strong",
    "textit": "em", "emph": "em", "mathit": "em", "textsl": "em", "underline": "em",
    "text": "", "textrm": "", "mathrm": "", "textsf": "", "mathsf": "", "texttt": "",
    "mathtt": "", "operatorname": "", "textnormal": "", "mbox": "", "hbox": "", "textsc": "",
}
# Old-style switches: {\em x}, {\bf x} style the rest of their group.
SWITCHES = {"em": "em", "it": "em", "sl": "em", "bf": "strong", "rm": "", "sc": "", "tt": "",
            "sf": "", "normalfont": ""}
DROP_ONE_ARG = {"cite", "citep", "citet", "ref", "eqref", "label", "color", "vspace", "hspace",
                "footnotemark", "faIcon"}
NOTHING = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
           "displaystyle", "textstyle", "limits", "nolimits", "noindent", "centering"}
ACCENTS = {"'": "\u0301", '"': "\u0308", "`": "\u0300", "^": "\u0302", "~": "\u0303",
           "=": "\u0304", ".": "\u0307", "hat": "\u0302", "bar": "\u0304", "tilde": "\u0303",
           "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308", "overline": "\u0305",
           "widehat": "\u0302", "widetilde": "\u0303"}

_ICON = re.compile(r"fa[A-Z]\w*")  # \faGithub, \faFile: Font Awesome icons, nothing to read
_NAME = re.compile(r"[A-Za-z]+")
# Two TeX leftovers around URLs in the seeds: \href{u}{u} that lost "\href" and its last
# brace, and a colour macro that lost its backslash ("blue{https://...}").
_HREF_TWICE = re.compile(r"(https?://[^\s{}\\]+)\}\{\1")
_COLOUR_WORD = re.compile(r"\b(?:blue|red|green|magenta|cyan|purple|orange)(?=\{https?://)")
# Bare superscripts whose "$" the listing dropped: R^2, 10^6, rangle^{-1}.
_BARE_SUP = re.compile(r"\^(\d+|\{[-+]?\d+\})")
_SPECIAL = re.compile(r"[{}\\$^_~`']")  # where the parser may have to act
# Text with none of these reads the same as TeX and as plain text (most abstracts).
_MARKUP = re.compile(r"[{}\\$^~]|``|''")


def tex_to_text(s: str) -> str:
    """Inline TeX as plain Unicode: $^3$ -> ³, $\\alpha$ -> α, {\\em x} -> x, \\% -> %."""
    if not _MARKUP.search(s):
        return s
    return "".join(_text(n) for n in parse(s))


def tex_to_html(s: str) -> Markup:
    """Inline TeX as escaped HTML: <sup>/<sub> where Unicode has no glyph, <em>, <strong>,
    and URLs as links; nothing from the input passes unescaped."""
    if not _MARKUP.search(s) and "://" not in s:  # plain text without a URL (most titles)
        return escape(s)
    return Markup("").join(_html(n) for n in parse(s))


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
                end = self.urls[i]
                out.append(Styled("url", (s[i:end],)))
                i = end
                j = i
                while j < len(s) and s[j] in "{}":
                    j += 1
                if j > i and j < len(s) and s[j].isalnum():  # "url{GitHub": keep them apart
                    out.append(" ")
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
                start, stop, after = span
                inner, _ = _Parser(s[:stop], self.urls, self.depth).run(start, math=True,
                                                                        in_group=False)
                out.extend(inner)
                i = after
            elif c in "^_" and math:
                arg, i = self.argument(i + 1, math)
                out.append(Styled("sup" if c == "^" else "sub", tuple(arg)))
            elif c == "^" and (m := _BARE_SUP.match(s, i)):
                out.append(Styled("sup", (m.group(1).strip("{}"),)))
                i = m.end()
            elif c == "~":
                out.append(" ")  # TeX's non-breaking space
                i += 1
            elif not math and s.startswith(("``", "''"), i):
                out.append("“" if c == "`" else "”")
                i += 2
            elif math and c == "'":
                out.append("′")
                i += 1
            else:
                # Plain text runs to the next character that could start markup or a URL;
                # found by regex and bisection, not a Python loop over every character.
                found = _SPECIAL.search(s, i + 1)
                j = found.start() if found else len(s)
                at = bisect.bisect_right(self.starts, i)
                if at < len(self.starts) and self.starts[at] < j:
                    j = self.starts[at]
                out.append(s[i:j])
                i = j
        return out, i

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
            text = "".join(_text(n) for n in arg)
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
            return [_map_letters(arg, table)], i
        if name == "textcolor":
            _, i = self.argument(self.optional(i), math)  # the colour
            return self.argument(i, math)
        if name in ("url", "href"):
            target, i = self.argument(i, math)
            if name == "url":
                return target, i
            shown, i = self.argument(i, math)
            if _plain(shown).strip() == _plain(target).strip():
                return shown, i
            return [*shown, " (", *target, ")"], i
        if name == "frac":
            top, i = self.argument(i, math)
            bottom, i = self.argument(i, math)
            return [*_bracket(top), "/", *_bracket(bottom)], i
        if name == "sqrt":
            arg, i = self.argument(self.optional(i), math)
            return ["√", *_bracket(arg)], i
        if name == "footnote":
            arg, i = self.argument(i, math)
            return [" (", *arg, ")"], i
        # Unknown: its name is the best reading we have, kept apart from an argument.
        return [name, " "] if s.startswith("{", i) and not s.startswith("{}", i) else [name], i

    def skip_spaces(self, i: int, spaces: str) -> int:
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


def _script_table(start: int, exceptions: dict[str, str]) -> dict[str, str]:
    table = {chr(65 + n): chr(start + n) for n in range(26)}
    table.update(exceptions)
    return table


# Mathematical script and double-struck capitals; the gaps in those Unicode blocks are letters
# that were encoded earlier, in Letterlike Symbols.
SCRIPT = _script_table(0x1D49C, {"B": "ℬ", "E": "ℰ", "F": "ℱ", "H": "ℋ", "I": "ℐ", "L": "ℒ",
                                 "M": "ℳ", "R": "ℛ"})
BLACKBOARD = _script_table(0x1D538, {"C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ",
                                     "R": "ℝ", "Z": "ℤ"})


def _map_letters(nodes: list[Node], table: dict[str, str]) -> str:
    return "".join(table.get(c, c) for c in _plain(nodes))


def _plain(nodes: list[Node] | tuple[Node, ...]) -> str:
    return "".join(_text(n) for n in nodes)


def _bracket(nodes: list[Node]) -> list[Node]:
    """a/b stays a/b, but (a+b)/c needs its parentheses once the fraction bar is gone."""
    return nodes if len(_plain(nodes).strip()) <= 1 else ["(", *nodes, ")"]


def _scripted(style: str, text: str) -> str | None:
    """text in Unicode super- or subscripts, or None if some character has no such glyph."""
    table = SUPERSCRIPT if style == "sup" else SUBSCRIPT
    text = text.replace(" ", "")  # TeX ignores spaces in math
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    return None


def _text(node: Node) -> str:
    if isinstance(node, str):
        return node
    inner = _plain(node.children)
    if node.style in ("sup", "sub"):
        scripted = _scripted(node.style, inner)
        if scripted is not None:
            return scripted
        mark = "^" if node.style == "sup" else "_"
        compact = inner.replace(" ", "")
        return f"{mark}{compact}" if len(compact) <= 1 else f"{mark}({compact})"
    return inner


def _html(node: Node) -> Markup:
    if isinstance(node, str):
        return escape(node)
    if node.style == "url":
        url = _plain(node.children)
        return Markup('<a href="{0}" rel="nofollow noopener">{0}</a>').format(url)
    if node.style in ("sup", "sub"):
        scripted = _scripted(node.style, _plain(node.children))
        if scripted is not None:
            return escape(scripted)
    inner = Markup("").join(_html(n) for n in node.children)
    if node.style in ("sup", "sub", "em", "strong"):
        return Markup("<{0}>{1}</{0}>").format(Markup(node.style), inner)
    return inner
