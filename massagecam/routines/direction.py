"""Which way to move towards a target, in words of the receiving hand.

The coach says "move towards LI4 (towards the wrist)". The direction comes from the atlas'
drawable geometry (``Atlas.shapes``) and the receiving hand's own frame (``to_palm_frame``:
x distal, y radial), so the words stay right on either hand, palm or back, at any rotation.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from massagecam.hands import Role, to_palm_frame
from massagecam.results import FrameAnalysis

#: Components smaller than this (palm lengths) are not worth a word.
MIN_STEP_L = 0.05


def _centre(shape: Any) -> tuple[float, float] | None:
    """Centre of one atlas drawable (``Shape``: mean of its ``points``), None if unusable."""
    pts = np.asarray(getattr(shape, "points", shape), np.float32).reshape(-1)
    if pts.size < 2 or pts.size % 2 or not np.all(np.isfinite(pts)):
        return None
    c = pts.reshape(-1, 2).mean(0)
    return float(c[0]), float(c[1])


def direction_words(atlas: Any, targets: tuple[str, ...], a: FrameAnalysis) -> str | None:
    """Words from the press point to the nearest part of any target.

    Returns e.g. "towards the fingers and towards the thumb side"; None without an atlas, a
    press point, a receiver or a visible target.
    """
    p = a.primary
    r = a.hands.index_of(Role.RECEIVER)
    if atlas is None or p is None or r is None or not targets:
        return None
    receiver = a.hands.xy[r]
    try:
        shapes = atlas.shapes(receiver, str(a.hands.handedness[r]), a.side)
    except Exception:  # noqa: BLE001 - direction is a nicety; never break coaching on it
        return None
    centres = [c for t in targets for sh in shapes.get(t, ()) if (c := _centre(sh))]
    if not centres:
        return None
    press = np.asarray(p.xy, np.float32)
    best = min(centres, key=lambda c: float(np.hypot(c[0] - press[0], c[1] - press[1])))
    d = to_palm_frame(np.asarray([best, press], np.float32), receiver)
    dist, rad = float(d[0, 0] - d[1, 0]), float(d[0, 1] - d[1, 1])
    words = []
    if abs(dist) >= MIN_STEP_L and abs(dist) >= 0.4 * abs(rad):
        words.append("towards the fingers" if dist > 0 else "towards the wrist")
    if abs(rad) >= MIN_STEP_L and abs(rad) >= 0.4 * abs(dist):
        words.append("towards the thumb side" if rad > 0 else "towards the little finger")
    return " and ".join(words) or None
