"""Caregiver mode end to end on synthetic landmarks: roles, contacts, two-handed technique.

The landmarks come from ``render.caregiver.caregiver_poses`` (receiver upside down from the
far side, the caregiver's two hands from the bottom, thumb poses from the one-giver press
model), fed to the real tracker, side detector, contact detector and classifiers through
``Pipeline.update_hands``; only the landmark model is left out.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from massagecam.errors import ConfigError
from massagecam.hands import Role
from massagecam.render.caregiver import CaregiverScene, caregiver_poses, found, pair_paths
from massagecam.session import Pipeline
from massagecam.technique_pair import PairAnalysis, PairTechnique, thumb_names


@pytest.fixture(autouse=True)
def _no_user_calibration(tmp_path, monkeypatch):
    """The pipeline loads the user's pressure calibration; tests must not see a real one."""
    monkeypatch.setenv("MASSAGECAM_HOME", str(tmp_path))


def _run(technique: str, seed: int = 0, seconds: float = 4.0, **kw):
    frames = caregiver_poses(CaregiverScene(technique=technique, seconds=seconds, seed=seed,
                                            **kw))
    pipe = Pipeline(mode="caregiver", landmarker=object())
    return frames, [pipe.update_hands(f.hands()) for f in frames]


@pytest.mark.parametrize("receiving", ["Right", "Left"])
@pytest.mark.parametrize("technique", ["two_thumb_spread", "support_press", "wringing"])
def test_pair_technique_recognised(technique: str, receiving: str):
    frames, results = _run(technique, seed=1, receiving=receiving)
    # start-up: roles settle in ~0.6 s, a pair needs 0.4 s of both paths, and the first lift
    # of a support press (1.2-1.7 s) may come before the label was ever shown
    settled = [r for f, r in zip(frames, results, strict=True) if f.t >= 1.7]
    names = Counter(str(r.pair.name) for r in settled)
    assert names[technique] >= 0.85 * len(settled), names
    assert all(isinstance(r.analysis, PairAnalysis) for r in results)


def test_receiver_and_thumbs_named_by_settled_side():
    frames, results = _run("support_press", seed=2)
    ok = 0
    for f, r in zip(frames[15:], results[15:], strict=True):
        hands = r.analysis.hands
        rec = hands.index_of(Role.RECEIVER)
        ok += rec is not None and float(np.abs(hands.xy[rec] - f.receiver).mean()) < 5.0
    assert ok >= 0.95 * len(frames[15:])
    last = results[-1]
    names = thumb_names(last.analysis.hands)
    assert sorted(names.values()) == ["left thumb", "right thumb"]
    # the right thumb presses, the left hand supports (pair_paths' support_press)
    assert last.pair.name is PairTechnique.SUPPORT_PRESS
    assert names[last.pair.active] == "right thumb"
    assert names[last.pair.support] == "left thumb"


def test_contacts_follow_truth_per_thumb():
    frames, results = _run("two_thumb_spread", seed=0)
    agree = total = 0
    for f, r in zip(frames[15:], results[15:], strict=True):
        names = thumb_names(r.analysis.hands)
        for c in r.analysis.contacts:
            k = {"left thumb": 0, "right thumb": 1}.get(names.get(c.giver_track, ""))
            if k is None:
                continue
            total += 1
            agree += c.in_contact == bool(f.contact[k])
    assert total >= 1.8 * len(frames[15:])
    assert agree >= 0.85 * total


def test_self_mode_has_no_pair_estimate():
    frames = caregiver_poses(CaregiverScene(seconds=1.0))
    pipe = Pipeline(mode="self", landmarker=object())
    res = pipe.update_hands(frames[0].hands())
    assert res.pair is None and pipe.pair is None and pipe.num_hands == 2
    assert Pipeline(mode="caregiver", landmarker=object()).num_hands == 3


def test_found_counts_truth_hands():
    f = caregiver_poses(CaregiverScene(seconds=1.0))[5]
    assert found(f, f.hands()) == {"receiver": True, "left": True, "left_thumb": True,
                                   "right": True, "right_thumb": True}
    only = f.hands(order=(0,))
    assert found(f, only) == {"receiver": True, "left": False, "left_thumb": False,
                              "right": False, "right_thumb": False}


def test_scene_config_checked():
    with pytest.raises(ConfigError, match="technique"):
        CaregiverScene(technique="kneading")
    with pytest.raises(ConfigError, match="skin_giver"):
        CaregiverScene(skin_giver="VII")
    with pytest.raises(ConfigError, match="num_hands"):
        Pipeline(mode="caregiver", landmarker=object(), num_hands=5)
    with pytest.raises(ConfigError, match="technique"):
        pair_paths("kneading", np.zeros(3))
    with pytest.raises(ConfigError, match="lead_in=-1"):
        CaregiverScene(lead_in=-1)


def test_a_lead_in_shows_the_receiver_alone_then_the_same_technique():
    """The caregiver's hands wait away from the receiving hand, come in, then work as in a
    scene without a lead-in (same contact pattern, same paths in the receiver's frame)."""
    plain = caregiver_poses(CaregiverScene("two_thumb_spread", seconds=2.0, seed=3))
    led = caregiver_poses(CaregiverScene("two_thumb_spread", seconds=2.0, seed=3, lead_in=1.0))
    assert len(led) == len(plain) + 30
    assert not any(f.contact.any() for f in led[:30])
    for f in led[:15]:  # waiting: no caregiver landmark near the receiving hand
        palm = float(np.hypot(*(f.receiver[9] - f.receiver[0])))
        gap = np.linalg.norm(f.givers.reshape(-1, 1, 2) - f.receiver[None], axis=2).min()
        assert gap > 0.3 * palm
    assert [f.contact.tolist() for f in led[30:]] == [f.contact.tolist() for f in plain]
    assert np.allclose([f.palm_xy for f in led[30:]], [f.palm_xy for f in plain], atol=1e-6)
    palm = float(np.hypot(*(led[30].receiver[9] - led[30].receiver[0])))
    assert np.abs(led[29].pads - led[30].pads).max() < 0.05 * palm  # arrived: no jump


def _r1_spread(order: tuple[int, ...]):
    frames = caregiver_poses(CaregiverScene(technique="two_thumb_spread", seconds=6.0, seed=0))
    pipe = Pipeline(routine="relaxation-10min", mode="caregiver", landmarker=object())
    steps = pipe.coach.routine.steps
    idx = next(i for i, s in enumerate(steps) if s.hands == 2)
    for _ in range(idx):
        pipe.coach.next()
    states = [pipe.update_hands(f.hands(order=order)).coach for f in frames]
    return idx, states, pipe.finish()


def test_r1_two_thumb_step_scored_in_caregiver_mode():
    idx, states, score = _r1_spread((1, 0, 2))
    assert all(s.step_index == idx for s in states)
    on = sum(s.on_target for s in states)
    assert on >= 0.4 * len(states)
    assert states[-1].elapsed_s > 2.0


def test_r1_two_thumb_step_needs_both_hands():
    idx, states, _ = _r1_spread((0, 2))  # only the caregiver's right hand in view
    assert sum(s.on_target for s in states) == 0
    assert any(s.guidance == "use both hands" for s in states)


def test_r2_wringing_step_runs_in_caregiver_mode():
    frames = caregiver_poses(CaregiverScene(technique="wringing", seconds=6.0, seed=0))
    pipe = Pipeline(routine="carpal-tunnel-field", mode="caregiver", landmarker=object())
    steps = pipe.coach.routine.steps
    idx = next(i for i, s in enumerate(steps) if s.hands == 2)
    for _ in range(idx):
        pipe.coach.next()
    results = [pipe.update_hands(f.hands()) for f in frames]
    assert all(r.coach.step_index == idx for r in results)
    assert sum(str(r.pair.name) == "wringing" for r in results) >= 0.7 * len(results)
    # the thumbs cross the step's wrist targets part of the time: on-target time accrues
    assert results[-1].coach.elapsed_s > 0.5
    assert pipe.finish() is not None


def test_caregiver_contact_has_its_own_pair_of_weight_sets():
    """Caregiver mode mixes its own fitted and depth-led weights; where depth follows the
    press it counts a thumb deep inside the receiver's outline strongly towards a press."""
    from massagecam.contact import SELF_WEIGHTS
    from massagecam.contact_weights import (
        CAREGIVER_DEPTH_WEIGHTS,
        CAREGIVER_WEIGHTS,
        DEPTH_WEIGHTS,
    )
    from massagecam.contact_weights import pose_score as _pose_score

    care = Pipeline(mode="caregiver", landmarker=object()).contact
    own = Pipeline(mode="self", landmarker=object()).contact
    assert (care.weights, care.depth_weights) == (CAREGIVER_WEIGHTS, CAREGIVER_DEPTH_WEIGHTS)
    assert (own.weights, own.depth_weights) == (SELF_WEIGHTS, DEPTH_WEIGHTS)
    # before any evidence: self mode trusts depth, caregiver mode half (session.py)
    assert own.depth_trust.value == 1.0 and care.depth_trust.value == 0.5
    deep, edge = np.array([20.0, 0.9, 0.05, -0.2]), np.array([20.0, 0.9, 0.05, 0.0])
    assert _pose_score(deep, CAREGIVER_DEPTH_WEIGHTS) > _pose_score(edge,
                                                                   CAREGIVER_DEPTH_WEIGHTS) + 1.0
    assert _pose_score(deep, DEPTH_WEIGHTS) == _pose_score(edge, DEPTH_WEIGHTS)
