"""BibTeX's syntax: a .bib text read into entries as written (type, key, raw field values and
their lines), @string macros expanded, TeX left for bibtex_tex.decode_tex.

The reader follows BibTeX's own rules: text outside an entry is a comment; @comment and
@preamble are skipped; values are {braced}, "quoted", numbers or macro names joined by #;
a broken entry is reported and reading goes on at the next line that starts with "@".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.errors import SourceError

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")

ENTRY_START = re.compile(r"@\s*([A-Za-z]\w*)\s*([{(])")
_NAME = re.compile(r"[A-Za-z_][\w:.+/-]*")
_KEY = re.compile(r"[^\s,{}()=\"#%]*")
_NEXT_ENTRY = re.compile(r"^[ \t]*@", re.M)
_GROUP_STOPS = {"}": re.compile(r"[\\{}]"), ")": re.compile(r"[\\{})]")}


@dataclass(frozen=True)
class BibEntry:
    """One entry as written: its type, key, raw field values and the lines they start on."""

    kind: str  # lower case: "article", "misc", ...
    key: str
    fields: dict[str, str]  # lower-case name -> raw value, macros expanded, TeX not decoded
    line: int  # the line of the "@"
    field_lines: dict[str, int]


class _Fail(Exception):
    """A syntax error inside one entry, at a character offset."""

    def __init__(self, pos: int, reason: str) -> None:
        super().__init__(reason)
        self.pos, self.reason = pos, reason


def read_bibtex(text: str, path: str) -> tuple[list[BibEntry], list[SourceError]]:
    """The entries of a .bib text, with @string macros expanded; a broken entry is a problem
    and reading goes on at the next line that starts with "@"."""
    macros = {m: name for m, name in zip(MONTHS, MONTH_NAMES, strict=True)}
    entries: list[BibEntry] = []
    problems: list[SourceError] = []
    lines = _LineIndex(text)
    pos = 0
    while (at := text.find("@", pos)) >= 0:
        start = ENTRY_START.match(text, at)
        if start is None:
            pos = at + 1
            continue
        kind, closer = start.group(1).lower(), "}" if start.group(2) == "{" else ")"
        try:
            if kind in ("comment", "preamble"):
                pos = _skip_group(text, start.end() - 1)
            elif kind == "string":
                pos = _read_string(text, start.end(), closer, macros)
            else:
                entry, pos = _read_entry(text, start.end(), closer, kind, macros, lines)
                entries.append(entry)
        except _Fail as fail:
            problems.append(SourceError(path, lines.line(fail.pos),
                                        f"{fail.reason}; this entry is skipped"))
            resume = _NEXT_ENTRY.search(text, max(fail.pos, at + 1))
            pos = resume.start() if resume else len(text)
    return entries, problems


class _LineIndex:
    """Line numbers of offsets, counted incrementally (offsets only grow while reading)."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.count = text, 0, 1

    def line(self, pos: int) -> int:
        if pos < self.pos:
            return self.text.count("\n", 0, pos) + 1
        self.count += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.count


def _read_entry(text: str, pos: int, closer: str, kind: str, macros: dict[str, str],
                lines: _LineIndex) -> tuple[BibEntry, int]:
    line = lines.line(pos)
    pos = _space(text, pos)
    key_match = _KEY.match(text, pos)
    key = key_match.group(0) if key_match else ""
    pos = _space(text, key_match.end() if key_match else pos)
    fields: dict[str, str] = {}
    field_lines: dict[str, int] = {}
    while True:
        if text.startswith(closer, pos):
            return BibEntry(kind, key, fields, line, field_lines), pos + 1
        if not text.startswith(",", pos):
            raise _Fail(pos, f"expected ',' or '{closer}' in @{kind}{{{key}")
        pos = _space(text, pos + 1)
        if text.startswith(closer, pos):  # a trailing comma
            continue
        name = _NAME.match(text, pos)
        if name is None:
            raise _Fail(pos, f"expected a field name in @{kind}{{{key}")
        field_lines[name.group(0).lower()] = lines.line(pos)
        pos = _space(text, name.end())
        if not text.startswith("=", pos):
            raise _Fail(pos, f"expected '=' after {name.group(0)} in @{kind}{{{key}")
        value, pos = _read_value(text, _space(text, pos + 1), macros)
        fields[name.group(0).lower()] = value
        pos = _space(text, pos)


def _read_string(text: str, pos: int, closer: str, macros: dict[str, str]) -> int:
    name = _NAME.match(text, _space(text, pos))
    if name is None:
        raise _Fail(pos, "expected a macro name in @string")
    pos = _space(text, name.end())
    if not text.startswith("=", pos):
        raise _Fail(pos, f"expected '=' after @string{{{name.group(0)}")
    value, pos = _read_value(text, _space(text, pos + 1), macros)
    pos = _space(text, pos)
    if not text.startswith(closer, pos):
        raise _Fail(pos, f"expected '{closer}' to close @string{{{name.group(0)}")
    macros[name.group(0).lower()] = value
    return pos + 1


def _read_value(text: str, pos: int, macros: dict[str, str]) -> tuple[str, int]:
    """Pieces joined by #: a {group} or "quoted" text (without its delimiters), a number, or
    a macro name (an unknown one reads as empty, as BibTeX does after its warning)."""
    parts: list[str] = []
    while True:
        if text.startswith("{", pos):
            end = _skip_group(text, pos)
            parts.append(text[pos + 1: end - 1])
            pos = end
        elif text.startswith('"', pos):
            end = _skip_quoted(text, pos)
            parts.append(text[pos + 1: end - 1])
            pos = end
        elif (number := re.compile(r"\d+").match(text, pos)) is not None:
            parts.append(number.group(0))
            pos = number.end()
        elif (name := _NAME.match(text, pos)) is not None:
            parts.append(macros.get(name.group(0).lower(), ""))
            pos = name.end()
        else:
            raise _Fail(pos, "expected a value ({...}, \"...\", a number or a macro name)")
        pos = _space(text, pos)
        if not text.startswith("#", pos):
            return "".join(parts), pos
        pos = _space(text, pos + 1)


def _skip_group(text: str, pos: int) -> int:
    """The offset after the group that opens at pos with { or (, braces balanced; it jumps
    from one brace or backslash to the next, as a group may hold a long abstract."""
    closer = "}" if text[pos] == "{" else ")"
    stops = _GROUP_STOPS[closer]
    depth, i = 0, pos + 1
    while (stop := stops.search(text, i)) is not None:
        i = stop.start()
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}" and depth > 0:
            depth -= 1
        elif ch == closer and depth == 0:
            return i + 1
        i += 1
    raise _Fail(pos, "unbalanced braces: the group is never closed")


def _skip_quoted(text: str, pos: int) -> int:
    depth, i = 0, pos + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            return i + 1
        i += 1
    raise _Fail(pos, "unterminated quoted value")


def _space(text: str, pos: int) -> int:
    """Skip white space and % comments between tokens."""
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
        elif text[pos] == "%":
            end = text.find("\n", pos)
            pos = len(text) if end < 0 else end + 1
        else:
            break
    return pos
