"""How far a hold wanders: a robust spread of the press positions of one step.

A hold's steadiness is scored from how far the thumb wanders while it holds
(:func:`massagecam.scoring.components`). Measured on the model's landmarks of rendered holds,
the press is detected a few frames before the thumb settles: the arrival glide, up to 0.6 palm
lengths from the point held, is then part of the hold. Its 5-10 % of the frames made the RMS
spread 0.11 L for holds whose true spread was 0.008 L (seed-3030 sessions 1 and 2 of
benchmarks/analyze_accuracy.py), and the steadiness 0 instead of 1. So the spread is taken
around the median position, over the ``keep`` share of hold time nearest to it: a slide that
lasts a moment is forgiven, wandering throughout is not.

Positions are kept (x, y, seconds); past ``cap`` samples every other one is dropped, its time
given to its neighbour, and from then on one position in two is kept: memory stays bounded
however long the hold, and the kept positions stay evenly spread over it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Share of hold time, nearest the median position, that the spread is measured over.
KEEP = 0.9
#: Most positions kept per step before thinning.
CAP = 2048


@dataclass
class HoldSpread:
    """Hold positions of one step (palm frame, palm lengths) and their robust spread."""

    keep: float = KEEP
    cap: int = CAP
    samples: list[tuple[float, float, float]] = field(default_factory=list)
    stride: int = 1  # one position kept per ``stride`` added, carrying their time
    _skipped: int = 0
    _skipped_s: float = 0.0

    def add(self, xy: tuple[float, float], dt: float) -> None:
        """Add one position held for ``dt`` seconds."""
        if dt <= 0:
            return
        if self._skipped + 1 < self.stride:
            self._skipped += 1
            self._skipped_s += dt
            return
        self.samples.append((float(xy[0]), float(xy[1]), float(dt + self._skipped_s)))
        self._skipped, self._skipped_s = 0, 0.0
        if len(self.samples) >= self.cap:  # keep every other one: the time stays even
            s = self.samples
            self.samples = [(x, y, w + (s[i + 1][2] if i + 1 < len(s) else 0.0))
                            for i, (x, y, w) in enumerate(s) if i % 2 == 0]
            self.stride *= 2

    def copy(self) -> HoldSpread:
        """An independent copy (tallies are copied for restating)."""
        return HoldSpread(self.keep, self.cap, list(self.samples), self.stride, self._skipped,
                          self._skipped_s)

    @property
    def seconds(self) -> float:
        """Hold time recorded."""
        return float(sum(w for _, _, w in self.samples)) + self._skipped_s

    def sd(self) -> float | None:
        """RMS distance from the median position over the ``keep`` share of time nearest it.

        None before any hold was seen.
        """
        if not self.samples:
            return None
        a = np.asarray(self.samples)
        d = np.hypot(a[:, 0] - np.median(a[:, 0]), a[:, 1] - np.median(a[:, 1]))
        order = np.argsort(d, kind="stable")
        d, w = d[order], a[order, 2]
        upto = np.cumsum(w) - w  # time before each sample, nearest first
        kept = upto < self.keep * w.sum()
        return float(np.sqrt(np.sum(d[kept] ** 2 * w[kept]) / np.sum(w[kept])))
