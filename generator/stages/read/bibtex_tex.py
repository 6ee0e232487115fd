"""BibTeX field text decoded from TeX to Unicode: accents composed (\\'e, \\c{c}, \\v s),
letters and symbols by name (\\ss, \\o, \\textendash), escaped specials unescaped,
protective braces dropped, -- and --- as dashes, ~ as a space; $math$ is kept as written, as
every other source keeps it.
"""

from __future__ import annotations

import re
import unicodedata

from generator.stages.read.fields import clean_text

_WORD = re.compile(r"[A-Za-z]+")
_SPECIAL = re.compile(r"[\\${}~`'-]")  # what _decode does not copy as it is

# TeX's accent commands and the Unicode combining mark each one stands for.
ACCENTS = {"'": "\u0301", '"': "\u0308", "`": "\u0300", "^": "\u0302",
           "~": "\u0303",
           "=": "\u0304", ".": "\u0307", "c": "\u0327", "v": "\u030c", "u": "\u0306",
           "H": "\u030b", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331"}
LETTERS = {"ss": "ß", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ",
           "oe": "œ", "OE": "Œ", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð",
           "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ", "SS": "SS", "imath": "ı", "jmath": "ȷ"}
# An accent with nothing under it, as in \~{} (how Mendeley writes a literal ~).
SPACING = {"~": "~", "^": "^", "`": "`", "'": "´", '"': "¨", "=": "¯", ".": "˙", "u": "˘",
           "v": "ˇ", "H": "˝", "c": "¸", "k": "˛", "r": "˚"}
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
# Old-style font switches ({\\it ...}, {\\em ...}): the text after them is the text.
SWITCHES = frozenset({"it", "bf", "em", "sc", "rm", "tt", "sf", "sl", "itshape", "bfseries",
                      "scshape", "slshape", "upshape", "mdseries", "rmfamily", "sffamily",
                      "ttfamily", "normalfont"})
ESCAPED = set("&%$#_{} ")


def decode_tex(raw: str) -> str:
    """BibTeX field text as clean Unicode: accents composed, specials unescaped, protective
    braces dropped, -- and --- as dashes, ~ as a space; $math$ kept verbatim."""
    return clean_text(unicodedata.normalize("NFC", _decode(raw)))


def _decode(raw: str) -> str:
    """Plain runs are copied whole and only the characters TeX treats specially are looked
    at one by one: abstracts are long, and a library has thousands of them."""
    out: list[str] = []
    i = 0
    while (special := _SPECIAL.search(raw, i)) is not None:
        out.append(raw[i: special.start()])
        i = special.start()
        ch = raw[i]
        if ch == "\\":
            text, i = _command(raw, i)
            out.append(text)
        elif ch == "$":
            end = raw.find("$", i + 1)
            while end > 0 and raw[end - 1] == "\\":
                end = raw.find("$", end + 1)
            if end < 0:
                end = len(raw) - 1
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
    out.append(raw[i:])
    return "".join(out)


def _command(raw: str, i: int) -> tuple[str, int]:
    """Decode the command at raw[i] == "\\"; return its text and the offset after it."""
    nxt = raw[i + 1: i + 2]
    if nxt == "\\":
        return " ", i + 2
    if nxt and nxt in ACCENTS and not nxt.isalpha():
        return _accent(raw, i + 2, nxt)
    if nxt in ESCAPED:
        return nxt, i + 2
    if nxt in ",;:!":  # TeX's thin, medium and thick spaces, and the negative one
        return ("" if nxt == "!" else " "), i + 2
    m = _WORD.match(raw, i + 1)
    if m is None:
        return nxt, i + 2  # \- (a hyphenation hint) and other one-character commands
    name, end = m.group(0), m.end()
    if name in ACCENTS:  # \c{c}, \v s
        return _accent(raw, _blank(raw, end), name)
    if name in LETTERS or name in SYMBOLS:
        after = _blank(raw, end)
        if raw.startswith("{}", after):
            after += 2
        return (LETTERS.get(name) or SYMBOLS[name]), after
    if name in SWITCHES:
        return "", _blank(raw, end)
    if name in STYLES:
        after = _blank(raw, end)
        if raw.startswith("{", after):
            close = _group_end(raw, after)
            return _decode(raw[after + 1: close]), close + 1
        return "", after
    return raw[i:end], end  # unknown: kept as written, like TeX in any other source


def _accent(raw: str, pos: int, accent: str) -> tuple[str, int]:
    """The accented letter that follows: \\'e, \\'{e}, \\'{\\i}, \\c c, and Beno\\^\\it as
    people write it: TeX would read \\it as one (font) command, but a name means \\i then t.
    With nothing to accent (\\~{}, how exports write a literal ~) it is the accent alone."""
    word = _WORD.match(raw, pos + 1) if raw.startswith("\\", pos) else None
    if raw.startswith("{", pos):
        close = _group_end(raw, pos)
        base, end = _decode(raw[pos + 1: close]), close + 1
    elif word is not None and word.group(0)[0] in "ij" and word.group(0) not in LETTERS:
        base, end = word.group(0)[0], pos + 2
    elif raw.startswith("\\", pos):
        base, end = _command(raw, pos)
    else:
        base, end = raw[pos: pos + 1], pos + 1
    if not base:
        return SPACING.get(accent, ACCENTS[accent]), end
    if base.startswith("\\"):  # on an unknown command: kept as written, as that command is
        return "\\" + accent + base, end
    base = {"ı": "i", "ȷ": "j"}.get(base[0], base[0]) + base[1:]
    return base[0] + ACCENTS[accent] + base[1:], end


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
