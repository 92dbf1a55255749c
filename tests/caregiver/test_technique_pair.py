"""Two-handed technique rules on synthetic two-thumb paths in the receiver's palm frame."""

from __future__ import annotations

import numpy as np
import pytest

from massagecam.errors import ConfigError
from massagecam.hands import Role
from massagecam.results import Contact, Side
from massagecam.synthetic import make_hand, make_hands
from massagecam.technique_pair import (
    PairClassifier,
    PairEstimate,
    PairTechnique,
    describe,
    thumb_names,
)

FPS = 30.0
P = PairTechnique


def _run(path_fn, seconds: float = 4.0, seed: int = 0, side: Side = Side.PALM,
         noise: float = 0.02) -> list[PairEstimate]:
    """Feed two thumbs (tracks 1, 2) whose (palm_xy, in_contact) come from ``path_fn(t)``."""
    rng = np.random.default_rng(seed)
    clf = PairClassifier()
    out = []
    for i in range(int(seconds * FPS)):
        t = i / FPS
        contacts = []
        for track, (xy, on) in zip((1, 2), path_fn(t), strict=True):
            if xy is None:
                continue
            p = np.asarray(xy) + rng.normal(0, noise, 2)
            contacts.append(Contact(track, "thumb", on, 0.95, (0.0, 0.0),
                                    (float(p[0]), float(p[1]))))
        out.append(clf.update(contacts, t, side))
    return out


def _share(est: list[PairEstimate], name: PairTechnique, settle_s: float = 1.0) -> float:
    tail = est[int(settle_s * FPS):]
    return sum(e.name == name for e in tail) / len(tail)


def spread(t: float):
    """Both thumbs from the palm centre outwards and distally (0.7 s), lifted return (0.4 s)."""
    u = (t % 1.1) / 0.7
    if u <= 1.0:
        y = 0.05 + 0.4 * u
        x = 0.35 + 0.3 * u
        return ((x, y), True), ((x, -y), True)
    w = 1.0 - (u - 1.0) * 0.7 / 0.4
    y, x = 0.05 + 0.4 * w, 0.35 + 0.3 * w
    return ((x, y), False), ((x, -y), False)


def wringing(t: float, on: bool = False):
    """Hands on the wrist/forearm push across it in opposite directions, 0.8 Hz, moving along."""
    y = 0.35 * np.sin(2 * np.pi * 0.8 * t)
    x = -0.2 - 0.15 * t
    return ((x, y), on), ((x - 0.7, -y), on)  # hands a palm width apart along the limb


def support_press(t: float):
    """Track 1 holds still (thumb on the hand, not pressing); track 2 circles on the thenar."""
    a = 2 * np.pi * 1.0 * t
    return ((0.2, -0.5), False), ((0.5 + 0.08 * np.cos(a), 0.3 + 0.08 * np.sin(a)), True)


def parallel(t: float):
    """Both thumbs stroke distally side by side: no two-handed pattern."""
    x = 0.2 + 0.4 * (t % 1.0)
    return ((x, 0.2), True), ((x, -0.2), True)


def test_two_thumb_spread_recognised():
    est = _run(spread)
    assert _share(est, P.TWO_THUMB_SPREAD) >= 0.8
    assert _share(est, P.WRINGING) == 0.0
    assert max(e.separation_rate_l_s or 0 for e in est) > 0.5


def test_a_spreads_return_names_both_thumbs_and_nothing_else_does():
    """The thumbs gliding back together between spread strokes are named as returning."""
    est = _run(spread, noise=0.01)
    back = [(i / FPS) % 1.1 > 0.7 for i in range(len(est))]  # the lifted returns
    named = [e.returning == (1, 2) for e in est]
    late = slice(int(1.1 * FPS), None)  # after the first stroke (the label is confirmed)
    hits = [n for n, b in zip(named[late], back[late], strict=True) if b]
    assert sum(hits) >= 0.8 * len(hits)  # most of each return (the window lags 0.1 s)
    strokes = [n for n, b in zip(named[late], back[late], strict=True) if not b]
    assert sum(strokes) <= 0.1 * len(strokes)  # almost none of the pressing strokes
    for other in (lambda t: wringing(t, True), support_press, parallel):
        assert not any(e.returning for e in _run(other, seconds=5.0))


def test_spread_not_on_back_of_hand():
    est = _run(spread, side=Side.BACK)
    assert _share(est, P.TWO_THUMB_SPREAD) == 0.0


@pytest.mark.parametrize("on", [False, True])
def test_wringing_recognised_in_and_out_of_contact(on: bool):
    est = _run(lambda t: wringing(t, on), seconds=5.0)
    assert _share(est, P.WRINGING, settle_s=1.5) >= 0.9
    assert _share(est, P.TWO_THUMB_SPREAD, settle_s=1.5) == 0.0
    assert est[-1].opposition is not None and est[-1].opposition < -0.8


def test_support_press_names_active_and_support():
    est = _run(support_press)
    assert _share(est, P.SUPPORT_PRESS) >= 0.9
    last = est[-1]
    assert (last.active, last.support) == (2, 1)


def test_support_press_with_a_still_pressing_thumb():
    est = _run(lambda t: (((0.2, -0.5), False), ((0.5, 0.3), True)))
    assert _share(est, P.SUPPORT_PRESS) >= 0.9
    assert est[-1].active == 2


def test_parallel_strokes_and_one_hand_are_not_two_handed():
    est = _run(parallel)
    assert _share(est, P.NONE) >= 0.9
    one = _run(lambda t: (spread(t)[0], (None, False)))
    assert all(e.name == P.NONE and e.tracks == () for e in one)


def test_both_still_no_pressing_is_none():
    est = _run(lambda t: (((0.2, -0.5), False), ((0.5, 0.3), False)))
    assert _share(est, P.NONE) == 1.0


def test_config_checked():
    with pytest.raises(ConfigError, match="still_l"):
        PairClassifier(still_l=1.5)
    with pytest.raises(ConfigError, match="window_s"):
        PairClassifier(window_s=0.1)


def test_thumb_names_from_settled_handedness():
    rec = make_hand((320, 240), 120, 180, "Left", "palm")
    g1 = make_hand((250, 200), 110, 0, "Left", "back")
    g2 = make_hand((400, 200), 110, 0, "Right", "back")
    hands = make_hands(rec, g1, g2, handedness=["Left", "Left", "Right"],
                       roles=[Role.RECEIVER, Role.GIVER, Role.GIVER])
    hands = hands.replace(track_id=np.array([0, 5, 7]))
    names = thumb_names(hands)
    assert names == {5: "left thumb", 7: "right thumb"}
    line = describe(PairEstimate(P.SUPPORT_PRESS, 0.9, (5, 7), active=7, support=5), names)
    assert line == "caregiver's right thumb presses, left hand supports"
    assert describe(PairEstimate(P.TWO_THUMB_SPREAD, 0.9, (5, 7)), names) == \
        "caregiver's both thumbs spread"
    assert describe(PairEstimate(), names) == ""


def test_describe_with_track_zero():
    names = {0: "left thumb", 3: "right thumb"}
    est = PairEstimate(P.SUPPORT_PRESS, 0.9, (0, 3), active=0, support=3)
    assert describe(est, names) == "caregiver's left thumb presses, right hand supports"
