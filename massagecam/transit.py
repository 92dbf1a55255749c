"""Transits: the thumb gliding from one place of work to the next is not pressing.

Between two places (the end of one step and the start of the next, or the return to the start
of a stroke) a thumb travels just above the skin. From one camera the landmarks of a thumb
gliding over the hand and of a thumb pressing look alike: on the rendered sessions of seed 2026
the contact detector called 691 of 1152 move frames presses, most moves between two steps from
end to end, and the lifted returns of strokes, walks and pulls gave 477 more false presses.

What does tell them apart is the path. Work is slow (massage strokes run at 1-10 cm/s, about
0.1-1.1 palm lengths a second; holds and thumb walks barely move) or turns back on itself
(circles). A transit is one quick, straight sweep: :class:`TransitFinder` marks a stretch of
contact whose pad, in the receiver's frame, moves at least ``moving`` L/s (net, over
``window_s``), peaks at ``peak`` L/s or more, covers ``min_l`` L or more in a straight line
(net displacement over path length of at least ``straight``), takes at most ``max_s``, and has
no other such sweep within ``alone_s``: circles that the model flattens into lines sweep back
and forth every half turn, and those sweeps stay presses.

A moving stretch can hold more than a transit (the last pass of a finger pull, the glide, the
first turn of circles all move faster than ``moving``), so the sweep is the run around the
stretch's fastest frame that keeps going the same way; the rest is searched again.

It needs the frames after the sweep, so it serves recorded analysis only (:mod:`hindsight`).
The speeds, length and straightness came from the rendered sessions' true paths (moves: median
0.97 L/s, 90th percentile 1.7; circles 0.61 L/s around; strokes 0.35; finger pulls 0.50) and a
prototype on the contact detector's presses of seeds 2026 and 3030; ``trim_s`` was chosen on
seed 3030 (0 / 0.1 / 0.15 s: on-target 91.8 / 92.5 / 92.2 %). Effect in
docs/contact-technique.md ("Transits").
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from massagecam.errors import check_range

Point = tuple[float, float]
#: A moving stretch longer than this is searched and started afresh (circles can stay above
#: ``moving`` for a whole step; the stretch must not wait for them, nor grow without bound).
MAX_STRETCH_S = 2.0


@dataclass
class _Finger:
    """One giving finger's recent path and the sweeps found on it."""

    # (t, pad xy or None while lifted), newest last; velocities are read from it
    path: deque[tuple[float, Point | None]] = field(default_factory=deque)
    # frames whose velocity is not known yet (their window is not complete)
    pending: deque[tuple[float, Point | None]] = field(default_factory=deque)
    # the sweep being grown: (t, xy, velocity) of its frames
    sweep: list[tuple[float, Point, float]] = field(default_factory=list)
    # finished sweeps that pass the shape tests: (start t, end t)
    found: list[tuple[float, float]] = field(default_factory=list)


class TransitFinder:
    """Finds transit sweeps on each giving finger's press path; asked per frame afterwards.

    Feed every frame with :meth:`update` (``xy`` None while the finger is lifted or unseen),
    then ask :meth:`covers` about frames at least :attr:`delay_s` older than the newest one fed
    (2.55 s with the defaults; the hindsight lag is 3 s). Younger frames may be answered False
    while their sweep is still open.

    Args:
        window_s: span over which the pad's net velocity is read (0.05..2 s).
        moving: net speed (L/s) from which frames belong to a sweep (0..5).
        peak: net speed (L/s) a sweep must reach somewhere (>= moving, ..10).
        min_l: net displacement (L) a sweep must cover (0..3).
        straight: least net displacement over path length (0..1).
        max_s: longest sweep taken for a transit (0.1..MAX_STRETCH_S s).
        alone_s: a sweep with another within this many seconds is back-and-forth work (0..3).
        trim_s: how much of each end of a sweep stays a press (0..window_s/2): the velocity
            window smears a sweep by half its width into the work on either side.
    """

    def __init__(self, window_s: float = 0.3, moving: float = 0.5, peak: float = 1.0,
                 min_l: float = 0.3, straight: float = 0.8, max_s: float = 1.5,
                 alone_s: float = 0.4, trim_s: float = 0.1) -> None:
        self.window_s = check_range("window_s", window_s, 0.05, 2.0)
        self.moving = check_range("moving", moving, 0.0, 5.0)
        self.peak = check_range("peak", peak, self.moving, 10.0, low_open=False)
        self.min_l = check_range("min_l", min_l, 0.0, 3.0)
        self.straight = check_range("straight", straight, 0.0, 1.0, low_open=False)
        self.max_s = check_range("max_s", max_s, 0.1, MAX_STRETCH_S)
        self.alone_s = check_range("alone_s", alone_s, 0.0, 3.0, low_open=False)
        self.trim_s = check_range("trim_s", trim_s, 0.0, self.window_s / 2, low_open=False)
        self._fingers: dict[object, _Finger] = {}

    @property
    def delay_s(self) -> float:
        """How old a frame must be before :meth:`covers` can answer for it for sure."""
        return self.window_s / 2 + MAX_STRETCH_S + self.alone_s

    def update(self, key: object, t: float, xy: Point | None) -> None:
        """Add finger ``key``'s pad at time ``t`` (None: not pressing or not seen)."""
        f = self._fingers.setdefault(key, _Finger())
        if xy is not None and not all(map(math.isfinite, xy)):
            xy = None
        f.path.append((t, xy))
        f.pending.append((t, xy))
        half = self.window_s / 2
        while f.pending and t - f.pending[0][0] >= half:
            self._settle(f, *f.pending.popleft())
        while f.path and t - f.path[0][0] > self.window_s + 0.05:
            f.path.popleft()
        horizon = t - 2 * self.delay_s - 10.0
        while f.found and f.found[0][1] < horizon:
            f.found.pop(0)

    def flush(self) -> None:
        """Settle every frame still waiting for its window (the end of the recording)."""
        for f in self._fingers.values():
            while f.pending:
                self._settle(f, *f.pending.popleft())
            if f.sweep:
                self._close(f)

    def covers(self, key: object, t: float) -> bool:
        """Whether finger ``key``'s frame at ``t`` lies in a transit."""
        f = self._fingers.get(key)
        if f is None:
            return False
        for i, (a, b) in enumerate(f.found):
            if a - 1e-9 <= t <= b + 1e-9:
                # another sweep just before or after: back and forth, not a transit
                return not any(abs(c - b) < self.alone_s or abs(a - e) < self.alone_s
                               for j, (c, e) in enumerate(f.found) if j != i)
        return False

    def _settle(self, f: _Finger, t: float, xy: Point | None) -> None:
        """The velocity of the frame at ``t`` is known now: grow or close the sweep."""
        v = self._velocity(f, t) if xy is not None else None
        if v is not None and v >= self.moving:
            assert xy is not None
            if f.sweep and t - f.sweep[0][0] > MAX_STRETCH_S:
                self._close(f)
            f.sweep.append((t, xy, v))
            return
        if f.sweep:
            self._close(f)

    def _velocity(self, f: _Finger, t: float) -> float | None:
        """Net speed of the pad over ``t`` ± window/2, within the same press."""
        half = self.window_s / 2
        # the press run around t: no lifted frame between the ends used
        run = [(s, p) for s, p in f.path if abs(s - t) <= half + 1e-9]
        i0 = next(i for i, (s, _) in enumerate(run) if s >= t - 1e-9)
        lo = i0
        while lo > 0 and run[lo - 1][1] is not None:
            lo -= 1
        hi = i0
        while hi + 1 < len(run) and run[hi + 1][1] is not None:
            hi += 1
        (s0, p0), (s1, p1) = run[lo], run[hi]
        if p0 is None or p1 is None or s1 - s0 <= 1e-6:
            return None
        return math.dist(p0, p1) / (s1 - s0)

    def _close(self, f: _Finger) -> None:
        """The moving stretch has ended: keep the straight sweeps inside it that pass."""
        sweep, f.sweep = f.sweep, []
        found = []
        self._split(sweep, found)
        f.found.extend(sorted(found))

    def _split(self, sweep: list[tuple[float, Point, float]],
               found: list[tuple[float, float]]) -> None:
        """Find the straight sweep around the fastest frame of ``sweep``; recurse on the rest.

        A moving stretch can hold the end of one piece of work, the transit and the start of
        the next (a finger pull's last pass, the glide, the first circles), all above
        ``moving``. The transit is the run around the fastest frame that keeps going the
        same way: it ends where the pad turns back (a step against the sweep's direction).
        """
        if len(sweep) < 3:
            return
        k = max(range(len(sweep)), key=lambda i: sweep[i][2])
        if sweep[k][2] < self.peak:
            return
        a, b = sweep[max(k - 1, 0)][1], sweep[min(k + 1, len(sweep) - 1)][1]
        d = (b[0] - a[0], b[1] - a[1])

        def onward(i: int, j: int) -> bool:  # the step from frame i to j goes along d
            p, q = sweep[i][1], sweep[j][1]
            return (q[0] - p[0]) * d[0] + (q[1] - p[1]) * d[1] >= 0.0

        lo, hi = k, k
        while lo > 0 and onward(lo - 1, lo):
            lo -= 1
        while hi + 1 < len(sweep) and onward(hi, hi + 1):
            hi += 1
        part = sweep[lo:hi + 1]
        t0, t1 = part[0][0], part[-1][0]
        pts = [p for _, p, _ in part]
        disp = math.dist(pts[0], pts[-1])
        path = sum(math.dist(u, w) for u, w in zip(pts, pts[1:], strict=False))
        if len(part) >= 3 and t1 - t0 <= self.max_s and disp >= self.min_l \
                and disp >= self.straight * path:
            found.append((t0 + self.trim_s, t1 - self.trim_s))
        self._split(sweep[:lo], found)
        self._split(sweep[hi + 1:], found)
