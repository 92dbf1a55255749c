"""The overlay names which of the caregiver's thumbs did what."""

from __future__ import annotations

import numpy as np
import pytest

from massagecam.overlay import Overlay, ThumbAnnotator, View, thumb_lines
from massagecam.render.caregiver import CaregiverScene, caregiver_poses
from massagecam.session import Pipeline


@pytest.fixture(autouse=True)
def _no_user_calibration(tmp_path, monkeypatch):
    monkeypatch.setenv("MASSAGECAM_HOME", str(tmp_path))


@pytest.fixture(scope="module")
def support_result():
    frames = caregiver_poses(CaregiverScene(technique="support_press", seconds=2.5, seed=1))
    pipe = Pipeline(mode="caregiver", landmarker=object())
    res = None
    for f in frames:
        res = pipe.update_hands(f.hands())
    return res


def test_lines_name_the_thumbs(support_result):
    a = support_result.analysis
    from massagecam.technique_pair import thumb_names

    lines = thumb_lines(a.pair, thumb_names(a.hands), a.contacts, a.techniques)
    assert lines[0] == "caregiver's right thumb presses, left hand supports"
    assert lines[1].startswith("left thumb: ") and " | right thumb: " in lines[1]


@pytest.mark.parametrize("mirror", [False, True])
def test_labels_drawn_at_mirrored_press_points(support_result, mirror: bool):
    a = support_result.analysis
    scene = np.zeros((720, 960, 3), np.uint8)
    ThumbAnnotator().annotate(scene, a, mirrored=mirror, origin=(8, 600))
    for c in a.contacts:
        x = 959 - c.xy[0] if mirror else c.xy[0]
        x0, y0 = int(x + 12), int(c.xy[1] - 12)
        patch = scene[y0 - 14:y0 + 4, x0 - 2:x0 + 16]
        assert patch.any(), (mirror, c.xy)
    assert scene[585:605, 8:300].any()  # the summary line


def test_compose_draws_thumb_names_only_in_caregiver_mode(support_result):
    a = support_result.analysis
    base = np.full((720, 960, 3), 90, np.uint8)
    ov = Overlay(atlas=None)
    with_pair = ov.compose(base.copy(), support_result, View(mirror=False))
    from massagecam.results import FrameAnalysis

    plain = FrameAnalysis(hands=a.hands, side=a.side, contacts=a.contacts,
                          techniques=a.techniques, hints=a.hints)
    without = ov.compose(base.copy(), plain, View(mirror=False))
    diff = (with_pair != without).any(axis=2)
    ys, xs = np.nonzero(diff)
    assert len(ys) > 200
    y = 720 - round(205 * 1.5)  # the summary line's origin at this image height
    assert diff[y - 20:y + 10, 8:400].any()
