"""Circles round a point are judged by their centre (real atlas, synthetic hands)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from massagecam.coach import Coach
from massagecam.errors import ConfigError
from massagecam.hands import Role, palm_length, to_palm_frame
from massagecam.results import Contact, FrameAnalysis, Side, TechniqueEstimate
from massagecam.routines import load_routine
from massagecam.routines.workpoint import WorkPoint
from massagecam.synthetic import make_hand, make_hands


def _circles(centre_offset_l: float, radius_l: float, noise_l: float, seconds: float = 6.0):
    from massagecam.atlas import load_atlas

    atlas = load_atlas()
    rec = make_hand((320, 260), 120, 30, "Left", "back")
    giver = make_hand((330, 150), 110, 180, "Right", "palm")
    hands = make_hands(rec, giver, handedness=["Left", "Right"],
                       roles=[Role.RECEIVER, Role.GIVER])
    li4 = atlas.shapes(rec, "Left", "back")["LI4"][0].points.mean(0)
    lp = palm_length(rec)
    rng = np.random.default_rng(4)
    coach = Coach(load_routine("li4-quick", receiving="left"), atlas=atlas)
    states, instant = [], []
    for i in range(int(seconds * 30)):
        t = i / 30
        th = 2 * np.pi * 1.0 * t
        pt = (li4 + lp * np.array([centre_offset_l + radius_l * np.cos(th),
                                   radius_l * np.sin(th)])
              + rng.normal(0, noise_l * lp, 2))
        loc = atlas.locate(pt, rec, "Left", Side.BACK)
        instant.append("LI4" in loc.zones)
        c = Contact(1, "thumb", True, 0.9, (float(pt[0]), float(pt[1])),
                    tuple(float(v) for v in to_palm_frame(pt, rec)), loc)
        a = FrameAnalysis(hands=dataclasses.replace(hands, t=t, frame_index=i),
                          side=Side.BACK, contacts=(c,),
                          techniques=(TechniqueEstimate(name="circles", frequency_hz=1.0),))
        states.append(coach.update(a))
    return states, instant


def test_circles_round_the_point_count_although_the_rim_leaves_its_disc():
    states, instant = _circles(0.0, 0.11, 0.03)
    later = [s.on_target for s in states[30:] if s.step_index == 0]
    assert np.mean(instant[30:]) < 0.8  # per frame the rim is often outside LI4's disc
    assert np.mean(later) >= 0.97


def test_circles_beside_the_point_do_not_count():
    states, instant = _circles(0.35, 0.11, 0.03)
    assert not any(instant)
    assert not any(s.on_target for s in states)


def test_work_point_config_checked():
    with pytest.raises(ConfigError, match="window_s=0.1: expected 0.2..10.0 seconds"):
        WorkPoint(window_s=0.1)


def test_pass_tracker_counts_passes_that_reach_the_target():
    from massagecam.routines.workpoint import PassTracker

    pt = PassTracker(gap_s=0.15)
    verdicts = []
    t = 0.0
    for _ in range(6):  # pull base -> tip (the target at the tip), lift, come back
        for k in range(30):
            verdicts.append(pt.update(True, k >= 22, t))
            t += 1 / 30
        for _ in range(15):
            assert not pt.update(False, False, t)
            t += 1 / 30
    first, later = verdicts[:30], verdicts[30:]
    assert not any(first[:22]) and all(first[22:])  # the first pass counts once it arrives
    assert all(later)  # every later pass follows one that reached the target
    # passes that never reach it never count; a pause longer than forget_s starts afresh
    pt.reset()
    assert not any(pt.update(True, False, k / 30) for k in range(90))
    pt.update(True, True, 4.0)
    assert not pt.update(False, False, 6.5)
    assert not pt.update(True, False, 6.6)


def test_coach_times_finger_pulls_that_end_on_the_pads():
    from routine_synth import Seg, run, stream

    from massagecam.routines import parse_routine

    r = parse_routine('[routine]\nid = "t"\ntitle = "T"\nreceiving = "left"\n[[step]]\n'
                      'target = "Z2"\nside = "palm"\ntechnique = "finger_pull"\n'
                      'duration_s = 60\ninstruction = "Pull."\n', "t.toml")
    pull = [Seg(0.7, side="palm", zones=("Z5",), nearest=None, tech="finger_pull", freq=None),
            Seg(0.3, side="palm", zones=("Z2",), nearest=None, tech="finger_pull", freq=None),
            Seg(0.5, side="palm", touching=False, tech="finger_pull", freq=None)]
    _, states, _ = run(r, stream(*(pull * 6), fps=10))
    pressing = [s for s in states[15:] if s.pressing]
    assert pressing and sum(s.on_target for s in pressing) >= 0.95 * len(pressing)
    short = [Seg(1.0, side="palm", zones=("Z5",), nearest=None, tech="finger_pull", freq=None),
             Seg(0.5, side="palm", touching=False, tech="finger_pull", freq=None)]
    _, states, _ = run(r, stream(*(short * 6), fps=10))
    assert not any(s.on_target for s in states)


def test_a_press_elsewhere_after_a_pass_on_the_target_is_not_another_pass():
    """The pass before counts for a stroke repeated over the same strip, not for a press that
    starts somewhere else (a wrong target pressed right after a correct pull)."""
    from massagecam.routines.workpoint import PassTracker

    def passes(second_start):
        pt = PassTracker()
        out = []
        t = 0.0
        for i in range(10):  # a pull from (0.9, 0) to the pads at (1.4, 0), on target at the end
            x = 0.9 + 0.05 * i
            out.append(pt.update(True, x > 1.3, t, (x, 0.0)))
            t += 1 / 30
        t += 0.5  # lifted
        for i in range(10):  # the next pass, short of the target
            out.append(pt.update(True, False, t, (second_start[0] + 0.01 * i, second_start[1])))
            t += 1 / 30
        return out

    again = passes((0.92, 0.02))  # the same pull again: the whole pass counts
    assert all(again[10:])
    elsewhere = passes((-0.6, 0.3))  # on the forearm: it does not
    assert not any(elsewhere[10:])
    # no press point given: as before, the previous pass counts
    pt = PassTracker()
    pt.update(True, True, 0.0)
    assert pt.update(True, False, 0.5)


def test_a_pass_starting_on_the_last_pass_away_from_its_ends_is_the_same_stroke():
    """The first pass of a step often starts with the approach from elsewhere, which the
    detector took for a press: the next pass starts on that pass's path, far from where it
    started and ended, and is the same stroke again."""
    from massagecam.routines.workpoint import PassTracker

    pt = PassTracker()
    t = 0.0
    for i in range(25):  # approach from (0, 0), then the pass to the target at (1.2, 0)
        x = 0.05 * i
        pt.update(True, x > 1.1, t, (x, 0.0))
        t += 1 / 30
    t += 0.5  # lifted return
    # 0.6 L from both ends of the last pass, on its path
    assert all(pt.update(True, False, t + i / 30, (0.6 + 0.02 * i, 0.01)) for i in range(10))


def test_the_work_point_follows_the_located_place_not_the_path_point():
    from massagecam.results import Contact
    from massagecam.routines.workpoint import WorkPoint

    wp = WorkPoint(min_s=0.0)
    for i in range(10):
        wp.update(Contact(1, "thumb", True, 0.9, (0.0, 0.0), (0.5, 0.0),
                          place_palm_xy=(0.6, 0.1)), i / 30)
    assert wp.centre() == pytest.approx((0.6, 0.1))


def test_pass_tracker_checks_near_l():
    from massagecam.errors import ConfigError
    from massagecam.routines.workpoint import PassTracker

    with pytest.raises(ConfigError, match=r"near_l=0.0: expected a number in \(0, 5\]"):
        PassTracker(near_l=0.0)
