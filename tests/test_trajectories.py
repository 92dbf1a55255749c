from __future__ import annotations

import numpy as np
import pytest

from massagecam.errors import ConfigError
from massagecam.hands import Landmark, Role, to_palm_frame
from massagecam.results import TechniqueName
from massagecam.trajectories import TECHNIQUES, GeneratorConfig, generate_clip, generate_set

L = Landmark
CLEAN = GeneratorConfig(jitter_l=0.0, drop_rate=0.0, cover_rate=0.0, segment_s=(4.0, 5.0),
                        hover_s=(1.0, 1.5))


def pad(xy: np.ndarray) -> np.ndarray:
    return xy[L.THUMB_IP] + 0.7 * (xy[L.THUMB_TIP] - xy[L.THUMB_IP])


def test_same_seed_same_clip_other_seed_other_clip():
    a = generate_clip(11, ["circles"], config=CLEAN)
    b = generate_clip(11, ["circles"], config=CLEAN)
    c = generate_clip(12, ["circles"], config=CLEAN)
    assert len(a.frames) == len(b.frames)
    assert all(np.array_equal(x.xy, y.xy) for x, y in zip(a.frames, b.frames, strict=True))
    assert a.truth == b.truth
    assert not np.allclose(a.frames[0].xy, c.frames[0].xy)


def test_frames_carry_one_receiver_and_one_giver_whose_pad_is_the_truth_point():
    clip = generate_clip(3, ["stroke", "hold"], config=CLEAN)
    for hands, truth in zip(clip.frames, clip.truth, strict=True):
        assert sorted(hands.role.tolist()) == [Role.RECEIVER, Role.GIVER]
        assert set(hands.handedness.tolist()) == {"Left", "Right"}
        rec = hands.xy[hands.index_of(Role.RECEIVER)]
        giv = hands.xy[hands.index_of(Role.GIVER)]
        got = to_palm_frame(pad(giv), rec)
        assert np.allclose(got, truth.palm_xy, atol=2e-3)


def test_truth_labels_follow_contact_and_parameter_ranges():
    clips = generate_set(5, 5, techniques_per_clip=2, config=CLEAN)
    seen = set()
    for clip in clips:
        for tr in clip.truth:
            if not tr.contact:
                assert tr.technique == TechniqueName.NONE
                continue
            seen.add(tr.technique.value)
            if tr.technique == TechniqueName.CIRCLES:
                assert 0.3 <= tr.frequency_hz <= 3.0 and tr.direction in ("cw", "ccw")
            if tr.technique == TechniqueName.STROKE:
                assert 0.1 <= tr.speed_l_s <= 1.05
                assert tr.direction in ("distal", "proximal", "radial", "ulnar")
            if tr.technique == TechniqueName.THUMB_WALK:
                assert 0.8 <= tr.step_rate_hz <= 2.5
    assert seen == set(TECHNIQUES)  # generate_set cycles through every technique


def test_circle_truth_path_has_the_domain_diameter():
    clip = generate_clip(21, ["circles"], config=CLEAN)
    p = np.array([t.palm_xy for t in clip.truth if t.technique == TechniqueName.CIRCLES])
    width = p.max(axis=0) - p.min(axis=0)
    assert 0.18 <= width.max() <= 0.40  # 0.25-0.35 L across (elliptic, drifting a little)


def test_noise_drops_and_covers_as_configured():
    cfg = GeneratorConfig(drop_rate=0.1, cover_rate=1.0)
    clip = generate_clip(8, ["hold", "circles"], config=cfg)
    dropped = np.mean([len(h) == 0 for h in clip.frames])
    assert 0.05 <= dropped <= 0.15
    assert all(len(h) == 0 for h, t in zip(clip.frames, clip.truth, strict=True) if t.dropped)
    assert any(h.estimated.any() for h in clip.frames if len(h))  # receiver held when covered
    jittered = generate_clip(8, ["hold"], config=GeneratorConfig(drop_rate=0.0))
    clean = generate_clip(8, ["hold"], config=GeneratorConfig(drop_rate=0.0, jitter_l=0.0))
    assert not np.allclose(jittered.frames[5].xy, clean.frames[5].xy)


def test_bad_config_is_a_config_error():
    with pytest.raises(ConfigError, match="jitter_l"):
        GeneratorConfig(jitter_l=0.5)
    with pytest.raises(ConfigError, match="technique 'karate'"):
        generate_clip(1, ["karate"])
    with pytest.raises(ConfigError, match="pressures"):
        generate_clip(1, ["hold"], pressures=[0.1, 0.2])


def test_a_lifted_hand_is_drawn_larger_as_the_renderer_draws_it():
    """Hovering, the giving hand is nearer the camera: 3.6 % larger (HOVER_L x LIFT_GROWTH),
    pressing it is its own size, and the change eases over about 0.1 s."""
    from massagecam.trajectories.scene import HOVER_L, LIFT_GROWTH, lift_scale

    contact = np.array([False] * 30 + [True] * 30 + [False] * 30)
    s = lift_scale(contact, 30.0)
    assert s[:20] == pytest.approx(1 + HOVER_L * LIFT_GROWTH, abs=1e-3)
    assert s[40:50] == pytest.approx(1.0, abs=1e-3)
    assert 1.0 < s[30] < s[25]  # half way at the switch
    clip = generate_clip(5, ["hold"], config=GeneratorConfig(jitter_l=0.0, drop_rate=0.0))
    g = [h.xy[h.index_of(Role.GIVER)] for h in clip.frames]
    size = np.array([np.linalg.norm(x[Landmark.MIDDLE_FINGER_MCP] - x[Landmark.WRIST])
                     for x in g])
    on = np.array([t.contact for t in clip.truth])
    # the receiver's palm (and so the giver's) changes size slowly; compare neighbours
    ratio = size[:-1] / size[1:]
    lift_off = np.flatnonzero(on[:-1] & ~on[1:])
    assert lift_off.size and all(np.prod(ratio[i - 3:i + 4]) < 0.99 for i in lift_off)
