"""Colours and drawing primitives shared by the annotators.

The palette is Okabe & Ito's eight colours (Okabe, M. & Ito, K., "Color Universal Design",
2008), chosen because every pair stays distinguishable under the common colour-vision
deficiencies; roles are also told apart by line style and labels, never by colour alone.
Text is drawn anti-aliased (``cv2.LINE_AA``) on a shaded box with a one-pixel drop shadow, so
it stays legible on skin, sleeves and bright backgrounds alike. This OpenCV build has no
``cv2.freetype``; OpenCV 5 renders its built-in fonts with proper glyph outlines, and a heavier
weight changes glyph advances, so the shadow reuses the same weight rather than a thicker
stroke (a thick-stroke outline drifts off the text).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

BGR = tuple[int, int, int]


def _bgr(r: int, g: int, b: int) -> BGR:
    return (b, g, r)


@dataclass(frozen=True)
class Palette:
    """Okabe-Ito colours (BGR) and the role each plays on screen."""

    black: BGR = _bgr(0, 0, 0)
    orange: BGR = _bgr(230, 159, 0)
    sky_blue: BGR = _bgr(86, 180, 233)
    bluish_green: BGR = _bgr(0, 158, 115)
    yellow: BGR = _bgr(240, 228, 66)
    blue: BGR = _bgr(0, 114, 178)
    vermillion: BGR = _bgr(213, 94, 0)
    reddish_purple: BGR = _bgr(204, 121, 167)
    white: BGR = (255, 255, 255)
    grey: BGR = (160, 160, 160)

    @property
    def receiver(self) -> BGR:
        """The receiving hand's colour."""
        return self.sky_blue

    @property
    def giver(self) -> BGR:
        """The giving hands' colour."""
        return self.orange

    @property
    def target(self) -> BGR:
        """The routine target's colour."""
        return self.yellow

    @property
    def good(self) -> BGR:
        """Progress and success."""
        return self.bluish_green

    @property
    def warn(self) -> BGR:
        """Touching press points and off-target rhythm."""
        return self.vermillion


OKABE_ITO = Palette()

FONT = cv2.FONT_HERSHEY_SIMPLEX
FONT_BOLD = cv2.FONT_HERSHEY_DUPLEX


@functools.lru_cache(maxsize=4096)
def text_size(text: str, scale: float, thickness: int = 1, font: int = FONT) -> tuple[int, int]:
    """(width, height above baseline) of ``text`` in pixels.

    Cached: the same few strings are measured every frame, and OpenCV 5's text measuring
    costs tens of microseconds a call.
    """
    (w, h), _ = cv2.getTextSize(text, font, scale, thickness)
    return int(w), int(h)


def put_text(scene: np.ndarray, text: str, org: tuple[int, int], scale: float = 0.6,
             color: BGR = OKABE_ITO.white, thickness: int = 1, font: int = FONT,
             shadow: BGR | None = OKABE_ITO.black) -> None:
    """Anti-aliased text with a drop shadow; ``org`` is the baseline's left end."""
    x, y = int(org[0]), int(org[1])
    if shadow is not None:
        cv2.putText(scene, text, (x + 1, y + 1), font, scale, shadow, thickness, cv2.LINE_AA)
    cv2.putText(scene, text, (x, y), font, scale, color, thickness, cv2.LINE_AA)


def shade(scene: np.ndarray, x0: int, y0: int, x1: int, y1: int, color: BGR = OKABE_ITO.black,
          alpha: float = 0.55) -> tuple[int, int, int, int]:
    """Darken a rectangle (clipped to the image) so text on it reads; returns the clip box.

    Only the rectangle's pixels are blended, which keeps a panel to well under a millisecond.
    """
    h, w = scene.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 > x0 and y1 > y0:
        roi = scene[y0:y1, x0:x1]
        if color == (0, 0, 0):  # darkening only: one scaling pass, no fill image
            cv2.convertScaleAbs(roi, dst=roi, alpha=1.0 - alpha)
        else:
            fill = np.empty_like(roi)
            fill[:] = color
            cv2.addWeighted(fill, alpha, roi, 1.0 - alpha, 0.0, dst=roi)
    return x0, y0, x1, y1


def dashed_line(scene: np.ndarray, p0: Sequence[float], p1: Sequence[float], color: BGR,
                thickness: int = 2, dash: float = 7.0, gap: float = 5.0) -> None:
    """A dashed anti-aliased segment (used for held, estimated hands)."""
    a = np.asarray(p0, np.float64)
    b = np.asarray(p1, np.float64)
    length = float(np.hypot(*(b - a)))
    if length < 1e-6:
        return
    u = (b - a) / length
    s = 0.0
    while s < length:
        e = min(s + dash, length)
        q0, q1 = a + u * s, a + u * e
        cv2.line(scene, (round(q0[0]), round(q0[1])), (round(q1[0]), round(q1[1])), color,
                 thickness, cv2.LINE_AA)
        s = e + gap


def ipt(p: Sequence[float] | npt.NDArray[np.floating]) -> tuple[int, int]:
    """A point as OpenCV's integer pixel tuple."""
    return round(float(p[0])), round(float(p[1]))
