"""The two contact weight sets and the depth trust that mixes them (synthetic landmarks)."""

from __future__ import annotations

import numpy as np
import pytest
from test_contact import PRESS, frame, run

from massagecam.contact import ContactDetector
from massagecam.contact_weights import (
    DEPTH_REF,
    HAND_SET_WEIGHTS,
    SELF_WEIGHTS,
    DepthTrust,
    cue_score,
)


def feed(trust: DepthTrust, frames: list[tuple[float, float]], fps: float = 30.0) -> None:
    for logit, depth in frames:
        trust.update(logit, depth, 1.0 / fps)


def test_trust_starts_full_and_follows_what_the_stream_shows():
    t = DepthTrust()
    assert t.value == 1.0  # no evidence: depth is trusted, as the hand-set weights did
    # presses 0.1 L behind the knuckle, hovers 0.05 L in front: depth follows the press
    feed(t, [(3.0, 0.10)] * 60 + [(-3.0, -0.05)] * 60)
    assert t.value == 1.0
    # the same depth whether pressing or hovering (MediaPipe on rendered video): no trust
    flat = DepthTrust()
    feed(flat, [(3.0, 0.12)] * 60 + [(-3.0, 0.12)] * 60)
    assert flat.value == 0.0
    # clear presses with the pad in front of the knuckle: depth would veto them
    veto = DepthTrust()
    feed(veto, [(3.0, -0.02)] * 30)
    assert veto.value == 1.0  # 1 s: not yet enough evidence (press_min_s = 2 s)
    feed(veto, [(3.0, -0.02)] * 40)
    assert veto.value == 0.0
    # unclear frames (|logit| < margin) and zero-length frames are not evidence
    idle = DepthTrust()
    feed(idle, [(0.5, -0.5)] * 300)
    idle.update(5.0, -0.5, 0.0)
    assert idle.value == 1.0


def test_trust_settings_are_checked():
    from massagecam.errors import ConfigError

    with pytest.raises(ConfigError, match=r"prior=1.5: expected a number in \[0, 1\]"):
        DepthTrust(prior=1.5)
    with pytest.raises(ConfigError, match="high_l=0.01"):
        DepthTrust(low_l=0.02, high_l=0.01)


def test_trust_forgets_old_evidence():
    t = DepthTrust(tau_s=5.0)
    feed(t, [(3.0, 0.12)] * 90 + [(-3.0, 0.12)] * 90)
    assert t.value == 0.0
    feed(t, [(3.0, 0.12)] * 300 + [(-3.0, -0.05)] * 300)  # 20 s later depth follows
    assert t.value == 1.0


def test_a_press_that_depth_would_veto_is_found_once_the_stream_shows_it():
    """MediaPipe often puts a rendered pressing pad level with the knuckle or in front of it:
    the hand-set weights then never see the press; the self-mode detector sees it once two
    seconds of clear presses showed that depth does not follow them here."""
    flat = {**PRESS, "depth_l": -0.02}
    assert flat["depth_l"] < DEPTH_REF
    frames = [frame(i, flat) for i in range(150)]
    hand_set = run(ContactDetector(weights=HAND_SET_WEIGHTS, depth_weights=None), frames)
    assert not any(c[0].in_contact for c in hand_set)
    det = ContactDetector()
    mixed = run(det, frames)
    first = next(i for i, c in enumerate(mixed) if c[0].in_contact)
    assert 55 <= first <= 75  # after press_min_s = 2 s of evidence (60 frames at 30 fps)
    assert all(c[0].in_contact for c in mixed[first:])
    assert det.depth_trust.value == 0.0


def test_with_depth_trusted_the_hand_set_weights_decide():
    det = ContactDetector()
    out = run(det, [frame(i, PRESS) for i in range(30)])
    assert det.depth_trust.value == 1.0 and out[-1][0].in_contact
    feats = np.array([35.0, 0.7, 0.1, -0.3])
    # the fitted weights ignore depth, the hand-set ones lean on it
    deep, flat = feats.copy(), feats.copy()
    flat[2] = -0.05
    args = (False, 1.0, 0.0, 1.0)
    assert cue_score(SELF_WEIGHTS, deep, *args) == cue_score(SELF_WEIGHTS, flat, *args)
    assert cue_score(HAND_SET_WEIGHTS, deep, *args) > cue_score(HAND_SET_WEIGHTS, flat, *args) + 5


@pytest.mark.parametrize("size, pace", [(1.04, 0.0), (1.0, 1.5)])
def test_a_larger_or_travelling_giver_scores_lower_with_the_fitted_weights(size, pace):
    feats = np.array([25.0, 0.9, 0.1, -0.3])
    still = cue_score(SELF_WEIGHTS, feats, False, 1.0, 0.0, 1.0)
    assert cue_score(SELF_WEIGHTS, feats, False, 1.0, pace, size) < still - 1.0
