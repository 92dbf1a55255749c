"""The Ray engine: the same per-video job, run as Ray tasks (``massagecam[cluster]``).

Ray is imported here and nowhere else, so the core install never needs it. The engine connects
to ``address`` (``ray://head:10001``, ``auto``), else to ``RAY_ADDRESS``, else starts a private
local instance with ``workers`` CPUs that it shuts down again. If Ray is already initialised in
this process (a notebook, a test), that instance is used and left running.

Each task asks for one CPU and at most ``workers`` tasks are in flight, so ``--workers`` means
the same thing on both engines. Results come back to the driver as bytes (see
:mod:`massagecam.batch`), so only the input videos must be reachable from the worker nodes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from massagecam.engines import check_workers
from massagecam.errors import ConfigError

EXTRA_HINT = "pip install 'massagecam[cluster]'"


def import_ray() -> Any:
    """The ``ray`` module, or ConfigError naming the extra that provides it."""
    try:
        import ray
    except ImportError:
        raise ConfigError(f"engine=ray: Ray is not installed; install the cluster extra: "
                          f"{EXTRA_HINT}") from None
    return ray


class RayEngine:
    """Runs jobs as Ray tasks.

    Args:
        workers: tasks in flight at a time (one CPU each).
        address: cluster address; None → ``RAY_ADDRESS`` or a private local instance.
    """

    name = "ray"

    def __init__(self, workers: int = 1, *, address: str | None = None) -> None:
        self.workers = check_workers(workers)
        self._ray = import_ray()
        self._started = False
        if not self._ray.is_initialized():
            target = address or os.environ.get("RAY_ADDRESS") or None
            try:
                if target is None:
                    self._ray.init(num_cpus=workers, include_dashboard=False,
                                   log_to_driver=False)
                else:
                    self._ray.init(address=target, log_to_driver=False)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else \
                    type(exc).__name__
                raise ConfigError(f"address={target!r}: cannot connect to Ray ({first}); "
                                  "expected a running cluster (`ray start --head`)") from None
            self._started = True
        self._remote: dict[Callable[[Any], Any], Any] = {}

    def _task(self, fn: Callable[[Any], Any]) -> Any:
        task = self._remote.get(fn)
        if task is None:
            task = self._remote[fn] = self._ray.remote(num_cpus=1, max_retries=0)(fn)
        return task

    def run(self, fn: Callable[[Any], Any], jobs: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Yield ``(index, fn(job))`` in completion order; a lost task yields its error."""
        ray = self._ray
        task = self._task(fn)
        todo = list(range(len(jobs)))[::-1]
        inflight: dict[Any, int] = {}
        while todo or inflight:
            while todo and len(inflight) < self.workers:
                i = todo.pop()
                inflight[task.remote(jobs[i])] = i
            ready, _ = ray.wait(list(inflight), num_returns=1)
            for ref in ready:
                i = inflight.pop(ref)
                try:
                    yield i, ray.get(ref)
                except Exception as exc:  # noqa: BLE001 - a lost task is a failed job
                    yield i, RuntimeError(f"Ray task failed: {type(exc).__name__}: "
                                          f"{_first_line(exc)}")

    def close(self) -> None:
        """Shut Ray down if this engine started it (idempotent)."""
        if self._started:
            self._ray.shutdown()
            self._started = False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""
