"""Guidance drawn on the hand: press point, arrow to the target, dwell ring, rhythm beat.

These annotators draw decisions made upstream (contact detector, coach); they never decide
whether the thumb is on target or how long it held.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from massagecam.overlay.style import (
    FONT_BOLD,
    OKABE_ITO,
    Palette,
    ipt,
    put_text,
    shade,
    text_size,
)
from massagecam.results import Contact, TechniqueEstimate, TechniqueName


class PressAnnotator:
    """The giving fingers' press points: a filled dot while touching, a ring otherwise.

    Args:
        palette: touching points use ``palette.warn`` (vermillion), others white.
        radius: dot radius in pixels.
    """

    def __init__(self, palette: Palette = OKABE_ITO, radius: int = 7) -> None:
        self.palette = palette
        self.radius = max(2, int(radius))

    def annotate(self, scene: np.ndarray, contacts: Sequence[Contact],
                 primary: Contact | None = None) -> np.ndarray:
        """Draw each contact's press point; the ``primary`` one slightly larger."""
        for c in contacts:
            r = self.radius + (2 if c is primary else 0)
            p = ipt(c.xy)
            if c.in_contact:
                cv2.circle(scene, p, r + 2, self.palette.black, -1, cv2.LINE_AA)
                cv2.circle(scene, p, r, self.palette.warn, -1, cv2.LINE_AA)
            else:
                cv2.circle(scene, p, r, self.palette.black, 3, cv2.LINE_AA)
                cv2.circle(scene, p, r, self.palette.white, 1, cv2.LINE_AA)
        return scene


class ArrowAnnotator:
    """An arrow from the thumb to the target, shown while the thumb is off it.

    Args:
        palette: the arrow uses ``palette.target`` over a black outline.
        thickness: shaft thickness in pixels.
        min_length: shorter arrows are not drawn (the thumb is practically there).
    """

    def __init__(self, palette: Palette = OKABE_ITO, thickness: int = 3,
                 min_length: float = 12.0) -> None:
        self.palette = palette
        self.thickness = max(1, int(thickness))
        self.min_length = float(min_length)

    def annotate(self, scene: np.ndarray, start: Sequence[float],
                 end: Sequence[float]) -> np.ndarray:
        """Draw the arrow ``start`` → ``end`` (pixels), stopping short of the target."""
        a = np.asarray(start, np.float64)
        b = np.asarray(end, np.float64)
        d = float(np.hypot(*(b - a)))
        if d < self.min_length:
            return scene
        tip = a + (b - a) * max(0.0, (d - 6.0) / d)
        frac = min(0.35, 18.0 / d)
        cv2.arrowedLine(scene, ipt(a), ipt(tip), self.palette.black, self.thickness + 3,
                        cv2.LINE_AA, tipLength=frac)
        cv2.arrowedLine(scene, ipt(a), ipt(tip), self.palette.target, self.thickness,
                        cv2.LINE_AA, tipLength=frac)
        return scene


class DwellRingAnnotator:
    """A ring around the press point that fills clockwise while the hold lasts.

    Args:
        palette: filled arc ``palette.good``, track grey.
        radius: ring radius in pixels.
        thickness: ring thickness in pixels.
    """

    def __init__(self, palette: Palette = OKABE_ITO, radius: int = 22, thickness: int = 5) -> None:
        self.palette = palette
        self.radius = max(4, int(radius))
        self.thickness = max(1, int(thickness))

    def annotate(self, scene: np.ndarray, center: Sequence[float],
                 fraction: float) -> np.ndarray:
        """Draw the ring at ``center`` filled to ``fraction`` (0..1) of a full turn."""
        c = ipt(center)
        r = self.radius
        cv2.circle(scene, c, r, self.palette.black, self.thickness + 2, cv2.LINE_AA)
        cv2.circle(scene, c, r, self.palette.grey, self.thickness - 2 if self.thickness > 2
                   else 1, cv2.LINE_AA)
        f = min(1.0, max(0.0, float(fraction)))
        if f > 0:
            cv2.ellipse(scene, c, (r, r), -90.0, 0.0, 360.0 * f, self.palette.good,
                        self.thickness, cv2.LINE_AA)
        return scene


def _label(name: TechniqueName | str) -> str:
    return str(name).replace("_", " ")


class RhythmAnnotator:
    """Technique and rhythm, with a beat dot pulsing at the step's target frequency.

    Drawn in screen space (after mirroring) at ``origin``, the top-left of its box.

    Args:
        palette: beat uses ``palette.reddish_purple``; measured rhythm ``palette.good``
            when within ``tolerance`` of the target, ``palette.warn`` otherwise.
        scale: text scale.
        tolerance: relative frequency error still shown as "on beat".
    """

    def __init__(self, palette: Palette = OKABE_ITO, scale: float = 0.55,
                 tolerance: float = 0.25) -> None:
        self.palette = palette
        self.scale = float(scale)
        self.tolerance = float(tolerance)

    def annotate(self, scene: np.ndarray, origin: tuple[int, int],
                 technique: TechniqueEstimate, target: TechniqueName | str | None,
                 target_hz: float | None, t: float) -> np.ndarray:
        """Draw the measured technique/rhythm, the target and the beat at clock ``t`` (s)."""
        x, y = origin
        seen = _label(technique.name) if technique.name != TechniqueName.NONE else "no stroke"
        hz = technique.frequency_hz or technique.step_rate_hz
        line1 = f"{seen}" + (f"  {hz:.1f} Hz" if hz else "")
        line2 = ("aim: " + _label(target) if target else "") + (
            f"  {target_hz:.1f} Hz" if target_hz else "")
        w1, h1 = text_size(line1, self.scale, 1, FONT_BOLD)
        w2, _ = text_size(line2, self.scale)
        beat_w = 44 if target_hz else 0
        box_w = max(w1, w2) + 20 + beat_w
        box_h = 2 * h1 + 28
        shade(scene, x, y, x + box_w, y + box_h)
        color = self.palette.white
        if hz and target_hz:
            ok = abs(hz - target_hz) <= self.tolerance * target_hz
            color = self.palette.good if ok else self.palette.warn
        put_text(scene, line1, (x + 10, y + h1 + 8), self.scale, color, 1, FONT_BOLD)
        if line2.strip():
            put_text(scene, line2.strip(), (x + 10, y + 2 * h1 + 18), self.scale)
        if target_hz:
            phase = 0.5 + 0.5 * math.cos(2.0 * math.pi * float(target_hz) * float(t))
            c = (x + box_w - 24, y + box_h // 2)
            cv2.circle(scene, c, 14, self.palette.grey, 1, cv2.LINE_AA)
            cv2.circle(scene, c, 4 + round(10 * phase), self.palette.reddish_purple, -1,
                       cv2.LINE_AA)
        return scene
