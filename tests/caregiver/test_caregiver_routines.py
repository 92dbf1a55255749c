"""R1 and R2 in caregiver mode: every two-handed step scored on its two-handed technique.

Landmark-level caregiver scenes (``render.caregiver.caregiver_poses``; the landmark model left
out) run through the whole pipeline with the built-in routine loaded: tracker, side, contact,
per-thumb and two-handed technique, coach and scorer. For each ``hands = 2`` step of R1
("relaxation-10min": both thumbs spread the palm, on each hand) and R2
("carpal-tunnel-field": wringing), the asked technique must earn the step's technique
component and a different two-handed technique must not. (Needs the coach to judge a
``hands = 2`` step on ``analysis.pair``: coach.py's ``Step.techniques_in`` path.)
"""

from __future__ import annotations

import functools

import pytest

from massagecam.render.caregiver import CaregiverScene, caregiver_poses
from massagecam.routines import load_routine
from massagecam.session import Pipeline

#: A different two-handed technique for each asked one (the negative case).
WRONG = {"two_thumb_spread": "support_press", "wringing": "two_thumb_spread"}
CASES = [(rid, i) for rid in ("relaxation-10min", "carpal-tunnel-field")
         for i, s in enumerate(load_routine(rid).steps) if s.hands == 2]

@pytest.fixture(autouse=True)
def _no_user_calibration(tmp_path, monkeypatch):
    monkeypatch.setenv("MASSAGECAM_HOME", str(tmp_path))


@functools.cache
def _step_score(routine: str, index: int, technique: str):
    """Run one step of ``routine`` on a 6-s caregiver scene of ``technique``; its StepScore."""
    pipe = Pipeline(routine=routine, mode="caregiver", landmarker=object())
    steps = pipe.coach.routine.steps
    receiving = "Left"
    if steps[index].hand == "other":
        # the session started on the left hand (the coach latched it in the first steps)
        pipe.coach.first_hand, receiving = "Left", "Right"
    for _ in range(index):
        pipe.coach.next()
    stayed = 0
    frames = caregiver_poses(CaregiverScene(technique, 6.0, seed=3, receiving=receiving))
    for f in frames:
        stayed += pipe.update_hands(f.hands()).coach.step_index == index
    if technique in steps[index].techniques:
        assert stayed == len(frames)  # (the coach may move on when another step's work is seen)
    score = pipe.finish()
    assert score is not None and len(score.steps) == len(steps)
    return next(s for s in score.steps if s.index == index)


def test_r1_and_r2_have_two_handed_steps() -> None:
    assert {rid for rid, _ in CASES} == {"relaxation-10min", "carpal-tunnel-field"}


@pytest.mark.parametrize(("routine", "index"), CASES)
def test_two_handed_step_scored_on_its_pair_technique(routine: str, index: int) -> None:
    step = load_routine(routine).steps[index]
    asked = next(t for t in step.techniques if t in WRONG)
    right = _step_score(routine, index, asked)
    wrong = _step_score(routine, index, WRONG[asked])
    seen = right.measured["technique_s"]
    assert seen.get(asked, 0.0) >= 0.7 * right.measured["elapsed_s"], seen
    assert right.components["technique"] >= 0.8, right.components
    assert wrong.components["technique"] <= 0.2, wrong.components
    assert right.score > wrong.score
    assert right.measured["on_target_s"] >= 2.0, right.measured
