"""Palm or back: which face of the receiving hand the camera sees.

Rule (domain doc section 0): with ``c = (INDEX_MCP - WRIST) x (PINKY_MCP - WRIST)`` in image
coordinates (y down), a right hand shows its palm when ``c < 0`` and a left hand when ``c > 0``.
The rule reads the hand's *chirality as it appears in the image*. The ``Hands`` container
carries the anatomical label (the landmarker corrects it for mirrored input), but mirroring
the image flips the geometry (the sign of ``c``) without flipping the anatomical label, so on
a mirrored (selfie-view) analysis image the rule must use the opposite label: a mirrored right
palm looks exactly like an un-mirrored left palm. :class:`SideDetector` takes ``mirrored``
for that reason.

The cross product is normalised (the sine of the angle WRIST sees between the index and little
MCPs, about 0.67 on an open hand) so one margin works at every scale. Near zero the hand is
edge-on (thumbs-up, a hand seen from the side) and the sign is noise: the detector then keeps
its last decision. A switch needs the opposite sign beyond the margin for a few frames in a
row, and a covered (missing or estimated) hand keeps the last decision. A fist or thumbs-up
(fingers folded, see :func:`extension`) hides both faces and is ambiguous too.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from massagecam.errors import ConfigError
from massagecam.hands import Hands, Landmark, Role
from massagecam.results import Side

L = Landmark


def palm_score(receiver_xy: npt.ArrayLike, handedness: str, mirrored: bool = False) -> float:
    """Signed, scale-free palm evidence: > 0 palm towards the camera, < 0 back; |s| <= 1.

    Args:
        receiver_xy: (21, 2) image landmarks of the hand.
        handedness: anatomical "Left" or "Right".
        mirrored: True when the analysed image is mirrored (selfie view) while
            ``handedness`` is anatomical.
    """
    xy = np.asarray(receiver_xy, dtype=np.float64)
    a = xy[L.INDEX_FINGER_MCP] - xy[L.WRIST]
    b = xy[L.PINKY_MCP] - xy[L.WRIST]
    denom = float(np.hypot(*a) * np.hypot(*b))
    if denom <= 0:
        return 0.0
    c = float(a[0] * b[1] - a[1] * b[0]) / denom
    if handedness not in ("Left", "Right"):
        raise ConfigError(f"handedness {handedness!r}: expected Left or Right")
    image_right = (handedness == "Right") != bool(mirrored)
    return -c if image_right else c


def extension(receiver_xy: npt.ArrayLike) -> float:
    """Median over fingers 2-5 of |TIP - WRIST| / |MCP - WRIST|: ~1.6 open, < 1.1 in a fist.

    In a fist or a thumbs-up the palm is hidden inside the hand and the MCP fan is seen from
    an arbitrary angle, so the cross-product rule has nothing reliable to read.
    """
    xy = np.asarray(receiver_xy, dtype=np.float64)
    w = xy[L.WRIST]
    ratios = [np.hypot(*(xy[tip] - w)) / max(np.hypot(*(xy[mcp] - w)), 1e-9)
              for mcp, tip in ((L.INDEX_FINGER_MCP, L.INDEX_FINGER_TIP),
                               (L.MIDDLE_FINGER_MCP, L.MIDDLE_FINGER_TIP),
                               (L.RING_FINGER_MCP, L.RING_FINGER_TIP),
                               (L.PINKY_MCP, L.PINKY_TIP))]
    return float(np.median(ratios))


def detect_side(receiver_xy: npt.ArrayLike, handedness: str, mirrored: bool = False,
                margin: float = 0.0) -> Side:
    """One-frame decision (no memory): UNKNOWN when |score| <= ``margin``."""
    s = palm_score(receiver_xy, handedness, mirrored)
    if abs(s) <= margin:
        return Side.UNKNOWN
    return Side.PALM if s > 0 else Side.BACK


class SideDetector:
    """Palm/back with hysteresis, holding its decision while the receiver is covered.

    Args:
        margin: |normalised cross product| below which a frame is ambiguous (edge-on hand)
            and changes nothing. 0..0.9.
        persist: frames in a row the opposite side must be seen before switching (the first
            decision is taken on the first clear frame). >= 1.
        mirrored: the analysed images are mirrored while handedness is anatomical.
        min_extension: frames whose :func:`extension` is below this (a fist, a thumbs-up)
            are ambiguous and change nothing; 0 disables the gate.
    """

    def __init__(self, margin: float = 0.15, persist: int = 3, mirrored: bool = False,
                 min_extension: float = 1.1) -> None:
        if not 0.0 <= margin < 0.9:
            raise ConfigError(f"margin {margin!r}: expected 0 <= margin < 0.9")
        if int(persist) < 1:
            raise ConfigError(f"persist {persist!r}: expected an integer >= 1")
        self.margin, self.persist, self.mirrored = float(margin), int(persist), bool(mirrored)
        self.min_extension = float(min_extension)
        self.side = Side.UNKNOWN
        self.score = 0.0
        self._pending = Side.UNKNOWN
        self._count = 0

    def reset(self) -> None:
        """Forget the decision (a new receiver or a new session)."""
        self.side, self._pending, self._count, self.score = Side.UNKNOWN, Side.UNKNOWN, 0, 0.0

    def update(self, receiver_xy: npt.ArrayLike | None, handedness: str | None,
               estimated: bool = False) -> Side:
        """Feed one frame; returns the current decision.

        Args:
            receiver_xy: (21, 2) landmarks, or None when the receiver is not seen.
            handedness: the receiver's anatomical "Left"/"Right" (None when unknown: hold).
            estimated: True when the landmarks are held/predicted, not detected: hold.
        """
        if receiver_xy is None or handedness is None or estimated:
            return self.side
        self.score = palm_score(receiver_xy, handedness, self.mirrored)
        if abs(self.score) <= self.margin or (
                self.min_extension > 0 and extension(receiver_xy) < self.min_extension):
            self._count = 0
            return self.side
        seen = Side.PALM if self.score > 0 else Side.BACK
        if self.side == Side.UNKNOWN:
            self.side, self._count = seen, 0
        elif seen == self.side:
            self._count = 0
        else:
            self._count = self._count + 1 if seen == self._pending else 1
            self._pending = seen
            if self._count >= self.persist:
                self.side, self._count = seen, 0
        return self.side

    def update_hands(self, hands: Hands) -> Side:
        """:meth:`update` on tracked hands: their receiver's row, or none when it is not in view."""
        rec = hands.index_of(Role.RECEIVER)
        if rec is None:
            return self.update(None, None)
        return self.update(hands.xy[rec], str(hands.handedness[rec]),
                           estimated=bool(hands.estimated[rec]))
