"""Execution engines for batch analysis: one small interface, a local pool or Ray.

Both engines run the *same* picklable per-job function and hand back its return values in
completion order, so a batch is identical whichever engine ran it. The engine only owns
*where* jobs run; the job function itself turns bad input into a failure record, so an engine
yields an exception only when the infrastructure broke (a worker process died, a Ray node was
lost).

Ray is optional (the ``massagecam[cluster]`` extra) and imported only by
:mod:`massagecam.engines.ray`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from massagecam.errors import ConfigError

ENGINES: tuple[str, ...] = ("local", "ray")
MAX_WORKERS = 256


class Engine(Protocol):
    """Runs ``fn(job)`` for every job, ``workers`` at a time."""

    name: str
    workers: int

    def run(self, fn: Callable[[Any], Any], jobs: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Yield ``(job index, fn(job) or the exception that lost it)`` as jobs finish."""
        ...

    def close(self) -> None:
        """Release the workers (idempotent)."""
        ...


def check_workers(workers: int) -> int:
    """``workers`` if it is a sensible pool size, else ConfigError naming the range."""
    if isinstance(workers, bool) or not isinstance(workers, int) or not \
            1 <= workers <= MAX_WORKERS:
        raise ConfigError(f"workers={workers!r}: expected an integer 1..{MAX_WORKERS}")
    return workers


def make_engine(name: str = "local", workers: int = 1, *, address: str | None = None) -> Engine:
    """Build the engine called ``name`` ("local" or "ray").

    Args:
        name: "local" (a process pool on this machine) or "ray".
        workers: jobs run at the same time (each job is one video, one process/Ray task).
        address: Ray only: cluster address (``ray://host:10001`` or ``auto``); None uses
            ``RAY_ADDRESS`` if set, else starts a private local Ray instance.

    Raises:
        ConfigError: unknown engine, bad worker count, ``address`` with the local engine, or
            Ray not installed.
    """
    check_workers(workers)
    if name == "local":
        if address:
            raise ConfigError(f"address={address!r}: only the ray engine takes an address "
                              "(use --engine ray)")
        from massagecam.engines.local import LocalEngine

        return LocalEngine(workers)
    if name == "ray":
        from massagecam.engines.ray import RayEngine

        return RayEngine(workers, address=address)
    raise ConfigError(f"engine={name!r}: expected one of {', '.join(ENGINES)}")


__all__ = ["ENGINES", "Engine", "check_workers", "make_engine"]
