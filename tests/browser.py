"""Shared by the browser suites: a quiet static server on 127.0.0.1 and Debian's Chromium."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# As root, in a closed network: no sandbox, and none of Chromium's own background requests.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve_directory(root: Path, handler_class: type[http.server.SimpleHTTPRequestHandler] = _Quiet
                    ) -> Iterator[str]:
    """Serve root over HTTP on 127.0.0.1 (a free port); yields http://127.0.0.1:PORT. A .gz
    file is sent as it is stored, as application/gzip with no Content-Encoding (as GitHub
    Pages sends it), unless `handler_class` says otherwise."""
    handler = functools.partial(handler_class, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def require_chromium() -> None:
    """Skip without Debian's chromium, except on CI, where its absence is a failure."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} not installed")


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium browser driven by Playwright."""
    require_chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
