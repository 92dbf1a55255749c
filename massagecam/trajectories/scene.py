"""Pose two synthetic hands per frame: a moving receiver and a giver whose thumb pad is on the path.

The receiver drifts, turns and changes size slowly, like a resting hand on a webcam. The giver is
a second hand (the other anatomical side) posed so that its thumb pad, ``lerp(THUMB_IP,
THUMB_TIP, 0.7)``, lands on the press point. Whether the pad touches shows the way the detector
is meant to read it, with overlapping distributions rather than clean switches:

* pressing: thumb IP flexed 18-45 deg in the image, distal phalanx foreshortened to 55-88 % of
  its resting image length (it points into the receiver), pad 0.04-0.15 L behind the thumb MCP;
* hovering: IP flexed -5-22 deg, distal phalanx 82-105 %, pad 0.12 L in front to 0.03 L behind.

These numbers are this project's model of a pressing thumb [D], not measurements: the synthetic
benchmark can only show that the detector reads the cues it was designed for, under the stated
noise. See docs/contact-technique.md for the limits.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from massagecam.hands import Landmark, palm_frame
from massagecam.synthetic import TEMPLATE_Z, make_hand

L = Landmark
Array = npt.NDArray[np.float64]

#: Resting image length ratio of the thumb's distal phalanx to its proximal one (template).
PAD_T = 0.7


def smooth_noise(rng: np.random.Generator, t: Array, scale: float, period_s: float,
                 dims: int = 1) -> Array:
    """Smooth random wander (three sinusoids) of amplitude ~``scale`` and period ~``period_s``."""
    out = np.zeros((len(t), dims))
    for k in range(3):
        per = period_s * rng.uniform(0.6, 1.6) / (k + 1)
        amp = scale / (k + 1)
        out += amp * np.sin(2 * np.pi * t[:, None] / per + rng.uniform(0, 2 * np.pi, dims))
    return out if dims > 1 else out[:, 0]


def receiver_poses(rng: np.random.Generator, t: Array, image_wh: tuple[int, int],
                   handedness: str, side: str, spread: float, curl: float,
                   drift: float) -> tuple[Array, Array]:
    """(n, 21, 2) receiver landmarks and (n,) palm lengths in pixels over the clip."""
    w, h = image_wh
    palm0 = rng.uniform(0.16, 0.26) * h
    centre0 = np.array([w * rng.uniform(0.4, 0.6), h * rng.uniform(0.45, 0.6)])
    angle0 = rng.uniform(-60, 60)
    centre = centre0 + smooth_noise(rng, t, drift * palm0, 6.0, 2)
    angle = angle0 + smooth_noise(rng, t, 15.0 * drift / 0.3, 7.0)
    palm = palm0 * (1 + smooth_noise(rng, t, 0.06, 9.0))
    xy = np.stack([make_hand(tuple(c), float(p), float(a), handedness, side, spread, curl)
                   for c, p, a in zip(centre, palm, angle, strict=True)])
    return xy.astype(np.float64), palm


def palm_to_image(p: Array, receiver_xy: Array) -> Array:
    """Palm-frame points (palm lengths) to image pixels for each frame's receiver."""
    out = np.empty_like(p)
    for i in range(len(p)):
        origin, axes, length = palm_frame(receiver_xy[i])
        out[i] = origin + (p[i] @ axes) * length
    return out


def bend_thumb(xy: Array, flex_deg: float, distal_scale: float) -> Array:
    """A copy of (21, 2) hand landmarks with the thumb tip bent at the IP joint.

    The distal phalanx (IP -> TIP) turns by ``flex_deg`` towards the hand's palm centre and
    its image length is multiplied by ``distal_scale``. Shared by this generator and the video
    renderer (``massagecam.render.timeline``) so both draw a press the same way.
    """
    xy = np.array(xy, dtype=np.float64)
    ip, tip = xy[L.THUMB_IP], xy[L.THUMB_TIP]
    vec = tip - ip
    palm_c = 0.5 * (xy[L.WRIST] + xy[L.MIDDLE_FINGER_MCP])
    towards = palm_c - ip
    sign = 1.0 if (vec[0] * towards[1] - vec[1] * towards[0]) > 0 else -1.0
    a = np.deg2rad(flex_deg) * sign
    c, s = np.cos(a), np.sin(a)
    xy[L.THUMB_TIP] = ip + distal_scale * np.array([c * vec[0] - s * vec[1],
                                                    s * vec[0] + c * vec[1]])
    return xy


#: How high (palm lengths) a hovering or returning thumb is lifted, and how much larger its hand
#: then looks per palm length of lift (nearer the camera), in the renderer and the generator.
HOVER_L, LIFT_GROWTH = 0.3, 0.12


def press_pose(rng: np.random.Generator, pressure: float) -> tuple[float, float, float]:
    """(flex deg, distal scale, pad depth L) of a pressing thumb; ``pressure`` 0 light .. 1 firm.

    The press model [D]: the pad pushes into the other hand, so the IP joint flexes
    (18-45 deg), the distal phalanx points into the surface and looks foreshortened (55-88 %
    of its resting image length) and the pad sits behind the thumb's MCP (0.04-0.15 L).
    """
    return (float(rng.uniform(18, 28) + 17 * pressure),
            float(rng.uniform(0.78, 0.88) - 0.23 * pressure),
            float(rng.uniform(0.04, 0.07) + 0.08 * pressure))


def hover_pose(rng: np.random.Generator) -> tuple[float, float, float]:
    """(flex deg, distal scale, pad depth L) of a thumb held just above the skin.

    Near the open-hand rest: IP flexed -5-22 deg, distal phalanx at 82-105 % of its resting
    image length, pad 0.12 L in front of to 0.03 L behind the MCP. Overlaps the press range.
    """
    return (float(rng.uniform(-5, 22)), float(rng.uniform(0.82, 1.05)),
            float(rng.uniform(-0.12, 0.03)))


def giver_pose(pad_xy: Array, angle_deg: float, palm_px: float, handedness: str, side: str,
               flex_deg: float, distal_scale: float, depth_l: float) -> tuple[Array, Array]:
    """(21, 2) giver landmarks and (21,) z with the thumb pad at ``pad_xy``.

    The thumb's distal phalanx is turned by ``flex_deg`` towards the giver's palm and shortened
    by ``distal_scale``; the pad sits ``depth_l`` palm lengths behind the thumb MCP (positive =
    farther from the camera, MediaPipe's sign).
    """
    xy = make_hand((0.0, 0.0), palm_px, angle_deg, handedness, side, spread=0.1,
                   curl=0.35).astype(np.float64)
    z = TEMPLATE_Z.astype(np.float64) * palm_px
    xy = bend_thumb(xy, flex_deg, distal_scale)
    zm = z[L.THUMB_MCP]
    z[L.THUMB_IP] = zm + 0.5 * depth_l * palm_px
    z[L.THUMB_TIP] = (zm + depth_l * palm_px - (1 - PAD_T) * z[L.THUMB_IP]) / PAD_T
    pad = xy[L.THUMB_IP] + PAD_T * (xy[L.THUMB_TIP] - xy[L.THUMB_IP])
    return xy + (pad_xy - pad), z


def pose_tracks(rng: np.random.Generator, contact: npt.NDArray[np.bool_], fps: float,
                pressure: Array) -> tuple[Array, Array, Array]:
    """Per-frame thumb flexion, distal scale and pad depth, easing between press and hover.

    Each contact run and each lift draws its own pose; a change takes about 0.1 s and is
    centred on the switch, so the frames around it look half-way, as real thumbs do.
    """
    n = len(contact)
    target = np.empty((n, 3))
    start = 0
    while start < n:
        stop = start
        while stop < n and contact[stop] == contact[start]:
            stop += 1
        if contact[start]:
            target[start:stop] = press_pose(rng, float(pressure[start]))
        else:
            target[start:stop] = hover_pose(rng)
        start = stop
    out = _ease(target, fps)
    return out[:, 0], out[:, 1], out[:, 2]


def _ease(target: Array, fps: float) -> Array:
    """Forward then backward EMA along axis 0.

    A change takes ~0.1 s, centred on the truth switch (the pad is half lifted when contact
    ends).
    """
    alpha = 1 - np.exp(-1.0 / (0.035 * fps))
    out = np.array(target, dtype=np.float64, copy=True)
    n = len(out)
    for order in (range(n), range(n - 1, -1, -1)):
        acc = out[next(iter(order))].copy()
        for i in order:
            acc += alpha * (out[i] - acc)
            out[i] = acc
    return out


def lift_scale(contact: npt.NDArray[np.bool_], fps: float) -> Array:
    """Per-frame size factor of the giving hand: 1 pressing, larger while the thumb hovers.

    A hovering thumb is lifted about :data:`HOVER_L` palm lengths, which brings its hand nearer
    the camera: :data:`LIFT_GROWTH` larger per palm length of lift, about the pad (3.6 %; the
    renderer draws the same, ``render.timeline``). Eased like the thumb pose.
    """
    if len(contact) == 0:
        return np.ones(0)
    press = _ease(np.asarray(contact, np.float64)[:, None], fps)[:, 0]
    return 1.0 + LIFT_GROWTH * HOVER_L * (1.0 - press)
