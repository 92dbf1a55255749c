"""The real landmark model on one rendered caregiver scene (a regression check, not the benchmark).

benchmarks/caregiver.py measures many sessions; this fixed scene (support press, seed 0, the
receiver upside down) is one where the detector finds the hands (seeds 0-5: all three hands
in 5 of 6, measured when this test was written), so a change
in the renderer or the landmarker that loses them shows up here.
"""

from __future__ import annotations

import pytest

from massagecam.render.caregiver import CaregiverRenderer, CaregiverScene, found


@pytest.mark.model
def test_detector_finds_receiver_and_pressing_thumb(model_path):
    from massagecam.landmarker import Landmarker

    r = CaregiverRenderer(CaregiverScene("support_press", seconds=1.5, seed=0))
    rec = thumb = press = 0
    with Landmarker(model_path=model_path, num_hands=3) as lm:
        for i, f in enumerate(r.frames):
            fo = found(f, lm.detect(r.render(i), f.t, f.index))
            rec += fo["receiver"]
            if f.contact[1]:
                press += 1
                thumb += fo["right_thumb"]
    n = len(r.frames)
    assert press >= 20
    assert rec >= 0.9 * n, f"receiver found in {rec}/{n} frames"
    assert thumb >= 0.8 * press, f"right thumb found in {thumb}/{press} press frames"
