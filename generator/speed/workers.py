"""Run a pipeline stage in a forked child process while the parent goes on with another.

The model stages (themes, related papers, the map) are pure functions of the papers, each
mostly single-threaded Python and NumPy, so on a machine with two or more cores two of them
can run side by side. A forked child starts with the parent's memory (papers, imported
modules) at no copying cost and sends back only its pickled result. Where fork is unavailable,
with one core, or while other threads run, the stage simply runs in the parent when its result
is asked for.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import pickle
import signal
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from multiprocessing.connection import Connection
from typing import Generic, TypeVar

import threadpoolctl

from generator.errors import BuildError, GeneratorError, write_failure

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")

_freezing = False  # inside frozen_heap()
# A background worker's niceness: a process of niceness 10 gets about a tenth of a core that
# a process of niceness 0 also wants (Linux's CFS weights 110 and 1024).
BACKGROUND_NICE = 10
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def one_thread() -> threadpoolctl.threadpool_limits:
    """Native thread pools (BLAS, OpenMP) limited to one thread: while processes run side by
    side, more threads than cores only make them wait for each other (and spin)."""
    return threadpoolctl.threadpool_limits(limits=1)


@contextlib.contextmanager
def build_process() -> Iterator[None]:
    """The garbage collector's young generation walked a hundred times less often while a
    build runs: a build makes millions of objects that live until it ends (listings, papers,
    theme evidence) and few reference cycles, and with the default thresholds the collector
    took a quarter of the time of reading 100,000 cached papers. Memory stays as it was. The
    thresholds are given back afterwards (`digest serve` builds again and again)."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Within it, every worker is forked with the objects that exist then frozen (gc.freeze):
    the cyclic garbage collector no longer visits them, so neither side of a fork writes to
    all their headers, which would copy every memory page the two processes share (on the
    default digest about 6 % of the build's time). At the end they are handed back to the
    collector, so a long-lived caller collects its garbage as usual."""
    global _freezing
    outer, _freezing = _freezing, True
    mine = not outer and gc.get_freeze_count() == 0  # a caller's own freeze is left alone
    try:
        yield
    finally:
        _freezing = outer
        if mine:
            gc.unfreeze()


class Beside(Generic[T]):
    """A computation started now in a child process; `result()` waits for it. Use it as a
    context manager so that the child is stopped if the parent fails first.

    `then`: more work for the child once its result is sent, such as storing what the next
    build reuses (best effort: its errors are ignored); the parent goes on meanwhile, and
    waits for it at the end of the `with` block.

    `background`: the result is wanted only at the end of the build (the search index), so
    the child runs at a lower priority (BACKGROUND_NICE) and the processes the build waits
    for sooner get the cores first; it still takes any core they leave idle. (Not the map's
    layout: it is the default digest's last wait.)"""

    def __init__(self, compute: Callable[[], T], then: Callable[[], None] | None = None,
                 background: bool = False) -> None:
        self._compute = compute
        self._then = then
        self._collected = False  # the result was received (the child may still be at `then`)
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        # Forking while another thread runs could copy a lock that thread holds into a child
        # that then waits for it forever (a template cache's lock, say: two builds at once in
        # one process, or `digest serve`); then the stage runs here, when its result is asked.
        if ((os.cpu_count() or 1) > 1 and threading.active_count() == 1
                and "fork" in multiprocessing.get_all_start_methods()):
            if _freezing:
                gc.freeze()  # see frozen_heap
            context = multiprocessing.get_context("fork")
            receive, send = context.Pipe(duplex=False)
            self._process = context.Process(target=_child,
                                            args=(compute, send, then, background,
                                                  os.getpid()),
                                            daemon=True)
            self._process.start()
            send.close()
            self._conn = receive

    def __enter__(self) -> Beside[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        """Wait for the child's `then`; stop the child if its result was never collected
        (the parent failed meanwhile)."""
        if self._process is not None:
            if not self._collected and self._process.is_alive():
                self._process.terminate()
            self._process.join()
        if self._conn is not None:
            self._conn.close()

    @property
    def forked(self) -> bool:
        """Whether the computation runs in a child (else `result()` computes it)."""
        return self._process is not None

    def result(self) -> T:
        if self._process is None or self._conn is None:
            with one_thread():  # as in a worker: the build's other stages run beside it
                value = self._compute()
            if self._then is not None:
                _quietly(self._then)
            return value
        try:
            status, payload = pickle.loads(self._conn.recv_bytes())
        except EOFError:
            status, payload = "error", "the worker process ended without a result"
        finally:
            self._conn.close()
        self._collected = True
        if self._then is None or status != "ok":
            self._process.join()
        if status == "problem":
            raise BuildError(payload)
        if status == "error":
            raise BuildError(f"a build stage failed in its worker process:\n{payload}")
        return payload  # type: ignore[no-any-return]


class Later(Generic[T]):
    """A value a worker is still computing: the first call waits for it, later calls give it
    again, and a failed wait is raised again on each call.

    Only the process that made it may wait: a forked child reading the worker's pipe would
    take the parent's result."""

    def __init__(self, fetch: Callable[[], T]) -> None:
        self._fetch = fetch
        self._done = False
        self._value: T | None = None
        self._error: BaseException | None = None
        self._owner = os.getpid()

    def __call__(self) -> T:
        if self._error is not None:
            raise self._error
        if not self._done:
            if os.getpid() != self._owner:
                raise RuntimeError("a deferred result is only waited for by its own process")
            try:
                self._value = self._fetch()
            except BaseException as error:
                self._error = error
                raise
            self._done = True
        return self._value  # type: ignore[return-value]


class Deferred(Mapping[K, V]):
    """A mapping a worker is still computing (a Later); the first lookup waits for it. Pages
    that do not need it render meanwhile (the map's layout, say, while every other page is
    written)."""

    def __init__(self, fetch: Callable[[], Mapping[K, V]]) -> None:
        self._resolved = Later(fetch)

    def resolved(self) -> Mapping[K, V]:
        """The mapping itself (waited for if need be), for many lookups."""
        return self._resolved()

    def __getitem__(self, key: K) -> V:
        return self._resolved()[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._resolved())

    def __len__(self) -> int:
        return len(self._resolved())


class Shares(Generic[T]):
    """A sequence's items in chunks, each chunk handed to whichever process asks first:
    processes forked after it was made share its counter, so when two of them work through
    the same items the busier one simply takes fewer. Kept for the paper pages, which are
    most of a site's files (200,000 of 205,000 at 100,000 papers): a worker starts on them at
    once and the main process joins in when the rest of the site is written. Without it the
    worker rendered them all while the main process waited (100k cold: 227 s against 161 s)."""

    def __init__(self, items: Sequence[T], chunk: int = 32) -> None:
        self.items = items
        self.chunk = chunk
        # In shared memory, with its own lock; made in the fork context, as Beside forks.
        forking = "fork" in multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if forking else None)
        self._next = context.Value("q", 0)

    def __iter__(self) -> Iterator[T]:
        total = len(self.items)
        while True:
            with self._next.get_lock():
                start = self._next.value
                self._next.value = start + self.chunk
            if start >= total:
                return
            yield from self.items[start:start + self.chunk]


def die_with_parent(parent: int) -> None:
    """Have Linux kill this worker the moment the process that forked it dies (a build
    killed with SIGKILL runs no cleanup): a worker whose parent is gone would otherwise wait
    forever on its pipe, holding its memory. If the parent is gone already, exit now."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: no such call
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def _child(compute: Callable[[], object], conn: Connection,
           then: Callable[[], None] | None = None, background: bool = False,
           parent: int | None = None) -> None:
    if parent is not None:
        die_with_parent(parent)
    if background:
        with contextlib.suppress(OSError):
            os.nice(BACKGROUND_NICE)
    ok = False
    try:
        with one_thread():
            data = pickle.dumps(("ok", compute()), protocol=pickle.HIGHEST_PROTOCOL)
        ok = True
    except GeneratorError as err:  # a problem for the user: its message says it all
        data = pickle.dumps(("problem", str(err)))
    except OSError as err:  # a full disk, say: as clear as in the parent
        data = pickle.dumps(("problem", str(write_failure(err))))
    except BaseException:  # reported to the parent, which raises it as a BuildError
        data = pickle.dumps(("error", traceback.format_exc()))
    conn.send_bytes(data)
    conn.close()
    if ok and then is not None:
        with one_thread():
            _quietly(then)


def _quietly(work: Callable[[], None]) -> None:
    """Run best-effort work (a cache entry stored for the next build): a failure only
    costs that build time."""
    with contextlib.suppress(Exception):
        work()
