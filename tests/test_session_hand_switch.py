"""A stated receiving side follows the routine to the other hand (synthetic landmarks)."""

from __future__ import annotations

from massagecam.session import Pipeline
from massagecam.synthetic import make_hand, make_hands


def _hands(t: float, i: int):
    left = make_hand((240, 260), 110, 0, "Left", "back")
    right = make_hand((420, 200), 110, 180, "Right", "palm")
    return make_hands(left, right, handedness=["Left", "Right"], t=t, frame_index=i)


def test_other_hand_steps_point_the_tracker_at_the_other_hand():
    pipe = Pipeline("relaxation-10min", receiving="left", landmarker=object())
    pipe.update_hands(_hands(0.0, 0))
    assert pipe.tracker.receiving == "left"
    other = next(s.index for s in pipe.routine.steps if s.hand == "other")
    while pipe.coach.step_index < other:
        pipe.coach.next()
    pipe.update_hands(_hands(0.1, 1))
    assert pipe.tracker.receiving == "right"
    pipe.coach.previous()
    pipe.update_hands(_hands(0.2, 2))
    assert pipe.tracker.receiving == "left"


def test_auto_tracker_is_left_alone():
    pipe = Pipeline("relaxation-10min", receiving="auto", landmarker=object())
    other = next(s.index for s in pipe.routine.steps if s.hand == "other")
    while pipe.coach.step_index < other:
        pipe.coach.next()
    pipe.update_hands(_hands(0.0, 0))
    assert pipe.tracker.receiving == "auto"  # R1 is for either hand: roles come from motion
