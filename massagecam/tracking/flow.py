"""Carry a held (undetected) hand by sparse optical flow of its still-visible part.

When the detector loses the receiver under the giver, holding its last pose is right as long
as it does not move. If it drifts, the parts not covered by the giver (fingers sticking out,
the wrist) still show where it went. We follow the held hand's landmarks with pyramidal
Lucas-Kanade from the previous frame, keep points that pass a forward-backward check and are
not under a visible hand (those move with the occluder), and shift the whole held pose by
their median displacement. Translation only: a few visible points cannot support more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from massagecam.tracking.tracks import Track

#: Minimum number of trustworthy points to move a held hand at all.
MIN_POINTS = 3
#: Forward-backward error (px) above which a tracked point is discarded.
FB_MAX_PX = 1.0


class FlowCarrier:
    """Keeps the previous grey frame and shifts held tracks by the flow of their visible part."""

    def __init__(self, win: int = 21, levels: int = 3) -> None:
        self._prev: np.ndarray | None = None
        self._win = (win, win)
        self._levels = levels
        self.last_points = 0

    def carry(self, image: np.ndarray | None, held: list[Track],
              visible_xy: list[np.ndarray], now: float) -> None:
        """Update ``flow_shift`` of each held track from ``image`` (BGR or grey) at ``now``."""
        self.last_points = 0
        if image is None:
            self._prev = None
            return
        import cv2  # local import: flow is optional and cv2 import is slow

        grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        prev, self._prev = self._prev, grey
        if prev is None or prev.shape != grey.shape or not held:
            return
        boxes = []
        for v in visible_xy:
            lo, hi = v.min(axis=0), v.max(axis=0)
            pad = 0.1 * float((hi - lo).max())
            boxes.append((lo - pad, hi + pad))
        for tr in held:
            pts = tr.held_pose(now).astype(np.float32)
            free = np.ones(len(pts), bool)
            for lo, hi in boxes:
                free &= ~np.all((pts >= lo) & (pts <= hi), axis=1)
            if free.sum() < MIN_POINTS:
                continue
            p0 = pts[free].reshape(-1, 1, 2)
            p1, st1, _ = cv2.calcOpticalFlowPyrLK(prev, grey, p0, None, winSize=self._win,
                                                  maxLevel=self._levels)
            back, st2, _ = cv2.calcOpticalFlowPyrLK(grey, prev, p1, None, winSize=self._win,
                                                    maxLevel=self._levels)
            fb = np.linalg.norm((back - p0).reshape(-1, 2), axis=1)
            good = (st1.ravel() == 1) & (st2.ravel() == 1) & (fb < FB_MAX_PX)
            if good.sum() < MIN_POINTS:
                continue
            shift = np.median((p1 - p0).reshape(-1, 2)[good], axis=0)
            tr.flow_shift = tr.flow_shift + shift.astype(np.float64)
            self.last_points += int(good.sum())
