"""The `fetch:` section of digest.yaml: which services to ask, what for, and how politely.

Validated with the rest of the config (config_checks.py calls check_fetch), every problem named by
its key, so a scheduled run never starts with a setting it would misread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

ARXIV_API = "https://export.arxiv.org/api/query"
ARXIV_FEEDS = "https://rss.arxiv.org/rss/"
HUGGINGFACE = "https://huggingface.co"
# arXiv category names as its listing feeds take them: cs.LG, stat.ML, hep-th, math.GT.
CATEGORY_RE = re.compile(r"^[a-z][a-z-]*(?:\.[A-Za-z]{2,})?$")

FETCH_KEYS = {
    "arxiv": "arXiv API searches (search_query syntax), newest first within the date window",
    "arxiv_feeds": "arXiv categories whose daily listing feed is read (cs.LG, stat.ML, ...)",
    "keep": "which feed items are stored: themes (those matching a theme's keywords) or all",
    "huggingface_search": "Hugging Face Papers searches",
    "huggingface_daily": "read Hugging Face's daily papers for each day of the window (at most 7)",
    "max_results": "most papers stored per search or feed in one run",
    "page_size": "results per arXiv API request",
    "pause_seconds": "pause between two requests to one host (arXiv asks for 3 s)",
    "timeout_seconds": "how long one request may take",
    "retries": "retries of a request that failed, timed out or was answered 429/5xx",
    "max_wait_seconds": "the longest Retry-After that is waited for",
    "contact": "an e-mail address or URL added to the User-Agent, so a service can reach you",
    "urls": "the services' addresses (arxiv_api, arxiv_feeds, huggingface)",
}
URL_KEYS = {"arxiv_api": ARXIV_API, "arxiv_feeds": ARXIV_FEEDS, "huggingface": HUGGINGFACE}


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """What `digest fetch` asks and how; `digest enrich` uses the same policy and URLs."""

    arxiv: tuple[str, ...] = ()
    arxiv_feeds: tuple[str, ...] = ()
    keep: str = "themes"  # "themes" | "all"
    huggingface_search: tuple[str, ...] = ()
    huggingface_daily: bool = False
    max_results: int = 100
    page_size: int = 100
    pause_seconds: float = 3.0
    timeout_seconds: float = 30.0
    retries: int = 3
    max_wait_seconds: float = 120.0
    contact: str = ""
    arxiv_api: str = ARXIV_API
    arxiv_feeds_url: str = ARXIV_FEEDS
    huggingface: str = HUGGINGFACE

    @property
    def sources(self) -> int:
        """How many searches and feeds are declared."""
        return (len(self.arxiv) + len(self.arxiv_feeds) + len(self.huggingface_search)
                + int(self.huggingface_daily))


def check_fetch(data: Any, where: str, problems: list[str],
                unknown_keys: Any) -> FetchSettings | None:
    """The validated section, or None (with problems added) when it is not usable.
    `unknown_keys` is config's check for misspelt keys (it suggests the closest)."""
    if data is None:
        return FetchSettings()
    if not isinstance(data, dict):
        problems.append(f"{where}: expected a mapping of fetch settings, got {data!r}")
        return None
    before = len(problems)
    unknown_keys(data, FETCH_KEYS, where, problems)
    out = {**_sources(data, where, problems), **_policy(data, where, problems),
           **_urls(data.get("urls") or {}, f"{where}.urls", problems, unknown_keys)}
    if len(problems) > before:
        return None
    return FetchSettings(**out)


def _sources(data: dict[str, Any], where: str, problems: list[str]) -> dict[str, Any]:
    """What to ask: the searches, the feeds and what of them to keep, the daily papers."""
    out: dict[str, Any] = {}
    for key in ("arxiv", "huggingface_search", "arxiv_feeds"):
        if key in data:
            value = data[key] if data[key] is not None else []
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip()
                                                      for v in value):
                problems.append(f"{where}.{key}: expected a list of texts, got {value!r}")
                continue
            out[key] = tuple(dict.fromkeys(v.strip() for v in value))
    for category in out.get("arxiv_feeds", ()):
        if not CATEGORY_RE.match(category):
            problems.append(f"{where}.arxiv_feeds: {category!r} is not an arXiv category "
                            "such as cs.LG or stat.ML")
    if "keep" in data:
        if data["keep"] in ("themes", "all"):
            out["keep"] = data["keep"]
        else:
            problems.append(f"{where}.keep: expected themes or all, got {data['keep']!r}")
    if "huggingface_daily" in data:
        if isinstance(data["huggingface_daily"], bool):
            out["huggingface_daily"] = data["huggingface_daily"]
        else:
            problems.append(f"{where}.huggingface_daily: expected true or false, "
                            f"got {data['huggingface_daily']!r}")
    return out


def _policy(data: dict[str, Any], where: str, problems: list[str]) -> dict[str, Any]:
    """How to ask: caps, pauses, timeouts, retries, and who is asking."""
    out: dict[str, Any] = {}
    for key, low, high in (("max_results", 1, 10_000), ("page_size", 1, 2_000),
                           ("retries", 0, 10)):
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                problems.append(f"{where}.{key}: expected a whole number from {low} to {high}, "
                                f"got {value!r}")
            else:
                out[key] = value
    for key, least in (("pause_seconds", 0.0), ("timeout_seconds", 0.1),
                       ("max_wait_seconds", 0.0)):
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or value < least:
                problems.append(f"{where}.{key}: expected a number of seconds >= {least:g}, "
                                f"got {value!r}")
            else:
                out[key] = float(value)
    if "contact" in data:
        contact = data["contact"]
        if isinstance(contact, str) and not any(c in contact for c in "\r\n()"):
            out["contact"] = contact.strip()
        else:
            problems.append(f"{where}.contact: expected an e-mail address or URL on one line, "
                            f"got {contact!r}")
    return out


def _urls(urls: Any, where: str, problems: list[str], unknown_keys: Any) -> dict[str, Any]:
    """Where to ask: each service's address (a mirror, or a local stand-in in tests)."""
    if not isinstance(urls, dict):
        problems.append(f"{where}: expected a mapping of service addresses, got {urls!r}")
        return {}
    unknown_keys(urls, set(URL_KEYS), where, problems)
    out: dict[str, Any] = {}
    fields = {"arxiv_api": "arxiv_api", "arxiv_feeds": "arxiv_feeds_url",
              "huggingface": "huggingface"}
    for key, field in fields.items():
        if key in urls:
            url = urls[key]
            parts = urlsplit(url) if isinstance(url, str) else None
            if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
                problems.append(f"{where}.{key}: expected an http(s) URL, got {url!r}")
            else:
                out[field] = url.strip()
    return out
