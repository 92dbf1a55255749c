from __future__ import annotations

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

from massagecam import calibration
from massagecam.contact import ContactDetector, StableFrame, outline_distance
from massagecam.errors import ConfigError, DataFileError
from massagecam.hands import Hands, Landmark, Role, to_palm_frame
from massagecam.results import Location, Pressure, Side
from massagecam.synthetic import TEMPLATE_Z, make_hand
from massagecam.trajectories.scene import giver_pose

L = Landmark
RECV = make_hand((640.0, 360.0), 150.0, 10.0, "Left", "palm").astype(np.float64)
CENTRE = 0.5 * (RECV[L.WRIST] + RECV[L.MIDDLE_FINGER_MCP])
PRESS = {"flex_deg": 35.0, "distal_scale": 0.7, "depth_l": 0.1}
FIRM = {"flex_deg": 44.0, "distal_scale": 0.58, "depth_l": 0.14}
LIGHT = {"flex_deg": 22.0, "distal_scale": 0.84, "depth_l": 0.05}
HOVER = {"flex_deg": 5.0, "distal_scale": 1.0, "depth_l": -0.08}


def frame(i: int, pose: dict | None = None, at=CENTRE, *, jitter: float = 0.0, seed: int = 0,
          receiver: bool = True, givers: int = 1) -> Hands:
    rng = np.random.default_rng(seed * 1000 + i)
    rows, z, roles, ids, hand = [], [], [], [], []
    if receiver:
        rows.append(RECV)
        z.append(TEMPLATE_Z * 150.0)
        roles.append(Role.RECEIVER)
        ids.append(0)
        hand.append("Left")
    for k in range(givers if pose is not None else 0):
        gxy, gz = giver_pose(np.asarray(at, float) + [40.0 * k, 0.0], 100.0, 150.0, "Right",
                             "back", **pose)
        rows.append(gxy)
        z.append(gz)
        roles.append(Role.GIVER)
        ids.append(1 + k)
        hand.append("Right")
    if not rows:
        return Hands.empty(frame_index=i, t=i / 30.0)
    xy = np.stack(rows) + rng.normal(0, jitter * 150.0, (len(rows), 21, 2))
    return Hands.from_arrays(xy, z=np.stack(z), role=roles, track_id=ids, handedness=hand,
                             frame_index=i, t=i / 30.0, image_wh=(1280, 720))


def run(det: ContactDetector, frames: list[Hands]) -> list[tuple]:
    return [det.update(h, Side.PALM) for h in frames]


def test_a_pressing_thumb_enters_contact_and_reports_its_pad():
    out = run(ContactDetector(), [frame(i, PRESS) for i in range(15)])
    assert all(len(c) == 1 for c in out)
    first = next(i for i, c in enumerate(out) if c[0].in_contact)
    assert first <= 10  # dwell ramps over 0.3 s at most
    c = out[-1][0]
    assert c.in_contact and c.finger == "thumb" and c.giver_track == 1
    assert 0.5 < c.confidence <= 1.0
    assert np.allclose(c.xy, CENTRE, atol=1e-3)  # the pad, lerp(IP, TIP, 0.7)
    assert np.allclose(c.palm_xy, to_palm_frame(CENTRE, RECV), atol=1e-3)
    assert c.pressure == Pressure.UNKNOWN and c.location is None


def test_a_hovering_thumb_over_the_hand_and_a_press_beside_it_are_no_contact():
    assert not any(c[0].in_contact for c in run(ContactDetector(),
                                                [frame(i, HOVER) for i in range(30)]))
    beside = RECV[L.WRIST] + np.array([-200.0, 60.0])
    assert outline_distance(beside, RECV) > 0.3
    assert not any(c[0].in_contact for c in run(ContactDetector(),
                                                [frame(i, PRESS, beside) for i in range(30)]))


def test_hysteresis_holds_through_jitter_and_lets_go_after_lifting():
    det = ContactDetector()
    pressed = run(det, [frame(i, PRESS, jitter=0.02, seed=4) for i in range(60)])
    states = [c[0].in_contact for c in pressed]
    first = states.index(True)
    assert all(states[first:])  # 2 % jitter does not flicker the decision
    lifted = run(det, [frame(60 + i, HOVER, jitter=0.02, seed=4) for i in range(15)])
    states = [c[0].in_contact for c in lifted]
    assert not states[-1] and states.index(False) <= 4


def test_dropped_frames_hold_the_decision_for_hold_s_then_let_go():
    det = ContactDetector(hold_s=0.5)
    run(det, [frame(i, PRESS) for i in range(15)])
    held = det.update(Hands.empty(frame_index=20, t=20 / 30.0))
    assert len(held) == 1 and held[0].in_contact and held[0].confidence < 1.0
    assert det.update(Hands.empty(frame_index=40, t=40 / 30.0)) == ()


def test_roles_decide_who_can_touch():
    det = ContactDetector()
    unknown = frame(0, PRESS).replace(role=np.zeros(2, np.int8))
    assert det.update(unknown) == ()
    assert ContactDetector().update(frame(0, None)) == ()  # receiver alone
    lone = ContactDetector().update(frame(0, PRESS, receiver=False))
    assert len(lone) == 1 and not lone[0].in_contact and math.isnan(lone[0].palm_xy[0])
    collapsed = frame(0, PRESS)
    collapsed = collapsed.replace(xy=np.where(collapsed.role[:, None, None] == Role.RECEIVER,
                                              np.float32(5.0), collapsed.xy))
    out = ContactDetector().update(collapsed)
    assert not out[0].in_contact and math.isfinite(out[0].confidence)


def test_several_givers_and_fingers_each_get_a_contact():
    det = ContactDetector(fingers=("thumb", "index"))
    out = run(det, [frame(i, PRESS, givers=2) for i in range(12)])[-1]
    assert sorted((c.giver_track, c.finger) for c in out) == [
        (1, "index"), (1, "thumb"), (2, "index"), (2, "thumb")]
    assert all(c.in_contact for c in out if c.finger == "thumb")


def test_outline_distance_is_negative_inside_positive_outside():
    assert outline_distance(CENTRE, RECV) < -0.2
    assert outline_distance(RECV[L.INDEX_FINGER_TIP], RECV) < 0  # on a finger capsule
    assert outline_distance(CENTRE + np.array([400.0, 0.0]), RECV) > 1.0


def test_the_outline_includes_the_wrist_crease_and_the_forearm_below_it():
    # wrist-crease and forearm points (HT7, PC6: up to ~0.45 L below the wrist landmark)
    # are on the skin; beside the forearm is not
    length = float(np.linalg.norm(RECV[L.MIDDLE_FINGER_MCP] - RECV[L.WRIST]))
    down = (RECV[L.WRIST] - RECV[L.MIDDLE_FINGER_MCP]) / length
    side = np.array([-down[1], down[0]])
    for k in (0.1, 0.25, 0.45):
        assert outline_distance(RECV[L.WRIST] + k * length * down, RECV) < 0, k
    assert outline_distance(RECV[L.WRIST] + 0.3 * length * down + 0.8 * length * side,
                            RECV) > 0.2



@pytest.mark.parametrize("hand,side", [("Left", "palm"), ("Right", "palm"), ("Left", "back")])
def test_stable_frame_is_the_palm_frame_without_noise(hand, side):
    rec = make_hand((500.0, 300.0), 120.0, -30.0, hand, side)
    frame_ = StableFrame()
    pts = rec[[L.THUMB_TIP, L.PINKY_DIP, L.MIDDLE_FINGER_PIP]] + 3.0
    for i in range(3):
        got = np.array([frame_.to_palm(p, rec, 0, i / 30.0) for p in pts])
    assert np.allclose(got, to_palm_frame(pts, rec), atol=1e-4)


def test_the_press_is_located_further_along_the_thumb_than_its_path_is_followed():
    """The place is read at READ_T of IP→tip (where the model's landmarks put the drawn pad),
    the path at PAD_T; the place is also what the atlas locates."""
    from massagecam.contact import PAD_T, READ_T

    atlas_mod = pytest.importorskip("massagecam.atlas")
    atlas = atlas_mod.load_atlas()
    h = frame(0, PRESS)
    c = ContactDetector().update(h, Side.PALM, atlas)[0]
    g = h.xy[1].astype(np.float64)
    place = g[L.THUMB_IP] + READ_T * (g[L.THUMB_TIP] - g[L.THUMB_IP])
    assert READ_T > PAD_T
    assert np.allclose(c.place_xy, to_palm_frame(place, RECV), atol=1e-3)
    assert np.allclose(c.palm_xy, to_palm_frame(CENTRE, RECV), atol=1e-3)
    assert c.location == atlas.locate(place.astype(np.float32), RECV, "Left", Side.PALM)


def test_the_atlas_locates_the_press_point():
    atlas_mod = pytest.importorskip("massagecam.atlas")
    atlas = atlas_mod.load_atlas()
    det = ContactDetector()
    c = [det.update(h, Side.PALM, atlas) for h in [frame(i, PRESS) for i in range(12)]][-1][0]
    assert isinstance(c.location, Location)
    assert c.location.side == Side.PALM and c.location.zones


def test_pressure_levels_need_a_calibration():
    def index(pose: dict) -> float:
        det = ContactDetector()
        run(det, [frame(i, pose) for i in range(12)])
        return calibration.press_index(*det.press_features(1))

    light, firm = index(LIGHT), index(FIRM)
    assert firm > light + 1.0
    cal = calibration.Calibration(light, firm)
    for pose, want in ((LIGHT, Pressure.LIGHT), (FIRM, Pressure.FIRM)):
        c = run(ContactDetector(calibration=cal), [frame(i, pose) for i in range(12)])[-1][0]
        assert c.in_contact and c.pressure == want
    assert cal.level(0.5 * (light + firm)) == Pressure.MODERATE


def test_calibration_file_round_trip_and_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("MASSAGECAM_HOME", str(tmp_path))
    assert calibration.load() is None
    assert ContactDetector(calibration="auto").calibration is None
    cal = calibration.from_samples([0.1] * 6, [1.9] * 6, source="test")
    path = calibration.save(cal)
    assert path == tmp_path / "calibration.json"
    back = calibration.load()
    assert (back.light, back.firm, back.frames) == (0.1, 1.9, (6, 6))
    assert ContactDetector(calibration="auto").calibration == back
    with pytest.raises(DataFileError, match="not clearly above"):
        calibration.from_samples([1.0] * 6, [1.0] * 6)
    with pytest.raises(DataFileError, match="only 2 contact frames in the light"):
        calibration.from_samples([1.0] * 2, [2.0] * 6)
    path.write_text(json.dumps({"light": 1.0, "firm": "hard"}))
    with pytest.raises(DataFileError, match="field 'firm'"):
        calibration.load()


def test_calibration_collects_a_light_then_a_firm_phase():
    frames = [frame(i, LIGHT if i < 45 else FIRM, jitter=0.005, seed=9) for i in range(90)]
    light, firm = calibration.collect(frames, seconds=1.5)
    cal = calibration.from_samples(light, firm)
    assert len(light) >= 30 and len(firm) >= 30 and cal.firm > cal.light + 1.0


def test_bad_settings_are_config_errors():
    for kwargs, word in (({"fingers": ("toe",)}, "toe"), ({"enter": 0.3, "exit": 0.5}, "exit"),
                         ({"hold_s": -1}, "hold_s"), ({"palm_mm": 5}, "palm_mm")):
        with pytest.raises(ConfigError, match=word):
            ContactDetector(**kwargs)


@pytest.mark.model
def test_real_single_hand_footage_gives_zero_contacts(footage, model_path):
    pytest.importorskip("massagecam.landmarker")
    from massagecam.capture import open_source
    from massagecam.landmarker import Landmarker
    from massagecam.tracking import RoleTracker

    det, tracker, frames, hands_seen, contacts = ContactDetector(), RoleTracker(), 0, 0, 0
    with open_source(footage / "open_palm_360p.mp4") as src, Landmarker(model_path) as lm:
        for f in src:
            if f.index % 5:  # every 5th frame keeps the test short
                continue
            hands = tracker.update(lm.detect(f.image, f.t, f.index))
            hands_seen += len(hands) > 0
            # worst case for the detector: call the lone hand a giver with no receiver
            lone = hands.replace(role=np.full(len(hands), int(Role.GIVER), np.int8))
            for h in (hands, lone):
                contacts += sum(c.in_contact for c in det.update(h, Side.UNKNOWN))
            frames += 1
    assert frames >= 35 and hands_seen >= 20
    assert contacts == 0


@pytest.mark.model
def test_calibrate_command_on_single_hand_footage_says_no_press(footage, tmp_path):
    pytest.importorskip("massagecam.landmarker")
    from massagecam.cli import cli

    res = CliRunner().invoke(cli, ["calibrate", "--source", str(footage / "open_palm_360p.mp4"),
                                   "--seconds", "1", "--out", str(tmp_path / "c.json")])
    assert res.exit_code == 2
    assert "no press seen" in res.output
    assert not (tmp_path / "c.json").exists()
