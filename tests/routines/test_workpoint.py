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
