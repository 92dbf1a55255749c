"""Timing of the live loop: frame rate, per-stage milliseconds, app-added latency, drops.

"App-added latency" is the time from the frame being grabbed (the capture thread's
``time.monotonic()`` stamp for cameras and streams; the moment the paced reader handed the
frame over for files) to the overlay being ready to show. It leaves out what no application
controls (sensor exposure, USB transfer, the screen's refresh) and what it measures is what
massagecam can improve. A frame counts as *stale* when it waited in the buffer longer than one
frame interval before processing began, i.e. a newer frame should have been there.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

import numpy as np


class TimedLandmarker:
    """Wraps a ``Landmarker`` to time each ``detect`` call (the model's share of a frame).

    The pipeline takes its landmarker ready-made, so timing it here needs no change to the
    pipeline and costs two clock reads per frame.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.last_s = 0.0

    def detect(self, image_bgr: Any, t: float, frame_index: int) -> Any:
        """Run the wrapped detector and remember how long it took."""
        t0 = time.perf_counter()
        hands = self.inner.detect(image_bgr, t, frame_index)
        self.last_s = time.perf_counter() - t0
        return hands

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _pct(values: list[float], q: float) -> float | None:
    return float(np.percentile(np.asarray(values), q) * 1000.0) if values else None


def _stage(values: list[float]) -> dict[str, float | None]:
    return {"p50": _pct(values, 50), "p95": _pct(values, 95),
            "mean": float(np.mean(values) * 1000.0) if values else None}


class LiveStats:
    """Collects per-frame timings (seconds) and summarises them (milliseconds).

    Attributes:
        frames: frames processed.
        dropped_before: drops counted by sources already closed (reconnects).
        lost_events / reconnects: times the source was lost / reopened.
        stale: frames that waited longer than one frame interval before processing.
    """

    def __init__(self) -> None:
        self.frames = 0
        self.dropped_before = 0
        self.lost_events = 0
        self.reconnects = 0
        self.stale = 0
        self.out_of_order = 0
        self.wait_s: list[float] = []
        self.landmarks_s: list[float] = []
        self.rest_s: list[float] = []
        self.overlay_s: list[float] = []
        self.display_s: list[float] = []
        self.latency_s: list[float] = []
        self.age_s: list[float] = []
        self.indices: list[int] = []
        self.done_t: list[float] = []
        self._recent: deque[float] = deque(maxlen=30)
        self._last_index = -1
        self._source: Any = None
        self.t_start = self.t_stop = 0.0
        self.interval_s: float | None = None

    def start(self, t: float) -> None:
        """Mark the session start (monotonic seconds)."""
        self.t_start = t

    def stop(self, t: float) -> None:
        """Mark the session end."""
        self.t_stop = t

    def watch(self, source: Any) -> None:
        """Follow ``source`` for its drop counter and nominal frame interval."""
        self.unwatch()
        self._source = source
        self._last_index = -1  # a reopened source counts its frames from 0 again
        fps = float(getattr(getattr(source, "info", None), "fps", 0.0) or 0.0)
        self.interval_s = 1.0 / fps if fps > 0 else None

    def unwatch(self) -> None:
        """Keep the drops of the followed source (about to be closed) and stop following it."""
        if self._source is not None:
            self.dropped_before += int(getattr(self._source, "dropped", 0))
            self._source = None

    @property
    def wall_s(self) -> float:
        """Seconds from start to stop (or to now while running)."""
        end = self.t_stop or time.monotonic()
        return max(0.0, end - self.t_start)

    @property
    def dropped(self) -> int:
        """Frames the sources skipped so the loop stayed current."""
        now = int(getattr(self._source, "dropped", 0)) if self._source is not None else 0
        return self.dropped_before + now

    def add(self, *, index: int, grabbed: float, wait: float, take: float, landmarks: float,
            pipeline: float, overlay: float, done: float, live: bool) -> None:
        """Record one processed frame (times from ``time.monotonic``, durations in s)."""
        self.frames += 1
        if index <= self._last_index:
            self.out_of_order += 1
        self._last_index = index
        self.indices.append(index)
        self.done_t.append(done)
        self.wait_s.append(wait)
        self.landmarks_s.append(landmarks)
        self.rest_s.append(max(0.0, pipeline - landmarks))
        self.overlay_s.append(overlay)
        self.latency_s.append(done - grabbed)
        age = take - grabbed
        self.age_s.append(age)
        if live and self.interval_s is not None and age > self.interval_s + 0.002:
            self.stale += 1
        self._recent.append(done)

    def recent_fps(self) -> float | None:
        """Frame rate over the last 30 frames (what the status line shows)."""
        if len(self._recent) < 2:
            return None
        span = self._recent[-1] - self._recent[0]
        return (len(self._recent) - 1) / span if span > 0 else None

    def summary(self) -> dict[str, Any]:
        """JSON-ready figures (ms), stored with the session."""
        wall = self.wall_s
        return {
            "frames": self.frames, "duration_s": round(wall, 3),
            "fps": round(self.frames / wall, 2) if wall > 0 else None,
            "dropped": self.dropped, "stale": self.stale, "out_of_order": self.out_of_order,
            "lost": self.lost_events, "reconnects": self.reconnects,
            "latency_ms": _stage(self.latency_s), "frame_age_ms": _stage(self.age_s),
            "stage_ms": {"capture_wait": _stage(self.wait_s),
                         "landmarks": _stage(self.landmarks_s),
                         "pipeline_rest": _stage(self.rest_s),
                         "overlay": _stage(self.overlay_s),
                         "display": _stage(self.display_s)},
        }


def format_stats(s: dict[str, Any]) -> str:
    """The summary as a few aligned lines for ``--stats``."""

    def f(v: float | None) -> str:
        return "   -" if v is None else f"{v:6.1f}"

    lines = [f"frames {s['frames']} in {s['duration_s']:.1f} s = "
             f"{s['fps'] or 0:.1f} fps; dropped {s['dropped']}, stale {s['stale']}, "
             f"lost {s['lost']}, reconnected {s['reconnects']}",
             "stage            p50 ms  p95 ms  mean ms"]
    for name, v in s["stage_ms"].items():
        lines.append(f"{name:<15} {f(v['p50'])}  {f(v['p95'])}  {f(v['mean'])}")
    lat = s["latency_ms"]
    lines.append(f"{'app latency':<15} {f(lat['p50'])}  {f(lat['p95'])}  {f(lat['mean'])}"
                 "   (frame grabbed -> overlay ready)")
    return "\n".join(lines)
