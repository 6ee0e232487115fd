"""What each service is asked, and which part of its answer becomes a dump.

Every answer is stored in the service's own format, so a build reads it with the parser
`digest ingest` uses for a saved file of that kind:

- arXiv API searches: each answer page as it came (Atom), the date window in the query;
- arXiv listing feeds: the feed (RSS/Atom) without the items that match no theme's keywords
  (with `keep: themes`), or whole (`keep: all`);
- Hugging Face Papers searches: the JSON list without the papers published before the window;
- Hugging Face daily papers: each day's JSON list as it came (the window's last 7 days).

An answer that does not parse, or is an arXiv API error, is a FetchError, never a dump.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from generator.errors import FetchError, SourceError
from generator.models import ThemeSpec
from generator.stages.merge import slugify
from generator.stages.read.arxiv import ARXIV, ATOM, DC, RDF, RSS1, read_xml
from generator.stages.read.fields import parse_date, strip_html
from generator.stages.themes.phrases import ThemeMatcher, tokens
from generator.tools.fetch.http import Client
from generator.tools.fetch.settings import FetchSettings

OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
DAILY_DAYS = 7  # Hugging Face daily papers: at most the window's last week, one request a day
for _prefix, _uri in (("atom", ATOM), ("arxiv", ARXIV), ("dc", DC), ("rdf", RDF),
                      ("content", "http://purl.org/rss/1.0/modules/content/"),
                      ("opensearch", OPENSEARCH)):
    ET.register_namespace(_prefix, _uri.strip("{}"))


@dataclass(frozen=True, slots=True)
class Answer:
    """One dump to add: its file name, bytes, and what the manifest says of it."""

    name: str
    data: bytes
    query: str
    origin: str
    format: str  # the parser (sources.PARSERS) that reads it
    url: str  # what was asked
    capped: str = ""  # what max_results left out, if anything (said as a warning)


@dataclass(frozen=True, slots=True)
class Window:
    """The days a run collects: since the newest collected date (or --since) until today."""

    since: dt.date
    until: dt.date


def arxiv_url(settings: FetchSettings, query: str, window: Window, start: int, count: int) -> str:
    """An arXiv API request: newest submissions first, within the window."""
    search = (f"({query}) AND submittedDate:[{window.since:%Y%m%d}0000 TO "
              f"{window.until:%Y%m%d}2359]")
    return settings.arxiv_api + "?" + urlencode({
        "search_query": search, "start": start, "max_results": count,
        "sortBy": "submittedDate", "sortOrder": "descending"})


def arxiv_title_url(settings: FetchSettings, title: str, count: int) -> str:
    """An arXiv API request for papers whose title holds this phrase (`digest enrich`)."""
    return settings.arxiv_api + "?" + urlencode({"search_query": f'ti:"{title}"', "start": 0,
                                                 "max_results": count})


def feed_url(settings: FetchSettings, category: str) -> str:
    return settings.arxiv_feeds_url.rstrip("/") + "/" + category


def hf_search_url(settings: FetchSettings, query: str) -> str:
    return settings.huggingface.rstrip("/") + "/api/papers/search?" + urlencode({"q": query})


def hf_daily_url(settings: FetchSettings, day: dt.date) -> str:
    return settings.huggingface.rstrip("/") + "/api/daily_papers?" + urlencode(
        {"date": day.isoformat()})


def daily_days(window: Window) -> list[dt.date]:
    first = max(window.since, window.until - dt.timedelta(days=DAILY_DAYS - 1))
    return [first + dt.timedelta(days=n) for n in range((window.until - first).days + 1)]


def arxiv_search(client: Client, settings: FetchSettings, query: str, window: Window
                 ) -> list[Answer]:
    """Every page of the search's answer, newest first, up to max_results entries."""
    what = f"arXiv API search {query!r}"
    answers: list[Answer] = []
    start = 0
    while start < settings.max_results:
        count = min(settings.page_size, settings.max_results - start)
        url = arxiv_url(settings, query, window, start, count)
        data = client.get(url, what, check=functools.partial(_full_page, start=start, what=what,
                                                             url=url))
        entries, total = arxiv_page(data, what, url)
        if not entries:  # the end (an empty page before it fails _full_page's check)
            break
        page = len(answers) + 1
        answers.append(Answer(
            name=f"{_stem(window, 'arxiv', query)}-p{page}.xml", data=data, query=query,
            origin=f"arXiv API search, results {start + 1} to {start + entries} of {total}, "
                   f"submitted {window.since} to {window.until}; saved by digest fetch",
            format="arxiv-api", url=url))
        start += entries
        if start >= total or entries < count:
            break
    if answers and start < total:
        answers[-1] = dataclasses.replace(answers[-1], capped=(
            f"{what}: {total} results in the window, the newest {start} stored "
            f"(max_results); a later run starts after today, so the others are not fetched; "
            "raise max_results or narrow the query"))
    return answers


def arxiv_feed(client: Client, settings: FetchSettings, category: str, window: Window,
               themes: Sequence[ThemeSpec]) -> list[Answer]:
    """The category's listing feed, kept whole or cut to the items matching a theme."""
    what = f"arXiv listing feed {category}"
    url = feed_url(settings, category)
    data = client.get(url, what, check=functools.partial(_xml, what=what, url=url))
    root = _xml(data, what, url)
    items = _feed_items(root)
    matched = [item for item in items if settings.keep == "all" or _matches(item, themes)]
    kept = matched[: settings.max_results]
    if not kept:
        return []
    if len(kept) < len(items):
        drop = {id(item) for item in items} - {id(item) for item in kept}
        for parent in root.iter():
            for child in list(parent):
                if id(child) in drop:
                    parent.remove(child)
        data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8",
                                                                          xml_declaration=False)
    how = (f"{len(kept)} of its {len(items)} items"
           + (", those matching a theme's keywords" if settings.keep == "themes" else "")
           + (f", the first {settings.max_results} (max_results)"
              if len(matched) > len(kept) else ""))
    capped = (f"{what}: {len(matched)} items to keep, the first {len(kept)} stored "
              "(max_results); raise max_results to keep them all" if len(matched) > len(kept)
              else "")
    return [Answer(name=f"{_stem(window, 'arxiv-feed', category)}.xml", data=data,
                   query=category, origin=f"arXiv listing feed {category}: {how}; saved by "
                   "digest fetch", format="arxiv-listing", url=url, capped=capped)]


def hf_search(client: Client, settings: FetchSettings, query: str, window: Window
              ) -> list[Answer]:
    """The search's papers published within the window, up to max_results."""
    what = f"Hugging Face Papers search {query!r}"
    url = hf_search_url(settings, query)
    data = client.get(url, what, check=functools.partial(json_list, what=what, url=url))
    entries = json_list(data, what, url)
    recent = [e for e in entries if (day := _published(e)) is None or day >= window.since]
    kept = recent[: settings.max_results]
    if not kept:
        return []
    if len(kept) < len(entries):
        data = json.dumps(kept, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
    return [Answer(name=f"{_stem(window, 'hf-search', query)}.json", data=data, query=query,
                   origin=f"Hugging Face Papers search: {len(kept)} of {len(entries)} results, "
                   f"published since {window.since}; saved by digest fetch", format="hf-api",
                   url=url, capped=(f"{what}: {len(recent)} results in the window, the first "
                                    f"{len(kept)} stored (max_results)"
                                    if len(recent) > len(kept) else ""))]


def hf_daily(client: Client, settings: FetchSettings, window: Window) -> list[Answer]:
    """Each day's Hugging Face daily papers within the window's last week."""
    answers = []
    for day in daily_days(window):
        what = f"Hugging Face daily papers of {day}"
        url = hf_daily_url(settings, day)
        data = client.get(url, what, check=functools.partial(json_list, what=what, url=url))
        entries = json_list(data, what, url)
        if not entries:
            continue
        if len(entries) > settings.max_results:
            data = json.dumps(entries[: settings.max_results], ensure_ascii=False,
                              indent=1).encode("utf-8") + b"\n"
        answers.append(Answer(
            name=f"{window.until}-hf-daily-{day}.json", data=data, query=f"daily papers {day}",
            origin="Hugging Face daily papers; saved by digest fetch", format="hf-api",
            url=url))
    return answers


def _stem(window: Window, service: str, query: str) -> str:
    return f"{window.until}-{service}-{slugify(query, 40)}"


def _xml(data: bytes, what: str, url: str) -> ET.Element:
    try:
        root, _ = read_xml(data.decode("utf-8"), url)
    except UnicodeDecodeError as err:
        raise FetchError(f"{what}: {url}: the answer is not UTF-8 text ({err.reason}); "
                         "nothing was stored") from None
    except SourceError as err:
        raise FetchError(f"{what}: {err}; nothing was stored") from None
    return root


def _full_page(data: bytes, start: int, what: str, url: str) -> None:
    """An answer page is cached only if it has entries, or the search has no more."""
    entries, total = arxiv_page(data, what, url)
    if not entries and start < total:
        raise FetchError(f"{what}: {url}: an empty page at result {start + 1} of {total} (the "
                         "arXiv API does this now and then); nothing was stored; run the "
                         "command again")


def arxiv_page(data: bytes, what: str, url: str) -> tuple[int, int]:
    """(entries on the page, total results); an error answer is a FetchError."""
    root = _xml(data, what, url)
    if root.tag != f"{ATOM}feed":
        raise FetchError(f"{what}: {url}: expected an Atom feed, got <{root.tag}>; nothing "
                         "was stored")
    entries = list(root.iter(f"{ATOM}entry"))
    for entry in entries:
        if "arxiv.org/api/errors" in (entry.findtext(f"{ATOM}id") or ""):
            message = " ".join((entry.findtext(f"{ATOM}summary") or "").split())
            raise FetchError(f"{what}: the arXiv API refused the query: {message}; check the "
                             "query's syntax in digest.yaml (fetch: arxiv)")
    total_text = (root.findtext(f"{OPENSEARCH}totalResults") or "").strip()
    total = int(total_text) if total_text.isdigit() else len(entries)
    return len(entries), total


def _feed_items(root: ET.Element) -> list[ET.Element]:
    if root.tag == "rss":
        return list(root.iter("item"))
    if root.tag == f"{RDF}RDF":
        return list(root.iter(f"{RSS1}item"))
    if root.tag == f"{ATOM}feed":
        return list(root.iter(f"{ATOM}entry"))
    raise FetchError(f"expected an RSS or Atom feed, got <{root.tag}>")


def _matches(item: ET.Element, themes: Sequence[ThemeSpec]) -> bool:
    """Whether an item's title or abstract has a keyword phrase of any theme."""
    text = " . ".join(strip_html(el.text or "") for el in item
                      if el.tag.rsplit("}", 1)[-1] in ("title", "description", "summary"))
    toks = tokens(text)
    return any(_matcher(spec).count(toks) for spec in themes)


_MATCHERS: dict[ThemeSpec, ThemeMatcher] = {}


def _matcher(spec: ThemeSpec) -> ThemeMatcher:
    found = _MATCHERS.get(spec)
    if found is None:
        found = _MATCHERS[spec] = ThemeMatcher(spec.keywords, spec.exclude)
    return found


def json_list(data: bytes, what: str, url: str) -> list[object]:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise FetchError(f"{what}: {url}: the answer is not JSON ({err}); nothing was "
                         "stored") from None
    if not isinstance(value, list):
        raise FetchError(f"{what}: {url}: expected a JSON list of papers, got "
                         f"{type(value).__name__}; nothing was stored")
    return value


def _published(entry: object) -> dt.date | None:
    if not isinstance(entry, dict):
        return None
    paper = entry.get("paper")
    value = (paper.get("publishedAt") if isinstance(paper, dict) else None) \
        or entry.get("publishedAt")
    return parse_date(value) if isinstance(value, str) else None

