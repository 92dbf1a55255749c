"""locate: known points, smallest-zone rule, side/hand filtering, invariance."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from atlas_util import hand, rigid

from massagecam.atlas import load_atlas
from massagecam.atlas.geometry import hand_basis
from massagecam.errors import ConfigError
from massagecam.hands import to_palm_frame
from massagecam.results import Side

ATLAS = load_atlas()


def centre_of(atlas, receiver, hd, side, eid):  # type: ignore[no-untyped-def]
    """Pixel centre of the first part of an entry (its spot, for a point)."""
    s = atlas.shapes(receiver, hd, side)[eid][0]
    return s.points.mean(axis=0)


def test_pc8_centre_is_pc8_and_solar_plexus() -> None:
    h = hand("Right", "palm", palm_px=150, angle_deg=25)
    loc = ATLAS.locate(centre_of(ATLAS, h, "Right", "palm", "PC8"), h, "Right", Side.PALM)
    assert loc.nearest_point == "PC8" and loc.point_distance_l == pytest.approx(0, abs=1e-9)
    assert loc.zone == "Z10" and "PC8" in loc.zones and "Z10" in loc.zones
    assert loc.side == Side.PALM


def test_smallest_zone_wins_and_order() -> None:
    h = hand()
    loc = ATLAS.locate(centre_of(ATLAS, h, "Right", "palm", "Z10"), h, "Right", "palm")
    zones = [z for z in loc.zones if ATLAS.by_id[z].kind == "zone"]
    assert loc.zone == zones[0] == "Z10" and len(zones) >= 2  # inside Z11/Z8 too
    areas = [ATLAS.area_l2[ATLAS.entries.index(ATLAS.by_id[z])] for z in zones]
    assert areas == sorted(areas)


def test_distance_in_palm_lengths_and_mm() -> None:
    h = hand(palm_px=200)
    p = centre_of(ATLAS, h, "Right", "palm", "HT8") + np.array([0.0, 0.05 * 200])
    loc = ATLAS.locate(p, h, "Right", "palm", palm_mm=80.0)
    assert loc.nearest_point == "HT8"
    assert loc.point_distance_l == pytest.approx(0.05, abs=1e-6)
    assert loc.point_distance_mm == pytest.approx(4.0, abs=1e-4)
    assert ATLAS.locate(p, h, "Right", "palm").point_distance_mm == pytest.approx(4.75, abs=1e-4)


def test_only_the_visible_side_counts() -> None:
    back = hand("Right", "back")
    li4 = centre_of(ATLAS, back, "Right", "back", "LI4")
    assert ATLAS.locate(li4, back, "Right", "back").nearest_point == "LI4"
    on_palm = ATLAS.locate(li4, back, "Right", "palm")
    assert on_palm.nearest_point != "LI4" and "LI4" not in on_palm.zones
    assert all(ATLAS.by_id[z].side in ("palm", "both") for z in on_palm.zones)
    assert "LI4" in ATLAS.locate(li4, back, "Right", Side.UNKNOWN).zones
    assert "Z19" in ATLAS.locate(centre_of(ATLAS, back, "Right", "back", "Z19"), back, "Right",
                                 "back").zones  # the spine is on both faces


def test_one_hand_zones() -> None:
    left, right = hand("Left", "palm"), hand("Right", "palm")
    heart = centre_of(ATLAS, left, "Left", "palm", "Z9")
    assert "Z9" in ATLAS.locate(heart, left, "Left", "palm").zones
    same_spot = _from_frame(_to_frame(heart, left), right)  # the same place on the right hand
    assert "Z9" not in ATLAS.locate(same_spot, right, "Right", "palm").zones
    assert "Z9" in ATLAS.locate(same_spot, right, "Left", "palm").zones  # label decides
    assert "Z9" not in ATLAS.shapes(right, "Right", "palm")
    assert "Z12" in ATLAS.shapes(right, "Right", "palm") and "Z12" not in ATLAS.shapes(
        left, "Left", "palm")
    labels_r = {s.label for s in ATLAS.shapes(right, "Right", "palm")["Z16"]}
    labels_l = {s.label for s in ATLAS.shapes(left, "Left", "palm")["Z16"]}
    assert labels_r == {"transverse", "ascending"} and labels_l == {"transverse", "descending"}


def test_far_point_has_no_zone_and_bad_args() -> None:
    h = hand()
    loc = ATLAS.locate((5000.0, 5000.0), h, "Right", "palm")
    assert loc.zone is None and loc.zones == () and loc.point_distance_l > 10
    with pytest.raises(ConfigError, match="handedness"):
        ATLAS.locate((0, 0), h, "R", "palm")
    with pytest.raises(ConfigError, match="side"):
        ATLAS.locate((0, 0), h, "Right", "front")
    with pytest.raises(ConfigError, match="palm_mm"):
        ATLAS.locate((0, 0), h, "Right", "palm", palm_mm=0)


def _probe_points(base: np.ndarray, hd: str, side: str) -> list[np.ndarray]:
    """Anatomical probe points in the hand's own frame: every part centre plus a palm grid."""
    pts = [s.points.mean(axis=0) for parts in ATLAS.shapes(base, hd, side).values()
           for s in parts]
    nudge = np.array([0.0031, 0.0017])  # off the exact edges shared by neighbouring zones
    frame = [_to_frame(p, base) + nudge for p in pts]
    frame += [np.array([x, y]) for x in np.linspace(-0.3, 1.6, 9)
              for y in np.linspace(-0.5, 0.6, 7)]
    return frame


def _to_frame(p: np.ndarray, receiver: np.ndarray) -> np.ndarray:
    """(distal, radial) palm-length coordinates, float64 (as hands.to_palm_frame)."""
    hb = hand_basis(receiver)
    rel = np.asarray(p, np.float64) - receiver[0]
    return np.array([rel @ hb.distal, rel @ hb.radial]) / hb.length


def _from_frame(q: np.ndarray, receiver: np.ndarray) -> np.ndarray:
    """Image point of palm-frame coordinates ``q`` on ``receiver`` (inverse of _to_frame)."""
    hb = hand_basis(receiver)
    return receiver[0] + hb.length * (q[0] * hb.distal + q[1] * hb.radial)


def _same(a, b) -> bool:  # type: ignore[no-untyped-def]
    return (a.zones == b.zones and a.nearest_point == b.nearest_point
            and abs(a.point_distance_l - b.point_distance_l) < 1e-6
            and np.allclose(a.canonical, b.canonical, atol=1e-6))


@pytest.mark.parametrize("hd,side", [("Right", "palm"), ("Left", "palm"), ("Right", "back"),
                                     ("Left", "back")])
def test_invariance_rotation_scale_translation_mirror(hd: str, side: str) -> None:
    base = hand(hd, side, palm_px=120, center=(0, 0))
    probes = _probe_points(base, hd, side)
    assert np.allclose(_from_frame(probes[0], base), _from_frame(
        to_palm_frame(_from_frame(probes[0], base), base).astype(np.float64), base), atol=1e-3)
    base_pts = np.array([_from_frame(q, base) for q in probes])
    ref = [ATLAS.locate(p, base, hd, side) for p in base_pts]
    checked = 0
    for angle, scale, mirror in itertools.product((0, 45, 90, 137, 180, 225, 270, 315),
                                                  (0.3, 1.0, 3.0),
                                                  (False, True)):
        shift = (640 + 37 * scale, 360 - 11 * angle / 30)
        posed = rigid(base, angle, scale, shift, mirror=mirror)
        pts = rigid(base_pts, angle, scale, shift, mirror=mirror)
        for q, p, want in zip(probes, pts, ref, strict=True):
            got = ATLAS.locate(p, posed, hd, side)
            assert _same(got, want), (angle, scale, mirror, q, got, want)
            checked += 1
    assert checked == 48 * len(probes)


@pytest.mark.parametrize("spread,curl", [(-0.08, 0.0), (0.15, 0.0), (0.0, 0.25), (0.1, 0.2)])
def test_invariance_spread_and_mild_curl(spread: float, curl: float) -> None:
    """Each zone part's and point's own centre stays in that entry as the fingers move."""
    for hd, side in (("Right", "palm"), ("Left", "back")):
        posed = hand(hd, side, spread=spread, curl=curl, angle_deg=40, palm_px=140)
        for eid, parts in ATLAS.shapes(posed, hd, side).items():
            for s in parts:
                loc = ATLAS.locate(s.points.mean(axis=0), posed, hd, side)
                assert eid in loc.zones, (eid, s.label, loc)
        # palm probe points (fixed relative to the palm landmarks) keep their answer
        flat = hand(hd, side, angle_deg=40, palm_px=140)
        for q in [np.array([x, y]) for x in (0.2, 0.5, 0.8) for y in (-0.2, 0.0, 0.2)]:
            a = ATLAS.locate(_from_frame(q, flat), flat, hd, side)
            b = ATLAS.locate(_from_frame(q, posed), posed, hd, side)
            assert a.zone == b.zone, (q, a, b)


def test_shapes_have_centres_for_arrows() -> None:
    h = hand()
    shapes = ATLAS.shapes(h, "Right", "palm")
    ex = shapes["EX-UE10"]
    assert len(ex) == 4
    assert np.allclose(ex.centre, h[[6, 10, 14, 18]].mean(axis=0))
    assert np.allclose(shapes["PC8"][0].centre, shapes["PC8"].centre)
