"""Per-frame poses: the thumb pad follows the scripted technique on the scripted target."""

from __future__ import annotations

import numpy as np
import pytest

from massagecam.hands import palm_length
from massagecam.render import parse_script
from massagecam.render.pose import pad_of
from massagecam.render.targets import target_xy
from massagecam.render.timeline import Timeline


def _script(body: str, receiving: str = "left") -> Timeline:
    head = f'receiving = "{receiving}"\n[render]\nseed = 5\nsize = [640, 480]\nfps = 30\n'
    return Timeline(parse_script(head + body, "t.toml"))


def _seg(**kw: object) -> str:
    lines = ["[[perform]]"] + [f"{k} = {v!r}".replace("'", '"').replace("True", "true")
                               .replace("False", "false") for k, v in kw.items()]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("receiving", ["left", "right"])
@pytest.mark.parametrize(("target", "side"), [("LI4", "back"), ("PC8", "palm"), ("HT8", "palm")])
def test_hold_puts_the_pad_on_the_target(receiving: str, target: str, side: str) -> None:
    tl = _script(_seg(target=target, technique="hold", duration_s=1.0), receiving)
    for k in range(0, tl.n_frames, 7):
        st = tl.state(k)
        assert st.side == side and st.contact
        lp = float(palm_length(st.receiver))
        want = target_xy(target, st.receiver, tl.handedness, side)
        assert np.linalg.norm(st.pad - want) < 0.02 * lp
        assert np.allclose(pad_of(st.giver), st.pad, atol=1e-3)


def test_circles_have_the_scripted_radius_rate_and_direction() -> None:
    tl = _script(_seg(target="PC8", technique="circles", duration_s=3.0, rhythm_hz=1.5,
                      amplitude=0.15, direction="cw"))
    rel, lps = [], []
    for k in range(tl.n_frames):
        st = tl.state(k)
        rel.append(st.pad - target_xy("PC8", st.receiver, tl.handedness, "palm"))
        lps.append(float(palm_length(st.receiver)))
    rel = np.array(rel)
    radius = np.linalg.norm(rel, axis=1) / np.array(lps)
    assert np.allclose(radius, 0.15, atol=0.01)
    ang = np.unwrap(np.arctan2(rel[:, 1], rel[:, 0]))
    turns = (ang[-1] - ang[0]) / (2 * np.pi)
    # image y points down: a growing angle turns clockwise on screen
    assert turns == pytest.approx(1.5 * (tl.n_frames - 1) / 30, abs=0.05)


def test_stroke_presses_forward_and_lifts_on_the_way_back() -> None:
    tl = _script(_seg(target="Z14", technique="stroke", duration_s=4.0, amplitude=0.4,
                      speed=0.4, direction="distal"))
    states = [tl.state(k) for k in range(tl.n_frames)]
    contact = np.array([s.contact for s in states])
    assert 0.5 < contact.mean() < 0.8  # forward 1 s pressing, back 0.5 s lifted
    assert all(s.lift > 0 for s in states if not s.contact)
    st0, st1 = states[0], states[20]
    from massagecam.hands import to_palm_frame
    d = to_palm_frame(st1.pad, st1.receiver) - to_palm_frame(st0.pad, st0.receiver)
    assert d[0] > 0.2 and abs(d[1]) < 0.05  # moved distally, along the fingers


def test_hover_away_hidden_and_move() -> None:
    tl = _script(_seg(target="LI4", technique="hold", duration_s=1.0, contact=False)
                 + _seg(action="move", duration_s=1.0)
                 + _seg(target="TE3", technique="hold", duration_s=1.0)
                 + _seg(action="away", duration_s=0.5) + _seg(action="hidden", duration_s=0.5))
    hover = tl.state(10)
    assert not hover.contact and hover.lift > 0 and hover.target == "LI4"
    mid = tl.state(45)
    assert mid.segment.action == "move" and not mid.contact and mid.target is None
    assert tl.state(75).contact and tl.state(75).target == "TE3"
    away = tl.state(95)
    assert away.giver is None and away.receiver is not None and away.pad is None
    hidden = tl.state(110)
    assert hidden.giver is None and hidden.receiver is None


def test_finger_pull_runs_along_the_finger() -> None:
    tl = _script(_seg(target="middle", technique="finger_pull", duration_s=2.0, speed=0.5))
    from massagecam.hands import Landmark as L
    from massagecam.hands import to_palm_frame
    xs = []
    for k in range(0, 40, 4):
        st = tl.state(k)
        assert st.contact
        xs.append(to_palm_frame(st.pad, st.receiver)[0])
    assert np.all(np.diff(xs) > 0)  # towards the fingertip
    st = tl.state(0)
    base = to_palm_frame(st.receiver[L.MIDDLE_FINGER_MCP], st.receiver)[0]
    assert xs[0] == pytest.approx(base, abs=0.05)


@pytest.mark.parametrize("target", ["LI4", "PC8", "TE3", "Z14"])
def test_giver_body_stays_off_the_receiver(target: str) -> None:
    """The solver keeps the giver's wrist and knuckles off the receiving hand (detectability)."""
    import cv2

    from massagecam.hands import Landmark as L
    from massagecam.render.pose import receiver_region

    tl = _script(_seg(target=target, technique="hold", duration_s=0.5))
    st = tl.state(5)
    hull = receiver_region(st.receiver)
    body = [L.WRIST, L.INDEX_FINGER_MCP, L.MIDDLE_FINGER_MCP, L.RING_FINGER_MCP, L.PINKY_MCP]
    inside = sum(cv2.pointPolygonTest(hull, (float(st.giver[j][0]), float(st.giver[j][1])),
                                      False) > 0 for j in body)
    assert inside <= 1
    w, h = tl.wh
    assert np.all((st.giver >= 0) & (st.giver <= (w, h)))


def test_first_move_brings_the_thumb_in_from_beside_the_hand() -> None:
    tl = _script(_seg(action="move", duration_s=1.0)
                 + _seg(target="LI4", technique="hold", duration_s=0.5))
    first, last = tl.state(0), tl.state(29)
    lp = float(palm_length(first.receiver))
    target = target_xy("LI4", first.receiver, tl.handedness, "back")
    assert np.linalg.norm(first.pad - target) > 0.6 * lp
    assert np.linalg.norm(last.pad - target_xy("LI4", last.receiver, tl.handedness, "back")) \
        < 0.05 * lp
    assert first.side == "back" and not first.contact


@pytest.mark.parametrize(("target", "side"), [("LI4", "back"), ("PC8", "palm")])
def test_a_real_proportioned_receiver_keeps_the_pad_on_the_target(target: str, side: str) -> None:
    """``receiver_shape = "real"``: the receiving hand has a real hand's proportions (palm
    0.87 of the middle finger, the template's 1.31) and targets are still met on it."""
    from massagecam.hands import Landmark as L
    from massagecam.hands import to_palm_frame
    from massagecam.synthetic import REAL_OPEN_HAND

    def ratio(xy: np.ndarray) -> float:
        chain = (L.MIDDLE_FINGER_MCP, L.MIDDLE_FINGER_PIP, L.MIDDLE_FINGER_DIP,
                 L.MIDDLE_FINGER_TIP)
        finger = sum(float(np.linalg.norm(xy[a] - xy[b]))
                     for a, b in zip(chain[:-1], chain[1:], strict=True))
        return float(np.linalg.norm(xy[L.WRIST] - xy[L.MIDDLE_FINGER_MCP])) / finger

    body = _seg(target=target, technique="hold", duration_s=1.0)
    real = Timeline(parse_script('receiving = "right"\n[render]\nseed = 5\nsize = [640, 480]\n'
                                 'receiver_shape = "real"\n' + body, "t.toml"))
    plain = _script(body, "right")
    st, st0 = real.state(10), plain.state(10)
    assert ratio(st.receiver) == pytest.approx(0.87, abs=0.01)
    assert ratio(st0.receiver) > 1.25
    # the same hand, anatomically the same way round: its own frame gives the median hand
    assert np.allclose(to_palm_frame(st.receiver, st.receiver), REAL_OPEN_HAND, atol=0.01)
    lp = float(palm_length(st.receiver))
    want = target_xy(target, st.receiver, real.handedness, side)
    assert np.linalg.norm(st.pad - want) < 0.02 * lp
