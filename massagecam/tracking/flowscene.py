"""Textured images of synthetic scenarios, to measure optical-flow carrying of held hands.

Optical flow needs texture that moves with the hand. Each hand is drawn as a filled skeleton
silhouette sprinkled with blobs fixed in the hand's own frame (so they move, turn and scale
with it) over a textured still background; hands are painted in scenario order, so a later
hand covers an earlier one (the giver over the receiver). Not photorealistic: just enough
structure for Lucas-Kanade, and fully deterministic.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from massagecam.hands import CONNECTIONS, Landmark, Role, palm_frame
from massagecam.tracking.scenarios import (
    PALM,
    Scenario,
    assemble,
    ease,
    giver_on,
    palm_centre,
    receiver_pose,
    timeline,
)

L = Landmark
SIZE = (960, 720)


class Painter:
    """Draws scenario frames; textures are seeded and fixed per hand."""

    def __init__(self, n_hands: int, seed: int = 0, size: tuple[int, int] = SIZE) -> None:
        import cv2

        rng = np.random.default_rng(seed)
        w, h = size
        noise = rng.integers(0, 255, (h // 8, w // 8), dtype=np.uint8)
        bg = cv2.resize(noise, (w, h), interpolation=cv2.INTER_CUBIC)
        self._bg = cv2.cvtColor((bg // 3 + 60).astype(np.uint8), cv2.COLOR_GRAY2BGR)
        # Blobs in the palm frame (distal, radial) in palm lengths, over hand and fingers.
        self._blobs = [np.column_stack([rng.uniform(-0.2, 1.9, 250), rng.uniform(-1.0, 1.1, 250)])
                       for _ in range(n_hands)]
        self._shade = [rng.integers(60, 255, 250) for _ in range(n_hands)]
        self._skin = [(int(v * 0.7), int(v * 0.8), int(v)) for v in rng.integers(140, 220, n_hands)]

    def paint(self, poses: list[npt.NDArray[np.float64] | None]) -> npt.NDArray[np.uint8]:
        """BGR image of the hands (None = out of view), later hands on top."""
        import cv2

        img = self._bg.copy()
        h, w = img.shape[:2]
        for k, pose in enumerate(poses):
            if pose is None or np.isnan(pose[0, 0]):
                continue
            palm = int(np.linalg.norm(pose[L.MIDDLE_FINGER_MCP] - pose[L.WRIST]))
            pad = palm // 4 + 2
            x0, y0 = np.maximum(pose.min(axis=0).astype(int) - pad, 0)
            x1, y1 = np.minimum(pose.max(axis=0).astype(int) + pad, (w, h))
            if x1 <= x0 or y1 <= y0:
                continue
            off = np.array([x0, y0])
            pts = (pose - off).astype(np.int32)
            mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
            hull = cv2.convexHull(pts[[L.WRIST, L.THUMB_CMC, L.INDEX_FINGER_MCP, L.PINKY_MCP]])
            cv2.fillConvexPoly(mask, hull, 255)
            for a, b in CONNECTIONS:
                cv2.line(mask, tuple(pts[a]), tuple(pts[b]), 255, max(3, palm // 6))
            hand = np.empty((y1 - y0, x1 - x0, 3), np.uint8)
            hand[:] = self._skin[k]
            origin, axes, length = palm_frame(pose)
            blobs = origin + (self._blobs[k] * length) @ axes - off
            for (x, y), v in zip(blobs.astype(int), self._shade[k], strict=True):
                cv2.circle(hand, (int(x), int(y)), max(2, palm // 40), (int(v),) * 3, -1)
            roi = img[y0:y1, x0:x1]
            roi[mask > 0] = hand[mask > 0]
        return img


def drifting_hidden(seed: int = 0, drift: float = 0.6, hide_s: float = 0.5) -> Scenario:
    """The giver covers the receiver's palm while the receiver drifts ``drift`` palms/s.

    Fingers and wrist of the receiver stay visible around the giver; the detector misses
    the receiver for ``hide_s``. Held poses should follow the drift if flow works.
    """
    t0, t1 = 1.0, 1.0 + 0.3 + hide_s + 0.3
    base = receiver_pose((300.0, 380.0), angle=-20.0)

    def rec_at(t: float) -> npt.NDArray[np.float64]:
        moving = min(max(t - t0, 0.0), t1 - t0)
        return base + np.array([drift * PALM * moving, 0.0])

    def poses(t: float) -> list[npt.NDArray[np.float64] | None]:
        rec = rec_at(t)
        a = ease((t - t0) / 0.3) * ease((t1 - t) / 0.3) if t0 <= t <= t1 else 0.0
        target = palm_centre(rec) + np.array([0.15 * PALM, -0.2 * PALM]) * a
        giver = giver_on(target, angle=-80.0)
        giver = giver + a * (palm_centre(rec) - giver.mean(axis=0)) * 0.8
        return [rec, giver]

    def detect(t: float, p: list) -> list[bool]:
        return [not (t0 + 0.3 <= t < t0 + 0.3 + hide_s), True]

    truth, det = timeline(t1 + 0.7, poses, detect, 2)
    return assemble("drifting_hidden", truth, det, (Role.RECEIVER, Role.GIVER),
                    ("Left", "Right"), seed=seed)
