"""Parsers for hand-made lists: JSON, YAML or CSV rows of {title, abstract, url, date, authors}.

`authors` is a list of names or one string ("A; B", "A, B" or "A and B"); `date` is the
publication day (ISO); `url` must be http(s). An arXiv id is taken from `arxiv_id` or the URL.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from typing import Any

import yaml

from generator.errors import SourceError
from generator.stages.read.fields import (
    arxiv_id,
    check_sizes,
    clean_names,
    clean_text,
    collect,
    json_items,
    parse_date,
    record,
    split_names,
)
from generator.stages.read.hf_listing import Parsed, RawListing
from generator.text.yamltext import load_node

COLUMNS = ("title", "abstract", "url", "date", "authors")
_YAML_START = re.compile(r"\A(?:\s*#[^\n]*\n|\s*\n)*\s*(?:---\s*\n\s*)?-\s+title\s*:", re.I)
_JSON_START = re.compile(r'\A\s*\[\s*\{\s*"', re.S)


def sniff_plain(text: str) -> str | None:
    """'plain-json', 'plain-yaml' or 'plain-csv' when the text looks like such a list."""
    if _JSON_START.match(text):
        return "plain-json"
    if _YAML_START.match(text):
        return "plain-yaml"
    header = text.lstrip("\n").split("\n", 1)[0]
    delimiter = _delimiter(header)
    if delimiter and "title" in [c.strip().strip('"').lower() for c in header.split(delimiter)]:
        return "plain-csv"
    return None


def parse_plain_json(text: str, path: str) -> Parsed:
    """A JSON list of objects; each keeps the line it starts on."""
    return _records(json_items(text, path), path)


def parse_plain_yaml(text: str, path: str) -> Parsed:
    """A YAML list of mappings (safe loader only); each keeps the line it starts on."""
    try:
        data, node = load_node(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise SourceError(path, mark.line + 1 if mark else 1,
                          f"invalid YAML: {getattr(err, 'problem', err)}") from None
    if not isinstance(node, yaml.SequenceNode) or not isinstance(data, list):
        raise SourceError(path, 1, "expected a YAML list of papers (- title: ...)")
    lines = [item.start_mark.line + 1 for item in node.value]
    return _records(zip(lines, data, strict=True), path)


def parse_plain_csv(text: str, path: str) -> Parsed:
    """CSV with a header row naming the columns (comma, semicolon or tab separated)."""
    header = text.lstrip("\n").split("\n", 1)[0]
    delimiter = _delimiter(header) or ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, Any]] = []
    columns: list[str] | None = None
    start = 1
    try:
        for row in reader:
            line, start = start, reader.line_num + 1  # a quoted field may span lines
            if not any(cell.strip() for cell in row):
                continue
            if columns is None:
                columns = [c.strip().lower() for c in row]
                if "title" not in columns:
                    raise SourceError(path, line, "the CSV header has no 'title' column")
                continue
            rows.append((line, dict(zip(columns, row, strict=False))))
    except csv.Error as err:
        raise SourceError(path, reader.line_num, f"invalid CSV: {err}") from None
    return _records(rows, path)


def _records(items: Iterable[tuple[int, Any]], path: str) -> Parsed:
    return collect(items, lambda item: _row(item[1], item[0], path), path,
                   "the list has no papers")


def _row(item: Any, line: int, path: str) -> RawListing:
    if not isinstance(item, dict):
        raise SourceError(path, line, f"expected an object with {', '.join(COLUMNS)}; skipped")
    title = clean_text(_text(item.get("title")))
    abstract = clean_text(_text(item.get("abstract") or item.get("summary")))
    check_sizes(path, line, title, abstract)
    url = _text(item.get("url"))
    authors = item.get("authors")
    names = clean_names(authors) if isinstance(authors, list) else split_names(_text(authors))
    date = item.get("date")
    published = date if isinstance(date, dt.date) and not isinstance(date, dt.datetime) \
        else parse_date(_text(date))
    categories = item.get("categories")
    return record(title, abstract, line, authors=names,
                  ident=arxiv_id(_text(item.get("arxiv_id")), bare=True) or arxiv_id(url),
                  published=published, url=url,
                  categories=tuple(clean_names(categories)) if isinstance(categories, list)
                  else ())


def _text(value: Any) -> str:
    """A scalar as text; dates and numbers as YAML and JSON give them, anything else empty."""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (dt.date, int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def _delimiter(header: str) -> str | None:
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else None
