"""The point a stationary stroke works on: where a hold rests and what circles go round.

The coach judges "on the target" from where the press point is. For a hold or for circles
that point moves (the circle's rim, tremor), while the place being massaged is the centre of
that motion: circles of about 1 cm around LI4 work LI4 even where the rim passes the edge of
the point's tolerance disc (0.10 L circles against a 0.12 L tolerance in the rendered
sessions). Per-frame landmark error (median 0.07 L for the thumb pad on rendered video,
benchmarks/analyze_accuracy.py) pushes the rim outside the disc at random, so the per-frame
verdict flickered where the person was doing the right thing. :class:`WorkPoint` keeps the
mean press point, in the receiver's own frame, over the last ``window_s`` of pressing; the
coach counts a press as on target when either the press point or this centre is on it.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from massagecam.errors import ConfigError, check_range
from massagecam.hands import palm_frame
from massagecam.results import Contact

#: Techniques whose working point is the centre of the recent press path.
STATIONARY = frozenset({"hold", "circles"})
#: Most points a pass keeps (thinned by half when full) for telling a new pass of the same
#: stroke from a press elsewhere.
PATH_POINTS = 64


class WorkPoint:
    """Mean press point (receiver's palm frame) of one finger over its recent pressing.

    Args:
        window_s: how far back to average (2 s covers one turn of circles at 0.5 Hz and up).
        gap_s: a longer break in pressing (or another finger) starts a new point.
        min_s: pressing needed before a centre is given.
    """

    def __init__(self, window_s: float = 2.0, gap_s: float = 0.5, min_s: float = 0.5) -> None:
        for name, v, lo, hi in (("window_s", window_s, 0.2, 10.0), ("gap_s", gap_s, 0.0, 5.0),
                                ("min_s", min_s, 0.0, 10.0)):
            if not lo <= v <= hi:
                raise ConfigError(f"{name}={v}: expected {lo}..{hi} seconds")
        self.window_s, self.gap_s, self.min_s = window_s, gap_s, min(min_s, window_s)
        self._samples: deque[tuple[float, float, float]] = deque()
        self._who: tuple[int, str] | None = None

    def update(self, contact: Contact | None, t: float) -> None:
        """Add this frame's press point (only pressing frames with a palm position count)."""
        if contact is None or not contact.in_contact or not np.all(np.isfinite(contact.place_xy)):
            if self._samples and t - self._samples[-1][0] > self.gap_s:
                self._samples.clear()
            return
        who = (contact.giver_track, contact.finger)
        if who != self._who or (self._samples and t - self._samples[-1][0] > self.gap_s):
            self._samples.clear()
            self._who = who
        self._samples.append((t, float(contact.place_xy[0]), float(contact.place_xy[1])))
        while self._samples and self._samples[0][0] < t - self.window_s:
            self._samples.popleft()

    def centre(self) -> tuple[float, float] | None:
        """The mean press point in palm lengths, or None before ``min_s`` of pressing."""
        if not self._samples or self._samples[-1][0] - self._samples[0][0] < self.min_s:
            return None
        a = np.array([(x, y) for _, x, y in self._samples])
        return float(a[:, 0].mean()), float(a[:, 1].mean())

    def centre_xy(self, receiver_xy: np.ndarray) -> np.ndarray | None:
        """:meth:`centre` in image pixels on the receiver's current pose."""
        c = self.centre()
        if c is None:
            return None
        origin, axes, length = palm_frame(receiver_xy)
        return origin + (np.array(c, np.float32) @ axes) * length

    def reset(self) -> None:
        """Forget the samples (a new step)."""
        self._samples.clear()
        self._who = None


#: Techniques that travel along the hand: judged by the passes they make.
TRAVELLING = frozenset({"stroke", "thumb_walk", "finger_pull"})


class PassTracker:
    """Whether the current or the previous pass of a travelling stroke touched the target.

    A stroke along a reflex strip or a pull along a finger to its tip works the target the
    pass runs over, while most of the pass lies before or after it (the rendered sessions'
    correct finger pulls on the finger pads were on the pads in 28 % of their press frames,
    strokes along a zone in 62 %). A pass is a run of pressing frames; breaks up to ``gap_s``
    (contact flicker) do not end it, a lift does. The current pass counts once it has touched
    the target, and the whole next pass counts when the last one did; the memory lapses
    after ``forget_s`` without pressing, or when the new pass starts farther than ``near_l``
    from every point of the last one (given press points): a press elsewhere after a correct
    pull is not another pull (on the rendered sessions a wrong-target press right after a
    correct pull was judged on target for its whole length). The whole path counts, not just
    its ends: a step's first pass often begins with the approach from the last place, which
    the detector took for a press, and the next pass then starts far from that pass's start
    (rendered seed-4040 session 1, once the glide back between passes was no longer a press).
    """

    def __init__(self, gap_s: float = 0.15, forget_s: float = 2.0,
                 near_l: float = 0.5) -> None:
        for name, v in (("gap_s", gap_s), ("forget_s", forget_s)):
            if not 0.0 <= v <= 10.0:
                raise ConfigError(f"{name}={v}: expected 0..10 seconds")
        self.gap_s, self.forget_s = gap_s, forget_s
        self.near_l = check_range("near_l", near_l, 0.0, 5.0)
        self.reset()

    def reset(self) -> None:
        """Forget the passes (a new step)."""
        self._last_press: float | None = None
        self._current = False
        self._previous = False
        self._path: list[tuple[float, float]] = []  # the current pass's points, thinned
        self._tail: tuple[float, float] | None = None  # and its last point

    def update(self, pressing: bool, hit: bool, t: float,
               xy: tuple[float, float] | None = None) -> bool:
        """Feed one frame; True when this pressing frame belongs to a pass on the target.

        ``xy`` is the press point in the receiver's palm frame (palm lengths), if known.
        """
        if not pressing:
            if self._last_press is not None and t - self._last_press > self.forget_s:
                self.reset()
            return False
        known = xy is not None and all(map(np.isfinite, xy))
        if self._last_press is not None and t - self._last_press > self.gap_s:
            self._previous, self._current = self._current, False  # a new pass
            if known and self._tail is not None and min(
                    math.hypot(xy[0] - a, xy[1] - b)
                    for a, b in [*self._path, self._tail]) > self.near_l:
                self._previous = False  # it starts away from the last pass: not it again
            self._path, self._tail = [], None
        if known:
            assert xy is not None
            self._add(float(xy[0]), float(xy[1]))
        self._last_press = t
        self._current = self._current or hit
        return self._current or self._previous

    def _add(self, x: float, y: float) -> None:
        """Keep the pass's points ``near_l / 4`` apart, at most :data:`PATH_POINTS` of them."""
        self._tail = (x, y)
        if self._path and math.hypot(x - self._path[-1][0], y - self._path[-1][1]) \
                < self.near_l / 4:
            return
        self._path.append((x, y))
        if len(self._path) > PATH_POINTS:
            self._path = self._path[::2]
