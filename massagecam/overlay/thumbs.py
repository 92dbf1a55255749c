"""Which of the caregiver's thumbs did what: labels at the press points and one summary line.

In caregiver mode two giving thumbs press at once, and the lesson is about both ("your left
thumb holds, your right thumb presses"). The names come from each giving track's *settled*
handedness (the tracker's, never the detector's label of this frame), through
:func:`massagecam.technique_pair.thumb_names`. Text is drawn after the display is mirrored so
it reads normally; the label positions are mirrored to match.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from massagecam.overlay.style import OKABE_ITO, Palette
from massagecam.results import Contact, TechniqueEstimate, TechniqueName
from massagecam.technique_pair import PairEstimate, describe, thumb_names

FONT = cv2.FONT_HERSHEY_SIMPLEX


def thumb_lines(pair: PairEstimate | None, names: dict[int, str],
                contacts: Sequence[Contact], techniques: Sequence[TechniqueEstimate]
                ) -> tuple[str, ...]:
    """The summary lines: the two-handed technique, then each thumb's own stroke.

    E.g. ("caregiver's left thumb presses, right hand supports",
    "left thumb: circles · right thumb: -").
    """
    lines = []
    if pair is not None and describe(pair, names):
        lines.append(describe(pair, names))
    parts = []
    for i, c in enumerate(contacts):
        name = names.get(c.giver_track)
        if name is None or c.finger != "thumb":
            continue
        tech = techniques[i] if i < len(techniques) else TechniqueEstimate()
        word = str(tech.name).replace("_", " ") if c.in_contact and \
            tech.name is not TechniqueName.NONE else ("press" if c.in_contact else "-")
        parts.append((name, f"{name}: {word}"))
    if parts:
        lines.append(" | ".join(p for _, p in sorted(parts)))
    return tuple(lines)


class ThumbAnnotator:
    """Labels each giving thumb ("L"/"R") at its press point and prints who does what.

    Args:
        palette: label colours (``palette.warn`` while pressing, white otherwise).
        scale: text size.
    """

    def __init__(self, palette: Palette = OKABE_ITO, scale: float = 0.55) -> None:
        self.palette = palette
        self.scale = scale
        self.thickness = max(1, round(2 * scale))

    def annotate(self, scene: np.ndarray, analysis: object, *, mirrored: bool = False,
                 origin: tuple[int, int] = (8, 60)) -> np.ndarray:
        """Draw on the (possibly mirrored) display image ``scene``.

        Args:
            scene: the display image, drawn on in place.
            analysis: a ``FrameAnalysis`` (``PairAnalysis`` in caregiver mode).
            mirrored: ``scene`` was flipped left-right after the geometry was drawn.
            origin: top-left of the summary lines, screen pixels.
        """
        hands = getattr(analysis, "hands", None)
        if hands is None:
            return scene
        names = thumb_names(hands)
        contacts = tuple(getattr(analysis, "contacts", ()))
        techniques = tuple(getattr(analysis, "techniques", ()))
        w = scene.shape[1]
        for c in contacts:
            name = names.get(c.giver_track)
            if name is None or not all(np.isfinite(c.xy)):
                continue
            x, y = float(c.xy[0]), float(c.xy[1])
            if mirrored:
                x = w - 1 - x
            tag = name[0].upper() if name[0] in "lr" else name.split()[-1]
            pos = (int(round(x + 12 * self.scale / 0.55)), int(round(y - 12 * self.scale / 0.55)))
            col = self.palette.warn if c.in_contact else self.palette.white
            cv2.putText(scene, tag, pos, FONT, self.scale, self.palette.black,
                        self.thickness + 2, cv2.LINE_AA)
            cv2.putText(scene, tag, pos, FONT, self.scale, col, self.thickness, cv2.LINE_AA)
        lines = thumb_lines(getattr(analysis, "pair", None), names, contacts, techniques)
        step = int(round(26 * self.scale / 0.55))
        for k, text in enumerate(lines):
            pos = (origin[0], origin[1] + k * step)
            cv2.putText(scene, text, pos, FONT, self.scale, self.palette.black,
                        self.thickness + 2, cv2.LINE_AA)
            cv2.putText(scene, text, pos, FONT, self.scale, self.palette.white,
                        self.thickness, cv2.LINE_AA)
        return scene


__all__ = ("ThumbAnnotator", "thumb_lines")
