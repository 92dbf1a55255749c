"""Progress of a whole batch: one tqdm bar over all frames, fed by the workers as they go.

Local workers get an initializer that stores a queue; the per-video ``on_frame`` callback puts
``(job, frames done)`` on it every few frames and a driver thread moves the bar. Engines without
``set_initializer`` (Ray) advance the bar when each video ends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

#: Set in local worker processes when the driver shows progress: frames done per job.
_PROGRESS: Any = None
PROGRESS_EVERY = 15


def init_progress(queue: Any) -> None:
    """Worker initializer: report ``(job rel, frames done)`` on ``queue`` while analysing."""
    global _PROGRESS
    _PROGRESS = queue


def progress_reporter(rel: str) -> Callable[[int], None] | None:
    """An ``on_frame`` callback sending this job's progress to the driver (None: not asked)."""
    q = _PROGRESS
    if q is None:
        return None

    def report(done: int) -> None:
        if done % PROGRESS_EVERY == 0:
            q.put((rel, done))

    return report


class BatchProgress:
    """One tqdm bar over the frames of the whole batch.

    With the local engine, workers report frames as they go (a queue drained by a thread), so
    the bar moves during long videos; otherwise it advances when each video ends.

    Args:
        enabled: show the bar at all.
        totals: frames expected per job (``Job.rel`` → frames) still to run.
        skipped: jobs finished by an earlier run (named in the bar's label).
        engine: the engine; a local one gets a worker initializer that reports progress.
    """

    def __init__(self, enabled: bool, totals: dict[str, int], skipped: int, engine: Any
                 ) -> None:
        self._bar: Any = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._seen: dict[str, int] = {}
        self._total = dict(totals)
        if not enabled or not totals:
            return
        from tqdm import tqdm

        desc = f"batch ({len(totals)} videos" + (f", {skipped} done before)" if skipped else ")")
        self._bar = tqdm(total=sum(self._total.values()), unit="frame", desc=desc,
                         dynamic_ncols=True, smoothing=0.1)
        if hasattr(engine, "set_initializer"):
            self._queue = engine.context().Queue()
            engine.set_initializer(init_progress, (self._queue,))
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._drain, daemon=True,
                                            name="massagecam-batch-progress")
            self._thread.start()

    def _advance(self, rel: str, done: int) -> None:
        with self._lock:
            done = min(done, self._total.get(rel, done))
            delta = done - self._seen.get(rel, 0)
            if delta > 0:
                self._seen[rel] = done
                self._bar.update(delta)

    def _drain(self) -> None:
        import queue

        while not self._stop.is_set():
            try:
                rel, done = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            except (EOFError, OSError):
                return
            self._advance(rel, done)

    def finished(self, job: Any, done: int, failed: int) -> None:
        """``job`` ended (either way): count all its frames; show done/failed counts."""
        if self._bar is None:
            return
        self._advance(job.rel, self._total[job.rel])
        with self._lock:
            self._bar.set_postfix(done=done, failed=failed)

    def close(self) -> None:
        """Stop the reader thread and close the bar."""
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._queue.close()
        if self._bar is not None:
            self._bar.close()
