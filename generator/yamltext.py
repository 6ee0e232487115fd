"""Appending entries to a content file's YAML list as text (sources.yaml, enrich.yaml).

Appending an entry as text keeps the curator's comments and layout, where loading the file
and dumping it again would drop them. The values are written as JSON strings, which are
YAML double-quoted scalars, with the characters YAML reads as line breaks (NEL, LINE and
PARAGRAPH SEPARATOR) or refuses (other C1 controls) escaped, so every text comes back
exactly as it was written. The appended text is checked by loading it; a layout that does
not take a block entry at its end is written out whole instead (comments lost, no entry).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence

import yaml

# C1 controls (U+0080-U+009F, NEL among them), LINE and PARAGRAPH SEPARATOR, BOM, and the
# noncharacters YAML's reader refuses.
_UNSAFE = re.compile("[\u0080-\u009f\u2028\u2029\ufeff\ufffe\uffff]")


def quote(text: str) -> str:
    """`text` as a YAML double-quoted scalar that loads back to exactly `text`."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


def load(text: str) -> object:
    """The YAML text loaded ({} for an empty one), or None when it does not parse."""
    try:
        return yaml.safe_load(text) or {}
    except yaml.YAMLError:
        return None


def block(entry: Mapping[str, object]) -> str:
    """One entry as a block list item, indented under a top-level key; texts quoted, dates
    as YYYY-MM-DD, lists of texts in flow style."""
    lines = []
    for key, value in entry.items():
        if isinstance(value, list | tuple):
            shown = f"[{', '.join(quote(str(v)) for v in value)}]"
        elif isinstance(value, dt.date):
            shown = value.isoformat()
        else:
            shown = quote(str(value))
        lines.append(f"    {key}: {shown}")
    lines[0] = "  - " + lines[0].lstrip()
    return "\n".join(lines) + "\n"


def append_entries(text: str, key: str, entries: Sequence[Mapping[str, object]],
                   rewrite_head: str = "") -> str:
    """`text` (a mapping whose `key` holds a list) with `entries` added to that list: as
    appended text when loading the result gives exactly the old entries and the new ones,
    else the whole mapping dumped again after `rewrite_head` (a comment to keep)."""
    loaded = load(text)
    mapping = loaded if isinstance(loaded, dict) else {}
    expected = [*(mapping.get(key) or []), *(dict(e) for e in entries)]
    candidate = text if not text or text.endswith("\n") else text + "\n"
    if key not in mapping:
        candidate += f"{key}:\n"
    candidate += "".join(block(entry) for entry in entries)
    after = load(candidate)
    if isinstance(after, dict) and after.get(key) == expected:
        return candidate
    return rewrite_head + yaml.safe_dump({**mapping, key: expected}, sort_keys=False,
                                         allow_unicode=True, width=100)
