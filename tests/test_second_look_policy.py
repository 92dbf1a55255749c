"""The landmarker's second look: when it may run, and which candidates it rejects."""

from __future__ import annotations

import numpy as np
import pytest

from massagecam.errors import ConfigError
from massagecam.landmarker import Landmarker
from massagecam.second_look import inside_share as _inside_share
from massagecam.synthetic import make_hand


def test_inside_share_tells_a_phantom_from_a_partner() -> None:
    lone = make_hand((300.0, 240.0), 100.0, 0.0, "Right", "palm")
    phantom = (lone - lone.mean(0)) * 0.4 + lone.mean(0)  # a small "hand" drawn on it
    partner = make_hand((420.0, 240.0), 100.0, 30.0, "Left", "back")
    assert _inside_share(phantom, lone) > 0.9
    assert _inside_share(partner, lone) < 0.9


def test_memory_is_checked_at_construction() -> None:
    with pytest.raises(ConfigError, match="second_look_memory_s"):
        Landmarker(second_look_memory_s=-1.0)


@pytest.mark.model
def test_one_hand_video_gets_one_look_and_no_phantom(footage) -> None:
    """thumb_up_720p.mp4 gained a phantom partner when the second look ran on every lone frame."""
    from massagecam.capture import open_source

    with Landmarker() as lm, open_source(footage / "thumb_up_720p.mp4") as src:
        counts = [len(lm.detect(f.image, f.t, f.index)) for f in src]
        looks = lm.stats.second_look_runs
    assert max(counts) == 1
    assert looks == 1  # once at the start, never again without a recent pair


@pytest.mark.model
def test_still_image_keeps_both_hands(footage) -> None:
    import cv2

    image = cv2.imread(str(footage / "two_thumbs_up.jpg"))
    with Landmarker() as lm:
        hands = lm.detect(np.ascontiguousarray(image), 0.0, 0)
    assert len(hands) == 2
