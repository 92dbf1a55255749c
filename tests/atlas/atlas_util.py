"""Helpers shared by the atlas tests: posing hands and transforming image points."""

from __future__ import annotations

import numpy as np

from massagecam.synthetic import make_hand


def rigid(points: np.ndarray, angle_deg: float, scale: float, shift: tuple[float, float],
          mirror: bool = False, width: float = 1280.0) -> np.ndarray:
    """Rotate about the origin, scale, translate and optionally mirror (x -> width - x)."""
    a = np.deg2rad(angle_deg)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    out = (np.asarray(points, np.float64) @ rot.T) * scale + np.asarray(shift)
    if mirror:
        out[..., 0] = width - out[..., 0]
    return out


def hand(handedness: str = "Right", side: str = "palm", **kw: float) -> np.ndarray:
    """A posed synthetic hand as float64 (21, 2)."""
    return make_hand(handedness=handedness, side=side, **kw).astype(np.float64)
