"""Surface details painted on a shaded hand: palm creases, or knuckle wrinkles and nails.

Why they matter: the hand detector tells a left palm from a right back (same outline) by such
details; with faint creases and nails it mislabelled handedness on many rendered frames.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from massagecam.hands import FINGERS, Landmark

if TYPE_CHECKING:
    from massagecam.render.hand import HandStyle

L = Landmark

#: Radius (in palm lengths) of each digit at its base and at its tip.
DIGIT_RADII = {"thumb": (0.125, 0.095), "index": (0.098, 0.078), "middle": (0.102, 0.08),
               "ring": (0.096, 0.075), "pinky": (0.083, 0.064)}
_RADII = DIGIT_RADII


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.hypot(v[0], v[1]))
    return v / n if n > 1e-6 else np.array([0.0, -1.0], np.float32)


def _poly(img: np.ndarray, pts: list[np.ndarray], val: float, thick: float) -> None:
    arr = np.round(np.array(pts, np.float32) * 8).astype(np.int32)
    cv2.polylines(img, [arr], False, val, max(int(round(thick)), 1), cv2.LINE_AA, shift=3)


def paint_details(color: np.ndarray, loc: np.ndarray, lp: float, style: HandStyle,
                   detail: float, covered: np.ndarray) -> None:
    """Creases (palm) or knuckle wrinkles and nails (back), in place."""
    dark = np.zeros(color.shape[:2], np.float32)
    th = max(0.018 * lp, 1.0)
    fingers = ("index", "middle", "ring", "pinky")
    if style.side == "palm":
        p = loc
        web = 0.5 * (p[L.THUMB_MCP] + p[L.INDEX_FINGER_MCP])
        heel = p[L.WRIST] + 0.08 * (p[L.MIDDLE_FINGER_MCP] - p[L.WRIST])
        ctrl = 0.5 * (p[L.THUMB_CMC] + p[L.MIDDLE_FINGER_MCP])
        _poly(dark, _bezier(web + 0.25 * (p[L.INDEX_FINGER_MCP] - web), ctrl, heel), 0.8, th)
        mid5 = 0.5 * (p[L.INDEX_FINGER_MCP] + p[L.PINKY_MCP])
        dist = p[L.MIDDLE_FINGER_MCP] - p[L.WRIST]
        head_a = web + 0.3 * (p[L.INDEX_FINGER_MCP] - web)
        head_b = mid5 - 0.38 * dist + 0.25 * (p[L.PINKY_MCP] - p[L.INDEX_FINGER_MCP])
        _poly(dark, _bezier(head_a, 0.5 * (head_a + head_b) - 0.05 * dist, head_b), 0.7, th)
        heart_a = p[L.PINKY_MCP] - 0.22 * dist + 0.1 * (p[L.PINKY_MCP] - p[L.INDEX_FINGER_MCP])
        heart_b = 0.5 * (p[L.INDEX_FINGER_MCP] + p[L.MIDDLE_FINGER_MCP]) - 0.06 * dist
        _poly(dark, _bezier(heart_a, 0.5 * (heart_a + heart_b) - 0.12 * dist, heart_b), 0.7, th)
        for name in (*fingers, "thumb"):
            chain = FINGERS[name]
            r = _RADII[name][1] * lp * style.width
            joints = chain[2:4] if name == "thumb" else chain[1:3]
            for j_prev, j in zip((chain[1], chain[2]) if name != "thumb" else (chain[1], chain[2]),
                                 joints, strict=False):
                _cross_line(dark, p[j], p[j] - p[j_prev], r * 0.85, 0.55, th)
            if name != "thumb":  # palmar digital crease at the finger base
                base = p[chain[0]] + 0.12 * (p[chain[1]] - p[chain[0]])
                _cross_line(dark, base, p[chain[1]] - p[chain[0]], r * 0.95, 0.5, th)
    else:
        for name in fingers:
            chain = FINGERS[name]
            r = _RADII[name][1] * lp * style.width
            for j_prev, j in ((chain[0], chain[1]), (chain[1], chain[2])):
                d = loc[j] - loc[j_prev]
                for k in (-1, 0, 1):
                    c = loc[j] + _unit(d) * k * 0.022 * lp
                    _cross_line(dark, c, d, r * (0.55 - 0.1 * abs(k)), 0.55, th)
    dark = cv2.GaussianBlur(dark, (0, 0), max(0.006 * lp, 0.5))
    color *= (1.0 - 0.6 * detail * np.minimum(dark, 1.0))[..., None]
    if style.side == "back":
        nail = np.zeros(color.shape[:2], np.float32)
        edge = np.zeros(color.shape[:2], np.float32)
        for name in (*fingers, "thumb"):
            chain = FINGERS[name]
            a, b = loc[chain[2]], loc[chain[3]]
            d = _unit(b - a)
            seg = float(np.hypot(*(b - a)))
            r = _RADII[name][1] * lp * style.width
            c = a + d * seg * 0.62
            ax = (max(seg * 0.42, 1.0), max(r * 0.7, 1.0))
            ang = float(np.degrees(np.arctan2(d[1], d[0])))
            cv2.ellipse(nail, (int(c[0] * 4), int(c[1] * 4)), (int(ax[0] * 4), int(ax[1] * 4)),
                        ang, 0, 360, 1.0, -1, cv2.LINE_AA, shift=2)
            e = a + d * seg * 0.97  # the whitish free edge at the tip end of the nail
            cv2.ellipse(edge, (int(e[0] * 4), int(e[1] * 4)),
                        (int(max(seg * 0.1, 1.0) * 4), int(ax[1] * 0.85 * 4)),
                        ang, 0, 360, 1.0, -1, cv2.LINE_AA, shift=2)
        soft = cv2.GaussianBlur(nail, (3, 3), 0.7)
        m = (soft > 0.01) & covered
        if m.any():
            rim = np.clip(soft - cv2.erode(nail, np.ones((3, 3), np.uint8)), 0.0, 1.0)[m]
            k = (0.95 * detail * soft[m])[:, None]
            px = color[m]
            lum = px.mean(-1, keepdims=True) / max(float(style.skin.back.mean()), 1.0)
            lum = np.minimum(lum * 1.12, 1.5)
            color[m] = (px * (1 - k) + style.skin.nail * lum * k) * (1.0 - 0.35 * rim[:, None])
            ke = (0.6 * detail * edge[m])[:, None]
            color[m] = color[m] * (1 - ke) + np.array([228, 234, 242], np.float32) * lum * ke


def _bezier(a: np.ndarray, c: np.ndarray, b: np.ndarray, n: int = 12) -> list[np.ndarray]:
    t = np.linspace(0, 1, n, dtype=np.float32)[:, None]
    return list((1 - t) ** 2 * a + 2 * (1 - t) * t * c + t * t * b)


def _cross_line(img: np.ndarray, c: np.ndarray, along: np.ndarray, half: float, val: float,
                th: float) -> None:
    """A short line across a digit at c (a joint crease), in place."""
    d = _unit(along)
    n = np.array([-d[1], d[0]], np.float32)
    _poly(img, [c - n * half, c + d * 0.1 * half, c + n * half], val, th)
