"""Transits: a quick straight glide between two places of work is not a press."""

from __future__ import annotations

import math

import numpy as np
import pytest

from massagecam.errors import ConfigError
from massagecam.hands import Role
from massagecam.hindsight import Hindsight
from massagecam.results import Contact, FrameAnalysis, TechniqueEstimate, TechniqueName
from massagecam.synthetic import make_hand, make_hands
from massagecam.transit import TransitFinder

FPS = 30.0
KEY = (1, "thumb")


def _glide(n: int, a: tuple[float, float], b: tuple[float, float]) -> list[tuple[float, float]]:
    """``n`` points from ``a`` to ``b``, eased in and out as a hand moves."""
    k = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, n))
    return [(a[0] + (b[0] - a[0]) * s, a[1] + (b[1] - a[1]) * s) for s in k]


def _still(n: int, p: tuple[float, float], rng: np.random.Generator) -> list[tuple[float, float]]:
    """``n`` points of a hold at ``p`` with landmark jitter (0.005 L)."""
    return [(p[0] + rng.normal(0, 0.005), p[1] + rng.normal(0, 0.005)) for _ in range(n)]


def _covered(path: list[tuple[float, float] | None], **kw: float) -> list[bool]:
    f = TransitFinder(**kw)
    for i, xy in enumerate(path):
        f.update(KEY, i / FPS, xy)
    f.flush()
    return [f.covers(KEY, i / FPS) for i in range(len(path))]


def test_a_glide_between_two_holds_is_a_transit_and_the_holds_are_not() -> None:
    rng = np.random.default_rng(1)
    path = _still(60, (0.3, 0.2), rng) + _glide(24, (0.3, 0.2), (1.1, 0.4)) + \
        _still(60, (1.1, 0.4), rng)
    cov = _covered(path)
    assert not any(cov[:55]) and not any(cov[90:])
    # the fast middle of the glide (its ends are slow and stay with the work, trimmed)
    assert all(cov[66:78]), cov[60:84]


def test_slow_strokes_and_small_circles_are_work() -> None:
    # a stroke at 0.35 L/s along the hand, five passes with the lifted returns unseen
    stroke: list[tuple[float, float] | None] = []
    for _ in range(5):
        stroke += [(0.2 + 0.35 * i / FPS, 0.3) for i in range(45)] + [None] * 15
    assert not any(_covered(stroke))
    # circles of radius 0.1 L at 1 Hz
    circles = [(0.5 + 0.1 * math.cos(2 * math.pi * i / FPS),
                0.3 + 0.1 * math.sin(2 * math.pi * i / FPS)) for i in range(240)]
    assert not any(_covered(circles))


def test_back_and_forth_sweeps_are_not_transits() -> None:
    # circles the model flattened into a line: 0.4 L sweeps back and forth every half second
    line = [(0.5 + 0.2 * math.sin(2 * math.pi * i / FPS), 0.3) for i in range(240)]
    assert not any(_covered(line))
    # ... while the same sweep once, between two holds, is a transit
    rng = np.random.default_rng(2)
    once = _still(45, (0.3, 0.3), rng) + _glide(15, (0.3, 0.3), (0.7, 0.3)) + \
        _still(45, (0.7, 0.3), rng)
    assert any(_covered(once))


def test_a_lift_cuts_the_path_and_the_glide_is_found_within_a_longer_stretch() -> None:
    rng = np.random.default_rng(3)
    # a pull pass (+x at 0.6 L/s) flowing straight into a glide back (-x) and circles
    pull = [(0.2 + 0.6 * i / FPS, 0.3) for i in range(20)]
    back = _glide(24, pull[-1], (-0.6, 0.1))
    circles = [(-0.6 + 0.12 * math.cos(2 * math.pi * i / FPS),
                0.1 + 0.12 * math.sin(2 * math.pi * i / FPS)) for i in range(60)]
    cov = _covered(_still(30, (0.2, 0.3), rng) + pull + back + circles)
    assert any(cov[50:74]) and not any(cov[30:48]) and not any(cov[80:])
    # the same glide made while lifted (no press points) gives nothing to mark
    lifted: list[tuple[float, float] | None] = [*_still(30, (0.2, 0.3), rng), *[None] * 24,
                                                *_still(30, (-0.6, 0.1), rng)]
    assert not any(_covered(lifted))


def test_memory_stays_bounded_on_endless_circles() -> None:
    f = TransitFinder()
    for i in range(30 * 600):  # ten minutes of fast circles: one moving stretch
        t = i / FPS
        f.update(KEY, t, (0.5 + 0.2 * math.cos(6 * t), 0.3 + 0.2 * math.sin(6 * t)))
    st = f._fingers[KEY]
    assert len(st.sweep) <= FPS * 2.1 and len(st.path) <= FPS and len(st.found) < 50


@pytest.mark.parametrize(("field", "value", "message"), [
    ("window_s", 0.0, "window_s"), ("peak", 0.2, "peak"), ("straight", 1.5, "straight"),
    ("max_s", 9.0, "max_s"), ("trim_s", 0.5, "trim_s")])
def test_configuration_names_the_value_and_the_range(field: str, value: float,
                                                    message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        TransitFinder(**{field: value})


def _frame(i: int, xy: tuple[float, float], label: str) -> FrameAnalysis:
    rows = [make_hand((320, 260), 120, 0, "Left", "back"),
            make_hand((380, 200), 110, 180, "Right", "palm")]
    hands = make_hands(*rows, handedness=["Left", "Right"], roles=[Role.RECEIVER, Role.GIVER],
                       t=i / FPS, frame_index=i).replace(track_id=np.arange(2))
    return FrameAnalysis(hands=hands, contacts=(Contact(1, "thumb", True, 0.9, (0.0, 0.0), xy),),
                         techniques=(TechniqueEstimate(TechniqueName(label), 0.8),))


def test_hindsight_lifts_the_glide_and_keeps_each_place_its_own_technique() -> None:
    rng = np.random.default_rng(4)
    path = _still(90, (0.3, 0.2), rng) + _glide(24, (0.3, 0.2), (1.1, 0.4)) + \
        [(1.1 + 0.1 * math.cos(2 * math.pi * i / FPS), 0.4 + 0.1 * math.sin(2 * math.pi * i / FPS))
         for i in range(150)]
    # live: hold, then the glide (read as circles from its fast part on) and the circles,
    # all one press
    labels = ["hold"] * 96 + ["circles"] * 168
    h = Hindsight(3.0, transits=TransitFinder())
    out = []
    for i, (xy, lab) in enumerate(zip(path, labels, strict=True)):
        out += [a for a, _ in h.update(_frame(i, xy, lab))]
    out += [a for a, _ in h.flush()]
    on = [a.contacts[0].in_contact for a in out]
    names = [str(a.techniques[0].name) for a in out]
    assert not any(on[96:108]) and all(on[:90]) and all(on[120:])
    assert all(n == "none" for n in names[96:108])
    # the glide votes for nothing: the hold keeps its label until the circles' frames
    # outnumber its own in the 3-s look-ahead, and the circles are circles
    assert names[:45] == ["hold"] * 45 and set(names[114:]) == {"circles"}
    # without a finder the glide stays a press, as before
    h0 = Hindsight(3.0)
    out0 = []
    for i, (xy, lab) in enumerate(zip(path, labels, strict=True)):
        out0 += [a for a, _ in h0.update(_frame(i, xy, lab))]
    out0 += [a for a, _ in h0.flush()]
    assert all(a.contacts[0].in_contact for a in out0)


def test_a_look_ahead_too_short_for_the_finder_is_refused_and_the_pipeline_goes_without() -> None:
    from massagecam.session import Pipeline

    with pytest.raises(ConfigError, match=r"lag_s=1.0: a transit finder needs a look-ahead"):
        Hindsight(1.0, transits=TransitFinder())
    short = Pipeline(landmarker=object(), hindsight_s=1.0)
    assert short.hindsight is not None and short.hindsight.transits is None
    full = Pipeline(landmarker=object(), hindsight_s=3.0)
    assert full.hindsight is not None and full.hindsight.transits is not None
    caregiver = Pipeline(landmarker=object(), hindsight_s=3.0, mode="caregiver")
    assert caregiver.hindsight is not None and caregiver.hindsight.transits is None
