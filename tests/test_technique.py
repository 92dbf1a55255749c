from __future__ import annotations

import numpy as np
import pytest

from massagecam.errors import ConfigError
from massagecam.results import Contact, TechniqueName
from massagecam.technique import TechniqueClassifier, screen_turn

T = TechniqueName
FPS = 30.0


def feed(path: np.ndarray, touching: np.ndarray | None = None, noise: float = 0.0,
         seed: int = 0, **kwargs) -> list:
    """Run a press path (n, 2) in palm lengths through a classifier; one estimate per frame."""
    rng = np.random.default_rng(seed)
    path = path + rng.normal(0, noise, path.shape)
    touching = np.ones(len(path), bool) if touching is None else touching
    cls = TechniqueClassifier(**kwargs)
    out = []
    for i, (p, on) in enumerate(zip(path, touching, strict=True)):
        c = Contact(1, "thumb", bool(on), 0.9, (0.0, 0.0), (float(p[0]), float(p[1])))
        out.append(cls.update([c], i / FPS)[0])
    return out


def t_axis(seconds: float) -> np.ndarray:
    return np.arange(0, seconds, 1 / FPS)


def circle(freq: float, cw: bool, seconds: float = 5.0, r: float = 0.15) -> np.ndarray:
    t = t_axis(seconds)
    ph = (1 if cw else -1) * 2 * np.pi * freq * t
    return np.array([0.5, 0.1]) + r * np.stack([np.cos(ph), np.sin(ph)], axis=1)


def test_a_still_press_is_a_hold():
    est = feed(np.tile([0.6, 0.1], (120, 1)), noise=0.02)[-1]
    assert est.name == T.HOLD and est.confidence > 0.5


@pytest.mark.parametrize("freq", [0.4, 1.0, 2.5])
@pytest.mark.parametrize("cw", [True, False])
def test_circles_give_frequency_and_hand_frame_direction(freq, cw):
    est = feed(circle(freq, cw, seconds=3.5), noise=0.02, seed=int(freq * 10))[-1]
    assert est.name == T.CIRCLES
    assert est.frequency_hz == pytest.approx(freq, abs=0.1)
    # "cw" turns from distal (+x) to radial (+y) in the hand frame
    assert est.direction == ("cw" if cw else "ccw")


def passes(speed: float, direction: np.ndarray, length: float = 0.5,
           seconds: float = 6.0) -> tuple[np.ndarray, np.ndarray]:
    t = t_axis(seconds)
    cycle = length / speed + 0.5
    k = t % cycle
    on = k < length / speed
    s = np.where(on, speed * k, length * (1 - (k - length / speed) / 0.5))
    return np.array([0.3, 0.0]) + s[:, None] * direction, on


@pytest.mark.parametrize("speed", [0.12, 0.5, 1.0])
def test_strokes_give_direction_and_speed(speed):
    path, on = passes(speed, np.array([0.0, -1.0]))
    est = [e for e in feed(path, on, noise=0.01) if e.name != T.NONE][-1]
    assert est.name == T.STROKE and est.direction == "ulnar"
    assert est.speed_l_s == pytest.approx(speed, rel=0.1)
    assert est.speed_cm_s == pytest.approx(est.speed_l_s * 9.5)


def test_thumb_walk_gives_its_step_rate():
    t = t_axis(6.0)
    rate, step = 1.5, 0.08
    cyc = t * rate
    frac = np.clip((cyc % 1) / 0.5, 0, 1)
    s = step * (np.floor(cyc) + frac * frac * (3 - 2 * frac))
    path = np.array([0.2, 0.0]) + s[:, None] * np.array([1.0, 0.0])
    est = feed(path, noise=0.005)[-1]
    assert est.name == T.THUMB_WALK and est.direction == "distal"
    assert est.step_rate_hz == pytest.approx(rate, abs=0.15)


def test_a_steady_stroke_with_the_same_mean_speed_is_not_a_walk():
    path = np.array([0.2, 0.0]) + (0.12 * t_axis(6.0))[:, None] * np.array([1.0, 0.0])
    assert feed(path, noise=0.005)[-1].name == T.STROKE


def test_pulls_along_a_finger_towards_its_tip():
    # the index finger of the template: from its MCP (0.97, 0.25) out to its tip (1.65, 0.39)
    path, on = passes(0.6, np.array([0.98, 0.2]), length=0.65, seconds=6.0)
    path = path + np.array([0.67, 0.25])
    est = [e for e in feed(path, on, noise=0.01) if e.name != T.NONE][-1]
    assert est.name == T.FINGER_PULL and est.direction == "distal"
    assert est.speed_l_s == pytest.approx(0.6, rel=0.15)


def test_no_contact_is_none_and_each_contact_gets_its_own_estimate():
    cls = TechniqueClassifier()
    path = circle(1.0, True, seconds=3.5)
    for i, p in enumerate(path):
        a = Contact(1, "thumb", True, 0.9, (0.0, 0.0), tuple(p))
        b = Contact(2, "thumb", False, 0.9, (0.0, 0.0), (0.5, 0.0))
        out = cls.update([a, b], i / FPS)
    assert [e.name for e in out] == [T.CIRCLES, T.NONE]
    nan = Contact(3, "thumb", True, 0.9, (0.0, 0.0), (float("nan"), float("nan")))
    assert cls.update([nan], 10.0)[0].name == T.NONE


def test_screen_turn_maps_hand_frame_to_screen():
    assert screen_turn("cw", "Right", "palm") == "cw"
    assert screen_turn("cw", "Left", "back") == "cw"
    assert screen_turn("cw", "Left", "palm") == "ccw"
    assert screen_turn("ccw", "Right", "back") == "cw"
    assert screen_turn("distal", "Left", "palm") == "distal"


def test_bad_settings_are_config_errors():
    with pytest.raises(ConfigError, match="window_s"):
        TechniqueClassifier(window_s=0.1)
    with pytest.raises(ConfigError, match="palm_mm"):
        TechniqueClassifier(palm_mm=1000)


@pytest.mark.parametrize("hand,side", [("Right", "palm"), ("Left", "palm"), ("Left", "back"),
                                       ("Right", "back")])
def test_screen_clockwise_circles_read_back_as_clockwise_on_screen(hand, side):
    from massagecam.hands import to_palm_frame
    from massagecam.synthetic import make_hand

    rec = make_hand((400.0, 300.0), 120.0, 25.0, hand, side)
    ph = 2 * np.pi * 1.0 * t_axis(3.5)
    # image y points down, so increasing angle in (x, y) image coordinates turns clockwise
    img = np.array([400.0, 300.0]) + 18.0 * np.stack([np.cos(ph), np.sin(ph)], axis=1)
    est = feed(to_palm_frame(img, rec).astype(float))[-1]
    assert est.name == T.CIRCLES
    assert screen_turn(est.direction, hand, side) == "cw"


def sawtooth(fwd_speed: float, back_speed: float, length: float = 0.4,
             seconds: float = 4.0) -> np.ndarray:
    """Passes one way at ``fwd_speed`` and returns at ``back_speed``, all in contact."""
    t = t_axis(seconds)
    t_fwd, t_back = length / fwd_speed, length / back_speed
    k = t % (t_fwd + t_back)
    s = np.where(k < t_fwd, fwd_speed * k, length - back_speed * (k - t_fwd))
    return np.array([0.3, 0.0]) + s[:, None] * np.array([1.0, 0.0])


def test_a_stroke_whose_quicker_returns_were_not_seen_as_lifts_is_still_a_stroke():
    # the contact detector missed the lifts: the path is a sawtooth, slow passes distal
    for fwd, back, length in ((0.35, 0.7, 0.4), (0.5, 1.0, 0.6), (0.3, 0.9, 0.3)):
        for est in feed(sawtooth(fwd, back, length), noise=0.01)[-45:]:
            assert est.name == T.STROKE, (fwd, back, length)
            assert est.direction == "distal"
            assert est.speed_l_s == pytest.approx(fwd, rel=0.25)


def test_a_symmetric_back_and_forth_is_a_hold_not_a_stroke():
    est = feed(sawtooth(0.35, 0.35), noise=0.01)[-1]
    assert est.name == T.HOLD


def test_a_new_press_elsewhere_after_a_lift_is_judged_on_its_own_path():
    hold = np.tile([0.4, -0.2], (int(2 * FPS), 1))
    lift = np.tile([0.6, 0.0], (int(0.8 * FPS), 1))
    circ = circle(0.7, True, seconds=1.5, r=0.1) + np.array([0.2, 0.1])  # < 0.75 turn per 1 s
    path = np.vstack([hold, lift, circ])
    on = np.r_[np.ones(len(hold), bool), np.zeros(len(lift), bool), np.ones(len(circ), bool)]
    assert feed(path, on, noise=0.005)[-1].name == T.CIRCLES
    # kept together (no reset) the old hold spoils the circle fit for the whole window
    assert feed(path, on, noise=0.005, reset_s=60.0)[-1].name != T.CIRCLES


def test_a_glide_to_another_point_without_a_seen_lift_does_not_make_the_next_hold_a_stroke():
    a = np.tile([0.4, -0.2], (int(2 * FPS), 1))
    glide = np.linspace([0.4, -0.2], [0.8, 0.2], int(0.4 * FPS))
    b = np.tile([0.8, 0.2], (int(1.0 * FPS), 1))
    est = feed(np.vstack([a, glide, b]), noise=0.005)[-1]
    assert est.name == T.HOLD


def test_circling_that_starts_after_a_hold_without_a_lift_is_recognised_within_a_second_or_so():
    hold = np.tile([0.6, 0.3], (int(2.5 * FPS), 1))
    circ = circle(1.0, True, seconds=1.2, r=0.1) + np.array([0.2, 0.2])  # around (0.7, 0.3)
    est = feed(np.vstack([hold, circ]), noise=0.005)[-1]
    assert est.name == T.CIRCLES and est.frequency_hz == pytest.approx(1.0, abs=0.15)


def test_circles_far_from_the_finger_pulls_before_them_are_judged_on_their_own_path():
    # pulls along a digit (x 1.0 -> 1.4), each followed by a seen lift, then a long lift and
    # circles at the web of the thumb, 0.5 L away: the pulls' path must not stay in the window
    pull = np.linspace([1.0, 0.3], [1.4, 0.35], int(0.7 * FPS))
    back = np.tile([1.2, 0.3], (int(0.4 * FPS), 1))
    pulls = np.vstack([pull, back] * 3)
    pulls_on = np.r_[np.ones(len(pull), bool), np.zeros(len(back), bool)]
    lift = np.tile([0.8, 0.3], (int(0.8 * FPS), 1))
    circ = circle(0.7, True, seconds=1.5, r=0.1)  # around (0.5, 0.1)
    path = np.vstack([pulls, lift, circ])
    on = np.r_[np.tile(pulls_on, 3), np.zeros(len(lift), bool), np.ones(len(circ), bool)]
    third = 2 * (len(pull) + len(back)) + len(pull) - 1  # the end of the third pull
    assert feed(path, on, noise=0.005)[third].name == T.FINGER_PULL
    assert feed(path, on, noise=0.005)[-1].name == T.CIRCLES
    # and a pull that starts again a little way off the last ones is still a pull
    again = pull + np.array([0.0, 0.25])  # 0.2 L from the nearest point of the pulls
    path2 = np.vstack([pulls, lift, again])
    on2 = np.r_[np.tile(pulls_on, 3), np.zeros(len(lift), bool), np.ones(len(again), bool)]
    assert feed(path2, on2, noise=0.005)[-1].name == T.FINGER_PULL


def test_on_a_depth_free_stream_less_sure_press_frames_still_join_the_path():
    """A circle whose contact probability sags to 0.6 for part of each turn (the detector
    holding the press): with depth trusted those frames are left out and the arcs left do not
    make a circle; on a depth-free stream (share 0) the floor is 0.5 and the circle is whole."""
    path = circle(1.0, True, seconds=4.0, r=0.08)
    phase = (np.arange(len(path)) / FPS) % 1.0
    conf = np.where(phase < 0.6, 0.6, 0.9)  # 60 % of every turn less sure

    def last(share: float):
        cls = TechniqueClassifier()
        est = None
        for i, (p, cf) in enumerate(zip(path, conf, strict=True)):
            c = Contact(1, "thumb", True, float(cf), (0.0, 0.0), (float(p[0]), float(p[1])))
            est = cls.update([c], i / FPS, depth_share=share)[0]
        return est

    assert last(0.0).name == T.CIRCLES
    assert last(1.0).name != T.CIRCLES
    with pytest.raises(ConfigError, match="depth_free_confidence"):
        TechniqueClassifier(depth_free_confidence=1.5)
