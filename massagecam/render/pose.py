"""The giver pose that puts its thumb pad on a point of the receiving hand.

Why a solver: the hand detector finds a giving hand much more often when most of it lies beside
the receiving hand (thumb on top, the other fingers curled beside or under it, the wrist in
view) than when it is laid across it. For each target the solver tries giver orientations and
keeps the one whose body (palm, fingers, wrist) overlaps the receiver least, stays in frame and
comes from a natural direction; the thumb pad is then pinned exactly on the target.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from massagecam.hands import Landmark, palm_frame
from massagecam.synthetic import make_hand, radial_sign
from massagecam.trajectories.scene import bend_thumb

L = Landmark

#: Where along the thumb's distal phalanx the pad (the pressing point) lies: lerp(IP, TIP, 0.7).
PAD_T = 0.7

_BODY = (L.WRIST, L.INDEX_FINGER_MCP, L.MIDDLE_FINGER_MCP, L.RING_FINGER_MCP, L.PINKY_MCP,
         L.INDEX_FINGER_PIP, L.MIDDLE_FINGER_PIP, L.RING_FINGER_PIP, L.PINKY_PIP,
         L.INDEX_FINGER_TIP, L.MIDDLE_FINGER_TIP, L.RING_FINGER_TIP, L.PINKY_TIP, L.THUMB_CMC)


def pad_of(xy: np.ndarray) -> np.ndarray:
    """The thumb pad (press point) of a hand: ``lerp(THUMB_IP, THUMB_TIP, 0.7)``."""
    return xy[L.THUMB_IP] + PAD_T * (xy[L.THUMB_TIP] - xy[L.THUMB_IP])


@dataclass(frozen=True)
class GiverShape:
    """The giving hand's fixed shape for a session.

    ``template`` replaces the synthetic hand's shape with another one in the palm frame
    ((distal, radial) in palm lengths, as ``hands.to_palm_frame`` gives), e.g. the landmarks
    of a photographed hand for the photo-composite mode.
    """

    handedness: str
    palm_px: float
    curl: float = 0.45
    spread: float = 0.0
    side: str = "back"
    template: np.ndarray | None = None


def pose_local(local: np.ndarray, center: tuple[float, float], palm_px: float, angle_deg: float,
               handedness: str, side: str) -> np.ndarray:
    """Pose palm-frame coordinates like ``synthetic.make_hand`` poses its template."""
    a = np.deg2rad(angle_deg)
    distal = np.array([np.sin(a), -np.cos(a)], np.float32)
    radial = np.array([-distal[1], distal[0]], np.float32) * radial_sign(handedness, side)
    pts = (local[:, :1] * distal + local[:, 1:] * radial) * palm_px
    pts = pts - 0.5 * (pts[L.WRIST] + pts[L.MIDDLE_FINGER_MCP]) + np.asarray(center, np.float32)
    return pts.astype(np.float32)


def giver_pose(shape: GiverShape, angle_deg: float, pad_xy: np.ndarray,
               thumb: tuple[float, float] | None = None) -> np.ndarray:
    """(21, 2) giver landmarks at ``angle_deg`` with the thumb pad exactly on ``pad_xy``.

    ``thumb`` = (flex deg, distal scale) bends the thumb tip as in a press
    (``trajectories.scene.bend_thumb``) before the pad is pinned.
    """
    if shape.template is not None:
        xy = pose_local(shape.template, (0.0, 0.0), shape.palm_px, angle_deg, shape.handedness,
                        shape.side)
    else:
        xy = make_hand((0.0, 0.0), shape.palm_px, angle_deg, shape.handedness, shape.side,
                       spread=shape.spread, curl=shape.curl)
    if thumb is not None:
        xy = bend_thumb(xy, thumb[0], thumb[1]).astype(np.float32)
    return (xy + (np.asarray(pad_xy, np.float32) - pad_of(xy))).astype(np.float32)


def receiver_region(receiver_xy: np.ndarray) -> np.ndarray:
    """Convex outline (int32 points) of the receiving hand and the start of its forearm."""
    origin, axes, lp = palm_frame(receiver_xy)
    distal = axes[0]
    arm = np.array([receiver_xy[L.WRIST] - distal * lp * k for k in (0.6, 1.4)], np.float32)
    pts = np.vstack([receiver_xy, arm])
    return cv2.convexHull(np.round(pts).astype(np.int32))


def solve_giver_angle(shape: GiverShape, receiver_xy: np.ndarray, pad_xy: np.ndarray,
                      image_wh: tuple[int, int], prefer_deg: float | None = None,
                      step_deg: float = 10.0, thumb: tuple[float, float] | None = None) -> float:
    """The giver orientation (degrees) with the least body over the receiver, in frame.

    Args:
        shape: the giver's shape.
        receiver_xy: (21, 2) receiver landmarks.
        pad_xy: where the thumb pad must be.
        image_wh: image size (out-of-frame body is penalised).
        prefer_deg: an orientation to stay close to (the previous one), to avoid big swings.
        step_deg: grid step of the search.
        thumb: the thumb's (flex deg, distal scale) while pressing, see ``giver_pose``.
    """
    hull = receiver_region(receiver_xy)
    _, raxes, rlp = palm_frame(receiver_xy)

    def cost(ang: float) -> float:
        return _angle_cost(shape, ang, pad_xy, thumb, hull, receiver_xy, raxes, rlp, image_wh,
                           prefer_deg)

    # a coarse grid, then a finer one around its best angle (a few degrees decide whether a
    # knuckle lies over the receiver once the pressing thumb is bent)
    best = min((float(a) for a in np.arange(-180.0, 180.0, step_deg)), key=cost)
    fine = [best + k * step_deg / 5 for k in range(-10, 11)]
    best = min(fine, key=cost)
    return (best + 180.0) % 360.0 - 180.0


def _angle_cost(shape: GiverShape, ang: float, pad_xy: np.ndarray,
                thumb: tuple[float, float] | None, hull: np.ndarray, receiver_xy: np.ndarray,
                raxes: np.ndarray, rlp: float, image_wh: tuple[int, int],
                prefer_deg: float | None) -> float:
    """The solver's cost of one giver orientation (see ``solve_giver_angle``)."""
    w, h = image_wh
    xy = giver_pose(shape, float(ang), pad_xy, thumb)
    _, gaxes, glp = palm_frame(xy)
    arm = [xy[L.WRIST] - gaxes[0] * glp * k for k in (0.5, 1.0, 1.6, 2.2)]
    pts = list(xy[list(_BODY)]) + arm
    cost = 0.0
    for p in pts:
        d = cv2.pointPolygonTest(hull, (float(p[0]), float(p[1])), True)
        if d > -0.1 * rlp:
            cost += 1.0 + max(d, 0.0) / rlp
    # receiver landmarks hidden under the giver's body (the thumb may cover a few)
    body = cv2.convexHull(np.round(np.vstack([xy[list(_BODY)], arm[:2]])).astype(np.int32))
    for q in receiver_xy:
        if cv2.pointPolygonTest(body, (float(q[0]), float(q[1])), True) > -0.05 * rlp:
            cost += 1.0
    margin = 0.04 * min(w, h)
    for p in xy:
        out = max(margin - p[0], p[0] - (w - margin), margin - p[1], p[1] - (h - margin), 0)
        cost += 3.0 * out / glp
    # forearms side by side look natural; forearms pointing at each other do not
    cost += 2.0 * max(float(gaxes[0] @ raxes[0]), 0.0)
    # the giver's arm comes from below the image more often than from above
    cost += 1.5 * max(float(gaxes[0][1]), 0.0)
    if prefer_deg is not None:
        diff = abs((ang - prefer_deg + 180.0) % 360.0 - 180.0)
        cost += 0.02 * diff
    return cost
