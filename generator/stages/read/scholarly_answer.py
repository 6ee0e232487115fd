"""What the Semantic Scholar and OpenAlex readers share: the answer's top level read member by
member, so each paper keeps the line its object starts on, and the papers picked out of it.

An answer of any other shape is an error that names the shapes expected, never a guess: these
answers hold authors, ids and dates in nested objects, so a reader for flat lists would lose
them without a word.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from generator.errors import SourceError
from generator.stages.read.fields import clean_text, json_array, json_items, json_value, line_at, skip_space


@dataclass(frozen=True, slots=True)
class Answer:
    """A JSON answer's top level: its own members (an object's) and the items of its list
    (the whole text's, or the member named `key`), each with the line it starts on."""

    line: int  # where the top-level value starts
    members: dict[str, Any] | None  # None when the whole text is a list
    key: str  # the member whose list became `items`; "" if none
    items: list[tuple[int, Any]]


def read_answer(text: str, path: str, list_keys: tuple[str, ...]) -> Answer:
    """Decode a JSON object member by member, so the list under one of `list_keys` can be read
    element by element and each element keeps its line (json.loads would forget them)."""
    decoder = json.JSONDecoder()
    pos = skip_space(text, 0)
    line = line_at(text, pos)
    if text.startswith("[", pos):
        return Answer(line, None, "", list(json_items(text, path)))
    if not text.startswith("{", pos):
        raise SourceError(path, line, "expected a JSON object or list")
    members: dict[str, Any] = {}
    items: list[tuple[int, Any]] = []
    key = ""
    pos = skip_space(text, pos + 1)
    closed = text.startswith("}", pos)
    while not closed:
        if not text.startswith('"', pos):
            raise SourceError(path, line_at(text, pos), "invalid JSON: expected a member name")
        name, pos = json_value(decoder, text, pos, path)
        pos = skip_space(text, pos)
        if not text.startswith(":", pos):
            raise SourceError(path, line_at(text, pos), "invalid JSON: expected ':'")
        pos = skip_space(text, pos + 1)
        if name in list_keys and not key and text.startswith("[", pos):
            key = name
            items, pos = json_array(decoder, text, pos, path)
        else:
            members[name], pos = json_value(decoder, text, pos, path)
        pos = skip_space(text, pos)
        if text.startswith(",", pos):
            pos = skip_space(text, pos + 1)
            continue
        if not text.startswith("}", pos):
            raise SourceError(path, line_at(text, pos), "invalid JSON: expected ',' or '}'")
        closed = True
    if text[pos + 1:].strip():
        raise SourceError(path, line_at(text, pos + 1), "invalid JSON: extra data after the object")
    return Answer(line, members, key, items)


def answer_items(answer: Answer, path: str, single: str, shapes: str) -> list[tuple[int, Any]]:
    """The answer's papers: its list, or the answer itself when it is one paper (it has the
    key `single`). An error answer or an object of another shape is a SourceError."""
    if answer.members is None or answer.key:
        return answer.items
    if single in answer.members:
        return [(answer.line, answer.members)]
    said = answer.members.get("error") or answer.members.get("message")
    if isinstance(said, str):
        raise SourceError(path, answer.line, f"the answer is an error: {clean_text(said)}")
    keys = ", ".join(list(answer.members)[:6]) or "none"
    raise SourceError(path, answer.line, f"expected {shapes}; this object's keys: {keys}")

# -- a member's value when it has the expected type, else an empty one ------------------------
# (the APIs write null for what they may not show, and a missing member reads as None)


def as_str(value: Any) -> str:
    """value if it is a string, else ""."""
    return value if isinstance(value, str) else ""


def as_dict(value: Any) -> dict[str, Any]:
    """value if it is an object, else {}."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """value if it is a list, else []."""
    return value if isinstance(value, list) else []
