"""The renderer draws a press the way the synthetic trajectories model it (bent, foreshortened
thumb tip), eased in and out, and a hover near the open-hand rest."""

from __future__ import annotations

import numpy as np

from massagecam.contact import finger_cues
from massagecam.hands import Hands, Role
from massagecam.render.script import parse_script
from massagecam.render.timeline import Timeline

HEAD = 'receiving = "left"\n[render]\nseed = 3\nsize = [640, 480]\nfps = 30\n'
BODY = ('[[perform]]\ntarget = "LI4"\ntechnique = "hold"\nduration_s = 1.0\ncontact = false\n'
        '[[perform]]\ntarget = "LI4"\ntechnique = "hold"\nduration_s = 1.0\n')


def _cues(tl: Timeline, k: int) -> tuple[float, float, float]:
    st = tl.state(k)
    hands = Hands.from_arrays(np.stack([st.receiver, st.giver]), handedness=["Left", "Right"],
                              role=[int(Role.RECEIVER), int(Role.GIVER)], track_id=[0, 1])
    c = finger_cues(hands, 1, "thumb", 0)
    return c.flex_deg, c.distal_ratio, st.press


def test_press_bends_and_shortens_the_thumb_tip() -> None:
    tl = Timeline(parse_script(HEAD + BODY, "t.toml"))
    hover = [_cues(tl, k) for k in range(5, 25)]
    press = [_cues(tl, k) for k in range(35, 55)]
    assert all(p == 0.0 for _, _, p in hover) and all(p == 1.0 for _, _, p in press)
    # press pose at pressure 0.5: 26-37 deg, 67-77 % of the resting image length
    assert min(f for f, _, _ in press) > max(f for f, _, _ in hover) + 5
    assert all(25 < f < 38 for f, _, _ in press)
    assert all(0.6 < r < 0.8 for _, r, _ in press)


def test_press_eases_in_around_the_switch() -> None:
    tl = Timeline(parse_script(HEAD + BODY, "t.toml"))
    ks = [_cues(tl, k)[2] for k in range(26, 35)]
    assert ks == sorted(ks) and 0.0 < ks[len(ks) // 2] < 1.0  # frame 30 is the switch
    pads = [tl.state(k).pad for k in (29, 30, 31)]
    givers = [tl.state(k).giver for k in (29, 30, 31)]
    for pad, g in zip(pads, givers, strict=True):  # the pad stays pinned on the target
        pin = g[3] + 0.7 * (g[4] - g[3])
        assert np.allclose(pin, pad, atol=0.5)
