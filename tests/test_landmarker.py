"""Landmarker adapter: model verification, real-model detection, mirroring, second look."""

from __future__ import annotations

import shutil

import cv2
import numpy as np
import pytest

from massagecam.errors import ConfigError, ModelError
from massagecam.hands import Landmark, palm_length
from massagecam.landmarker import MODEL_SHA256, Landmarker, sha256_of, verify_model
from massagecam.second_look import same_hand as _same_hand
from massagecam.synthetic import make_hand


def test_bundled_model_verifies(model_path):
    assert verify_model() == model_path
    assert sha256_of(model_path) == MODEL_SHA256


def test_corrupt_bundled_model_is_a_one_line_model_error(tmp_path, monkeypatch, model_path):
    data = model_path.read_bytes()
    (tmp_path / "hand_landmarker.task").write_bytes(data[: len(data) // 2])
    monkeypatch.setenv("MASSAGECAM_MODELS", str(tmp_path))
    with pytest.raises(ModelError, match=r"hand_landmarker.task: the bundled hand model is "
                                         r"corrupt: sha256 .* but expected fbc2a30080c3") as err:
        verify_model()
    assert "\n" not in str(err.value)


def test_missing_bundled_model(tmp_path, monkeypatch):
    monkeypatch.setenv("MASSAGECAM_MODELS", str(tmp_path))
    with pytest.raises(ModelError, match="bundled hand model file is missing"):
        verify_model()


def test_user_model_must_be_a_task_bundle(tmp_path, model_path):
    junk = tmp_path / "junk.task"
    junk.write_bytes(np.random.default_rng(0).bytes(4000))
    with pytest.raises(ModelError, match=r"junk.task: model is not a MediaPipe task bundle"):
        verify_model(junk)
    with pytest.raises(ModelError, match=r"nope.task: model file is missing"):
        verify_model(tmp_path / "nope.task")
    copy = tmp_path / "mine.task"  # a renamed copy of a good bundle is accepted
    shutil.copy(model_path, copy)
    assert verify_model(copy) == copy


def test_config_checked_at_construction():
    with pytest.raises(ConfigError, match="num_hands 0"):
        Landmarker(num_hands=0)
    with pytest.raises(ConfigError, match="min_detection_confidence 1.5"):
        Landmarker(min_detection_confidence=1.5)


def test_same_hand_rule_on_synthetic_hands():
    a = make_hand((300, 300), 100)
    assert _same_hand(a + 5, a)
    assert not _same_hand(make_hand((520, 300), 100), a)
    # a mirrored partner whose box overlaps this one's is still a different hand
    b = make_hand((400, 300), 100, handedness="Left")
    assert b.min(0)[0] < a.max(0)[0]
    assert not _same_hand(b, a)


@pytest.mark.model
def test_thumb_up_photo_landmarks(footage):
    image = cv2.imread(str(footage / "thumb_up.jpg"))
    with Landmarker(second_look=False) as lm:
        hands = lm.detect(image, 0.0, 0)
    assert len(hands) == 1 and hands.detected == 1
    assert hands.image_wh == (640, 521) and hands.frame_index == 0
    xy = hands.xy[0]
    assert (xy[:, 0] >= 0).all() and (xy[:, 0] < 640).all() and (xy[:, 1] < 521).all()
    assert 20 < float(palm_length(xy)) < 400
    world_palm = np.linalg.norm(hands.world[0, Landmark.MIDDLE_FINGER_MCP]
                                - hands.world[0, Landmark.WRIST])
    assert 0.04 < world_palm < 0.15  # metres
    assert np.ptp(hands.z[0]) > 1.0  # pixel-scaled depth, not normalised


@pytest.mark.model
def test_mirrored_frames_keep_anatomical_handedness(footage):
    image = cv2.imread(str(footage / "thumb_up.jpg"))
    with Landmarker(second_look=False) as raw:
        label = raw.detect(image, 0.0, 0).handedness.tolist()
        flipped = raw.detect(cv2.flip(image, 1), 0.04, 1).handedness.tolist()
    assert len(label) == 1 and flipped == ["Left" if label == ["Right"] else "Right"]
    with Landmarker(second_look=False, mirrored=True) as lm:
        assert lm.detect(cv2.flip(image, 1), 0.0, 0).handedness.tolist() == label


@pytest.mark.model
def test_timestamps_never_go_back_and_close_is_final(footage):
    image = cv2.imread(str(footage / "thumb_up.jpg"))
    lm = Landmarker(second_look=False)
    with lm:
        for t in (0.5, 0.5, 0.2):  # equal and earlier stamps are nudged, not refused
            assert len(lm.detect(image, t, 0)) == 1
        assert lm.stats.timestamp_bumps == 2
        empty = lm.detect(np.zeros((240, 320, 3), np.uint8), 1.0, 7)
        assert len(empty) == 0 and empty.detected == 0 and empty.image_wh == (320, 240)
    lm.close()
    with pytest.raises(RuntimeError, match="closed"):
        lm.detect(image, 2.0, 0)


@pytest.mark.model
def test_second_look_recovers_the_touching_hand(footage):
    image = cv2.imread(str(footage / "two_thumbs_up.jpg"))
    with Landmarker(second_look=False) as bare:
        assert len(bare.detect(image, 0.0, 0)) == 1  # what bare MediaPipe finds
    with Landmarker() as lm:
        hands = lm.detect(image, 0.0, 0)
    assert len(hands) == 2 and hands.detected == 2
    assert lm.stats.second_look_recoveries == 1
    assert not _same_hand(hands.xy[1], hands.xy[0])
    # the recovered hand is the one behind, on the left of the photo
    assert hands.xy[1][:, 0].mean() < hands.xy[0][:, 0].mean()


def test_search_cadence_config_checked():
    with pytest.raises(ConfigError, match="search_every_s 0: expected 0 < s <= 5 or None"):
        Landmarker(search_every_s=0)
    with pytest.raises(ConfigError, match="sparse_after_s -1: expected 0..60"):
        Landmarker(sparse_after_s=-1)


@pytest.mark.model
def test_one_hand_is_tracked_sparsely_with_the_same_landmarks(footage):
    """With one hand in view, tracking it alone (and searching for a second hand five times a
    second) finds it on every frame at the same place as full detection, at less cost."""
    from massagecam.capture import open_source

    with open_source(footage / "open_palm_finger_poses_720p.mp4") as src:
        frames = [f for _, f in zip(range(150), src, strict=False)]
    runs = {}
    for every in (None, 0.2):
        with Landmarker(second_look=False, search_every_s=every) as lm:
            runs[every] = [lm.detect(f.image, f.t, f.index) for f in frames]
            stats = lm.stats
    assert all(h.detected == 1 for h in runs[0.2])
    # 5 s at 30 fps: full detection for the first second, then 4 s tracked alone with a
    # search every 0.2 s
    assert stats.sparse_frames + stats.searches >= 115 and 16 <= stats.searches <= 24
    err = [float(np.median(np.linalg.norm(a.xy[0] - b.xy[0], axis=1)))
           for a, b in zip(runs[None], runs[0.2], strict=True)]
    assert float(np.median(err)) < 2.0  # pixels, at 1280x720
