"""Text panels drawn in screen space (after mirroring, so text always reads left to right).

Step panel (what to do now, time, what comes next), running score, short messages and
tracking hints, the key help and a status line. Each is a shaded box with outlined text.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from massagecam.overlay.style import (
    FONT_BOLD,
    OKABE_ITO,
    Palette,
    put_text,
    shade,
    text_size,
)


@dataclass(frozen=True)
class StepInfo:
    """What the step panel shows; built from the coach's state by ``compose``.

    Attributes:
        index: 0-based step number; ``count`` steps in the routine.
        title: short step name ("Thumb circles on the thenar").
        instruction: one sentence of what to do.
        elapsed_s / duration_s: time spent on the step and its planned duration.
        next_title: the following step's name, None on the last step.
        phase: the coach's phase in words ("find the target", ...), shown when not empty.
        reps / required_reps: repetitions done and asked, for a repetitions step.
    """

    index: int
    count: int
    title: str
    instruction: str = ""
    elapsed_s: float = 0.0
    duration_s: float | None = None
    next_title: str | None = None
    phase: str = ""
    reps: int = 0
    required_reps: int | None = None


def _clock(s: float) -> str:
    s = max(0, int(s))
    return f"{s // 60}:{s % 60:02d}"


def wrap(text: str, width_px: int, scale: float, thickness: int = 1) -> list[str]:
    """Greedy word wrap of ``text`` to ``width_px`` at font ``scale``."""
    return list(_wrap(text, int(width_px), float(scale), int(thickness)))


@functools.lru_cache(maxsize=1024)
def _wrap(text: str, width_px: int, scale: float, thickness: int) -> tuple[str, ...]:
    lines: list[str] = []
    cur = ""
    for word in text.split():
        trial = f"{cur} {word}".strip()
        if cur and text_size(trial, scale, thickness)[0] > width_px:
            lines.append(cur)
            cur = word
        else:
            cur = trial
    if cur:
        lines.append(cur)
    return tuple(lines)


class StepPanelAnnotator:
    """Top-left panel: step n/N and title, instruction, timer bar, next step.

    Args:
        palette: colours (timer bar ``palette.good``).
        scale: base text scale.
        width_frac: panel width as a fraction of the image width.
    """

    def __init__(self, palette: Palette = OKABE_ITO, scale: float = 0.55,
                 width_frac: float = 0.46) -> None:
        self.palette = palette
        self.scale = float(scale)
        self.width_frac = float(width_frac)

    def annotate(self, scene: np.ndarray, step: StepInfo) -> np.ndarray:
        """Draw the panel for ``step``."""
        w = max(220, int(scene.shape[1] * self.width_frac))
        x0, y0, pad = 8, 8, 10
        lh = text_size("Ag", self.scale)[1] + 10
        head = wrap(f"Step {step.index + 1}/{step.count}  {step.title}", w - 2 * pad,
                    self.scale + 0.1)[:2]
        body = wrap(step.instruction, w - 2 * pad, self.scale)[:3]
        nxt = f"Next: {step.next_title}" if step.next_title else "Last step"
        h = pad + lh * (1 + len(head) + len(body)) + 14 + pad
        shade(scene, x0, y0, x0 + w, y0 + h)
        y = y0 + pad + lh - 6 - lh
        for line in head:
            y += lh
            put_text(scene, line, (x0 + pad, y), self.scale + 0.05, self.palette.yellow, 1,
                     FONT_BOLD)
        for line in body:
            y += lh
            put_text(scene, line, (x0 + pad, y), self.scale)
        y += 10
        f = None
        if step.required_reps:
            f = step.reps / step.required_reps
            timer = f"{step.reps}/{step.required_reps}"
        elif step.duration_s:
            f = step.elapsed_s / step.duration_s
            timer = f"{_clock(step.elapsed_s)}/{_clock(step.duration_s)}"
        else:
            timer = _clock(step.elapsed_s)
        bar_w = w - 2 * pad - text_size("00:00/00:00", self.scale - 0.1)[0] - 8
        cv2.rectangle(scene, (x0 + pad, y), (x0 + pad + bar_w, y + 8), self.palette.grey, 1)
        if f is not None:
            cv2.rectangle(scene, (x0 + pad, y), (x0 + pad + round(bar_w * min(1.0, f)), y + 8),
                          self.palette.good, -1)
        put_text(scene, timer, (x0 + pad + bar_w + 8, y + 9), self.scale - 0.1)
        y += 14 + lh - 6
        tail = nxt + (f"   [{step.phase}]" if step.phase else "")
        put_text(scene, tail, (x0 + pad, y), self.scale - 0.08, self.palette.grey)
        return scene


class ScoreAnnotator:
    """Top-right badge with the running score (0-100).

    Args:
        palette: the number is ``palette.good`` from ``good_from`` up, yellow in the middle,
            ``palette.warn`` below ``fair_from``.
        scale: number text scale.
    """

    def __init__(self, palette: Palette = OKABE_ITO, scale: float = 1.0, good_from: float = 70,
                 fair_from: float = 40) -> None:
        self.palette = palette
        self.scale = float(scale)
        self.good_from, self.fair_from = float(good_from), float(fair_from)

    def annotate(self, scene: np.ndarray, score: float | None,
                 label: str = "score") -> np.ndarray:
        """Draw ``score`` under ``label`` (None shows a dash: nothing scored yet)."""
        text = "--" if score is None else f"{score:.0f}"
        tw, th = text_size(text, self.scale, 2, FONT_BOLD)
        small = 0.45 * self.scale
        lw, lh = text_size(label, small)
        w = max(tw, lw) + 24
        x1 = scene.shape[1] - 8
        x0 = x1 - w
        shade(scene, x0, 8, x1, 8 + th + lh + 26)
        color = self.palette.white
        if score is not None:
            color = (self.palette.good if score >= self.good_from else
                     self.palette.yellow if score >= self.fair_from else self.palette.warn)
        put_text(scene, label, (x0 + (w - lw) // 2, 8 + lh + 6), small, self.palette.grey)
        put_text(scene, text, (x0 + (w - tw) // 2, 8 + lh + th + 16), self.scale, color, 2,
                 FONT_BOLD)
        return scene


class MessageAnnotator:
    """Bottom-centre messages: the coach's short guidance and tracking hints.

    Args:
        palette: guidance in white, hints (tracking problems) in ``palette.yellow``.
        scale: text scale.
        max_lines: at most this many lines are shown (guidance first; long ones wrap).
        bottom: pixels kept free under the messages (the status line lives there).
    """

    def __init__(self, palette: Palette = OKABE_ITO, scale: float = 0.62,
                 max_lines: int = 3, bottom: int = 34) -> None:
        self.palette = palette
        self.scale = float(scale)
        self.max_lines = max(1, int(max_lines))
        self.bottom = int(bottom)

    def annotate(self, scene: np.ndarray, guidance: Sequence[str] = (),
                 hints: Sequence[str] = ()) -> np.ndarray:
        """Draw ``guidance`` lines then ``hints`` lines, centred near the bottom."""
        items = [(g, self.palette.white) for g in dict.fromkeys(guidance) if g]
        said = {g.lower() for g, _ in items}
        items += [(h, self.palette.yellow) for h in dict.fromkeys(hints)
                  if h and h.lower() not in said]
        H, W = scene.shape[:2]
        lines = [(line, color) for text, color in items
                 for line in wrap(text, W - 40, self.scale, 2)][: self.max_lines]
        if not lines:
            return scene
        lh = text_size("Ag", self.scale, 2)[1] + 14
        y = H - self.bottom - lh * len(lines)
        for text, color in lines:
            tw, _ = text_size(text, self.scale, 2)
            x = max(4, (W - tw) // 2)
            shade(scene, x - 10, y, x + tw + 10, y + lh)
            put_text(scene, text, (x, y + lh - 9), self.scale, color, 2)
            y += lh
        return scene


class HelpAnnotator:
    """The key list, shown while ``h`` is toggled on.

    Args:
        keys: (key, meaning) pairs.
        scale: text scale.
    """

    KEYS: tuple[tuple[str, str], ...] = (
        ("space", "pause / resume"), ("n / p", "next / previous step"),
        ("z", "zones on / off"), ("m", "mirror on / off"), ("r", "record on / off"),
        ("h", "this help"), ("q / Esc", "quit and save"),
    )

    def __init__(self, keys: Sequence[tuple[str, str]] = KEYS, scale: float = 0.6) -> None:
        self.keys = tuple(keys)
        self.scale = float(scale)

    def annotate(self, scene: np.ndarray) -> np.ndarray:
        """Draw the help box in the image centre."""
        H, W = scene.shape[:2]
        lh = text_size("Ag", self.scale)[1] + 12
        kw = max(text_size(k, self.scale, 1, FONT_BOLD)[0] for k, _ in self.keys)
        mw = max(text_size(m, self.scale)[0] for _, m in self.keys)
        w, h = kw + mw + 50, lh * (len(self.keys) + 1) + 12
        x0, y0 = (W - w) // 2, (H - h) // 2
        shade(scene, x0, y0, x0 + w, y0 + h, alpha=0.75)
        put_text(scene, "Keys", (x0 + 14, y0 + lh), self.scale, OKABE_ITO.yellow, 1, FONT_BOLD)
        for i, (k, m) in enumerate(self.keys, start=2):
            y = y0 + lh * i
            put_text(scene, k, (x0 + 14, y), self.scale, OKABE_ITO.white, 1, FONT_BOLD)
            put_text(scene, m, (x0 + 34 + kw, y), self.scale)
        return scene


class StatusAnnotator:
    """A small status line (bottom-left): PAUSED, REC, fps and other short flags."""

    def __init__(self, scale: float = 0.5) -> None:
        self.scale = float(scale)

    def annotate(self, scene: np.ndarray, items: Sequence[str],
                 alert: Sequence[str] = ()) -> np.ndarray:
        """Draw ``alert`` words (vermillion, e.g. "REC") then plain ``items``."""
        parts = [(a, OKABE_ITO.warn) for a in alert] + [(i, OKABE_ITO.white) for i in items]
        if not parts:
            return scene
        H = scene.shape[0]
        x = 8
        th = text_size("Ag", self.scale)[1]
        y = H - 10
        for text, color in parts:
            tw, _ = text_size(text, self.scale, 1, FONT_BOLD)
            shade(scene, x - 4, y - th - 6, x + tw + 4, y + 5)
            put_text(scene, text, (x, y), self.scale, color, 1, FONT_BOLD)
            x += tw + 14
        return scene
