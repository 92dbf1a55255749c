"""Press paths of each technique, in the receiving hand's own frame.

Every function returns the press point over a time grid in the receiver's palm frame
(``hands.palm_frame``: x distal, y radial, unit = palm length L) and whether the pad touches at
each instant. Paths are noise-free: the scene module adds the moving hands and the noise.
Parameter ranges follow ``../shared/domain/zones-points-routines.md`` section (d): kneading
circle 2-3 cm (0.25-0.35 L), circle frequency 0.3-3 Hz, stroke speed 1-10 cm/s (0.1-1.05 L/s at
L = 95 mm). Thumb-walk steps (4-10 % of L, 0.8-2.5 steps/s) are this project's estimate [D].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from massagecam.hands import FINGERS
from massagecam.synthetic import pose_template

Array = npt.NDArray[np.float64]

#: Unit direction in the palm frame of each stroke direction word.
DIRECTIONS: dict[str, tuple[float, float]] = {
    "distal": (1.0, 0.0), "proximal": (-1.0, 0.0), "radial": (0.0, 1.0), "ulnar": (0.0, -1.0),
}

#: Box of the palm (x distal, y radial, palm lengths) where strokes, walks and circles happen.
PALM_BOX = ((0.15, 0.9), (-0.33, 0.33))


@dataclass
class Motion:
    """A technique's press path over one segment.

    Attributes:
        p: (n, 2) press point in the receiver's palm frame.
        contact: (n,) True where the pad touches (False during lifts and returns).
        technique: the technique name of the segment ("hover" for a no-contact segment).
        params: the truth values (frequency_hz, speed_l_s, step_rate_hz, direction).
    """

    p: Array
    contact: npt.NDArray[np.bool_]
    technique: str
    params: dict[str, float | str | None] = field(default_factory=dict)


def _ease(u: Array) -> Array:
    """Smooth 0..1 ramp (zero speed at both ends): how a hand starts and stops a movement."""
    u = np.clip(u, 0.0, 1.0)
    return u * u * (3.0 - 2.0 * u)


def _line(rng: np.random.Generator, direction: str, length: float) -> tuple[Array, Array]:
    """A start point and unit vector for a pass of ``length`` inside the palm box."""
    ang = np.deg2rad(rng.uniform(-12, 12))
    d0 = np.array(DIRECTIONS[direction])
    c, s = np.cos(ang), np.sin(ang)
    u = np.array([c * d0[0] - s * d0[1], s * d0[0] + c * d0[1]])
    (x0, x1), (y0, y1) = PALM_BOX
    lo = np.array([x0, y0]) - np.minimum(u * length, 0)
    hi = np.array([x1, y1]) - np.maximum(u * length, 0)
    start = rng.uniform(lo, np.maximum(hi, lo + 1e-3))
    return start, u


def hold(rng: np.random.Generator, t: Array) -> Motion:
    """A steady press on one point (palm, thenar or a finger) with a slight tremor."""
    centre = rng.uniform([0.2, -0.3], [1.3, 0.4])
    tremor = 0.006 * np.stack([np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 6)),
                               np.sin(2 * np.pi * 0.45 * t + rng.uniform(0, 6))], axis=1)
    return Motion(centre + tremor, np.ones(len(t), bool), "hold", {})


def circles(rng: np.random.Generator, t: Array) -> Motion:
    """Kneading circles: 0.25-0.35 L across, 0.3-3 Hz, cw or ccw, slightly elliptic, drifting.

    Direction words are defined in the hand frame (see docs/contact-technique.md): "cw" turns
    from distal towards radial (12 o'clock at the fingers, 3 o'clock at the thumb side).
    """
    freq = float(np.exp(rng.uniform(np.log(0.3), np.log(3.0))))
    radius = rng.uniform(0.125, 0.175)
    aspect = rng.uniform(0.75, 1.0)
    tilt = rng.uniform(0, np.pi)
    cw = bool(rng.random() < 0.5)
    centre = rng.uniform([0.3, -0.2], [0.75, 0.3])
    drift = rng.normal(0, 0.01, 2)
    phase = rng.uniform(0, 2 * np.pi) + (1 if cw else -1) * 2 * np.pi * freq * t
    # phase grows with +distal->+radial rotation for "cw" (the hand-frame definition)
    ex, ey = radius * np.cos(phase), radius * aspect * np.sin(phase)
    c, s = np.cos(tilt), np.sin(tilt)
    p = centre + drift * t[:, None] + np.stack([c * ex - s * ey, s * ex + c * ey], axis=1)
    return Motion(p, np.ones(len(t), bool), "circles",
                  {"frequency_hz": freq, "direction": "cw" if cw else "ccw"})


def _passes(rng: np.random.Generator, t: Array, start: Array, u: Array, length: float,
            position: Callable[[float], float],
            pass_s: float) -> tuple[Array, npt.NDArray[np.bool_]]:
    """Repeat a pass (press along, lift, glide back) until the segment ends."""
    ret_s = rng.uniform(0.35, 0.8)
    p = np.empty((len(t), 2))
    contact = np.empty(len(t), bool)
    cycle = pass_s + ret_s
    for i, ti in enumerate(t):
        k = ti % cycle
        if k < pass_s:
            s = position(k)
            contact[i] = True
        else:
            u_ret = (k - pass_s) / ret_s
            s = length * (1.0 - _ease(np.array(u_ret)))
            contact[i] = False
        p[i] = start + u * s
    # the return glides above the hand, a little to the side of the path
    side = np.array([-u[1], u[0]]) * rng.uniform(-0.12, 0.12)
    p[~contact] += side
    return p, contact


def stroke(rng: np.random.Generator, t: Array) -> Motion:
    """Repeated strokes at a steady 0.1-1.05 L/s (1-10 cm/s), lifting to glide back."""
    direction = str(rng.choice(list(DIRECTIONS)))
    speed = float(np.exp(rng.uniform(np.log(0.1), np.log(1.05))))
    along = direction in ("distal", "proximal")
    length = rng.uniform(0.4, 0.7) if along else rng.uniform(0.35, 0.6)
    start, u = _line(rng, direction, length)
    pass_s = length / speed
    p, contact = _passes(rng, t, start, u, length, lambda k: speed * k, pass_s)
    return Motion(p, contact, "stroke", {"speed_l_s": speed, "direction": direction})


def thumb_walk(rng: np.random.Generator, t: Array) -> Motion:
    """Inchworm steps: advance 4-10 % of L, pause, at 0.8-2.5 steps/s."""
    direction = str(rng.choice(list(DIRECTIONS)))
    step = rng.uniform(0.04, 0.10)
    rate = rng.uniform(0.8, 2.5)
    advance = rng.uniform(0.4, 0.6)
    along = direction in ("distal", "proximal")
    length = rng.uniform(0.45, 0.7) if along else rng.uniform(0.35, 0.6)
    start, u = _line(rng, direction, length)
    n_steps = max(int(length / step), 2)
    pass_s = n_steps / rate

    def position(k: float) -> float:
        cyc = k * rate
        whole = np.floor(cyc)
        frac = _ease(np.array((cyc - whole) / advance))
        return float(step * (whole + frac))

    p, contact = _passes(rng, t, start, u, step * n_steps, position, pass_s)
    return Motion(p, contact, "thumb_walk",
                  {"step_rate_hz": rate, "speed_l_s": step * rate, "direction": direction})


def finger_pull(rng: np.random.Generator, t: Array, spread: float, curl: float) -> Motion:
    """Pulls along one receiving finger from its base to its tip, lifting to return."""
    name = str(rng.choice(["thumb", "index", "middle", "ring", "pinky"]))
    chain = pose_template(spread, curl)[list(FINGERS[name])].astype(np.float64)
    if name == "thumb":
        chain = chain[1:]  # from the thumb MCP: the metacarpal lies in the palm
    seg = np.linalg.norm(np.diff(chain, axis=0), axis=1)
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    total = float(arc[-1])
    speed = rng.uniform(0.3, 1.0)
    pass_s = total / speed
    ret_s = rng.uniform(0.4, 0.8)
    cycle = pass_s + ret_s
    k = t % cycle
    pressing = k < pass_s
    s = np.where(pressing, speed * k, total * (1 - _ease((k - pass_s) / ret_s)))
    p = np.stack([np.interp(s, arc, chain[:, 0]), np.interp(s, arc, chain[:, 1])], axis=1)
    p[~pressing, 1] += 0.15  # the return passes beside the finger
    return Motion(p, pressing, "finger_pull",
                  {"speed_l_s": speed, "direction": "distal", "finger": name})


def hover(rng: np.random.Generator, t: Array, a: Array, b: Array) -> Motion:
    """No contact: the pad travels from ``a`` to ``b`` above the hand, pausing on the way.

    Half the pauses sit above the hand (inside its outline, only pose and depth tell), half
    beside it.
    """
    if rng.random() < 0.5:
        via = rng.uniform([0.1, -0.4], [1.2, 0.5])
    else:
        ang = rng.uniform(0, 2 * np.pi)
        via = np.array([0.6, 0.0]) + rng.uniform(0.9, 1.4) * np.array([np.cos(ang), np.sin(ang)])
    dur = max(float(t[-1] - t[0]), 1e-6) if len(t) else 1.0
    u = (t - t[0]) / dur if len(t) else t
    go = _ease(np.clip(u / 0.35, 0, 1))
    back = _ease(np.clip((u - 0.65) / 0.35, 0, 1))
    p = a + (via - a) * go[:, None] + (b - via) * back[:, None]
    return Motion(p, np.zeros(len(t), bool), "hover", {})
