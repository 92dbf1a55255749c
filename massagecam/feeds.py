"""Frames with their landmarks, from one landmark model or several running side by side.

The landmark model is most of a frame's cost, and it runs in native code that releases Python's
lock. One model instance uses about one core; this machine has two. :class:`ParallelFeed` runs
``k`` instances in ``k`` worker threads, each taking the next frame from the source when it is
free, and hands frames back strictly in order, so the consumer (tracking, coach, overlay) sees
one ordered stream. With ``k`` instances each model sees every ``k``-th frame: MediaPipe's
VIDEO mode tracks from the previous frame it saw, so at 60 fps live each instance tracks at
30 fps, and on a 30 fps file at 15 fps, slow enough for hands that knead (benchmarks/
throughput.py and live_latency.py print the figures, analyze_accuracy.py the effect).

Two ways to hand out frames:

- ``turns=True``: frame ``i`` always goes to instance ``i % k``. What each instance sees then
  does not depend on timing, so a file analyses to the same result on every run (the batch
  engines are compared for identical results).
- ``turns=False``: whichever instance is free takes the newest frame: for cameras, where a
  frame waiting for a busy instance would only get stale.

:class:`SequentialFeed` does the work in the caller's thread (simpler to reason about; used to
compare). Both yield :class:`Detected` items and raise ``StopIteration`` at the end of the
source and its error (e.g. :class:`~massagecam.errors.CaptureError` when a camera stops
delivering) from ``next()``, in frame order.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from massagecam.errors import ConfigError

#: Most landmark instances a feed runs at once.
MAX_WORKERS = 4


@dataclass(frozen=True)
class Detected:
    """One frame, its landmarks and its timings (``time.monotonic`` seconds).

    Attributes:
        frame: the frame (for live sessions its ``t`` already on the session's clock).
        hands: the landmark model's hands (roles not yet assigned).
        grabbed: when the frame was grabbed (camera thread) or handed over (files).
        wait_s: time spent waiting for the frame.
        take_t: when the frame was taken from the source.
        landmarks_s: time the landmark model took.
    """

    frame: Any
    hands: Any
    grabbed: float
    wait_s: float
    take_t: float
    landmarks_s: float


#: ``prepare(frame, take_t) -> (frame as analysed, grabbed time)``.
Prepare = Callable[[Any, float], tuple[Any, float]]
#: ``detect(frame) -> (hands, seconds the model took)``.
Detect = Callable[[Any], tuple[Any, float]]


def no_prepare(frame: Any, take_t: float) -> tuple[Any, float]:
    """The ``prepare`` for files: the frame as decoded, 'grabbed' when taken."""
    return frame, take_t


def timed(detector: Any) -> Detect:
    """A :data:`Detect` over anything with ``detect(image, t, index) -> Hands``."""

    def detect(frame: Any) -> tuple[Any, float]:
        t0 = time.perf_counter()
        hands = detector.detect(frame.image, frame.t, frame.index)
        return hands, time.perf_counter() - t0

    return detect


class _Feed:
    """Iteration over ``next()`` for both feeds (``StopIteration`` ends it)."""

    def next(self) -> Detected:
        raise NotImplementedError

    def __iter__(self) -> Iterator[Detected]:
        while True:
            try:
                yield self.next()
            except StopIteration:
                return


class SequentialFeed(_Feed):
    """Take a frame and run the model on it when asked, in the caller's thread."""

    def __init__(self, frames: Iterator[Any], prepare: Prepare, detect: Detect) -> None:
        self._frames, self._prepare, self._detect = frames, prepare, detect

    def next(self) -> Detected:
        """The next frame with its hands (StopIteration / the source's error)."""
        t_wait = time.monotonic()
        frame = next(self._frames)
        take = time.monotonic()
        frame, grabbed = self._prepare(frame, take)
        hands, lm_s = self._detect(frame)
        return Detected(frame, hands, grabbed, take - t_wait, take, lm_s)

    def close(self) -> None:
        """Nothing to stop."""


class _End:
    """The source ended (or failed with ``error``) at sequence number ``seq``."""

    def __init__(self, seq: int, error: BaseException | None) -> None:
        self.seq, self.error = seq, error


class ParallelFeed(_Feed):
    """Run one landmark instance per worker thread over a shared source; results in order.

    Args:
        frames: the source's frames (taken under a lock, one at a time).
        prepare: applied to each frame as it is taken (live: the session clock).
        detects: one :data:`Detect` per worker; each must own its model instance, since a
            VIDEO-mode instance needs its frames in time order.
        turns: hand frame ``i`` to worker ``i % k`` (reproducible) instead of to whichever
            worker is free (freshest frames).
        ahead: how many analysed frames may wait for the consumer (at least one per worker;
            more only adds latency).
    """

    def __init__(self, frames: Iterator[Any], prepare: Prepare, detects: Sequence[Detect], *,
                 turns: bool = True, ahead: int | None = None) -> None:
        if not 1 <= len(detects) <= MAX_WORKERS:
            raise ConfigError(f"landmark workers {len(detects)}: expected 1..{MAX_WORKERS}")
        self._frames, self._prepare = frames, prepare
        self._k = len(detects)
        self._turns = turns
        self._ahead = max(int(ahead or self._k), self._k)
        self._cond = threading.Condition()
        self._take_lock = threading.Lock()
        self._next_take = 0  # sequence number of the next frame to take from the source
        self._next_give = 0  # sequence number the consumer gets next
        self._done: dict[int, Detected | _End] = {}
        self._end: _End | None = None
        self._stop = False
        self._threads = [threading.Thread(target=self._run, args=(i, d), daemon=True,
                                          name=f"massagecam landmarks {i}")
                         for i, d in enumerate(detects)]
        for th in self._threads:
            th.start()

    def _may_take(self, worker: int) -> bool:
        if self._stop or self._end is not None:
            return True
        if self._next_take - self._next_give >= self._ahead:
            return False  # the consumer is behind: do not run further ahead
        return not self._turns or self._next_take % self._k == worker

    def _take(self, worker: int) -> tuple[int, Any, float, float, float] | None:
        """(seq, frame, grabbed, wait start, take time) of this worker's next frame, or None.

        The source is read under its own lock, not the condition's, so a camera that blocks
        until its next frame never keeps the consumer from collecting finished frames.
        """
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._may_take(worker))
                if self._stop or self._end is not None:
                    return None
            with self._take_lock:
                with self._cond:
                    if self._stop or self._end is not None:
                        return None
                    if not self._may_take(worker):
                        continue  # another free worker took the last allowed frame
                    seq = self._next_take
                t_wait = time.monotonic()
                try:
                    frame = next(self._frames)
                except BaseException as exc:  # noqa: BLE001 - handed to the consumer
                    with self._cond:
                        self._end = _End(seq, None if isinstance(exc, StopIteration) else exc)
                        self._cond.notify_all()
                    return None
                take = time.monotonic()
                try:  # in order: live sessions put frames on their clock here
                    frame, grabbed = self._prepare(frame, take)
                except BaseException as exc:  # noqa: BLE001 - handed to the consumer
                    with self._cond:
                        self._end = _End(seq, exc)
                        self._cond.notify_all()
                    return None
                with self._cond:
                    self._next_take += 1
                    self._cond.notify_all()
            return seq, frame, grabbed, t_wait, take

    def _run(self, worker: int, detect: Detect) -> None:
        while True:
            got = self._take(worker)
            if got is None:
                return
            seq, frame, grabbed, t_wait, take = got
            try:
                hands, lm_s = detect(frame)
                item: Detected | _End = Detected(frame, hands, grabbed, take - t_wait, take,
                                                 lm_s)
            except BaseException as exc:  # noqa: BLE001 - raised in order by the consumer
                item = _End(seq, exc)
            with self._cond:
                self._done[seq] = item
                self._cond.notify_all()
            if isinstance(item, _End):
                return

    def next(self) -> Detected:
        """The next frame in order; ``StopIteration`` at the end, or the source's error."""
        with self._cond:
            seq = self._next_give
            self._cond.wait_for(lambda: seq in self._done or (
                self._end is not None and self._end.seq <= seq))
            item = self._done.pop(seq, None)
            if item is None or isinstance(item, _End):
                end = item if isinstance(item, _End) else self._end
                assert end is not None
                self._stop = True
                self._cond.notify_all()
                if end.error is not None:
                    raise end.error
                raise StopIteration
            self._next_give += 1
            self._cond.notify_all()
            return item

    def close(self, timeout: float = 5.0) -> None:
        """Stop the workers and wait for them (before the source is closed under them)."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        for th in self._threads:
            th.join(timeout)
