"""A hand-made frame result (synthetic hands, contact, technique, coach guide) for overlay tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from massagecam.hands import Landmark as L
from massagecam.hands import Role
from massagecam.overlay import Guide, StepInfo
from massagecam.results import Contact, FrameAnalysis, Side, TechniqueEstimate, TechniqueName
from massagecam.synthetic import make_hand, make_hands

W, H = 640, 480


@dataclass
class Result:
    analysis: FrameAnalysis
    coach: Any = None


@dataclass(frozen=True)
class Piece:
    """Same fields as the atlas' drawable Shape (kind, points, radius)."""

    kind: str
    points: np.ndarray
    radius: float = 0.0


class FixedShapes:
    """Gives Atlas.shapes-like geometry built from the receiver's landmarks."""

    def shapes(self, r, handedness, side):
        return {
            "thenar": [Piece("polygon", np.array([r[L.THUMB_CMC], r[L.THUMB_MCP],
                                                  r[L.INDEX_FINGER_MCP], r[L.WRIST]]))],
            "index_finger": [Piece("capsule", np.array([r[L.INDEX_FINGER_MCP],
                                                        r[L.INDEX_FINGER_TIP]]), 9.0)],
            "PC8": [Piece("point", (r[L.MIDDLE_FINGER_MCP] * 0.6 + r[L.WRIST] * 0.4)[None], 10.0)],
        }


def receiver_and_giver():
    rec = make_hand((300, 260), 130, 0, "Left", "palm")
    giv = make_hand((420, 200), 110, -60, "Right", "back", curl=0.5)
    return rec, giv


def scene_result(in_contact: bool = True, held_giver: bool = True, on_target: bool = False,
                 with_contact: bool = True, with_guide: bool = True, hints=("show both hands",)):
    rec, giv = receiver_and_giver()
    hands = make_hands(rec, giv, handedness=["Left", "Right"], roles=[Role.RECEIVER, Role.GIVER],
                       t=3.2).replace(estimated=np.array([False, held_giver]))
    press = tuple(float(v) for v in giv[L.THUMB_TIP])
    contact = Contact(giver_track=1, finger="thumb", in_contact=in_contact, confidence=0.9,
                      xy=press, palm_xy=(0.5, 0.2))
    analysis = FrameAnalysis(
        hands=hands, side=Side.PALM, contacts=(contact,) if with_contact else (),
        techniques=(TechniqueEstimate(TechniqueName.CIRCLES, 0.8, 0.8),) if with_contact else (),
        hints=tuple(hints))
    target = FixedShapes().shapes(rec, "Left", Side.PALM)["PC8"][0].points[0]
    guide = Guide(step=StepInfo(2, 6, "Thumb circles on the palm centre",
                                "Make slow small circles with your thumb on the centre of the "
                                "palm, about one per second.", 12.5, 45, "Handshake hold",
                                "go on"),
                  targets=("PC8",), target_xy=(float(target[0]), float(target[1])),
                  on_target=on_target, dwell=0.4, technique="circles", rhythm_hz=1.0,
                  score=72.4, guidance=("a little slower",)) if with_guide else None
    return Result(analysis, guide), press, target


def blank(value: int = 90) -> np.ndarray:
    return np.full((H, W, 3), value, np.uint8)
