"""Hand-built pipeline outputs for the report/history tests (no model, no other stages)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from massagecam.hands import Role
from massagecam.results import (
    Contact,
    FrameAnalysis,
    Location,
    Side,
    TechniqueEstimate,
    TechniqueName,
)
from massagecam.session import FrameResult
from massagecam.synthetic import make_hand, make_hands


@dataclass(frozen=True)
class FakeCoachState:
    """Only what FrameResult reads of a CoachState: the step and the on-target verdict."""

    step_index: int | None
    on_target: bool | None


def frame_results(n: int = 300, fps: float = 30.0, third_hand_from: int | None = None):
    """A scripted session: approach, press circles on LI4 (step 0), then hold on PC8 (step 1).

    Every 1/3 of the presses is off target, and the receiver is "estimated" for 10 frames.
    """
    receiver = make_hand((300, 260), 140, 0, "Left", "back")
    for i in range(n):
        t = i / fps
        pressing = 30 <= i < n - 20 and not (150 <= i < 160)
        step = 0 if i < n // 2 else 1
        zone = ("LI4", "D5") if step == 0 else ("PC8", "Z10")
        on = None if not pressing else (i % 3 != 0)
        if pressing and not on:
            zone = ("D6",)
        cx, cy = 0.3 + 0.05 * math.cos(t * 6), 0.5 + 0.05 * math.sin(t * 6)
        loc = Location(zones=zone, zone=zone[-1], nearest_point=zone[0], point_distance_l=0.05,
                       point_distance_mm=5.0, canonical=(cx, cy), side=Side.BACK)
        giver = make_hand((330 + 5 * math.cos(t * 6), 200), 140, 160, "Right", "palm")
        rows = [receiver, giver]
        roles = [Role.RECEIVER, Role.GIVER]
        if third_hand_from is not None and i >= third_hand_from:
            rows.append(make_hand((80, 80), 90, 0, "Right", "palm"))
            roles.append(Role.IGNORED)
        hands = make_hands(*rows, handedness=["Left", "Right", "Right"][: len(rows)],
                           roles=roles, frame_index=i, t=t)
        if 100 <= i < 110:
            hands = hands.replace(estimated=hands.role == int(Role.RECEIVER))
        contact = Contact(giver_track=1, finger="thumb", in_contact=pressing, confidence=0.9,
                          xy=(330.0, 200.0), palm_xy=(0.5, 0.1), location=loc)
        tech = TechniqueEstimate(TechniqueName.CIRCLES if step == 0 else TechniqueName.HOLD,
                                 0.8, frequency_hz=1.0 if step == 0 else None) if pressing \
            else TechniqueEstimate()
        hints = ("a third hand is in view — ignored",) if len(rows) == 3 else ()
        analysis = FrameAnalysis(hands=hands, side=Side.BACK, contacts=(contact,),
                                 techniques=(tech,), hints=hints)
        yield FrameResult(analysis, FakeCoachState(step, on))


@pytest.fixture
def scripted():
    return frame_results
