"""How a stage or the writer hands work to be done beside it, without knowing how: a `Runner`
starts the work and gives back something that waits for its result. The build passes
speed.workers.Beside (a forked worker process); the default, `Later`, does the work in this
process when its result is asked, so every stage is also a plain function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class Running(Protocol):
    """Work started elsewhere (speed.workers.Beside: a worker process), used as a context
    manager that stops it on a failure; `result()` waits for it."""

    def __enter__(self) -> Running: ...
    def __exit__(self, *exc: object) -> None: ...
    def result(self) -> Any: ...


Runner = Callable[[Callable[[], Any]], Running]  # starts work beside this process


class Later:
    """The Runner that runs nothing beside: the work is done here when its result is asked."""

    def __init__(self, work: Callable[[], Any]) -> None:
        self._work = work

    def __enter__(self) -> Later:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def result(self) -> Any:
        return self._work()
