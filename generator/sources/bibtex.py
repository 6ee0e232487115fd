"""Parser for BibTeX as Zotero and Better BibTeX export it: entries, @string macros, TeX text.

The reader follows BibTeX's own rules: text outside an entry is a comment; @comment and
@preamble are skipped; values are {braced}, "quoted", numbers or macro names joined by #;
braces only group and protect case. Field text is decoded from TeX (accents, \\ss, escaped
specials, dashes, ~) while $math$ is kept as written, as every other source keeps it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from ..errors import SourceError
from .fields import arxiv_id, check_sizes, clean_names, clean_text, parse_date, record
from .hf_listing import Parsed, RawListing

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
# Fields that hold a URL, an identifier or a path: BibTeX and biblatex take them verbatim.
VERBATIM = frozenset({"url", "doi", "eprint", "file", "urldate", "isbn", "issn"})

_ENTRY_START = re.compile(r"@\s*([A-Za-z]\w*)\s*([{(])")
_NAME = re.compile(r"[A-Za-z_][\w:.+/-]*")
_KEY = re.compile(r"[^\s,{}()=\"#%]*")
_NEXT_ENTRY = re.compile(r"^[ \t]*@", re.M)

# TeX's accent commands and the Unicode combining mark each one stands for.
ACCENTS = {"'": "\u0301", '"': "\u0308", "`": "\u0300", "^": "\u0302",
           "~": "\u0303",
           "=": "\u0304", ".": "\u0307", "c": "\u0327", "v": "\u030c", "u": "\u0306",
           "H": "\u030b", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331"}
LETTERS = {"ss": "ß", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ",
           "oe": "œ", "OE": "Œ", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð",
           "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ", "SS": "SS"}
SYMBOLS = {"textbraceleft": "{", "textbraceright": "}", "textbackslash": "\\",
           "textasciitilde": "~", "textasciicircum": "^", "textunderscore": "_",
           "textdollar": "$", "textless": "<", "textgreater": ">", "textbar": "|",
           "textendash": "–", "textemdash": "—", "ldots": "…", "dots": "…",
           "textquotedbl": '"', "textquoteright": "’", "textquoteleft": "‘", "S": "§",
           "P": "¶", "copyright": "©", "textregistered": "®", "texttrademark": "™",
           "euro": "€", "pounds": "£", "textdegree": "°", "guillemotleft": "«",
           "guillemotright": "»", "textperiodcentered": "·", "textellipsis": "…"}
# Formatting commands whose argument is the text itself.
STYLES = frozenset({"textit", "emph", "textbf", "textsc", "textrm", "texttt", "textsf",
                    "textup", "textnormal", "textsl", "mkbibemph", "mkbibbold", "enquote",
                    "mbox", "url", "nolinkurl", "NoCaseChange", "textsubscript",
                    "textsuperscript"})
ESCAPED = set("&%$#_{} ")


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


def sniff_bibtex(text: str) -> bool:
    """True when the first line that is not blank or a % comment starts a BibTeX entry."""
    for line in text.split("\n", 200)[:200]:
        stripped = line.strip()
        if stripped and not stripped.startswith("%"):
            return _ENTRY_START.match(stripped) is not None
    return False


def parse_bibtex(text: str, path: str) -> Parsed:
    """Every entry with a title, as a listing at its title's line; bad entries reported."""
    entries, problems = read_bibtex(text, path)
    records: list[RawListing] = []
    for entry in entries:
        try:
            records.append(_to_record(entry, path))
        except SourceError as err:
            problems.append(err)
    if not records and not problems:
        raise SourceError(path, 1, "no BibTeX entries found")
    return records, problems


def read_bibtex(text: str, path: str) -> tuple[list[BibEntry], list[SourceError]]:
    """The entries of a .bib text, with @string macros expanded; a broken entry is a problem
    and reading goes on at the next line that starts with "@"."""
    macros = {m: name for m, name in zip(MONTHS, MONTH_NAMES, strict=True)}
    entries: list[BibEntry] = []
    problems: list[SourceError] = []
    lines = _LineIndex(text)
    pos = 0
    while (at := text.find("@", pos)) >= 0:
        start = _ENTRY_START.match(text, at)
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
    """The offset after the group that opens at pos with { or (, braces balanced."""
    closer = "}" if text[pos] == "{" else ")"
    depth, i = 0, pos + 1
    while i < len(text):
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


# -- from entry to listing --------------------------------------------------------------------


def _to_record(entry: BibEntry, path: str) -> RawListing:
    f = entry.fields
    line = entry.field_lines.get("title", entry.line)
    title = decode_tex(f.get("title", ""))
    abstract = decode_tex(f.get("abstract", ""))
    if not title:
        raise SourceError(path, entry.line, f"@{entry.kind}{{{entry.key} has no title; skipped")
    check_sizes(path, line, title, abstract)
    prefix = (f.get("archiveprefix") or f.get("eprinttype") or "").strip().lower()
    eprint = f.get("eprint", "")
    ident = arxiv_id(eprint, bare=prefix in ("arxiv", "")) if eprint else ""
    for name in ("url", "doi", "note", "journal", "journaltitle", "howpublished", "eprint"):
        ident = ident or arxiv_id(f.get(name, ""))
    primary = f.get("primaryclass", "") or f.get("eprintclass", "")
    return record(title, abstract, line, entry.field_lines.get("abstract", line),
                  authors=parse_names(f.get("author", "")), ident=ident,
                  published=_date(f), url=f.get("url", "").strip(),
                  categories=(primary.strip(),) if primary.strip() else ())


def _date(fields: dict[str, str]) -> dt.date | None:
    """A full day from `date` (biblatex) or year/month/day; a year or month alone says too
    little to show as a publication day, so it gives None."""
    if fields.get("date"):
        return parse_date(fields["date"])
    year, month, day = (fields.get(k, "").strip() for k in ("year", "month", "day"))
    number = _month_number(month)
    if year.isdigit() and number and day.isdigit():
        try:
            return dt.date(int(year), number, int(day))
        except ValueError:
            return None
    return None


def _month_number(month: str) -> int:
    if month.isdigit():
        return int(month) if 1 <= int(month) <= 12 else 0
    key = month.strip().lower()[:3]
    return MONTHS.index(key) + 1 if key in MONTHS else 0


def parse_names(raw: str) -> tuple[str, ...]:
    """BibTeX names ("Last, First and First Last and {Org}") as "First Last" strings."""
    names = []
    for name in _split_top(raw, " and "):
        name = name.strip()
        if not name or name.lower() == "others":
            continue
        parts = [p.strip() for p in _split_top(name, ",")]
        if len(parts) == 2:  # Last, First
            parts = [parts[1], parts[0]]
        elif len(parts) >= 3:  # Last, Jr, First
            parts = [parts[2], parts[0], parts[1]]
        names.append(" ".join(decode_tex(p) for p in parts if p))
    return clean_names(names)


def _split_top(text: str, sep: str) -> list[str]:
    """Split at `sep` (case-insensitive, surrounded by white space for " and ") outside braces."""
    out, depth, start, i = [], 0, 0, 0
    lowered = text.lower()
    pattern = re.compile(r"\s+and\s+", re.I) if sep == " and " else None
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0:
            if pattern is not None:
                m = pattern.match(text, i) if ch.isspace() else None
                if m is not None:
                    out.append(text[start:i])
                    start = i = m.end()
                    continue
            elif lowered.startswith(sep, i):
                out.append(text[start:i])
                start = i = i + len(sep)
                continue
        i += 1
    out.append(text[start:])
    return out


# -- TeX to text ------------------------------------------------------------------------------


def decode_tex(raw: str) -> str:
    """BibTeX field text as clean Unicode: accents composed, specials unescaped, protective
    braces dropped, -- and --- as dashes, ~ as a space; $math$ kept verbatim."""
    return clean_text(unicodedata.normalize("NFC", _decode(raw)))


def _decode(raw: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\":
            text, i = _command(raw, i)
            out.append(text)
        elif ch == "$":
            end = raw.find("$", i + 1)
            while end > 0 and raw[end - 1] == "\\":
                end = raw.find("$", end + 1)
            if end < 0:
                out.append(raw[i:])
                break
            out.append(raw[i: end + 1])
            i = end + 1
        elif ch in "{}":
            i += 1
        elif raw.startswith("---", i):
            out.append("—")
            i += 3
        elif raw.startswith("--", i):
            out.append("–")
            i += 2
        elif ch == "~":
            out.append(" ")
            i += 1
        elif raw.startswith("``", i):
            out.append("“")
            i += 2
        elif raw.startswith("''", i):
            out.append("”")
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _command(raw: str, i: int) -> tuple[str, int]:
    """Decode the command at raw[i] == "\\"; return its text and the offset after it."""
    nxt = raw[i + 1: i + 2]
    if nxt == "\\":
        return " ", i + 2
    if nxt and nxt in ACCENTS and not nxt.isalpha():
        return _accent(raw, i + 2, ACCENTS[nxt])
    if nxt in ESCAPED:
        return nxt, i + 2
    if nxt in ",;:!":  # TeX's thin, medium and thick spaces, and the negative one
        return ("" if nxt == "!" else " "), i + 2
    m = re.compile(r"[A-Za-z]+").match(raw, i + 1)
    if m is None:
        return nxt, i + 2  # \- (a hyphenation hint) and other one-character commands
    name, end = m.group(0), m.end()
    if name in ACCENTS:  # \c{c}, \v s
        return _accent(raw, _blank(raw, end), ACCENTS[name])
    if name in LETTERS or name in SYMBOLS:
        after = _blank(raw, end)
        if raw.startswith("{}", after):
            after += 2
        return (LETTERS.get(name) or SYMBOLS[name]), after
    if name in STYLES:
        after = _blank(raw, end)
        if raw.startswith("{", after):
            close = _group_end(raw, after)
            return _decode(raw[after + 1: close]), close + 1
        return "", after
    return raw[i:end], end  # unknown: kept as written, like TeX in any other source


def _accent(raw: str, pos: int, mark: str) -> tuple[str, int]:
    """The accented letter that follows: \\'e, \\'{e}, \\'{\\i}, \\c c."""
    if raw.startswith("{", pos):
        close = _group_end(raw, pos)
        base = _decode(raw[pos + 1: close])
        end = close + 1
    elif raw.startswith("\\", pos):
        base, end = _command(raw, pos)
    else:
        base, end = raw[pos: pos + 1], pos + 1
    base = {"ı": "i", "ȷ": "j"}.get(base[:1], base[:1]) + base[1:]
    return (base[:1] + mark + base[1:]) if base else mark, end


def _group_end(raw: str, pos: int) -> int:
    """The offset of the brace that closes the group opening at pos (or the text's end)."""
    depth = 0
    i = pos
    while i < len(raw):
        if raw[i] == "\\":
            i += 2
            continue
        if raw[i] == "{":
            depth += 1
        elif raw[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(raw)


def _blank(raw: str, pos: int) -> int:
    while pos < len(raw) and raw[pos] in " \t\n":
        pos += 1
    return pos
