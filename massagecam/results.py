"""Records that the analysis stages hand each other, frame by frame.

Landmarks travel in :class:`massagecam.hands.Hands`; what the later stages conclude from them
(where the press is on the atlas, whether a finger touches, which technique) travels in these
small frozen records. They are plain data: the stage that makes one owns its logic, the stages
that read one (coach, scoring, overlay, report) never recompute it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from massagecam.hands import Hands


class Side(StrEnum):
    """Which face of the receiving hand the camera sees."""

    PALM = "palm"
    BACK = "back"
    UNKNOWN = "unknown"


class TechniqueName(StrEnum):
    """The strokes massagecam recognises."""

    HOLD = "hold"
    CIRCLES = "circles"
    STROKE = "stroke"
    THUMB_WALK = "thumb_walk"
    FINGER_PULL = "finger_pull"
    NONE = "none"


class Pressure(StrEnum):
    """Relative pressure level; only known after a per-user calibration."""

    UNKNOWN = "unknown"
    LIGHT = "light"
    MODERATE = "moderate"
    FIRM = "firm"


@dataclass(frozen=True)
class Location:
    """Where a point lies on the receiving hand's atlas (the answer of ``atlas.locate``).

    Attributes:
        zones: every atlas zone and acupoint id under the point (acupoints within their
            tolerance radius), the smallest zone first.
        zone: the smallest zone containing the point, or None.
        nearest_point: the nearest acupoint id, or None when the atlas has none on this side.
        point_distance_l: distance to ``nearest_point`` in palm lengths.
        point_distance_mm: the same in millimetres (palm length 95 mm unless calibrated).
        canonical: the point on the canonical hand diagram of ``side`` (x, y in diagram units).
        side: the face of the hand the location refers to.
    """

    zones: tuple[str, ...]
    zone: str | None
    nearest_point: str | None
    point_distance_l: float
    point_distance_mm: float
    canonical: tuple[float, float]
    side: Side


@dataclass(frozen=True)
class Contact:
    """One giving fingertip's relation to the receiver in one frame.

    Attributes:
        giver_track: track id of the giving hand.
        finger: "thumb", "index" or "middle".
        in_contact: the decision after hysteresis.
        confidence: 0..1, how sure the decision is.
        xy: press point in image pixels (thumb pad, not the tip landmark).
        palm_xy: press point in the receiver's own frame (palm lengths, see ``palm_frame``).
        location: the press point on the atlas, None when the receiver is unknown.
        pressure: relative level, UNKNOWN without calibration.
        place_palm_xy: where the press is located, in the receiver's frame, when it is read
            at another point of the thumb than ``palm_xy`` (the contact detector locates the
            pad where the model's landmarks put it best, and follows the path where they are
            steadiest); None: ``palm_xy``.
    """

    giver_track: int
    finger: str
    in_contact: bool
    confidence: float
    xy: tuple[float, float]
    palm_xy: tuple[float, float]
    location: Location | None = None
    pressure: Pressure = Pressure.UNKNOWN
    place_palm_xy: tuple[float, float] | None = None

    @property
    def place_xy(self) -> tuple[float, float]:
        """The pressed place in the receiver's frame (``place_palm_xy`` or ``palm_xy``)."""
        return self.place_palm_xy if self.place_palm_xy is not None else self.palm_xy


@dataclass(frozen=True)
class TechniqueEstimate:
    """The stroke recognised over the recent press trajectory of one finger.

    Frequencies in Hz, speeds in palm lengths per second and cm/s; None where not applicable.
    ``direction`` is "cw"/"ccw" for circles, "distal"/"proximal"/"radial"/"ulnar" for strokes.
    """

    name: TechniqueName = TechniqueName.NONE
    confidence: float = 0.0
    frequency_hz: float | None = None
    direction: str | None = None
    speed_l_s: float | None = None
    speed_cm_s: float | None = None
    step_rate_hz: float | None = None


@dataclass(frozen=True)
class FrameAnalysis:
    """Everything the pipeline concluded about one frame, before coaching.

    ``contacts`` has one entry per tracked giving finger (the thumb of each giving hand by
    default); ``primary`` is the one the coach follows. ``hints`` are short messages for the
    user about tracking ("show both hands", "a third hand is in view").
    """

    hands: Hands
    side: Side = Side.UNKNOWN
    contacts: tuple[Contact, ...] = ()
    techniques: tuple[TechniqueEstimate, ...] = ()
    hints: tuple[str, ...] = field(default_factory=tuple)

    @property
    def frame_index(self) -> int:
        """Index of the analysed frame in its source."""
        return self.hands.frame_index

    @property
    def t(self) -> float:
        """Timestamp of the analysed frame in seconds."""
        return self.hands.t

    @property
    def primary(self) -> Contact | None:
        """The contact the coach follows: the touching one with most confidence, else the first."""
        if not self.contacts:
            return None
        touching = [c for c in self.contacts if c.in_contact]
        pool = touching or list(self.contacts)
        return max(pool, key=lambda c: c.confidence)

    @property
    def technique(self) -> TechniqueEstimate:
        """Technique of the primary contact's finger (NONE when there is no contact)."""
        p = self.primary
        if p is None or not self.techniques:
            return TechniqueEstimate()
        return self.techniques[self.contacts.index(p)]
