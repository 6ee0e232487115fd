"""`digest serve`: build, serve the site on 127.0.0.1 under its base path, rebuild on change."""

from __future__ import annotations

import functools
import http.server
import logging
import os
import threading
from collections.abc import Callable, Iterable
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)


class SiteServer(http.server.ThreadingHTTPServer):
    """The HTTP server, holding the URL path the site is served under: a rebuild whose
    base_url changed sets a new one, which the next request is answered with."""

    base_path = "/"


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site under its server's base_path, as GitHub Pages would; anything else is
    the 404 page."""

    server: SiteServer

    def __init__(self, *args: object, site: Path, **kwargs: object) -> None:
        self.site = site
        super().__init__(*args, directory=str(site), **kwargs)  # type: ignore[arg-type]

    @property
    def base_path(self) -> str:
        return self.server.base_path

    def translate_path(self, path: str) -> str:
        url_path = urlsplit(path).path
        if not url_path.startswith(self.base_path):
            return str(self.site / "__outside_base_path__")
        return super().translate_path("/" + url_path[len(self.base_path):])

    def send_head(self) -> BinaryIO | None:
        """The file to send, or None once an error or a redirect is sent (for GET and HEAD
        alike: both ask this). The server's root, and the base path without its final
        slash, redirect to the base path, as GitHub Pages answers a project page's
        address. A path holding a NUL (%00) is a bad request: the standard handler would
        pass it to the file system, whose ValueError dropped the connection with a
        traceback. A folder without index.html is not found, as on GitHub Pages, where a
        folder is never listed."""
        parts = urlsplit(self.path)
        if self.base_path != "/" and parts.path in ("", "/", self.base_path.rstrip("/")):
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", self.base_path + (f"?{parts.query}" if parts.query
                                                           else ""))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if "\x00" in unquote(parts.path):
            self.send_error(HTTPStatus.BAD_REQUEST, "Bad request path (a NUL character)")
            return None
        local = self.translate_path(self.path)
        if os.path.isdir(local) and not os.path.isfile(os.path.join(local, "index.html")):
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        return super().send_head()

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        """Never a listing of a folder's files: not found (send_head answers first)."""
        self.send_error(HTTPStatus.NOT_FOUND)
        return None

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        page = self.site / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)


def make_server(site: Path, base_path: str, port: int) -> SiteServer:
    """An HTTP server on 127.0.0.1 serving site under base_path (port 0 picks a free one;
    server_url says which). Raises OSError when the port cannot be had (in use, or
    reserved)."""
    server = SiteServer(("127.0.0.1", port), functools.partial(SiteHandler, site=site))
    server.base_path = base_path
    return server


def server_url(server: SiteServer) -> str:
    """The address the site is really served at: the port bound (not the one asked for,
    which may have been 0) and the base path."""
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}{server.base_path}"


def snapshot(folders: Iterable[Path]) -> dict[str, tuple[int, int]]:
    """(mtime in ns, size) of every file below the folders: what a change is detected by."""
    state: dict[str, tuple[int, int]] = {}
    for folder in folders:
        for dirpath, _dirs, names in os.walk(folder):
            for name in names:
                path = os.path.join(dirpath, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                state[path] = (st.st_mtime_ns, st.st_size)
    return state


def watch(folders: list[Path], rebuild: Callable[[], None], stop: threading.Event,
          interval: float = 0.5, since: dict[str, tuple[int, int]] | None = None) -> None:
    """Call rebuild() after files below folders change (from `since`), until stop is set."""
    last = snapshot(folders) if since is None else since
    while not stop.wait(interval):
        now = snapshot(folders)
        if now != last:
            last = now
            rebuild()
