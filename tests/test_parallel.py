"""A stage in a worker process: its result comes back, its failure becomes a BuildError."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.errors import BuildError
from generator.speed.workers import Beside


def test_the_result_comes_back_from_the_worker() -> None:
    parent = os.getpid()
    with Beside(lambda: (os.getpid(), sum(range(1000)))) as job:
        pid, total = job.result()
    assert total == 499500
    assert (pid != parent) == job.forked  # computed in a child wherever fork is available


def test_a_background_worker_runs_at_a_lower_priority() -> None:
    from generator.speed.workers import BACKGROUND_NICE

    mine = os.nice(0)
    with Beside(lambda: os.nice(0), background=True) as low, Beside(lambda: os.nice(0)) as normal:
        assert normal.result() == mine
        assert low.result() == (min(19, mine + BACKGROUND_NICE) if low.forked else mine)


def test_a_failure_in_the_worker_is_reported_with_its_traceback() -> None:
    def broken() -> int:
        raise ValueError("the stage broke")

    with Beside(broken) as job, pytest.raises(BuildError) as err:
        job.result()
    assert "ValueError: the stage broke" in str(err.value)


def test_a_parent_failure_stops_the_worker(tmp_path: Path) -> None:
    import multiprocessing
    import time

    started = tmp_path / "pid"

    def stage() -> None:
        started.write_text(str(os.getpid()))
        time.sleep(60)

    with pytest.raises(RuntimeError), Beside(stage) as job:
        while job.forked and not started.exists():  # the worker is at work
            time.sleep(0.01)
        raise RuntimeError("the parent failed first")
    assert multiprocessing.active_children() == []
    if job.forked:  # the worker's process is gone: stopped and reaped
        with pytest.raises(ProcessLookupError):
            os.kill(int(started.read_text()), 0)


def test_then_runs_after_the_result_and_the_block_waits_for_it(tmp_path: Path) -> None:
    # The related papers' worker stores its cache entries after sending its result: the
    # parent has the result first, and the entries are there when the block ends; a failure
    # there is ignored (a cache entry is best effort).
    import time

    done = tmp_path / "stored"

    def then() -> None:
        time.sleep(0.5)
        done.write_text("yes")

    with Beside(lambda: 42, then=then) as job:
        assert job.result() == 42
        if job.forked:
            assert not done.exists()  # still sleeping in the child
    assert done.read_text() == "yes"

    def broken() -> None:
        raise OSError("disk full")

    with Beside(lambda: 7, then=broken) as job:
        assert job.result() == 7


def test_a_deferred_mapping_waits_for_its_worker_only_when_read(tmp_path: Path) -> None:
    # The worker gives its mapping only once the parent has gone on past making the
    # Deferred: had making it waited for the worker, the worker would have given up.
    import time

    from generator.speed.workers import Deferred

    went_on = tmp_path / "went-on"

    def stage() -> dict[str, int]:
        deadline = time.monotonic() + 10
        while not went_on.exists():
            if time.monotonic() > deadline:
                return {"gave up": 1}
            time.sleep(0.01)
        return {"a": 1, "b": 2}

    with Beside(stage) as job:
        mapping = Deferred(job.result)
        went_on.touch()
        assert mapping["b"] == 2 and sorted(mapping) == ["a", "b"] and len(mapping) == 2


def test_a_forked_child_may_not_wait_for_its_parents_deferred_mapping() -> None:
    from generator.speed.workers import Deferred

    mapping: Deferred[str, int] = Deferred(lambda: {"a": 1})
    with Beside(lambda: _lookup(mapping)) as job:
        outcome = job.result()
    if job.forked:
        assert outcome == "refused"
    assert mapping["a"] == 1  # the parent itself may


def _lookup(mapping: object) -> str:
    try:
        mapping["a"]  # type: ignore[index]
    except RuntimeError:
        return "refused"
    return "read"


def test_a_deferred_mapping_whose_worker_failed_fails_the_same_way_each_time() -> None:
    from generator.speed.workers import Deferred

    def broken() -> dict[str, int]:
        raise ValueError("the layout broke")

    with Beside(broken) as job:
        mapping: Deferred[str, int] = Deferred(job.result)
        for _ in range(2):
            with pytest.raises(BuildError, match="the layout broke"):
                mapping["a"]


def test_a_stage_run_in_process_has_one_native_thread_as_in_a_worker() -> None:
    # With another thread running (as in `digest serve`) nothing is forked and the stage runs
    # in this process when its result is asked: with the same one-thread limit a worker has
    # (t-SNE with every thread took 13 s instead of 1 s on a loaded 2-core machine).
    import threading

    import numpy  # noqa: F401  (loads the BLAS whose threads are counted)
    import threadpoolctl

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        job = Beside(lambda: [i["num_threads"] for i in threadpoolctl.threadpool_info()])
        assert not job.forked
        assert set(job.result()) == {1}
    finally:
        stop.set()
        other.join()
