"""One network policy for every service `digest fetch` and `digest enrich` ask.

- a User-Agent naming the tool (and the owner's contact, when digest.yaml gives one);
- a pause between two requests to the same host (arXiv asks for 3 s);
- timeouts, and retries with backoff of a request that failed, timed out or was answered
  429 or 5xx, waiting as long as a Retry-After header says (up to max_wait_seconds): urllib3's
  Retry does this, so the policy is settings, not a loop of ours;
- a size limit on an answer, as on a dump (answers are untrusted input, read by the same
  parsers as `digest ingest`);
- a cache of raw answers, one folder per run day, so a run that was interrupted or failed
  resumes without asking again what it already has. Only answers that passed their check
  (they parse) are kept. The cache holds bytes, never code: nothing in it is executed or
  unpickled.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import InvalidHeader, MaxRetryError, NewConnectionError, TimeoutError
from urllib3.util.retry import Retry

from generator import __version__
from generator.errors import FetchError
from generator.stages.read.text import MAX_FILE_BYTES
from generator.text.atomic import write_atomic
from generator.tools.fetch.settings import FetchSettings

RETRY_STATUSES = (429, 500, 502, 503, 504)


class _Retry(Retry):
    """urllib3's Retry, with three changes of policy: a Retry-After longer than
    max_wait_seconds is cut to it (a scheduled run waits a while for a busy service, not
    for hours); one that is not a number or a date is ignored rather than an error; and the
    first retry, which urllib3 makes at once, waits the pause like any other request."""

    max_wait: float = 120.0
    pause: float = 3.0

    def get_retry_after(self, response: Any) -> float | None:
        try:
            seconds = super().get_retry_after(response)
        except InvalidHeader:
            return None
        return None if seconds is None else min(seconds, self.max_wait)

    def get_backoff_time(self) -> float:
        return min(max(super().get_backoff_time(), self.pause), self.max_wait)

    def new(self, **kw: Any) -> _Retry:
        made: _Retry = super().new(**kw)
        made.max_wait, made.pause = self.max_wait, self.pause
        return made


def user_agent(contact: str) -> str:
    """What every request says it is."""
    who = f"; {contact}" if contact else ""
    return f"digest/{__version__} (static literature digest generator{who})"


class Client:
    """GET with the policy above. `check` (on get) raises FetchError for an answer that is
    not what was asked for; such an answer is not cached."""

    def __init__(self, settings: FetchSettings, cache_dir: Path | None) -> None:
        retry = _Retry(total=settings.retries, connect=settings.retries, read=settings.retries,
                       status=settings.retries, status_forcelist=RETRY_STATUSES,
                       allowed_methods={"GET"}, backoff_factor=settings.pause_seconds,
                       backoff_max=settings.max_wait_seconds, respect_retry_after_header=True,
                       raise_on_status=False)
        retry.max_wait, retry.pause = settings.max_wait_seconds, settings.pause_seconds
        self.pool = urllib3.PoolManager(
            retries=retry, timeout=urllib3.Timeout(total=settings.timeout_seconds),
            headers={"User-Agent": user_agent(settings.contact),
                     "Accept-Encoding": "gzip"})
        self.settings = settings
        self.cache_dir = cache_dir
        self.requests = 0  # made over the network (not answered from the cache)
        self._last: dict[str, float] = {}  # host -> when its last request ended

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.clear()  # closes the pooled connections

    def get(self, url: str, what: str, check: Callable[[bytes], object] | None = None) -> bytes:
        """The answer's bytes (from the cache when this run day already has them)."""
        cached = self._cached(url)
        if cached is not None:
            return cached
        host = urlsplit(url).netloc
        wait = self._last.get(host, -1e9) + self.settings.pause_seconds - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        try:
            data = self._request(url, what)
        finally:
            self._last[host] = time.monotonic()
            self.requests += 1
        if check is not None:
            check(data)
        self._store(url, data)
        return data

    def _request(self, url: str, what: str) -> bytes:
        try:
            response = self.pool.request("GET", url, preload_content=False, release_conn=True)
        except MaxRetryError as err:
            raise FetchError(f"{what}: {url}: {_reason(err.reason)} (tried "
                             f"{self.settings.retries + 1} times); {ADVICE}") from None
        except (TimeoutError, Urllib3Error) as err:
            raise FetchError(f"{what}: {url}: {_reason(err)}; {ADVICE}") from None
        try:
            if response.status != 200:
                after = response.headers.get("Retry-After")
                hint = f", Retry-After: {after}" if after else ""
                tries = (f" (after {self.settings.retries} retries)"
                         if response.status in RETRY_STATUSES and self.settings.retries else "")
                raise FetchError(f"{what}: {url}: the service answered HTTP {response.status}"
                                 f"{hint}{tries}; {ADVICE}")
            return self._body(response, url, what)
        except (TimeoutError, Urllib3Error) as err:
            raise FetchError(f"{what}: {url}: {_reason(err)}; {ADVICE}") from None
        finally:
            response.release_conn()

    def _body(self, response: Any, url: str, what: str) -> bytes:
        """The answer's bytes, refused past the size limit, or if they take longer than
        timeout_seconds to arrive (urllib3's timeout bounds each read, so a server that
        sends a byte a second would otherwise hold a scheduled run for hours)."""
        deadline = time.monotonic() + self.settings.timeout_seconds
        chunks: list[bytes] = []
        size = 0
        while chunk := response.read1(64 * 1024):  # what has arrived, up to 64 KB
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                raise FetchError(f"{what}: {url}: the answer is over {MAX_FILE_BYTES:,} bytes, "
                                 "the limit for one dump; refused")
            if time.monotonic() > deadline:
                raise FetchError(f"{what}: {url}: the answer did not arrive within "
                                 f"{self.settings.timeout_seconds:g} s; {ADVICE}")
        return b"".join(chunks)

    def _path(self, url: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / hashlib.sha256(url.encode()).hexdigest()[:40]

    def _cached(self, url: str) -> bytes | None:
        path = self._path(url)
        if path is None or not path.is_file() or path.is_symlink():
            return None
        return path.read_bytes()

    def _store(self, url: str, data: bytes) -> None:
        path = self._path(url)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)


def day_cache(root: Path | None, day: str) -> Path | None:
    """This run day's folder of raw answers; other days' folders are removed (a new day
    asks again: feeds and searches change)."""
    if root is None:
        return None
    if root.is_dir():
        for old in root.iterdir():
            if old.name != day and old.is_dir() and not old.is_symlink():
                shutil.rmtree(old, ignore_errors=True)
    return root / day


def _reason(err: BaseException | None) -> str:
    if isinstance(err, NewConnectionError):  # (a subclass of TimeoutError, in urllib3 2)
        return f"cannot connect to the service ({err})"
    if isinstance(err, TimeoutError) or "timed out" in str(err).lower():
        return "no answer in time (timed out)"
    return str(err) if err is not None else "the request failed"


ADVICE = ("nothing in content/ was changed; run the command again later (answers already "
          "received are cached and not asked for again)")
