"""Shared by bench/search_quality.py and bench/query_cost.py: a static server on 127.0.0.1
that compresses text the way GitHub Pages does and logs what it sent, headless Chromium,
and one query run against our search page or against Pagefind's JS API.

Only the standard library at import time; Playwright (PyPI `playwright`) is imported when a
browser is started, and Chromium is Debian's /usr/bin/chromium (Playwright downloads none).
"""

from __future__ import annotations

import contextlib
import gzip
import http.server
import json
import os
import posixpath
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
# As root, in a closed network: no sandbox, and none of Chromium's own background requests.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# What GitHub Pages sends with Content-Encoding: gzip (text types); everything else as is.
# Pagefind's own index files (*.pf_*, *.pagefind) and our search/<shard>/*.json.gz are gzip
# streams already, served as bytes: a .gz file as application/gzip with no Content-Encoding,
# as GitHub Pages sends it (search.js unpacks it), so its bytes are counted as stored.
COMPRESSED_TYPES = ("text/html", "text/css", "text/xml", "text/plain", "application/javascript",
                    "text/javascript", "application/json", "application/xml",
                    "application/atom+xml", "application/rss+xml", "image/svg+xml")
GZIP_LEVEL = 6



def ours_page_file(path: str) -> bool:
    """Whether a request is the search page's own (its HTML, and the CSS, JS and icon it loads
    from assets/), which a query does not count."""
    return path in ("/search.html", "/favicon.ico") or path.startswith("/assets/")


# Pagefind is queried from a blank page the browser makes up (never served; its icon is empty,
# and a request for /favicon.ico is not counted either), which imports
# pagefind.js: every request the server sees for Pagefind counts, pagefind.js included
# (it is Pagefind's client, as search.js is ours, but a page loads it only to search).
SEARCHED_EVENT = "digest:searched"


@dataclass
class Sent:
    path: str
    status: int
    body_bytes: int  # as sent: gzip-compressed when Content-Encoding is gzip
    raw_bytes: int  # the file's size on disk
    gzipped: bool


@dataclass
class Log:
    """What the server sent, in order; the number of requests in flight and the last time
    one ended (to wait until the page has stopped fetching)."""

    sent: list[Sent] = field(default_factory=list)
    in_flight: int = 0
    last: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def clear(self) -> None:
        with self.lock:
            self.sent.clear()

    def take(self) -> list[Sent]:
        with self.lock:
            taken, self.sent = self.sent, []
            return taken

    def wait_idle(self, quiet: float = 0.3, timeout: float = 30.0) -> None:
        """Until no request has been in flight for `quiet` seconds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                idle = self.in_flight == 0 and time.monotonic() - self.last >= quiet
            if idle:
                return
            time.sleep(0.05)


class _Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a browser gets from GitHub Pages (over h2)
    # GitHub Pages' type for a .gz file (http.server's too, set here so it never depends on
    # the Python version): sent as stored, no Content-Encoding.
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".gz": "application/gzip"}
    timeout = 30  # seconds an idle kept-alive connection is held
    log: Log
    cache: dict[str, bytes]
    cache_lock: threading.Lock

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        with self.log.lock:
            self.log.in_flight += 1
        try:
            self._get()
        finally:
            with self.log.lock:
                self.log.in_flight -= 1
                self.log.last = time.monotonic()

    def _get(self) -> None:
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        local = self.translate_path(self.path)
        if os.path.isdir(local):
            local = os.path.join(local, "index.html")
            path = posixpath.join(path, "index.html")
        try:
            with open(local, "rb") as f:
                raw = f.read()
        except OSError:
            self.send_error(404)
            with self.log.lock:
                self.log.sent.append(Sent(path, 404, 0, 0, False))
            return
        ctype = self.guess_type(local)
        zipped = (ctype.split(";")[0] in COMPRESSED_TYPES and not local.endswith(".gz")
                  and "gzip" in self.headers.get("Accept-Encoding", ""))
        body = raw
        if zipped:
            with self.cache_lock:  # compressed once per file: the server's CPU is not timed
                body = self.cache.get(local) or b""
                if not body:
                    body = self.cache[local] = gzip.compress(raw, GZIP_LEVEL, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")  # GitHub Pages' header
        if zipped:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)
        with self.log.lock:
            self.log.sent.append(Sent(path, 200, len(body), len(raw), zipped))


@contextlib.contextmanager
def serve(root: Path) -> Iterator[tuple[str, Log]]:
    """Serve root on 127.0.0.1 (a free port), gzip for text as GitHub Pages does; yields
    (http://127.0.0.1:PORT, the log of what was sent)."""
    log = Log()
    handler = type("Handler", (_Handler,), {"log": log, "cache": {},
                                            "cache_lock": threading.Lock()})

    def make(*args: object, **kwargs: object) -> _Handler:
        return handler(*args, directory=str(root), **kwargs)  # type: ignore[arg-type]

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make)  # type: ignore[arg-type]
    server.daemon_threads = True
    server.block_on_close = False  # a browser still open may hold keep-alive connections
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", log
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def browser_missing() -> str | None:
    """Why no browser can be started here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install playwright)"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    return None


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# --------------------------------------------------------------------------------------------
# Our search page

# Installed before the page's scripts: records `digest:searched` (the page's completion
# signal), and as a fallback for a search.js that does not send it yet, the time #search-status
# first said "Searching…" and the time it stopped.
_OURS_WATCH = """
(() => {
  const w = window.__bench = {event: null, started: null, ended: null, status: null};
  document.addEventListener("SEARCHED_EVENT", (e) => { w.event = e.detail || {}; });
  const look = () => {
    const node = document.getElementById("search-status");
    if (!node) { return; }
    const text = node.textContent.trim();
    if (text.startsWith("Searching")) {
      if (w.started === null) { w.started = performance.now(); }
    } else if (w.started !== null && w.ended === null && text) {
      w.ended = performance.now(); w.status = text;
    }
  };
  new MutationObserver(look).observe(document, {subtree: true, childList: true,
                                                characterData: true});
})();
""".replace("SEARCHED_EVENT", SEARCHED_EVENT)


def page_sends_event(site: Path) -> bool:
    """Whether the site's search.js dispatches `digest:searched` (else the fallback)."""
    js = site / "assets" / "search.js"
    return js.is_file() and SEARCHED_EVENT in js.read_text(encoding="utf-8", errors="replace")


def prepare_ours(context: object) -> None:
    context.add_init_script(_OURS_WATCH)  # type: ignore[attr-defined]


@dataclass
class Answer:
    slugs: list[str]  # in rank order, as many as the page shows (ours) or was asked (Pagefind)
    total: int | None  # how many the system says it found
    ms: float | None  # compute time: ours detail.ms (or the fallback), Pagefind timed in page
    how: str = ""  # "event" or "status" (ours), "api" (Pagefind)
    error: str = ""


def slug_of(href: str) -> str | None:
    path = urllib.parse.urlsplit(href).path
    if "/papers/" not in path or not path.endswith(".html"):
        return None
    return urllib.parse.unquote(path.rsplit("/", 1)[1][:-len(".html")])


def query_ours(page: object, base: str, query: str, event: bool,
               timeout_ms: float = 60_000) -> Answer:
    """Open search.html?q=query in `page` (its context prepared with prepare_ours) and read
    the results once the page says it is done."""
    url = f"{base}/search.html?q={urllib.parse.quote(query)}"
    page.goto(url, wait_until="domcontentloaded")  # type: ignore[attr-defined]
    done = ("window.__bench && window.__bench.event !== null" if event
            else "window.__bench && window.__bench.ended !== null")
    try:
        page.wait_for_function(done, timeout=timeout_ms)  # type: ignore[attr-defined]
    except Exception as err:  # Playwright's TimeoutError
        return Answer([], None, None, error=f"no result: {str(err).splitlines()[0]}")
    state = page.evaluate("window.__bench")  # type: ignore[attr-defined]
    hrefs = page.eval_on_selector_all(  # type: ignore[attr-defined]
        "#search-results > li", "items => items.map(li => {"
        " const a = li.querySelector('.paper-title a'); return a ? a.href : ''; })")
    slugs = [s for s in map(slug_of, hrefs) if s]
    if event:
        detail = state["event"]
        total, ms = detail.get("total"), detail.get("ms")
        return Answer(slugs, int(total) if total is not None else None,
                      float(ms) if ms is not None else None, "event")
    ms = state["ended"] - state["started"]
    total = None
    words = (state["status"] or "").split()
    if words and words[0].isdigit():
        total = int(words[0])
    elif (state["status"] or "").startswith("No paper"):
        total = 0
    return Answer(slugs, total, ms, "status")


# --------------------------------------------------------------------------------------------
# Pagefind

BLANK = "/__bench_blank.html"  # answered by the browser itself (page.route), never served

_PAGEFIND_QUERY = """
async ([query, top]) => {
  const pf = await import("/pagefind/pagefind.js");
  await pf.init();
  const started = performance.now();
  const search = await pf.search(query);
  const data = await Promise.all(search.results.slice(0, top).map((r) => r.data()));
  const ms = performance.now() - started;
  return {total: search.results.length, urls: data.map((d) => d.url), ms: ms};
}
"""


def open_blank(page: object, base: str) -> None:
    """Point `page` at a blank page of the site's origin, made up by the browser (so the
    server sees only what Pagefind fetches)."""
    page.route(f"{base}{BLANK}", lambda route: route.fulfill(  # type: ignore[attr-defined]
        status=200, content_type="text/html",
        body="<!DOCTYPE html><html><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
             "</head><body></body></html>"))
    page.goto(f"{base}{BLANK}")  # type: ignore[attr-defined]


def query_pagefind(page: object, query: str, top: int) -> Answer:
    """pf.search(query) and the data() of the first `top` results, in a page opened with
    open_blank; ms is the time around search + data() (import and init not timed)."""
    try:
        got = page.evaluate(_PAGEFIND_QUERY, [query, top])  # type: ignore[attr-defined]
    except Exception as err:
        return Answer([], None, None, "api", error=str(err).splitlines()[0])
    slugs = [s for s in map(slug_of, got["urls"]) if s]
    return Answer(slugs, got["total"], got["ms"], "api")


def run_pagefind_index(pagefind: list[str], site: Path, log: Path, glob: str | None = None,
                       root_selector: str | None = None, exclude: tuple[str, ...] = ()
                       ) -> bool:
    """Index `site` with Pagefind (its bundle in site/pagefind/); True if it worked."""
    import subprocess

    cmd = [*pagefind, "--site", str(site)]
    if glob:
        cmd += ["--glob", glob]
    if root_selector:
        cmd += ["--root-selector", root_selector]
    for selector in exclude:
        cmd += ["--exclude-selectors", selector]
    with open(log, "wb") as out:
        done = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False)
    return done.returncode == 0 and (site / "pagefind" / "pagefind.js").is_file()


def dumps(obj: object) -> str:
    return json.dumps(obj, indent=1, ensure_ascii=False, default=str) + "\n"
