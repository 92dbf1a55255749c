"""Hindsight: recorded analysis judges each press frame's stroke by what follows it."""

from __future__ import annotations

import numpy as np
import pytest

from massagecam.errors import ConfigError
from massagecam.hands import Role
from massagecam.hindsight import Hindsight
from massagecam.results import Contact, FrameAnalysis, TechniqueEstimate, TechniqueName
from massagecam.session import Pipeline
from massagecam.synthetic import make_hand, make_hands

T = TechniqueName
FPS = 30.0


def _frame(i: int, labels: dict[int, str | None], unseen: tuple[int, ...] = ()) -> FrameAnalysis:
    """Frame ``i``: giver track -> its thumb's live label (None: that thumb is lifted).

    The receiver is track 0, giving hands are tracks 1 and 2; those in ``unseen`` are held
    by the tracker (estimated), not detected.
    """
    rows = [make_hand((320, 260), 120, 0, "Left", "back")]
    rows += [make_hand((330 + 60 * k, 200), 110, 180, "Right", "palm") for k in (1, 2)]
    hands = make_hands(*rows, handedness=["Left", "Right", "Right"],
                       roles=[Role.RECEIVER, Role.GIVER, Role.GIVER], t=i / FPS, frame_index=i)
    hands = hands.replace(track_id=np.arange(3), estimated=np.isin(np.arange(3), unseen))
    contacts, techs = [], []
    for track, label in labels.items():
        contacts.append(Contact(track, "thumb", label is not None, 0.9, (0.0, 0.0), (0.5, 0.3)))
        techs.append(TechniqueEstimate() if label is None else
                     TechniqueEstimate(T(label), 0.8, frequency_hz=float(i)))
    return FrameAnalysis(hands=hands, contacts=tuple(contacts), techniques=tuple(techs))


def _run(h: Hindsight, frames: list[FrameAnalysis]) -> list[FrameAnalysis]:
    out = []
    for k, a in enumerate(frames):
        out += [(b, p) for b, p in h.update(a, payload=k)]
    out += h.flush()
    assert [p for _, p in out] == list(range(len(frames)))  # every frame, in order, once
    return [b for b, _ in out]


def _names(frames: list[FrameAnalysis], j: int = 0) -> list[str]:
    return [str(a.techniques[j].name) for a in frames]


def test_a_hold_read_as_a_stroke_at_first_is_a_hold_throughout() -> None:
    # the live classifier sees the arrival glide for 0.6 s, then the hold
    live = ["stroke"] * 18 + ["hold"] * 132
    out = _run(Hindsight(3.0), [_frame(i, {1: s}) for i, s in enumerate(live)])
    assert _names(out) == ["hold"] * 150
    # the estimate kept is one the classifier made (with its own figures), a later one
    assert out[0].techniques[0].frequency_hz is not None and out[0].techniques[0].frequency_hz > 17


def test_a_lift_ends_the_look_ahead() -> None:
    live = ["stroke"] * 45 + [None] * 3 + ["hold"] * 90
    out = _run(Hindsight(3.0), [_frame(i, {1: s}) for i, s in enumerate(live)])
    assert _names(out)[:45] == ["stroke"] * 45  # what came after the lift does not count
    assert _names(out)[45:48] == ["none"] * 3  # lifted frames stay lifted
    assert _names(out)[48:] == ["hold"] * 90


def test_only_the_look_ahead_window_counts() -> None:
    # 1 s of circles then 5 s of stroke in one press: the circle frames see at most 3 s ahead
    live = ["circles"] * 30 + ["stroke"] * 150
    out = _run(Hindsight(3.0), [_frame(i, {1: s}) for i, s in enumerate(live)])
    names = _names(out)
    assert names[:30] == ["stroke"] * 30  # 2 s of stroke outweigh 1 s of circles
    out = _run(Hindsight(0.5), [_frame(i, {1: s}) for i, s in enumerate(live)])
    assert _names(out)[:10] == ["circles"] * 10  # half a second ahead is still circles


def test_each_finger_is_judged_on_its_own() -> None:
    frames = [_frame(i, {1: "stroke" if i < 10 else "hold", 2: "circles"}) for i in range(120)]
    out = _run(Hindsight(2.0), frames)
    assert _names(out, 0)[:10] == ["hold"] * 10
    assert _names(out, 1) == ["circles"] * 120


def test_frames_come_out_lag_seconds_later_and_unrevised_frames_unchanged() -> None:
    h = Hindsight(0.99)  # frame k leaves when frame k + 30 comes in
    frames = [_frame(i, {1: "hold"}) for i in range(60)]
    released = [len(h.update(a)) for a in frames]
    assert sum(released[:30]) == 0 and all(n == 1 for n in released[30:])
    assert len(h) == 30
    rest = h.flush()
    assert len(rest) == 30 and len(h) == 0
    assert rest[-1][0] is frames[-1]  # nothing to revise: the frame object itself


def test_lag_is_checked() -> None:
    with pytest.raises(ConfigError, match=r"lag_s=-1"):
        Hindsight(-1)
    with pytest.raises(ConfigError, match=r"hindsight_s=11"):
        Pipeline(landmarker=object(), hindsight_s=11)
    with pytest.raises(ConfigError, match=r"hindsight_s=-1"):
        Pipeline(landmarker=object(), hindsight_s=-1)
    with pytest.raises(ConfigError, match=r"preroll_s=-2"):
        Pipeline(landmarker=object(), hindsight_s=1, preroll_s=-2)
    # a tracker that reads pictures (optical flow) gets no pre-roll: only hands are kept
    from massagecam.tracking import RoleTracker

    flow = Pipeline(landmarker=object(), hindsight_s=1, tracker=RoleTracker(flow=True))
    assert flow.tracker.uses_images and flow.preroll_s == 0.0
    assert Pipeline(landmarker=object(), hindsight_s=1).preroll_s > 0


def test_pipeline_push_without_look_ahead_is_update_hands() -> None:
    rec = make_hand((320, 260), 120, 0, "Left", "back")
    giver = make_hand((330, 200), 110, 180, "Right", "palm")

    def hands(i: int):
        return make_hands(rec, giver, handedness=["Left", "Right"], t=i / FPS, frame_index=i)

    a, b = Pipeline("li4-quick", landmarker=object()), Pipeline("li4-quick", landmarker=object())
    for i in range(40):
        (pair,) = a.push(hands(i), payload=i)
        r = b.update_hands(hands(i))
        assert pair[0] == i and pair[1].analysis.frame_index == r.analysis.frame_index == i
    assert a.drain() == []
    lagged = Pipeline("li4-quick", landmarker=object(), hindsight_s=0.49, preroll_s=0)
    got = [p for i in range(40) for p, _ in lagged.push(hands(i), payload=i)]
    assert got == list(range(25))  # 15 frames (0.5 s) still held
    assert [p for p, _ in lagged.drain()] == list(range(25, 40))
    assert lagged.coach.finish() is not None


def test_a_press_kept_for_a_hand_that_left_is_dropped_but_a_lost_moment_is_bridged() -> None:
    # frames 0-29 pressing; 30-44 the hand is not seen (the detector keeps the press); then
    # either the hand is back pressing, or back lifted, or gone for good
    def run(after: str | None, seen_again: bool) -> list[bool]:
        frames = [_frame(i, {1: "hold"}) for i in range(30)]
        frames += [_frame(i, {1: "hold"}, unseen=(1,)) for i in range(30, 45)]
        frames += [_frame(i, {1: after}, unseen=() if seen_again else (1,))
                   for i in range(45, 60)]
        return [a.contacts[0].in_contact for a in _run(Hindsight(1.0), frames)]

    assert run("hold", True)[30:45] == [True] * 15  # back pressing: bridged
    assert run(None, True)[30:45] == [False] * 15  # back lifted: no press while unseen
    gone = run("hold", False)  # never seen again (the kept label is what the detector said)
    assert gone[:30] == [True] * 30 and not any(gone[30:])


def test_the_pre_roll_learns_that_depth_says_nothing_before_the_first_press_is_judged() -> None:
    """A stream whose pressing pad sits in front of the knuckle (as MediaPipe often puts a
    rendered one): live, its presses are found only after 2 s of evidence; a recording learns
    that from its first seconds and finds them from the start."""
    from test_contact import PRESS, frame

    from massagecam.contact import ContactDetector
    from massagecam.contact_weights import DEPTH_REF
    from massagecam.hindsight import learn_depth_trust

    flat = {**PRESS, "depth_l": -0.02}
    assert flat["depth_l"] < DEPTH_REF
    frames = [frame(i, flat) for i in range(150)]

    def first_press(preroll_s: float) -> tuple[int, Pipeline]:
        pipe = Pipeline(landmarker=object(), receiving="left", contact=ContactDetector(),
                        hindsight_s=0.5, preroll_s=preroll_s)
        out = [r for h in frames for _, r in pipe.push(h)] + [r for _, r in pipe.drain()]
        assert [r.analysis.frame_index for r in out] == list(range(150))
        return next(i for i, r in enumerate(out)
                    if any(c.in_contact for c in r.analysis.contacts)), pipe

    live, _ = first_press(0.0)
    learned, pipe = first_press(4.0)
    assert live >= 55 and learned <= 15, (live, learned)
    assert pipe.contact.depth_trust.prior == 0.0
    # the stages handed to learn_depth_trust are not advanced by it, only the trust's ceiling
    fresh = Pipeline(landmarker=object(), receiving="left", contact=ContactDetector())
    assert learn_depth_trust(frames[:90], fresh.tracker, fresh.side_detector,
                             fresh.contact) == 0.0
    assert fresh.contact.depth_trust.prior == 0.0 and not fresh.contact._states


def test_labels_kept_while_the_hand_is_not_seen_do_not_vote() -> None:
    # 1 s of circles, then 0.5 s with the hand unseen while the detector keeps the press and
    # its last (wrong) label, then nothing: the circles frames stay circles
    frames = [_frame(i, {1: "circles"}) for i in range(30)]
    frames += [_frame(i, {1: "stroke"}, unseen=(1,)) for i in range(30, 45)]
    frames += [_frame(i, {1: None}, unseen=(1,)) for i in range(45, 100)]
    out = _run(Hindsight(3.0), frames)
    assert _names(out)[:30] == ["circles"] * 30
    assert not any(a.contacts[0].in_contact for a in out[30:])


def test_a_short_lift_inside_circles_is_bridged_but_not_between_strokes() -> None:
    def run(label: str, gap: int) -> list[bool]:
        frames = [_frame(i, {1: label}) for i in range(30)]
        frames += [_frame(i, {1: None}) for i in range(30, 30 + gap)]
        frames += [_frame(i, {1: label}) for i in range(30 + gap, 90)]
        out = _run(Hindsight(3.0), frames)
        assert all(a.contacts[0].in_contact for a in out[:30] + out[30 + gap:])
        return [a.contacts[0].in_contact for a in out[30:30 + gap]]

    assert all(run("circles", 12))  # 0.4 s lost mid-circle: a press
    assert all(run("hold", 12))
    assert not any(run("stroke", 12))  # strokes lift between passes
    assert not any(run("circles", 20))  # 0.67 s: longer than bridge_s, a real lift
    # a lift from a hold into a different technique is not bridged either
    frames = [_frame(i, {1: "hold"}) for i in range(30)] + [_frame(i, {1: None})
                                                             for i in range(30, 40)]
    frames += [_frame(i, {1: "circles"}) for i in range(40, 90)]
    out = _run(Hindsight(0.2), frames)
    assert not any(a.contacts[0].in_contact for a in out[30:40])
    # and bridge_s=0 bridges nothing
    frames = [_frame(i, {1: "hold" if not 30 <= i < 40 else None}) for i in range(90)]
    out = _run(Hindsight(3.0, bridge_s=0), frames)
    assert not any(a.contacts[0].in_contact for a in out[30:40])


def test_the_pre_roll_counts_moderately_sure_presses_as_evidence() -> None:
    """Live, only frames the depth-free score calls clearly a press (logit > margin) teach the
    depth trust; the pre-roll is less strict (PREROLL_MARGIN), so a stream of moderately sure
    presses whose depth says nothing still loses its trust in depth before it is judged."""
    from test_contact import PRESS, frame

    from massagecam.contact import ContactDetector
    from massagecam.contact_weights import DepthTrust
    from massagecam.hindsight import PREROLL_MARGIN, learn_depth_trust

    flat = {**PRESS, "depth_l": -0.02}
    frames = [frame(i, flat) for i in range(150)]
    strict = 10.0  # no frame's depth-free logit is this sure
    live = Pipeline(landmarker=object(), receiving="left",
                    contact=ContactDetector(depth_trust=DepthTrust(margin=strict)))
    for h in frames:
        live.update_hands(h)
    assert live.contact.depth_trust.value == 1.0  # live, nothing was evidence
    fresh = Pipeline(landmarker=object(), receiving="left",
                     contact=ContactDetector(depth_trust=DepthTrust(margin=strict)))
    assert PREROLL_MARGIN < strict
    assert learn_depth_trust(frames, fresh.tracker, fresh.side_detector, fresh.contact) == 0.0
    assert fresh.contact.depth_trust.margin == strict  # the live margin is left as it was


def test_a_thumb_named_returning_half_a_window_later_is_lifted() -> None:
    """Rule 5: the two-handed estimate names the thumbs gliding back in a spread from the
    last RETURN_S of their paths; the estimate RETURN_S / 2 later, centred on a frame, lifts
    that frame's press (only the named thumbs)."""
    import math
    from dataclasses import fields

    from massagecam.technique_pair import RETURN_S, PairAnalysis, PairEstimate, PairTechnique

    named = set(range(40, 52))  # frames whose estimate names both thumbs returning
    frames = []
    for i in range(90):
        a = _frame(i, {1: "stroke", 2: "stroke"})
        pair = PairEstimate(PairTechnique.TWO_THUMB_SPREAD, 0.8, (1, 2),
                            returning=(1, 2) if i in named else ())
        frames.append(PairAnalysis(**{f.name: getattr(a, f.name) for f in fields(a)},
                                   pair=pair))
    out = _run(Hindsight(3.0, bridge_s=0.0), frames)
    shift = math.ceil(0.5 * RETURN_S * FPS)  # the first frame at least RETURN_S / 2 later
    lifted = {i for i, a in enumerate(out) if not a.contacts[0].in_contact}
    assert lifted == {i - shift for i in named}
    assert all(a.contacts[0].in_contact == a.contacts[1].in_contact for a in out)
    # without the estimate (self mode) nothing changes
    plain = _run(Hindsight(3.0), [_frame(i, {1: "stroke"}) for i in range(90)])
    assert all(a.contacts[0].in_contact for a in plain)
