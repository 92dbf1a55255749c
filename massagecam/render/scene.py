"""Everything in the picture that is not a hand: background, lighting, skin texture and noise.

All of it is procedural (no external images, so the samples stay licence-clean) and computed
once per session from the seed; per frame only cheap array operations remain, which keeps the
renderer faster than real time.
"""

from __future__ import annotations

import cv2
import numpy as np

#: Muted table / cloth / wall colours (BGR).
_SURFACES = [(120, 140, 150), (70, 90, 110), (150, 150, 145), (60, 60, 62), (95, 120, 80),
             (140, 120, 100), (175, 180, 185), (40, 55, 85), (110, 80, 60), (200, 205, 210)]
_OBJECTS = [(30, 30, 30), (200, 200, 200), (40, 70, 160), (160, 90, 40), (60, 140, 60),
            (30, 160, 200), (120, 60, 140), (90, 90, 90), (220, 220, 230), (20, 40, 90)]


def _smooth_noise(rng: np.random.Generator, wh: tuple[int, int], scale: float,
                  aspect: float = 1.0) -> np.ndarray:
    """Low-pass noise in [-1, 1] with features about ``scale`` pixels (stretched by aspect)."""
    w, h = wh
    sw = max(int(w / scale * (1 / aspect if aspect > 1 else 1)), 2)
    sh = max(int(h / scale * (aspect if aspect > 1 else 1)), 2)
    small = rng.standard_normal((sh, sw)).astype(np.float32)
    big = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    return np.clip(big / 2.0, -1.0, 1.0)


def background(kind: str, wh: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A (H, W, 3) float32 BGR background: "plain", "textured" (wood/cloth) or "cluttered"."""
    w, h = wh
    base = np.array(_SURFACES[int(rng.integers(len(_SURFACES)))], np.float32)
    img = np.empty((h, w, 3), np.float32)
    img[:] = base
    yy = np.linspace(-1, 1, h, dtype=np.float32)[:, None]
    img *= (1.0 + 0.05 * yy)[..., None]
    if kind == "plain":
        img *= (1.0 + 0.02 * _smooth_noise(rng, wh, 120))[..., None]
        return img
    grain = _smooth_noise(rng, wh, 24, aspect=8.0) * 0.12 + _smooth_noise(rng, wh, 3) * 0.04
    img *= (1.0 + grain)[..., None]
    if kind == "textured":
        return img
    # cluttered: papers, a phone, a mug, pens and a cable around the edges of the desk
    for _ in range(int(rng.integers(7, 12))):
        col = np.array(_OBJECTS[int(rng.integers(len(_OBJECTS)))], np.float32)
        col = col * float(rng.uniform(0.8, 1.1))
        kind_obj = int(rng.integers(4))
        edge = rng.integers(4)
        cx = float(rng.uniform(0, w)) if edge < 2 else float(rng.choice([0.08, 0.92]) * w)
        cy = float(rng.choice([0.1, 0.9]) * h) if edge < 2 else float(rng.uniform(0, h))
        layer = np.zeros((h, w), np.uint8)
        if kind_obj == 0:
            size = (float(rng.uniform(0.1, 0.3) * w), float(rng.uniform(0.08, 0.25) * h))
            box = cv2.boxPoints(((cx, cy), size, float(rng.uniform(0, 180))))
            cv2.fillPoly(layer, [np.round(box).astype(np.int32)], 255, cv2.LINE_AA)
        elif kind_obj == 1:
            cv2.circle(layer, (int(cx), int(cy)), int(rng.uniform(0.04, 0.09) * w), 255, -1,
                       cv2.LINE_AA)
        elif kind_obj == 2:
            p2 = (int(cx + rng.uniform(-0.3, 0.3) * w), int(cy + rng.uniform(-0.3, 0.3) * h))
            cv2.line(layer, (int(cx), int(cy)), p2, 255, int(rng.integers(3, 9)), cv2.LINE_AA)
        else:
            pts = np.cumsum(rng.normal(0, 0.05 * w, (8, 2)), axis=0) + (cx, cy)
            cv2.polylines(layer, [np.round(pts).astype(np.int32)], False, 255, 3, cv2.LINE_AA)
        a = cv2.GaussianBlur(layer.astype(np.float32) / 255.0, (0, 0), 1.0)
        shade = cv2.GaussianBlur(a, (0, 0), 6.0)
        img *= (1.0 - 0.3 * np.roll(shade, (5, 5), axis=(0, 1)))[..., None]
        img += (col - img) * a[..., None]
    return img


def lighting(kind: str, wh: tuple[int, int], rng: np.random.Generator
             ) -> tuple[np.ndarray, np.ndarray, float]:
    """(gain map (H, W) float32, light direction (3,), noise gain) for "even", "side" or "dim".

    The light direction points towards the light (x right, y down, z towards the camera) and
    shades the hands; the gain map brightens the side of the picture the light comes from.
    """
    w, h = wh
    xx = np.linspace(-1, 1, w, dtype=np.float32)[None, :]
    yy = np.linspace(-1, 1, h, dtype=np.float32)[:, None]
    vignette = 1.0 - 0.12 * (xx * xx + yy * yy)
    if kind == "side":
        sgn = 1.0 if rng.random() < 0.5 else -1.0
        light = np.array([0.72 * sgn, -0.25, 0.65], np.float32)
        gain = vignette * (1.0 + 0.28 * sgn * xx)
        noise = 1.0
    elif kind == "dim":
        light = np.array([-0.2, -0.35, 0.91], np.float32)
        gain = vignette * 0.55
        noise = 2.2
    else:
        light = np.array([-0.15, -0.3, 0.94], np.float32)
        gain = vignette * 1.02
        noise = 1.0
    light = light / np.linalg.norm(light)
    return gain.astype(np.float32), light, noise


def skin_texture(wh: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """(H, W) float32 multiplicative skin texture around 1 (blotches and pores)."""
    return (1.0 + 0.045 * _smooth_noise(rng, wh, 18) + 0.025 * _smooth_noise(rng, wh, 2)
            ).astype(np.float32)


def noise_bank(wh: tuple[int, int], rng: np.random.Generator, sigma: float,
               n: int = 6) -> list[np.ndarray]:
    """``n`` frames of Gaussian sensor noise (float32), reused cyclically to save time."""
    w, h = wh
    if sigma <= 0:
        return [np.zeros((h, w, 3), np.float32)]
    return [(rng.standard_normal((h, w, 3), dtype=np.float32) * sigma) for _ in range(n)]
