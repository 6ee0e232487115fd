"""The checks of each section of content/digest.yaml, sources.yaml and themes.yaml (config.py
loads the files and makes the Config).

Each check appends every problem it finds to `problems`, naming the file and the key (a
misspelt key with the closest known one), and returns what is valid, so a user fixes
everything in one pass.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.models import SourceInfo, ThemeSpec
from generator.stages.merge import normalise_title
from generator.stages.read import PARSERS
from generator.stages.read.fields import outside_dates
from generator.stages.weeks import WEEKDAYS
from generator.tools.fetch.settings import check_fetch

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")  # BCP 47, as lang= takes
# Slugs the site itself uses for pages that are not themes.
RESERVED_THEME_SLUGS = frozenset({"other", "index", "all"})

DIGEST_KEYS = {
    "title": "site title, shown on every page",
    "description": "one-sentence description for the home page and meta tags",
    "base_url": "absolute URL the site is published at",
    "language": "the pages' language code",
    "page_size": "papers per page of a weekly theme page and of a theme list's archive",
    "random_state": "seed for every randomised model step",
    "built_at": "date stamped on the build (default: SOURCE_DATE_EPOCH or newest paper)",
    "week_start": "the weekday weeks start on (default monday, as ISO 8601)",
    "feed_size": "entries per Atom feed, newest first",
    "cname": "custom domain for GitHub Pages, written to CNAME",
    "search_shard_size": "papers per search-index shard (a new week re-indexes the newest one)",
    "size_limit_mb": "the most the built site may weigh, in MB (default 1000: GitHub Pages')",
    "fetch": "what `digest fetch` collects: arXiv searches and feeds, Hugging Face searches",
    "interests": "your library, papers you do not want and authors you follow: the For you pages",
}
SOURCE_KEYS = {"file", "collected", "query", "origin", "dated_by", "format"}
THEME_KEYS = {"name", "slug", "description", "keywords", "exclude", "examples", "not_examples"}


def unknown_keys(data: dict[str, Any], known: set[str] | dict[str, str], where: str,
                  problems: list[str]) -> None:
    """A problem for each key of `data` that is not `known`, naming the closest known one if any."""
    for key in sorted(map(str, data)):
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(f"{where}: unknown key '{key}'{hint}")


def check_digest(data: dict[str, Any], where: str, problems: list[str]) -> dict[str, Any]:
    """digest.yaml's valid settings, as keyword arguments of Config."""
    unknown_keys(data, DIGEST_KEYS, where, problems)
    out: dict[str, Any] = {}
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(f"{where}: title: expected a non-empty text, got {title!r}")
    else:
        out["title"] = title.strip()
    language = data.get("language", "en")
    if not isinstance(language, str) or not LANGUAGE_RE.match(language.strip()):
        problems.append(f"{where}: language: expected a language tag such as en or pt-BR, "
                        f"got {language!r}")
    for key in ("description", "language"):
        if key in data:
            if isinstance(data[key], str):
                out[key] = data[key].strip()
            else:
                problems.append(f"{where}: {key}: expected text, got {data[key]!r}")
    if "cname" in data:
        cname = data["cname"]
        if isinstance(cname, str) and re.fullmatch(r"[A-Za-z0-9.-]+\.[A-Za-z]{2,}", cname.strip()):
            out["cname"] = cname.strip().lower()
        else:
            problems.append(f"{where}: cname: expected a domain name like docs.example.org, "
                            f"got {cname!r}")
    if "base_url" in data:
        try:
            out["base_url"] = normalise_base_url(data["base_url"])
        except ValueError as err:
            problems.append(f"{where}: base_url: {err}")
    if "week_start" in data:
        day = str(data["week_start"]).strip().lower()
        if day in WEEKDAYS:
            out["week_start"] = WEEKDAYS.index(day)
        else:
            problems.append(f"{where}: week_start: expected a weekday name (monday ... sunday), "
                            f"got {data['week_start']!r}")
    for key, low in (("page_size", 1), ("random_state", 0), ("feed_size", 1),
                     ("search_shard_size", 1)):
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                problems.append(f"{where}: {key}: expected a whole number >= {low}, got {value!r}")
            else:
                out[key] = value
    out.update(_size_limit(data, where, problems))
    if "fetch" in data:
        fetch = check_fetch(data["fetch"], f"{where}: fetch", problems, unknown_keys)
        if fetch is not None:
            out["fetch"] = fetch
    if "built_at" in data:
        value = data["built_at"]
        if isinstance(value, dt.date) and (outside := outside_dates(value)):
            problems.append(f"{where}: built_at: {outside}")
        elif isinstance(value, dt.date):
            out["built_at"] = value
        else:
            problems.append(f"{where}: built_at: expected a date YYYY-MM-DD, got {value!r}")
    return out


def _size_limit(data: dict[str, Any], where: str, problems: list[str]) -> dict[str, float]:
    """size_limit_mb, if given and a number of MB above 0."""
    if "size_limit_mb" not in data:
        return {}
    value = data["size_limit_mb"]
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        problems.append(f"{where}: size_limit_mb: expected a number of MB > 0, got {value!r}")
        return {}
    return {"size_limit_mb": float(value)}


def normalise_base_url(url: object) -> str:
    """An http(s) URL or an absolute path, ending in '/'; anything else is a ValueError."""
    if not isinstance(url, str) or not url.strip():
        raise ValueError(f"expected a URL such as https://USER.github.io/REPO/, got {url!r}")
    url = url.strip()
    parts = urlsplit(url)
    ok = (parts.scheme in ("http", "https") and parts.netloc) or (not parts.scheme
                                                                 and url.startswith("/"))
    if not ok or any(c.isspace() or c in "\"<>" for c in url):
        raise ValueError(f"expected an http(s) URL or a path starting with '/', got {url!r}")
    return url if url.endswith("/") else url + "/"


def check_sources(data: dict[str, Any], content_dir: Path,
                   problems: list[str]) -> tuple[SourceInfo, ...]:
    """sources.yaml's valid entries: each names a dump inside sources/ once, with its date."""
    where = "sources.yaml"
    unknown_keys(data, {"sources"}, where, problems)
    entries = data.get("sources", [])
    if not isinstance(entries, list):
        problems.append(f"{where}: sources: expected a list of dumps, got {entries!r}")
        return ()
    out: list[SourceInfo] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        at = f"{where}: sources[{i}]"
        if not isinstance(entry, dict):
            problems.append(f"{at}: expected a mapping with file and collected, got {entry!r}")
            continue
        unknown_keys(entry, SOURCE_KEYS, at, problems)
        file, collected = entry.get("file"), entry.get("collected")
        ok = True
        if not isinstance(file, str) or not file.strip():
            problems.append(f"{at}.file: expected a file name, got {file!r}")
            ok = False
        elif Path(file).is_absolute() or ".." in Path(file).parts:
            problems.append(f"{at}.file: must be a path inside sources/, got {file!r}")
            ok = False
        elif not (content_dir / "sources" / file).is_file():
            problems.append(f"{at}.file: sources/{file} not found")
            ok = False
        elif file in seen:
            problems.append(f"{at}.file: {file} is listed twice")
            ok = False
        if not isinstance(collected, dt.date) or isinstance(collected, dt.datetime):
            problems.append(f"{at}.collected: expected a date YYYY-MM-DD, got {collected!r}")
            ok = False
        elif outside := outside_dates(collected):
            problems.append(f"{at}.collected: {outside}")
            ok = False
        fmt = entry.get("format") or ""
        if fmt not in ("", *PARSERS):
            close = difflib.get_close_matches(str(fmt), list(PARSERS), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(f"{at}.format: unknown format {fmt!r}{hint}; known: "
                            f"{', '.join(PARSERS)}")
            ok = False
        if ok and isinstance(file, str) and isinstance(collected, dt.date):
            seen.add(file)
            out.append(SourceInfo(file=file, collected=collected,
                                  query=str(entry.get("query") or ""),
                                  origin=str(entry.get("origin") or ""), format=fmt))
    return tuple(out)


def check_themes(data: dict[str, Any], where: str, problems: list[str]) -> tuple[ThemeSpec, ...]:
    """themes.yaml's valid themes; a slug used twice is a problem (the first theme is kept)."""
    unknown_keys(data, {"themes"}, where, problems)
    entries = data.get("themes")
    if not isinstance(entries, list) or not entries:
        problems.append(f"{where}: themes: expected a non-empty list of themes, got {entries!r}")
        return ()
    out: list[ThemeSpec] = []
    slugs: set[str] = set()
    for i, entry in enumerate(entries):
        at = f"{where}: themes[{i}]"
        if not isinstance(entry, dict):
            problems.append(f"{at}: expected a mapping with name, slug and keywords")
            continue
        unknown_keys(entry, THEME_KEYS, at, problems)
        slug = entry.get("slug")
        duplicate = isinstance(slug, str) and slug in slugs
        if duplicate:
            problems.append(f"{at}.slug: duplicate slug '{slug}'")
        elif isinstance(slug, str):
            slugs.add(slug)
        spec = _check_theme(entry, at, problems)
        if spec is not None and not duplicate:
            out.append(spec)
    return tuple(out)


def _check_theme(entry: dict[str, Any], at: str, problems: list[str]) -> ThemeSpec | None:
    """One theme, or None when any of its keys has a problem."""
    before = len(problems)
    name, slug = entry.get("name"), entry.get("slug")
    for key in ("name", "slug", "keywords"):
        if key not in entry:
            problems.append(f"{at}.{key}: missing; every theme needs a name, a slug and keywords")
    if "name" in entry and (not isinstance(name, str) or not name.strip()):
        problems.append(f"{at}.name: expected a non-empty text, got {name!r}")
    if "slug" not in entry:
        pass
    elif not isinstance(slug, str) or not SLUG_RE.match(slug):
        problems.append(f"{at}.slug: expected lowercase letters, digits and hyphens, got {slug!r}")
    elif slug in RESERVED_THEME_SLUGS:
        problems.append(f"{at}.slug: '{slug}' is reserved for the site's own pages")
    description = entry.get("description", "")
    if not isinstance(description, str):
        problems.append(f"{at}.description: expected Markdown text, got {description!r}")
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("keywords", "exclude", "examples", "not_examples"):
        value = entry.get(key, [])
        if value is None:
            value = []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            problems.append(f"{at}.{key}: expected a list of phrases, got {value!r}")
            continue
        lists[key] = tuple(v.strip() for v in value)
    if "keywords" in entry and "keywords" in lists and not lists["keywords"]:
        problems.append(f"{at}.keywords: the list is empty; a theme needs at least one phrase")
    both = _both_examples(lists.get("examples", ()), lists.get("not_examples", ()))
    if both:
        problems.append(f"{at}: listed in both examples and not_examples: {both[0]!r}")
    if len(problems) > before:
        return None
    return ThemeSpec(slug=str(slug), name=str(name).strip(), description=str(description).strip(),
                     keywords=lists["keywords"], exclude=lists.get("exclude", ()),
                     examples=lists.get("examples", ()),
                     not_examples=lists.get("not_examples", ()))


def _both_examples(examples: tuple[str, ...], not_examples: tuple[str, ...]) -> list[str]:
    """Titles a theme lists as examples and as not-examples (compared as titles are matched:
    case, punctuation and spacing folded)."""
    members = {normalise_title(t) for t in examples}
    return [t for t in not_examples if normalise_title(t) in members]
