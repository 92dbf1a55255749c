"""Overlay annotators on synthetic hands: what they draw, where; mirroring keeps text readable."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from live_scene import FixedShapes, blank, receiver_and_giver, scene_result

from massagecam.hands import Landmark as L
from massagecam.hands import Role
from massagecam.overlay import (
    OKABE_ITO,
    ArrowAnnotator,
    DwellRingAnnotator,
    MessageAnnotator,
    Overlay,
    RhythmAnnotator,
    ScoreAnnotator,
    SkeletonAnnotator,
    StepInfo,
    StepPanelAnnotator,
    View,
    ZonesAnnotator,
)
from massagecam.results import TechniqueEstimate, TechniqueName
from massagecam.synthetic import make_hands


def count(img: np.ndarray, bgr: tuple[int, int, int]) -> int:
    return int(np.all(img == np.array(bgr, np.uint8), axis=-1).sum())


def near(img: np.ndarray, bgr: tuple[int, int, int], tol: int = 40) -> np.ndarray:
    return np.abs(img.astype(int) - np.array(bgr)).sum(axis=-1) <= tol


def test_skeleton_colours_by_role_and_dashes_held_hands():
    rec, giv = receiver_and_giver()
    hands = make_hands(rec, giv, handedness=["Left", "Right"], roles=[Role.RECEIVER, Role.GIVER])
    img = SkeletonAnnotator().annotate(blank(0), hands)
    assert count(img, OKABE_ITO.receiver) > 200
    assert count(img, OKABE_ITO.giver) > 200
    # the receiver's wrist is drawn in the receiver's colour, the giver's in the giver's
    wx, wy = np.round(rec[L.WRIST]).astype(int)
    assert near(img[wy - 1:wy + 2, wx - 1:wx + 2], OKABE_ITO.receiver).any()
    held = SkeletonAnnotator().annotate(blank(0), hands.replace(
        estimated=np.array([False, True])))
    assert 0 < count(held, OKABE_ITO.giver) < 0.6 * count(img, OKABE_ITO.giver)


def test_zones_highlight_target_and_hide_others_on_request():
    rec, _ = receiver_and_giver()
    shapes = FixedShapes().shapes(rec, "Left", "palm")
    all_on = ZonesAnnotator().annotate(blank(), shapes, targets=("PC8",))
    assert near(all_on, OKABE_ITO.target, 10).sum() > 30  # the target's outline
    corners = shapes["thenar"][0].points
    edge = np.round((corners[0] + corners[1]) / 2).astype(int)  # on the thenar's outline
    box = (slice(edge[1] - 1, edge[1] + 2), slice(edge[0] - 1, edge[0] + 2))
    assert (all_on[box] != blank()[box]).any()  # faint outline
    filled = ZonesAnnotator(faint_alpha=0.2).annotate(blank(), shapes, ("PC8",))
    thenar = np.round(corners.mean(axis=0)).astype(int)
    assert np.array_equal(all_on[thenar[1], thenar[0]], blank()[0, 0])  # no fill by default
    assert not np.array_equal(filled[thenar[1], thenar[0]], blank()[0, 0])
    only_target = ZonesAnnotator(show_others=False).annotate(blank(), shapes, ("PC8",))
    assert np.array_equal(only_target[box], blank()[box])
    assert near(only_target, OKABE_ITO.target, 10).sum() > 30


def test_arrow_drawn_between_points_and_skipped_when_close():
    img = ArrowAnnotator().annotate(blank(0), (100, 100), (300, 100))
    cols = np.flatnonzero(near(img, OKABE_ITO.target, 30).any(axis=0))
    assert cols.min() <= 105 and cols.max() >= 285
    assert count(ArrowAnnotator().annotate(blank(0), (100, 100), (105, 102)), (0, 0, 0)) == \
        blank(0).shape[0] * blank(0).shape[1]


@pytest.mark.parametrize("fraction, right, left", [(0.0, False, False), (0.5, True, False),
                                                   (1.0, True, True)])
def test_dwell_ring_fills_clockwise_from_the_top(fraction, right, left):
    img = DwellRingAnnotator().annotate(blank(0), (200, 200), fraction)
    ys, xs = np.nonzero(near(img, OKABE_ITO.good, 30))
    assert (xs > 205).any() == right
    assert (xs < 195).any() == left


def test_rhythm_beat_pulses_at_the_target_frequency():
    tech = TechniqueEstimate(TechniqueName.CIRCLES, 0.9, frequency_hz=1.0)
    ann = RhythmAnnotator()

    def beat_area(t: float) -> int:
        img = ann.annotate(blank(0), (10, 10), tech, "circles", 2.0, t)
        return int(near(img, OKABE_ITO.reddish_purple, 30).sum())

    assert beat_area(0.0) > 3 * beat_area(0.25)  # 2 Hz: full at t=0, smallest a half period on
    assert beat_area(0.0) == pytest.approx(beat_area(0.5), rel=0.1)
    no_target = ann.annotate(blank(0), (10, 10), tech, None, None, 0.0)
    assert near(no_target, OKABE_ITO.reddish_purple, 30).sum() == 0


def test_panels_draw_in_their_corners():
    img = StepPanelAnnotator().annotate(blank(), StepInfo(0, 3, "Hold LI4", "Press and hold.",
                                                          10, 60, "Circles"))
    assert near(img[:150, :320], OKABE_ITO.yellow, 60).sum() > 20  # title
    assert np.array_equal(img[400:, 400:], blank()[400:, 400:])
    score = ScoreAnnotator().annotate(blank(), 85.0)
    assert near(score[:100, -120:], OKABE_ITO.good, 60).sum() > 20
    low = ScoreAnnotator().annotate(blank(), 20.0)
    assert near(low[:100, -120:], OKABE_ITO.warn, 60).sum() > 20
    msg = MessageAnnotator().annotate(blank(), (), ("more light",))
    assert near(msg[-80:], OKABE_ITO.yellow, 60).sum() > 20
    assert np.array_equal(msg[:300], blank()[:300])


def test_compose_mirrors_geometry_but_not_text():
    ov = Overlay(atlas=FixedShapes())
    geo_only, _, _ = scene_result(with_guide=False, with_contact=False, hints=())
    plain = ov.compose(blank(), geo_only, View(mirror=False))
    mirrored = ov.compose(blank(), geo_only, View(mirror=True))
    assert np.array_equal(mirrored, cv2.flip(plain, 1))
    full, _, _ = scene_result()
    a = ov.compose(blank(), full, View(mirror=False))
    b = ov.compose(blank(), full, View(mirror=True))
    # The step panel (top left) reads the same either way: text is drawn after the flip.
    assert np.array_equal(a[10:60, 10:300], b[10:60, 10:300])
    assert not np.array_equal(a[:, 320:], b[:, 320:])


def test_compose_shows_arrow_only_when_off_target():
    ov = Overlay(atlas=FixedShapes())
    off, press, target = scene_result(on_target=False)
    on, _, _ = scene_result(on_target=True)
    a = ov.compose(blank(), off, View(mirror=False))
    b = ov.compose(blank(), on, View(mirror=False))
    mid = np.round((np.asarray(press) + target) / 2).astype(int)
    box = (slice(mid[1] - 4, mid[1] + 5), slice(mid[0] - 4, mid[0] + 5))
    assert near(a[box], OKABE_ITO.target, 40).any()
    assert not near(b[box], OKABE_ITO.target, 40).any()


def test_status_help_and_recording_flags():
    ov = Overlay(atlas=FixedShapes())
    r, _, _ = scene_result()
    base = ov.compose(blank(), r, View())
    rec = ov.compose(blank(), r, View(recording=True))
    assert near(rec[-40:, :60], OKABE_ITO.warn, 60).sum() > near(base[-40:, :60],
                                                                 OKABE_ITO.warn, 60).sum()
    helped = ov.compose(blank(), r, View(show_help=True))
    centre = (slice(200, 280), slice(260, 380))
    assert helped[centre].mean() < base[centre].mean()  # the dark help box
