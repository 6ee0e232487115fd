"""YAML text that content files are appended with (sources.yaml, enrich.yaml).

Appending an entry as text keeps the curator's comments and layout, where loading the file
and dumping it again would drop them. The values are written as JSON strings, which are
YAML double-quoted scalars, with the characters YAML reads as line breaks (NEL, LINE and
PARAGRAPH SEPARATOR) or refuses (other C1 controls) escaped, so every text comes back
exactly as it was written.
"""

from __future__ import annotations

import json
import re

# C1 controls (U+0080-U+009F, NEL among them), LINE and PARAGRAPH SEPARATOR, BOM, and the
# noncharacters YAML's reader refuses.
_UNSAFE = re.compile("[\u0080-\u009f\u2028\u2029\ufeff\ufffe\uffff]")


def quote(text: str) -> str:
    """`text` as a YAML double-quoted scalar that loads back to exactly `text`."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))
