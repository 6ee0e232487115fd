"""What one search costs a reader: requests, bytes and compute time of a first query with a cold
cache, for our search page and for Pagefind. Used by bench/run.py after each cold build (see
docs/performance.md); needs Playwright and Debian's Chromium, else it is skipped with a note.

Each query runs in a new browser context (an empty HTTP cache), against the site served from
127.0.0.1 by bench/search_browser.serve, which compresses text responses as GitHub Pages does
(Content-Encoding: gzip for HTML, CSS, JS, JSON, XML, SVG) and logs every response it sends.

  requests  responses the server sent for the query: for ours every request but the search
            page's own search.html and what it loads from assets/ (CSS, JS, icon; counted apart
            as "page" in results.json): search/shards.json, the index files, the blocks of
            slugs, data/ files, and the paper pages the results' titles and excerpts are read
            from ("results"); for Pagefind every request the page made (it
            starts from a blank page the browser makes up): pagefind.js, its worker,
            pagefind-entry.json, the .pf_meta, the WebAssembly, the index chunks, and the top
            10 results' fragments ("results")
  bytes     the bodies of those responses as sent (gzip-compressed where the server
            compressed them; our search/*/*.json.gz and Pagefind's own .pf_* and .pagefind
            files are gzip already and sent as they are); headers not counted
  ms        ours: detail.ms of the page's `digest:searched` event (or, until search.js sends
            it, from #search-status saying "Searching…" to the status that replaced it: the
            whole search, results shown); Pagefind: performance.now() around pf.search(q) and
            data() of the top 10 results in page.evaluate (import and init not timed)
"""

from __future__ import annotations

import statistics
from pathlib import Path

import search_browser as sb

# (what it is, the query): one of each kind a reader types.
QUERIES: tuple[tuple[str, str], ...] = (
    ("rare term", "matryoshka"),
    ("common term", "learning"),
    ("two terms", "contrastive representation"),
    ("phrase", '"world model"'),
    ("typo", "reinforcment learning"),
    ("prefix", "embed"),
    ("author", "Kusupati"),
    ("hyphenated", "self-supervised"),
)
TOP_DATA = 10  # Pagefind results whose data() is loaded, as its default UI shows
TARGETS = {"bytes": 1_000_000, "requests": 30, "ms": 300.0}  # per query; never asserted


def _part(path: str) -> str:
    """What a counted request fetched: what shows a result (our paper pages, Pagefind's
    fragments), the index (the rest of search/ or pagefind/), or anything else."""
    if path.startswith(("/papers/", "/pagefind/fragment/")):
        return "results"
    if path.startswith(("/search/", "/pagefind/")):
        return "index"
    return "other"


def _row(label: str, query: str, answer: sb.Answer, sent: list[sb.Sent]) -> dict:
    parts: dict[str, list[int]] = {}
    for s in sent:
        count = parts.setdefault(_part(s.path), [0, 0])
        count[0] += 1
        count[1] += s.body_bytes
    return {"what": label, "query": query, "hits": answer.total, "ms": answer.ms,
            "how": answer.how, "error": answer.error, "requests": len(sent),
            "bytes": sum(s.body_bytes for s in sent), "raw_bytes": sum(s.raw_bytes for s in sent),
            "missing": sum(1 for s in sent if s.status != 200),
            "parts": {k: {"requests": v[0], "bytes": v[1]} for k, v in sorted(parts.items())}}


def measure_ours(site: Path, queries: tuple[tuple[str, str], ...] = QUERIES) -> list[dict]:
    """Each query as the first one of a new browser context on our search page."""
    event = sb.page_sends_event(site)
    rows = []
    with sb.chromium() as browser, sb.serve(site) as (base, log):
        for label, query in queries:
            context = browser.new_context()
            sb.prepare_ours(context)
            page = context.new_page()
            log.take()
            answer = sb.query_ours(page, base, query, event)
            log.wait_idle()  # whatever the page still fetches for this query counts too
            sent = log.take()
            context.close()
            own = [s for s in sent if sb.ours_page_file(s.path)]
            row = _row(label, query, answer, [s for s in sent if not sb.ours_page_file(s.path)])
            row["page"] = {"requests": len(own), "bytes": sum(s.body_bytes for s in own)}
            rows.append(row)
    return rows


def measure_pagefind(site: Path, queries: tuple[tuple[str, str], ...] = QUERIES) -> list[dict]:
    """Each query as the first one of a new browser context, through Pagefind's JS API on a
    site that holds its bundle in pagefind/."""
    rows = []
    with sb.chromium() as browser, sb.serve(site) as (base, log):
        for label, query in queries:
            context = browser.new_context()
            page = context.new_page()
            sb.open_blank(page, base)
            log.take()
            answer = sb.query_pagefind(page, query, TOP_DATA)
            log.wait_idle()
            sent = [s for s in log.take() if s.path != "/favicon.ico"]
            context.close()
            rows.append(_row(label, query, answer, sent))
    return rows


def summarise(rows: list[dict]) -> dict:
    """Median and max of requests, bytes and ms over the queries."""
    out: dict[str, object] = {"queries": len(rows),
                              "errors": sum(1 for r in rows if r["error"])}
    for key in ("requests", "bytes", "ms"):
        values = [r[key] for r in rows if r[key] is not None and not r["error"]]
        out[f"{key}_median"] = statistics.median(values) if values else None
        out[f"{key}_max"] = max(values) if values else None
    return out


def measure(site: Path, system: str) -> dict:
    """{"rows": per query, "summary": medians and maxima} for "ours" or "pagefind"."""
    rows = measure_ours(site) if system == "ours" else measure_pagefind(site)
    return {"rows": rows, "summary": summarise(rows)}


# --------------------------------------------------------------------------------------------
# Report (bench/run.py adds these to results.md)


def _kb(value: float | None) -> str:
    return "n/a" if value is None else f"{value / 1000:,.1f}"


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def _n(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


SYSTEM_NAMES = {"ours": "ours", "pagefind": "Pagefind (on Hugo's site)"}


def render(sizes: list[tuple[int, dict[str, dict]]]) -> list[str]:
    """The results.md section: per size and system the medians and maxima, then each query."""
    if not any(queries for _n_, queries in sizes):
        return []
    out = ["## One search query, cold cache", "",
           f"{len(QUERIES)} queries ({', '.join(label for label, _q in QUERIES)}), each the "
           "first of a new browser context, the site served from 127.0.0.1 with gzip as GitHub "
           "Pages. Requests: ours, all but search.html and its assets/ (CSS, JS, icon); "
           "Pagefind, all (pagefind.js and its WebAssembly included). KB: response bodies as "
           "sent. ms: ours, the page's own search time; Pagefind, search + data() of the top "
           f"{TOP_DATA}. Targets per query: <= {TARGETS['bytes'] / 1e6:.0f} MB, <= "
           f"{TARGETS['requests']} requests, < {TARGETS['ms']:.0f} ms.", "",
           "| papers | search | requests median | max | KB median | max | ms median | max |",
           "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for n, queries in sizes:
        for system, got in queries.items():
            s = got["summary"]
            errors = f" ({s['errors']} failed)" if s["errors"] else ""
            out.append(f"| {n:,} | {SYSTEM_NAMES.get(system, system)}{errors} | "
                       f"{_n(s['requests_median'])} | {_n(s['requests_max'])} | "
                       f"{_kb(s['bytes_median'])} | {_kb(s['bytes_max'])} | "
                       f"{_ms(s['ms_median'])} | {_ms(s['ms_max'])} |")
    out += ["", "| papers | search | query | hits | requests (index + results + other) | KB | "
            "ms |",
            "| ---: | --- | --- | ---: | --- | ---: | ---: |"]
    for n, queries in sizes:
        for system, got in queries.items():
            for r in got["rows"]:
                split = " + ".join(str(r["parts"].get(k, {}).get("requests", 0))
                                   for k in ("index", "results", "other"))
                hits = "error" if r["error"] else _n(r["hits"])
                query = r["query"].replace("|", "\\|")
                out.append(f"| {n:,} | {SYSTEM_NAMES.get(system, system)} | {r['what']}: "
                           f"`{query}` | {hits} | {r['requests']} ({split}) | "
                           f"{_kb(r['bytes'])} | {_ms(r['ms'])} |")
    return out + [""]


def target_rows(n: int, queries: dict[str, dict]) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) for our search at n papers: the worst of the queries."""
    got = queries.get("ours")
    if not got:
        return []
    s = got["summary"]
    rows = []
    for key, what, shown in (("bytes", "<= 1 MB transferred", _kb),
                             ("requests", "<= 30 requests", _n),
                             ("ms", "< 300 ms", _ms)):
        worst = s[f"{key}_max"]
        unit = " KB" if key == "bytes" else " ms" if key == "ms" else ""
        met = None if worst is None else (worst < TARGETS[key] if key == "ms"
                                          else worst <= TARGETS[key])
        rows.append((f"{n:,}: a search query {what} (the worst of {s['queries']})",
                     f"{shown(worst)}{unit}", met))
    return rows
