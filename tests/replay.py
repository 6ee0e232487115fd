"""A local stand-in for arXiv and Hugging Face, on 127.0.0.1, for the fetch and enrich tests.

It answers as the real services do, in their formats: the arXiv API's Atom pages (with
opensearch totals, paging by start/max_results and the submittedDate window of the query),
rss.arxiv.org's RSS 2.0 listing feeds, and the Hugging Face paper search and daily papers
JSON. Faults are queued per path: an HTTP status with headers (503 + Retry-After), a delay
longer than the client's timeout, or a raw body (malformed XML). Every request is logged with
its time, so a test can assert what was asked, and when.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Paper:
    arxiv_id: str
    title: str
    abstract: str
    authors: tuple[str, ...]
    published: dt.date
    categories: tuple[str, ...] = ("cs.LG",)


@dataclass
class Fault:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    delay: float = 0.0
    trickle: float = 0.0  # seconds between the body's bytes (a server that stalls)


@dataclass
class Catalogue:
    """What the fake services know."""

    papers: list[Paper] = field(default_factory=list)  # arXiv's (and HF's) whole catalogue
    feeds: dict[str, list[Paper]] = field(default_factory=dict)  # category -> today's items
    daily: dict[str, list[Paper]] = field(default_factory=dict)  # YYYY-MM-DD -> papers
    hf_known: set[str] = field(default_factory=set)  # ids HF's search finds by title
    arxiv_title_search: bool = True  # False: arXiv's title search finds nothing


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def atom_page(papers: list[Paper], total: int, start: int) -> bytes:
    entries = "".join(f"""
  <entry>
    <id>http://arxiv.org/abs/{p.arxiv_id}v1</id>
    <updated>{p.published}T17:59:59Z</updated>
    <published>{p.published}T17:59:59Z</published>
    <title>{escape(p.title)}</title>
    <summary>  {escape(p.abstract)}
</summary>
{''.join(f'    <author><name>{escape(a)}</name></author>{chr(10)}' for a in p.authors)}\
    <link href="http://arxiv.org/abs/{p.arxiv_id}v1" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/{p.arxiv_id}v1" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="{p.categories[0]}" scheme="http://arxiv.org/schemas/atom"/>
{''.join(f'    <category term="{c}" scheme="http://arxiv.org/schemas/atom"/>{chr(10)}' for c in p.categories)}\
  </entry>""" for p in papers)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: results</title>
  <id>http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8</id>
  <updated>2026-12-04T00:00:00-05:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{total}</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{start}</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{len(papers)}</opensearch:itemsPerPage>{entries}
</feed>
""".encode()


def rss_feed(category: str, papers: list[Paper]) -> bytes:
    items = "".join(f"""
    <item>
      <title>{escape(p.title)}</title>
      <link>https://arxiv.org/abs/{p.arxiv_id}</link>
      <description>arXiv:{p.arxiv_id}v1 Announce Type: new
Abstract: {escape(p.abstract)}</description>
      <guid isPermaLink="false">oai:arXiv.org:{p.arxiv_id}v1</guid>
{''.join(f'      <category>{c}</category>{chr(10)}' for c in p.categories)}\
      <pubDate>Fri, 04 Dec 2026 00:00:00 -0500</pubDate>
      <arxiv:announce_type>new</arxiv:announce_type>
      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>
      <dc:creator>{escape(', '.join(p.authors))}</dc:creator>
    </item>""" for p in papers)
    return f"""<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">
  <channel>
    <title>{category} updates on arXiv.org</title>
    <link>http://rss.arxiv.org/rss/{category}</link>
    <description>{category} updates on the arXiv.org e-print archive.</description>
    <atom:link href="https://rss.arxiv.org/rss/{category}" rel="self" type="application/rss+xml"/>
    <language>en-us</language>
    <lastBuildDate>Fri, 04 Dec 2026 05:00:00 +0000</lastBuildDate>{items}
  </channel>
</rss>
""".encode()


def hf_json(papers: list[Paper]) -> bytes:
    return json.dumps([{
        "paper": {"id": p.arxiv_id, "authors": [{"_id": f"a{i}", "name": a, "hidden": False}
                                                for i, a in enumerate(p.authors)],
                  "publishedAt": f"{p.published}T17:59:59.000Z", "title": p.title,
                  "summary": p.abstract, "upvotes": 3, "discussionId": "x"},
        "publishedAt": f"{p.published}T20:00:00.000Z", "title": p.title,
        "summary": p.abstract, "numComments": 0} for p in papers], indent=2).encode()


class Replay(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, catalogue: Catalogue) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.catalogue = catalogue
        self.faults: dict[str, list[Fault]] = {}  # path -> faults, first first
        self.log: list[tuple[float, str, str]] = []  # (time, path?query, User-Agent)
        self.lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up (a timeout test, a refused answer) is not the server's
        error; anything else is printed, as the standard library does."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def fail(self, path: str, *faults: Fault) -> None:
        self.faults.setdefault(path, []).extend(faults)

    def asked(self, path: str) -> list[str]:
        return [target for _, target, _ in self.log if urlsplit(target).path == path]

    def urls(self) -> dict[str, str]:
        return {"arxiv_api": f"{self.url}/api/query", "arxiv_feeds": f"{self.url}/rss/",
                "huggingface": self.url}


class _Handler(BaseHTTPRequestHandler):
    server: Replay
    protocol_version = "HTTP/1.1"  # keep-alive, as the real services answer

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        parts = urlsplit(self.path)
        with self.server.lock:
            self.server.log.append((time.monotonic(), self.path,
                                    self.headers.get("User-Agent", "")))
            queue = self.server.faults.get(parts.path) or []
            fault = queue.pop(0) if queue else None
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.status != 200 or fault.body is not None:
                self._send(fault.status, fault.body or b"busy", fault.headers, fault.trickle)
                return
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        cat = self.server.catalogue
        if parts.path == "/api/query":
            self._send(200, self._arxiv(cat, query), {"Content-Type": "application/atom+xml"})
        elif parts.path.startswith("/rss/"):
            category = parts.path.removeprefix("/rss/")
            self._send(200, rss_feed(category, cat.feeds.get(category, [])),
                       {"Content-Type": "application/rss+xml"})
        elif parts.path == "/api/papers/search":
            q = _norm(query.get("q", ""))
            found = [p for p in cat.papers if p.arxiv_id in cat.hf_known
                     and (q in _norm(p.title) or q in _norm(p.abstract))]
            self._send(200, hf_json(found), {"Content-Type": "application/json"})
        elif parts.path == "/api/daily_papers":
            self._send(200, hf_json(cat.daily.get(query.get("date", ""), [])),
                       {"Content-Type": "application/json"})
        else:
            self._send(404, b'{"error":"Not Found"}', {})

    def _arxiv(self, cat: Catalogue, query: dict[str, str]) -> bytes:
        search = query.get("search_query", "")
        start, count = int(query.get("start", 0)), int(query.get("max_results", 10))
        title = re.fullmatch(r'ti:"(.*)"', search)
        if title:
            phrase = _norm(title.group(1))
            found = [p for p in cat.papers if phrase in _norm(p.title)] \
                if cat.arxiv_title_search else []
        else:
            window = re.search(r"submittedDate:\[(\d{8})\d{4} TO (\d{8})\d{4}\]", search)
            words = [w for w in re.findall(r'"([^"]+)"', search)]
            found = [p for p in cat.papers
                     if any(_norm(w) in _norm(p.title + " " + p.abstract) for w in words)]
            if window:
                low, high = (dt.datetime.strptime(g, "%Y%m%d").date() for g in window.groups())
                found = [p for p in found if low <= p.published <= high]
            found.sort(key=lambda p: p.published, reverse=True)
        return atom_page(found[start:start + count], len(found), start)

    def _send(self, status: int, body: bytes, headers: dict[str, str],
              trickle: float = 0.0) -> None:
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not trickle:
                self.wfile.write(body)
            for byte in body if trickle else b"":
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(trickle)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
            pass


@contextmanager
def replay(catalogue: Catalogue) -> Iterator[Replay]:
    server = Replay(catalogue)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
