"""Hand skeletons: the receiving and the giving hand in distinct colours.

A held (estimated) hand, one the tracker keeps in place while the detector lost it under the
other hand, is drawn dashed and thin, so the user sees the app is guessing there.
"""

from __future__ import annotations

import cv2
import numpy as np

from massagecam.hands import CONNECTIONS, Hands, Role
from massagecam.overlay.style import BGR, OKABE_ITO, Palette, dashed_line

#: (edges, 2) landmark index pairs of the skeleton, for one vectorised polyline call.
_EDGES = np.array([(int(a), int(b)) for a, b in CONNECTIONS], np.intp)


class SkeletonAnnotator:
    """Draws every hand's 21 landmarks and bones, coloured by role.

    Args:
        palette: colours; the receiver gets ``palette.receiver``, givers ``palette.giver``,
            unknown and ignored hands grey.
        thickness: bone thickness in pixels for detected hands (held hands use half).
        joint_radius: landmark dot radius in pixels.
    """

    def __init__(self, palette: Palette = OKABE_ITO, thickness: int = 2,
                 joint_radius: int = 3) -> None:
        self.palette = palette
        self.thickness = max(1, int(thickness))
        self.joint_radius = max(1, int(joint_radius))

    def color_of(self, role: int) -> BGR:
        """The colour a hand of ``role`` is drawn in."""
        if role == Role.RECEIVER:
            return self.palette.receiver
        if role == Role.GIVER:
            return self.palette.giver
        return self.palette.grey

    def annotate(self, scene: np.ndarray, hands: Hands) -> np.ndarray:
        """Draw ``hands`` (pixel coordinates of ``scene``) onto ``scene`` in place."""
        for i in range(len(hands)):
            xy = hands.xy[i]
            color = self.color_of(int(hands.role[i]))
            held = bool(hands.estimated[i])
            thick = max(1, self.thickness // 2) if held else self.thickness
            if held:
                for a, b in CONNECTIONS:
                    dashed_line(scene, xy[a], xy[b], color, thick)
            else:
                pts = np.round(xy).astype(np.int32)
                cv2.polylines(scene, list(pts[_EDGES]), False, color, thick, cv2.LINE_AA)
            pts = np.round(xy).astype(np.int32)
            if held:  # hollow dots
                for x, y in pts.tolist():
                    cv2.circle(scene, (x, y), self.joint_radius, color, 1, cv2.LINE_AA)
            else:  # a zero-length thick segment is a round dot: 21 dots in one call
                cv2.polylines(scene, list(np.repeat(pts[:, None], 2, axis=1)), False, color,
                              2 * self.joint_radius, cv2.LINE_AA)
        return scene
