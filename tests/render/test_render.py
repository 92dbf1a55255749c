"""Rendering: deterministic frames and truth, visible hands, occlusion order, written files."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from massagecam.hands import Landmark as L
from massagecam.render import Renderer, parse_script, render_session
from massagecam.render.hand import HandStyle, rasterize
from massagecam.render.skin import TONES, skin
from massagecam.synthetic import make_hand

SCRIPT = """
receiving = "left"
[render]
seed = {seed}
size = [320, 240]
fps = 15
skin = "III"
background = "cluttered"
lighting = "side"
[[perform]]
step = 1
target = "LI4"
technique = "circles"
duration_s = 1.0
[[perform]]
action = "move"
duration_s = 0.4
[[perform]]
step = 2
target = "TE3"
technique = "hold"
contact = false
duration_s = 0.6
"""


def _frames(seed: int) -> tuple[list[np.ndarray], list[dict]]:
    r = Renderer(parse_script(SCRIPT.format(seed=seed), "s.toml"))
    imgs, truth = [], []
    for f in r.frames():
        imgs.append(f.image)
        truth.append(f.truth)
    return imgs, truth


def test_same_script_and_seed_give_identical_frames_and_truth() -> None:
    a_img, a_tr = _frames(4)
    b_img, b_tr = _frames(4)
    assert len(a_img) == 30
    assert all(np.array_equal(x, y) for x, y in zip(a_img, b_img, strict=True))
    assert json.dumps(a_tr) == json.dumps(b_tr)
    c_img, c_tr = _frames(5)
    assert not np.array_equal(a_img[0], c_img[0])
    assert a_img[0].shape == (240, 320, 3) and a_img[0].dtype == np.uint8


def test_truth_entries_follow_the_script() -> None:
    _, tr = _frames(4)
    first, move, hover = tr[0], tr[17], tr[-1]
    assert first["step"] == 1 and first["target"] == "LI4" and first["contact"] is True
    assert first["technique"] == "circles" and first["side"] == "back"
    assert "LI4" in first["zones"]
    assert len(first["giver"]) == 21 and len(first["receiver"]) == 21
    assert move["action"] == "move" and move["target"] is None and move["contact"] is False
    assert hover["target"] == "TE3" and hover["contact"] is False and hover["step"] == 2
    assert [f["frame"] for f in tr] == list(range(30))
    assert tr[1]["t"] == pytest.approx(1 / 15, abs=1e-4)


def test_giver_thumb_is_drawn_over_the_receiver() -> None:
    r = Renderer(parse_script(SCRIPT.format(seed=4), "s.toml"))
    f = r.render(0)
    st = f.state
    # the pixel at the thumb pad shows the giver's skin, not the receiver's dent
    tip = st.giver[L.THUMB_IP] + 0.5 * (st.giver[L.THUMB_TIP] - st.giver[L.THUMB_IP])
    x, y = int(round(tip[0])), int(round(tip[1]))
    bg = r.bg[y, x]
    assert np.abs(f.image[y, x].astype(float) - bg).sum() > 30
    # the receiver's palm centre is covered by skin, far from the background colour
    c = 0.5 * (st.receiver[L.WRIST] + st.receiver[L.MIDDLE_FINGER_MCP])
    hx, hy = int(c[0]), int(c[1])
    assert np.abs(f.image[hy, hx].astype(float) - r.bg[hy, hx]).sum() > 30


@pytest.mark.parametrize("tone", TONES)
def test_palm_and_back_differ_and_tones_are_ordered(tone: str) -> None:
    xy = make_hand((160, 130), 70, 0, "Left", "palm")
    light = np.array([0.0, -0.3, 0.95], np.float32)
    palm = rasterize(xy, HandStyle(skin(tone), "palm", "Left"), light, (320, 260))
    back = rasterize(make_hand((160, 130), 70, 0, "Left", "back"),
                     HandStyle(skin(tone), "back", "Left"), light, (320, 260))
    assert palm is not None and back is not None
    mp = palm.color[palm.part == 2].mean(0)  # the palm part only
    mb = back.color[back.part == 2].mean(0)
    assert np.abs(mp - mb).sum() > 8  # the two faces differ in colour
    if tone in ("IV", "V", "VI"):
        assert mp.mean() > mb.mean()  # palms are much lighter on darker skin
    if tone != "I":
        darker = skin(TONES[TONES.index(tone) - 1])
        assert skin(tone).back.mean() < darker.back.mean()


def test_render_session_writes_video_and_truth(tmp_path: Path) -> None:
    s = parse_script(SCRIPT.format(seed=1), "s.toml")
    out, truth = tmp_path / "v.mp4", tmp_path / "v.json"
    doc = render_session(s, out, truth)
    cap = cv2.VideoCapture(str(out))
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    ok, img = cap.read()
    cap.release()
    assert ok and img.shape == (240, 320, 3) and n == 30
    data = json.loads(truth.read_text())
    assert data == json.loads(json.dumps(doc))
    assert data["script"]["receiving"] == "left" and len(data["frames"]) == 30
    keys = {"frame", "t", "step", "contact", "target", "zones", "technique", "thumb_xy",
            "giver", "receiver"}
    assert keys <= set(data["frames"][0])


def test_unknown_video_suffix_is_an_error(tmp_path: Path) -> None:
    from massagecam.errors import MassagecamError

    s = parse_script(SCRIPT.format(seed=1), "s.toml")
    with pytest.raises(MassagecamError, match="suffix"):
        render_session(s, tmp_path / "v.gif")
