"""Canonical hand: the piecewise-affine map and the diagrams."""

from __future__ import annotations

import numpy as np
import pytest
from atlas_util import hand, rigid

from massagecam.atlas import (
    canonical_landmarks,
    canonical_to_image,
    draw_canonical,
    load_atlas,
    to_canonical,
)
from massagecam.atlas.canonical import PoseMap, triangles, vertices


def test_triangulation_covers_landmarks_and_border() -> None:
    tri = triangles()
    assert tri.shape[1] == 3 and len(tri) >= 30
    assert set(np.unique(tri)) == set(range(len(vertices(hand()))))


@pytest.mark.parametrize("hd,side", [("Right", "palm"), ("Left", "palm"), ("Right", "back"),
                                     ("Left", "back")])
def test_landmarks_land_on_canonical_landmarks(hd: str, side: str) -> None:
    for angle in (0, 73, 180, 301):
        h = hand(hd, side, angle_deg=angle, palm_px=90, spread=0.1, curl=0.2)
        got = to_canonical(h, h, hd, side)
        assert np.allclose(got, canonical_landmarks(side), atol=1e-6)


def test_same_anatomical_point_same_canonical_point() -> None:
    rng = np.random.default_rng(3)
    base = hand("Right", "palm", center=(0, 0))
    pts = base[0] + rng.uniform(-1, 1, (200, 2)) * 150
    ref = to_canonical(pts, base)
    for angle, scale, mirror in ((45, 0.3, False), (200, 3.0, True), (330, 1.7, True)):
        got = to_canonical(rigid(pts, angle, scale, (500, 300), mirror),
                           rigid(base, angle, scale, (500, 300), mirror))
        assert np.allclose(got, ref, atol=1e-6)


def test_left_hand_maps_onto_the_right_canonical_hand() -> None:
    """Anatomy, not pixels: the thumb tip of a left hand lands on the canonical thumb tip."""
    left = hand("Left", "back", angle_deg=120)
    tip = left[4] + 0.3 * (left[3] - left[4])
    got = to_canonical(tip[None], left, "Left", "back")[0]
    want = to_canonical((hand()[4] + 0.3 * (hand()[3] - hand()[4]))[None], hand())[0]
    assert np.allclose(got * [-1, 1], want, atol=1e-6)  # back view is the mirror image


def test_folded_or_degenerate_pose_still_maps() -> None:
    h = hand(curl=0.9, spread=-0.2)
    h[8] = h[7]  # a collapsed phalanx
    m = PoseMap(h)
    out = m(np.array([[320.0, 240.0], [1e4, 1e4]]))
    assert np.all(np.isfinite(out))


def test_diagrams_are_drawn() -> None:
    atlas = load_atlas()
    palm = draw_canonical("palm", (400, 500), atlas=atlas)
    back = draw_canonical("back", (400, 500), atlas=atlas)
    bare = draw_canonical("palm", (400, 500), zones=False)
    assert palm.shape == back.shape == bare.shape == (500, 400, 3)
    assert not np.array_equal(palm, back)
    # zone colour only where zones are drawn: the bare outline has fewer distinct colours
    assert len(np.unique(palm.reshape(-1, 3), axis=0)) > len(np.unique(bare.reshape(-1, 3),
                                                                       axis=0))
    # the canonical wrist, as mapped by canonical_to_image, is on the hand silhouette
    x, y = canonical_to_image(canonical_landmarks("palm")[0], (400, 500)).round().astype(int)
    assert tuple(bare[y, x]) != (255, 255, 255)
    xs, ys = canonical_to_image(canonical_landmarks("palm"), (400, 500)).T
    assert xs.min() > 0 and ys.min() > 0 and xs.max() < 400 and ys.max() < 500


def test_atlas_map_matches_standalone_map() -> None:
    """The atlas evaluates the triangulation vertices with its own rows: same answer."""
    h = hand("Left", "back", angle_deg=250, palm_px=170, spread=0.1)
    pts = h[0] + np.random.default_rng(5).uniform(-200, 200, (30, 2))
    atlas = load_atlas()
    assert np.allclose(atlas.to_canonical(pts, h, "Left", "back"),
                       to_canonical(pts, h, "Left", "back"), atol=1e-9)
    loc = atlas.locate(pts[0], h, "Left", "back")
    assert np.allclose(loc.canonical, to_canonical(pts[:1], h, "Left", "back")[0], atol=1e-9)
