"""Synthetic hand landmarks for tests, trajectory generators and the renderer.

The template is a real open right hand, palm to the camera (first frame of a public test clip,
measured with the bundled model), expressed in the hand's own frame (``hands.palm_frame``:
x distal in palm lengths, y radial). :func:`make_hand` poses it anywhere in an image: either
hand, palm or back towards the camera, any rotation and size, fingers spread or curled.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from massagecam.hands import FINGERS, Hands, Landmark, Role

L = Landmark

#: (21, 2) template in the palm frame: (distal, radial) in palm lengths. Right hand, palm.
TEMPLATE = np.array([
    [0.0, 0.0], [0.212, 0.405], [0.522, 0.663], [0.765, 0.845], [0.89, 1.051],
    [0.968, 0.252], [1.29, 0.322], [1.478, 0.366], [1.649, 0.391],
    [1.0, 0.0], [1.365, -0.031], [1.576, -0.031], [1.763, -0.043],
    [0.93, -0.222], [1.274, -0.323], [1.479, -0.361], [1.661, -0.392],
    [0.788, -0.414], [1.028, -0.617], [1.19, -0.734], [1.34, -0.826],
], dtype=np.float32)

#: (21, 2) a typical real open hand in the same frame and units: the median, landmark by
#: landmark, of 1,415 MediaPipe hands (the "Open" rows whose middle finger is straight) of the
#: public dataset Kazuhito00/hand-gesture-recognition-using-mediapipe @ 19311a68b16b,
#: model/keypoint_classifier/keypoint.csv (Apache-2.0), each mapped to its palm frame
#: (``python benchmarks/hand_proportions.py --template`` prints it). Its palm is 0.85 of its
#: middle finger; :data:`TEMPLATE`'s, one frame of one hand with the fingers tilted away from
#: the camera, is 1.31. Rendered scenes can use it for the receiving hand
#: (``[render] receiver_shape = "real"``).
REAL_OPEN_HAND = np.array([
    [0.0, 0.0], [0.226, 0.358], [0.569, 0.603], [0.862, 0.794], [1.078, 0.959],
    [1.003, 0.274], [1.449, 0.305], [1.722, 0.31], [1.962, 0.292],
    [1.0, 0.0], [1.521, -0.06], [1.85, -0.119], [2.13, -0.189],
    [0.902, -0.251], [1.35, -0.393], [1.644, -0.497], [1.892, -0.59],
    [0.733, -0.472], [1.021, -0.683], [1.206, -0.819], [1.378, -0.938],
], dtype=np.float32)

#: (21,) relative depth of the template, in palm lengths (negative = nearer the camera).
TEMPLATE_Z = np.array([
    0.0, -0.122, -0.137, -0.155, -0.176, -0.005, -0.05, -0.11, -0.166, -0.014, -0.049,
    -0.117, -0.181, -0.048, -0.117, -0.197, -0.262, -0.097, -0.188, -0.248, -0.289,
], dtype=np.float32)


def radial_sign(handedness: str, side: str) -> int:
    """+1 when, fingers pointing up an un-mirrored image, the thumb is on the image's right.

    A right palm and a left back show the thumb on the same side; a left palm and a right
    back show it on the other.
    """
    if handedness not in ("Left", "Right") or side not in ("palm", "back"):
        raise ValueError(f"handedness must be Left/Right and side palm/back, got "
                         f"{handedness!r}, {side!r}")
    return 1 if (handedness == "Right") == (side == "palm") else -1


def pose_template(spread: float = 0.0, curl: float = 0.0) -> npt.NDArray[np.float32]:
    """The template with fingers spread (radians added between neighbours) and curled (0..1).

    Curl shortens each phalanx in the image as it bends towards the camera, more for distal
    ones, as a mild flexion looks from the front.
    """
    pts = TEMPLATE.copy()
    fan = {"index": 1.0, "middle": 0.0, "ring": -1.0, "pinky": -2.0, "thumb": 1.5}
    for name, chain in FINGERS.items():
        base = pts[chain[0]].copy()
        ang = spread * fan[name]
        c, s = np.cos(ang), np.sin(ang)
        rot = np.array([[c, -s], [s, c]], dtype=np.float32)
        prev_old = base
        prev_new = base
        for k, j in enumerate(chain[1:], start=1):
            seg = (TEMPLATE[j] - prev_old) @ rot.T
            shrink = 1.0 - curl * (0.35 + 0.2 * k) if name != "thumb" else 1.0 - 0.3 * curl
            prev_old = TEMPLATE[j]
            prev_new = prev_new + seg * max(shrink, 0.05)
            pts[j] = prev_new
    return pts


def make_hand(center: tuple[float, float] = (320.0, 240.0), palm_px: float = 120.0,
              angle_deg: float = 0.0, handedness: str = "Right", side: str = "palm",
              spread: float = 0.0, curl: float = 0.0) -> npt.NDArray[np.float32]:
    """(21, 2) pixel landmarks of a posed synthetic hand.

    Args:
        center: image position of the palm centre (midway wrist to middle MCP).
        palm_px: palm length (wrist to middle MCP) in pixels.
        angle_deg: direction of the fingers; 0 points up the image, positive turns clockwise.
        handedness: "Left" or "Right" (anatomical).
        side: "palm" or "back" facing the camera.
        spread: extra spread between fingers in radians.
        curl: 0 (open) to 1 (strongly flexed).
    """
    a = np.deg2rad(angle_deg)
    distal = np.array([np.sin(a), -np.cos(a)], dtype=np.float32)
    right_of_distal = np.array([-distal[1], distal[0]], dtype=np.float32)
    radial = right_of_distal * radial_sign(handedness, side)
    local = pose_template(spread, curl)
    pts = local[:, :1] * distal + local[:, 1:] * radial
    pts = pts * palm_px
    pts = pts - 0.5 * (pts[L.WRIST] + pts[L.MIDDLE_FINGER_MCP]) + np.asarray(center, np.float32)
    return pts.astype(np.float32)


def make_hands(*hands: npt.ArrayLike, handedness: list[str] | None = None,
               roles: list[Role] | None = None, palm_px: float | None = None,
               frame_index: int = 0, t: float = 0.0,
               image_wh: tuple[int, int] = (640, 480)) -> Hands:
    """Wrap posed hands into a :class:`Hands` frame (z from the template, scaled)."""
    xy = np.stack([np.asarray(h, np.float32) for h in hands]) if hands else np.zeros((0, 21, 2))
    n = len(xy)
    scale = [palm_px or float(np.linalg.norm(h[L.MIDDLE_FINGER_MCP] - h[L.WRIST])) for h in xy]
    z = np.stack([TEMPLATE_Z * s for s in scale]) if n else np.zeros((0, 21))
    return Hands.from_arrays(xy, z=z, handedness=handedness or ["Right"] * n,
                             role=[int(r) for r in roles] if roles else None,
                             frame_index=frame_index, t=t, image_wh=image_wh)
