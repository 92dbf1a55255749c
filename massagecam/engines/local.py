"""The local engine: a pool of worker processes on this machine.

Processes, not threads: each video gets a whole core for its landmark model, and a crash in
native code (a broken codec, the model runtime) kills one worker, not the batch. Workers are
started with ``spawn`` so they never inherit the driver's threads (tqdm's monitor, decoder
threads) half-way through a lock.

At most ``workers`` jobs are in flight at a time. If a worker dies, only those in-flight jobs
are reported lost and a fresh pool takes the remaining ones.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from massagecam.engines import check_workers


class WorkerDied(RuntimeError):
    """A worker process ended abnormally while running a job."""


class LocalEngine:
    """Runs jobs in ``workers`` local processes.

    Args:
        workers: processes (1..256); 2 on a 2-core machine.
    """

    name = "local"

    def __init__(self, workers: int = 1) -> None:
        self.workers = check_workers(workers)
        self._pool: ProcessPoolExecutor | None = None
        self._init: tuple[Callable[..., None] | None, tuple[Any, ...]] = (None, ())

    def context(self) -> Any:
        """The multiprocessing context of the workers (to make queues they can share)."""
        return mp.get_context("spawn")

    def set_initializer(self, fn: Callable[..., None] | None, args: tuple[Any, ...] = ()
                        ) -> None:
        """Run ``fn(*args)`` in each worker at start (applies to pools started after this)."""
        self._init = (fn, args)

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                             mp_context=self.context(),
                                             initializer=self._init[0],
                                             initargs=self._init[1])
        return self._pool

    def run(self, fn: Callable[[Any], Any], jobs: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Yield ``(index, fn(job))`` in completion order; a lost job yields WorkerDied."""
        todo = list(range(len(jobs)))[::-1]
        inflight: dict[Future[Any], int] = {}
        while todo or inflight:
            while todo and len(inflight) < self.workers:
                i = todo.pop()
                inflight[self._executor().submit(fn, jobs[i])] = i
            done, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
            broken = False
            for fut in done:
                i = inflight.pop(fut)
                try:
                    yield i, fut.result()
                except BrokenProcessPool:
                    broken = True
                    yield i, WorkerDied("a worker process died while analysing this video "
                                        "(crash in native code or out of memory)")
                except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
                    yield i, exc
            if broken:
                for i in list(inflight.values()):
                    yield i, WorkerDied("lost when another worker process died")
                inflight.clear()
                self.close()

    def close(self) -> None:
        """Stop the worker processes (idempotent)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
