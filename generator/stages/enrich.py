"""content/enrich.yaml: what `digest enrich` looked up for papers whose listings lack it.

The listing dumps the default digest started from (saved Hugging Face Papers pages) carry a
title and an abstract, nothing else. `digest enrich` looks each such title up once, online,
and writes what it found here: the arXiv id, authors, published date and categories, with
where they came from, or that no unambiguous match was found. The file is plain YAML in
content/, so it is reviewed in a pull request like any other input and a curator may correct,
add or remove an entry by hand. A build reads it offline and fills in, for each paper with
that exact (normalised) title, the fields its listings left empty; a listing's own value
always wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from generator.errors import ConfigError
from generator.models import Paper
from generator.stages.merge import normalise_title
from generator.stages.read.fields import arxiv_id, arxiv_urls, outside_dates, safe_url
from generator.text.atomic import write_atomic
from generator.text.yamltext import append_entries, load, load_node

ENTRY_KEYS = {"title", "arxiv_id", "authors", "published", "categories", "url", "pdf_url",
              "found_by", "not_found"}
HEADER = """\
# Metadata that `digest enrich` looked up for papers whose listings carry no arXiv id.
# One entry per paper, matched to it by exact title (case, punctuation and spacing folded).
# A build reads this file offline and fills in what a paper's listings leave empty.
#
# Review it like any other content: correct an entry by hand, add one (title and arxiv_id are
# enough: links follow from the id), or delete a wrong one. An entry with `not_found: DATE`
# records a title that had no unambiguous match then; delete it to have it looked up again.
papers:
"""


@dataclass(frozen=True, slots=True)
class Enrichment:
    """One entry of enrich.yaml."""

    title: str
    arxiv_id: str = ""
    authors: tuple[str, ...] = ()
    published: dt.date | None = None
    categories: tuple[str, ...] = ()
    url: str = ""
    pdf_url: str = ""
    found_by: str = ""  # the lookup that found it, and when
    not_found: dt.date | None = None  # looked up then; no unambiguous match


def load_enrichment(path: Path) -> dict[str, Enrichment]:
    """Normalised title -> entry; {} when the file does not exist. Every problem is listed
    at once in a ConfigError, each with the file and line."""
    if not path.is_file():
        return {}
    shown = str(path)
    try:
        data, node = load_node(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        raise ConfigError(f"{shown}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{shown}{where}: invalid YAML: {getattr(err, 'problem', err)}"
                          ) from None
    if data is None:
        return {}
    if not isinstance(data, dict) or set(data) - {"papers"}:
        raise ConfigError(f"{shown}:1: expected a mapping with one key, papers: a list of entries")
    entries = data.get("papers") or []
    if not isinstance(entries, list):
        raise ConfigError(f"{shown}:1: papers: expected a list of entries, got {entries!r}")
    lines = _entry_lines(node)
    problems: list[str] = []
    table: dict[str, Enrichment] = {}
    for i, entry in enumerate(entries):
        at = f"{shown}:{lines[i] if i < len(lines) else 1}: papers[{i}]"
        made = _entry(entry, at, problems)
        if made is None:
            continue
        key = normalise_title(made.title)
        if key in table:
            problems.append(f"{at}: a second entry for the title {made.title!r}; keep one")
            continue
        table[key] = made
    if problems:
        raise ConfigError(problems)
    return table


def apply_enrichment(papers: Iterable[Paper], table: dict[str, Enrichment]) -> tuple[Paper, ...]:
    """The papers, each with the empty fields its entry (if any) fills."""
    out = []
    for paper in papers:
        entry = table.get(normalise_title(paper.title)) if table else None
        if entry is None or entry.not_found is not None and not entry.arxiv_id:
            out.append(paper)
            continue
        url, pdf_url = arxiv_urls(entry.arxiv_id) if entry.arxiv_id else ("", "")
        out.append(replace(
            paper,
            arxiv_id=paper.arxiv_id or entry.arxiv_id,
            authors=paper.authors or entry.authors,
            published=paper.published or entry.published,
            categories=paper.categories or entry.categories,
            url=paper.url or entry.url or url,
            pdf_url=paper.pdf_url or entry.pdf_url or pdf_url))
    return tuple(out)


def append_enrichment(path: Path, entries: list[Enrichment]) -> None:
    """Add entries at the end of the file, keeping the curator's comments and edits
    (yamltext.append_entries), and replace it in one step (a killed run leaves it as it
    was)."""
    text = path.read_text(encoding="utf-8") if path.is_file() else HEADER
    before = load(text)
    old = before.get("papers") if isinstance(before, dict) else None
    if not isinstance(before, dict) or set(before) - {"papers"} or not isinstance(
            old, list | None):
        raise ConfigError(f"{path}: expected a mapping with one key, papers: a list of "
                          "entries; fix the file, then run the command again")
    text = append_entries(text, "papers", [_as_yaml(entry) for entry in entries],
                          rewrite_head=HEADER.removesuffix("papers:\n"))
    write_atomic(path, text.encode("utf-8"))


def _as_yaml(entry: Enrichment) -> dict[str, object]:
    """The entry as loading its block gives it back (empty fields left out)."""
    out: dict[str, object] = {"title": entry.title}
    for key in ("arxiv_id", "authors", "published", "categories", "not_found", "found_by"):
        value = getattr(entry, key)
        if value:
            out[key] = list(value) if isinstance(value, tuple) else value
    return out


def _entry_lines(node: Any) -> list[int]:
    """The line each entry of `papers:` starts on."""
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if getattr(key, "value", None) == "papers" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _entry(entry: Any, at: str, problems: list[str]) -> Enrichment | None:
    before = len(problems)
    if not isinstance(entry, dict):
        problems.append(f"{at}: expected a mapping with a title, got {entry!r}")
        return None
    for key in sorted(map(str, set(entry) - ENTRY_KEYS)):
        problems.append(f"{at}: unknown key '{key}' (known: {', '.join(sorted(ENTRY_KEYS))})")
    title = entry.get("title")
    if not isinstance(title, str) or not normalise_title(title):
        problems.append(f"{at}.title: expected the paper's title, got {title!r}")
    ident = entry.get("arxiv_id") or ""
    if isinstance(ident, float):  # 2310.10000 unquoted is the number 2310.1
        problems.append(f"{at}.arxiv_id: write the id in quotes (\"{ident}\"): unquoted, YAML "
                        "reads it as a number and drops trailing zeros")
    elif not isinstance(ident, str) or (ident and not arxiv_id(ident, bare=True)):
        problems.append(f"{at}.arxiv_id: expected an arXiv id such as 2401.01234, got {ident!r}")
    fields: dict[str, Any] = {}
    for key in ("authors", "categories"):
        value = entry.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip()
                                                  for v in value):
            problems.append(f"{at}.{key}: expected a list of texts, got {value!r}")
        else:
            fields[key] = tuple(v.strip() for v in value)
    for key in ("published", "not_found"):
        value = entry.get(key)
        if value is not None and (not isinstance(value, dt.date)
                                  or isinstance(value, dt.datetime)):
            problems.append(f"{at}.{key}: expected a date YYYY-MM-DD, got {value!r}")
        elif value is not None and (outside := outside_dates(value)):
            problems.append(f"{at}.{key}: {outside}")
        else:
            fields[key] = value
    for key in ("url", "pdf_url"):
        value = entry.get(key) or ""
        if value and not (isinstance(value, str) and safe_url(value)):
            problems.append(f"{at}.{key}: expected an http(s) URL, got {value!r}")
        else:
            fields[key] = value
    found_by = entry.get("found_by") or ""
    if not isinstance(found_by, str):
        problems.append(f"{at}.found_by: expected text, got {found_by!r}")
    if len(problems) > before:
        return None
    return Enrichment(title=str(title).strip(), arxiv_id=arxiv_id(str(ident), bare=True),
                      found_by=found_by, **fields)
