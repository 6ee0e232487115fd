"""Appending entries to a content file's YAML list as text (sources.yaml, enrich.yaml).

Appending an entry as text keeps the curator's comments and layout, where loading the file
and dumping it again would drop them. The values are written as JSON strings, which are
YAML double-quoted scalars, with the characters YAML reads as line breaks (NEL, LINE and
PARAGRAPH SEPARATOR) or refuses (DEL, other C1 controls, lone surrogates) escaped, so every
text comes back exactly as it was written. The appended text is checked by loading it; a layout that does
not take a block entry at its end is written out whole instead (comments lost, no entry).

It also holds the one loader every content YAML file is read with (`load_node`: digest.yaml,
sources.yaml, themes.yaml, enrich.yaml, notes' front matter, plain YAML lists). A few hundred
bytes of nested anchors and aliases ("billion laughs") expand to billions of values, and
anything that walks the loaded data (config's checks) would never finish; a document nested
thousands deep ends PyYAML's recursive composer with a RecursionError. The loader counts
while it composes, before anything is built or walked, and refuses either with the line.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

# DEL and the C1 controls (U+007F-U+009F, NEL among them), LINE and PARAGRAPH SEPARATOR, BOM,
# the noncharacters YAML's reader refuses, and lone surrogates (a command-line argument that
# was not UTF-8 holds them; they cannot be written as UTF-8 at all).
_UNSAFE = re.compile("[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")

# What a content file may hold once its aliases are expanded. Content files are a few
# levels deep (a theme's keyword list is three) and name each value once; a plain YAML list
# of papers is any length but holds no alias. So the limits are far above any real file and
# far below what hangs a build: a million values brought in by aliases take config's checks
# under a second to walk, and a hundred levels stay well inside Python's recursion limit
# for every recursive walk of the loaded data.
MAX_DEPTH = 100
MAX_ALIASED = 1_000_000


class Refused(yaml.MarkedYAMLError):
    """A document that parses as YAML but is refused: nested too deeply, an alias inside
    the node it names, or aliases expanding to too much. Being a MarkedYAMLError, every
    reader's existing `except yaml.YAMLError` reports it with its line (`problem_mark`)."""


class _Loader(yaml.SafeLoader):
    """yaml.SafeLoader that counts while it composes (PyYAML's pure-Python loader, which the
    digest used before: libyaml composes in C, where the count cannot be kept).

    For each node being composed it keeps how many values lie below it and how deep they go
    once aliases are expanded; an alias adds what its anchor expands to. So a bomb is
    refused at the alias where the total passes MAX_ALIASED, before anything is built, and a
    deep document at the level where it passes MAX_DEPTH, before the recursion does.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._open: list[list[int]] = []  # per node being composed: [values, depth] below it
        self._expanded: dict[str, tuple[int, int]] = {}  # anchor -> (values, depth) it holds
        self._aliased = 0  # values the document's aliases bring in, in all

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # (untyped in the stubs)
        if len(self._open) >= MAX_DEPTH:
            raise _refused(f"nested more than {MAX_DEPTH} levels deep", event)
        if isinstance(event, yaml.AliasEvent):
            node = super().compose_node(parent, index)
            self._count_alias(event)
            return node
        self._open.append([0, 0])
        node = super().compose_node(parent, index)
        below, depth = self._open.pop()
        if event.anchor is not None:
            self._expanded[event.anchor] = (below + 1, depth + 1)
        self._add(below + 1, depth + 1)
        return node

    def _count_alias(self, event: yaml.AliasEvent) -> None:
        """Count what the alias brings in where it stands (its anchor is composed by now)."""
        if event.anchor not in self._expanded:
            raise _refused(f"the alias *{event.anchor} is inside the node it names (a value "
                           "that contains itself)", event)
        values, depth = self._expanded[event.anchor]
        self._aliased += values
        if self._aliased > MAX_ALIASED:
            raise _refused(f"its aliases expand to more than {MAX_ALIASED:,} values (anchors "
                           "repeating anchors, as in a 'billion laughs' document)", event)
        if len(self._open) + depth > MAX_DEPTH:
            raise _refused(f"nested more than {MAX_DEPTH} levels deep once the alias "
                           f"*{event.anchor} is expanded", event)
        self._add(values, depth)

    def _add(self, values: int, depth: int) -> None:
        """Count a finished child in the node composed around it."""
        if self._open:
            parent = self._open[-1]
            parent[0] += values
            parent[1] = max(parent[1], depth)

    def timestamp_or_text(self, node: yaml.ScalarNode) -> dt.date | str:
        """A date as YAML 1.1 reads it, or the text when it names no day (2024-02-30, year
        0): the file's own checks then say which key expected a date, where PyYAML's
        ValueError would end the run with a traceback."""
        try:
            return self.construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.timestamp_or_text)


def _refused(problem: str, event: yaml.Event) -> Refused:
    """The refusal of a document at the event (a node or an alias) where it went too far."""
    return Refused(None, None, problem, event.start_mark)  # type: ignore[arg-type]


def load_node(text: str) -> tuple[Any, yaml.Node | None]:
    """The one document in `text` as yaml.safe_load gives it, and its node tree (whose marks
    hold each value's line; None for an empty document). Every content file is read here.
    Raises yaml.YAMLError, with `problem_mark` where there is a line: invalid YAML, or a
    document Refused for its depth or its aliases."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    finally:
        loader.dispose()


def safe_load(text: str) -> Any:
    """The one document in `text`, as load_node reads it (the data alone)."""
    return load_node(text)[0]


def quote(text: str) -> str:
    """`text` as a YAML double-quoted scalar that loads back to exactly `text`."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


def load(text: str) -> object:
    """The YAML text loaded ({} for an empty one), or None when it does not parse."""
    try:
        return safe_load(text) or {}
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
