"""Photo-composite mode on the shared real footage (real model, real GrabCut)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from massagecam.errors import CaptureError
from massagecam.hands import to_palm_frame
from massagecam.render import Renderer, parse_script
from massagecam.render.composite import load_cutouts, place, read_photo

SCRIPT = """
receiving = "left"
[render]
seed = 2
fps = 10
[[perform]]
target = "PC8"
technique = "hold"
duration_s = 0.5
"""


def test_read_photo_errors_are_capture_errors(tmp_path: Path) -> None:
    with pytest.raises(CaptureError, match="no such photo"):
        read_photo(tmp_path / "missing.jpg")
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image")
    with pytest.raises(CaptureError, match="not a readable image"):
        read_photo(bad)


@pytest.mark.model
@pytest.mark.footage
def test_composite_poses_real_cutouts_exactly(footage: Path) -> None:
    rec, giv = load_cutouts(footage / "open_palm_finger_poses_720p.mp4",
                            footage / "thumb_up.jpg")
    assert rec is not None and giv is not None
    assert rec.handedness == "Right" and rec.side == "palm"
    # a hand, not the whole frame and not a sliver
    cover = float((rec.alpha > 0.5).mean())
    assert 0.15 < cover < 0.9
    r = Renderer(parse_script(SCRIPT), rec, giv)
    f = r.render(2)
    st = f.state
    assert st.side == "palm"  # the photo decides the face
    # the truth receiver is the photographed hand's own shape, moved (and mirrored: left)
    assert np.allclose(to_palm_frame(st.receiver, st.receiver), rec.template(), atol=1e-3)
    placed = place(rec, st.receiver, r.wh)
    assert placed is not None and placed.alpha.max() > 0.9
    assert f.truth["target"] == "PC8" and "PC8" in f.truth["zones"]
