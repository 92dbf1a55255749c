"""Frames with their landmarks, for the live loop: in the loop's thread, or one frame ahead.

The landmark model is most of a frame's cost, and it runs in native code that releases
Python's lock. :class:`ThreadedFeed` therefore takes the newest frame and runs the model on it
in a worker thread while the loop's thread tracks, coaches, draws and shows the previous one:
on two cores the loop's rate is then set by the slower of the two halves instead of their sum,
and the added wait is at most one hand-over. :class:`SequentialFeed` does the same work in
the caller's thread (simpler to reason about; used to compare).

Both yield :class:`Detected` items and raise ``StopIteration`` at the end of a file and
:class:`~massagecam.errors.CaptureError` when a camera stops delivering, from ``next()``.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Detected:
    """One frame, its landmarks and its timings (``time.monotonic`` seconds).

    Attributes:
        frame: the frame, its ``t`` already on the session's strictly increasing clock.
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


#: ``prepare(frame, take_t) -> (frame on the session clock, grabbed time)``.
Prepare = Callable[[Any, float], tuple[Any, float]]
#: ``detect(frame) -> (hands, seconds the model took)``.
Detect = Callable[[Any], tuple[Any, float]]


class SequentialFeed:
    """Take a frame and run the model on it when asked, in the caller's thread."""

    def __init__(self, frames: Iterator[Any], prepare: Prepare, detect: Detect) -> None:
        self._frames, self._prepare, self._detect = frames, prepare, detect

    def next(self) -> Detected:
        """The next frame with its hands (StopIteration / CaptureError as the source)."""
        t_wait = time.monotonic()
        frame = next(self._frames)
        take = time.monotonic()
        frame, grabbed = self._prepare(frame, take)
        hands, lm_s = self._detect(frame)
        return Detected(frame, hands, grabbed, take - t_wait, take, lm_s)

    def close(self) -> None:
        """Nothing to stop."""


_END = object()


class ThreadedFeed:
    """Run :class:`SequentialFeed` in a worker thread, one frame ahead of the consumer.

    The hand-over holds one item: the worker blocks until the loop has taken the previous
    frame, then takes the newest frame from the source (so what it analyses is fresh).
    """

    def __init__(self, frames: Iterator[Any], prepare: Prepare, detect: Detect) -> None:
        self._inner = SequentialFeed(frames, prepare, detect)
        self._q: queue.Queue[Any] = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="massagecam landmarks",
                                        daemon=True)
        self._thread.start()

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                item: Any = self._inner.next()
            except StopIteration:
                self._put(_END)
                return
            except BaseException as exc:  # handed to the loop's thread, raised there
                self._put(exc)
                return
            if not self._put(item):
                return

    def next(self) -> Detected:
        """The next analysed frame; re-raises the source's end or error."""
        while True:
            try:
                item = self._q.get(timeout=0.5)
                break
            except queue.Empty:
                if not self._thread.is_alive() and self._q.empty():
                    raise StopIteration from None
        if item is _END:
            raise StopIteration
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self, timeout: float = 5.0) -> None:
        """Stop the worker and wait for it (before the source is closed under it)."""
        self._stop.set()
        try:
            while True:
                self._q.get_nowait()
        except queue.Empty:
            pass
        self._thread.join(timeout)
