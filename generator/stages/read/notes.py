"""Read editorial notes: content/notes/<week>.md and content/notes/<theme>/<week>.md.

A note is Markdown with optional YAML front matter between '---' lines:

    ---
    title: A week of world models
    highlights:
      - Mastering Atari, Go, Chess and Shogi by Planning with a Learned Model
    ---
    Text of the note.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from generator.config import unencodable
from generator.errors import SourceError
from generator.models import Note
from generator.text.yamltext import safe_load

WEEK_FILE = re.compile(r"^\d{4}-W\d{2}\.md$")
NOTE_KEYS = {"title", "highlights"}


def read_notes(notes_dir: Path, theme_slugs: set[str]) -> tuple[tuple[Note, ...], list[SourceError]]:
    """Every note under notes_dir, sorted by week then theme; odd files are reported, not read."""
    if not notes_dir.is_dir():
        return (), []
    notes: list[Note] = []
    problems: list[SourceError] = []
    for path in sorted(notes_dir.rglob("*")):
        if not path.is_file() or path.name.startswith(".") or path.name.lower() == "readme.md":
            continue
        rel = path.relative_to(notes_dir)
        theme = rel.parts[0] if len(rel.parts) == 2 else None
        if len(rel.parts) > 2 or not WEEK_FILE.match(path.name):
            problems.append(SourceError(str(path), 1, "not a note: expected notes/YYYY-Www.md "
                                        "or notes/<theme>/YYYY-Www.md; ignored"))
            continue
        if theme is not None and theme not in theme_slugs:
            problems.append(SourceError(str(path), 1, f"no theme with slug '{theme}'; ignored"))
            continue
        try:
            notes.append(_read_note(path, path.name[:-3], theme))
        except SourceError as err:
            problems.append(err)
    return tuple(notes), problems


def _read_note(path: Path, week: str, theme: str | None) -> Note:
    try:
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as err:
        raise SourceError(str(path), 1, f"not UTF-8 text ({err.reason}); ignored") from None
    meta: dict[str, object] = {}
    body = text
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end < 0:
            raise SourceError(str(path), 1, "front matter opened with '---' is never closed; ignored")
        try:
            loaded = safe_load(text[4:end]) or {}
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            line = mark.line + 2 if mark is not None else 1
            # The problem alone: PyYAML's own text repeats a line counted from the front
            # matter, one less than the file's.
            raise SourceError(str(path), line, "invalid front matter: "
                              f"{getattr(err, 'problem', None) or err}; ignored") from None
        if not isinstance(loaded, dict):
            raise SourceError(str(path), 2, "front matter must be a mapping of keys; ignored")
        if bad := unencodable(loaded, ""):
            raise SourceError(str(path), 2, f"{bad[0]}: holds an escape that is not a character "
                              "(an unpaired surrogate); ignored")
        meta = loaded
        body = text[end + 4:].lstrip("-").lstrip("\n")
    unknown = sorted(set(map(str, meta)) - NOTE_KEYS)
    if unknown:
        raise SourceError(str(path), 2, f"unknown front matter key(s) {', '.join(unknown)} "
                          f"(known: {', '.join(sorted(NOTE_KEYS))}); ignored")
    highlights = meta.get("highlights") or []
    if not isinstance(highlights, list) or not all(isinstance(h, str) for h in highlights):
        raise SourceError(str(path), 2, "highlights: expected a list of paper titles; ignored")
    title = meta.get("title") or ""
    return Note(week=week, theme=theme, title=str(title), body=body.strip(),
                highlights=tuple(h.strip() for h in highlights), file=str(path))
