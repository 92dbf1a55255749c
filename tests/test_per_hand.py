"""PerHandLandmarker: one single-hand instance per hand, painted-over searches, duplicates.

Unit tests drive it with fake single-hand detectors over synthetic hands: a fake "palm
detector" finds the first hand whose palm is not painted grey, and a tracking fake follows
the hand nearest its last one, as MediaPipe's VIDEO mode does. The real-model test compares
it with the two-hand Landmarker on a rendered two-hand session.
"""

from __future__ import annotations

import os
import time

import cv2
import numpy as np
import pytest

from massagecam.errors import ConfigError
from massagecam.hands import Hands, Landmark
from massagecam.per_hand import (
    MASK_BGR,
    MODEL_NICE,
    PerHandLandmarker,
    _thread_ids,
    paint_over,
    pin_native_threads,
)
from massagecam.synthetic import make_hand

A = make_hand((200, 240), 100)
B = make_hand((440, 240), 100, handedness="Left")


class FakeSingle:
    """A single-hand VIDEO-mode detector over fixed true hands (see the module docstring)."""

    def __init__(self, truth: list[np.ndarray]) -> None:
        self.truth = truth
        self.tracked: np.ndarray | None = None
        self.images: list[np.ndarray] = []
        self.closed = False
        self.model_path = None

    def _visible(self, image: np.ndarray, xy: np.ndarray) -> bool:
        x, y = np.round(xy[Landmark.MIDDLE_FINGER_MCP]).astype(int)
        return tuple(int(v) for v in image[y, x]) != MASK_BGR

    def detect(self, image: np.ndarray, t: float, frame_index: int) -> Hands:
        self.images.append(image)
        if self.tracked is not None:  # tracking: the nearest true hand, if still visible
            near = min(self.truth, key=lambda h: float(np.abs(h - self.tracked).mean()))
            self.tracked = near if self._visible(image, near) else None
        else:  # a search: the first hand the palm detector can see
            self.tracked = next((h for h in self.truth if self._visible(image, h)), None)
        if self.tracked is None:
            return Hands.empty(frame_index=frame_index, t=t, image_wh=(640, 480))
        return Hands.from_arrays(self.tracked[None], frame_index=frame_index, t=t,
                                 image_wh=(640, 480))

    def close(self) -> None:
        self.closed = True


def _scene() -> np.ndarray:
    return np.full((480, 640, 3), 90, np.uint8)


def test_config_checked():
    with pytest.raises(ConfigError, match="num_hands 1: expected 2..4"):
        PerHandLandmarker(num_hands=1, instances=[FakeSingle([A])])
    with pytest.raises(ConfigError, match="instances: 1 given, expected 2"):
        PerHandLandmarker(instances=[FakeSingle([A])])
    with pytest.raises(ConfigError, match=r"reuse_still 0.0: expected None or 0 < share <= 0.5"):
        PerHandLandmarker(reuse_still=0.0, instances=[FakeSingle([A]), FakeSingle([A])])


def test_paint_over_covers_the_hand_and_leaves_the_rest():
    img = _scene()
    out = paint_over(img, [A])
    assert out is not img and (img == 90).all()  # the frame itself is not touched
    for joint in (Landmark.WRIST, Landmark.MIDDLE_FINGER_MCP, Landmark.INDEX_FINGER_TIP):
        x, y = np.round(A[joint]).astype(int)
        assert tuple(out[y, x]) == MASK_BGR
    x, y = np.round(B[Landmark.MIDDLE_FINGER_MCP]).astype(int)
    assert tuple(out[y, x]) == (90, 90, 90)


def test_each_instance_takes_its_own_hand():
    fakes = [FakeSingle([A, B]), FakeSingle([A, B])]
    with PerHandLandmarker(background_search=False, instances=fakes) as ph:
        first = ph.detect(_scene(), 0.0, 0)
        # only the first empty instance searched: the second waits for the next frame
        assert len(first) == 1 and len(fakes[0].images) == 1 and not fakes[1].images
        second = ph.detect(_scene(), 1 / 60, 1)
        assert len(second) == 2
        # the second searched with the first's hand painted over, so it found the other one
        x, y = np.round(A[Landmark.MIDDLE_FINGER_MCP]).astype(int)
        assert tuple(fakes[1].images[0][y, x]) == MASK_BGR
        found = sorted(float(h[:, 0].mean()) for h in second.xy)
        assert found == pytest.approx([float(A[:, 0].mean()), float(B[:, 0].mean())])
        # tracking frames are not painted, and nobody searches any more
        third = ph.detect(_scene(), 2 / 60, 2)
        assert len(third) == 2 and ph.stats.searches == 2
        assert (fakes[0].images[-1] == 90).all() and (fakes[1].images[-1] == 90).all()
        assert ph.stats.detected_counts == {1: 1, 2: 2}
    assert all(f.closed for f in fakes)
    with pytest.raises(RuntimeError, match="closed"):
        ph.detect(_scene(), 1.0, 3)


def test_a_duplicate_is_dropped_and_its_instance_searches_again():
    fakes = [FakeSingle([A, B]), FakeSingle([A, B])]
    with PerHandLandmarker(background_search=False, instances=fakes) as ph:
        ph.detect(_scene(), 0.0, 0)
        ph.detect(_scene(), 0.02, 1)
        fakes[1].tracked = A.copy()  # the second instance's track slides onto the first hand
        dup = ph.detect(_scene(), 0.04, 2)
        assert len(dup) == 1 and ph.stats.duplicates == 1
        assert float(dup.xy[0][:, 0].mean()) == pytest.approx(float(A[:, 0].mean()))
        # next frame: it sees its hand painted over, loses it ...
        assert len(ph.detect(_scene(), 0.06, 3)) == 1
        # ... and then finds the other hand again
        assert len(ph.detect(_scene(), 0.08, 4)) == 2


def test_background_search_reports_the_found_hand_from_the_next_frame():
    class Slow(FakeSingle):
        def detect(self, image: np.ndarray, t: float, frame_index: int) -> Hands:
            time.sleep(0.05)
            return super().detect(image, t, frame_index)

    fakes = [Slow([A]), Slow([A])]
    with PerHandLandmarker(instances=fakes) as ph:
        t0 = time.perf_counter()
        assert len(ph.detect(_scene(), 0.0, 0)) == 0  # not waited for
        assert time.perf_counter() - t0 < 0.04
        time.sleep(0.1)
        assert len(ph.detect(_scene(), 0.1, 1)) == 1  # the finished search's hand


def test_a_still_hand_skips_every_other_frame_and_a_moving_one_none():
    class Moving(FakeSingle):
        """Hand A still; hand B moving 5 px a frame (0.05 palm lengths here)."""

        def detect(self, image: np.ndarray, t: float, frame_index: int) -> Hands:
            shift = np.float32([5.0 * frame_index, 0.0])
            self.truth = [A, B + shift]
            if self.tracked is not None and float(self.tracked[:, 0].mean()) > 320:
                self.tracked = self.tracked + shift - self.shift  # follows its hand
            self.shift = shift
            self.runs = getattr(self, "runs", []) + [frame_index]
            return super().detect(image, t, frame_index)

    fakes = [Moving([A, B]), Moving([A, B])]
    with PerHandLandmarker(background_search=False, reuse_still=0.015, instances=fakes) as ph:
        frames = [ph.detect(_scene(), i / 60, i) for i in range(12)]
        still = next(f for f in fakes if float(f.tracked[:, 0].mean()) < 320)
        moving = next(f for f in fakes if f is not still)
        # both found on every frame from the second on, the moving hand where it is now
        for i, hands in enumerate(frames[1:], start=1):
            assert len(hands) == 2 and hands.frame_index == i
            right = max(hands.xy, key=lambda xy: float(xy[:, 0].mean()))
            assert float(right[:, 0].mean()) == pytest.approx(float(B[:, 0].mean()) + 5 * i)
        # the moving hand runs on every frame; the still one on every other frame once it
        # has two runs to compare, and the frames between reuse its last landmarks exactly
        assert moving.runs == list(range(moving.runs[0], 12))
        gaps = np.diff(still.runs[1:])
        assert len(gaps) >= 4 and (gaps == 2).all()
        skipped = [i for i in range(still.runs[0], 12) if i not in still.runs]
        for i in skipped:
            left = min(frames[i].xy, key=lambda xy: float(xy[:, 0].mean()))
            assert np.array_equal(left, A)
        assert ph.stats.reused == len(skipped)


@pytest.mark.model
def test_same_hands_and_landmarks_as_the_two_hand_landmarker():
    """On a rendered two-hand session: both hands on as many frames, at the same places."""
    from massagecam.capture import open_source
    from massagecam.landmarker import Landmarker
    from massagecam.paths import samples_dir

    video = samples_dir() / "li4-quick-good.mp4"
    with open_source(video) as src:
        frames = [cv2.resize(f.image, (640, 480)) for _, f in zip(range(240), src,
                                                                 strict=False)]
    both = {"whole": 0, "per_hand": 0}
    diffs = []
    with Landmarker(second_look=False, search_every_s=None) as lm, \
            PerHandLandmarker(background_search=False) as ph:
        for i, img in enumerate(frames):
            a, b = lm.detect(img, i / 30, i), ph.detect(img, i / 30, i)
            both["whole"] += len(a) == 2
            both["per_hand"] += len(b) == 2
            for xy in a.xy:
                if len(b):
                    diffs.append(min(float(np.linalg.norm(xy - q, axis=1).mean()) for q in b.xy))
    assert both["whole"] >= 0.8 * len(frames)
    assert both["per_hand"] >= both["whole"] - 0.02 * len(frames)
    assert float(np.median(diffs)) < 0.5 and float(np.percentile(diffs, 90)) < 2.0
    assert ph.stats.duplicates <= 2


def test_pinning_a_thread_that_is_gone_is_skipped_not_an_error():
    assert pin_native_threads({2**22 + 12345}, 0) == 0


@pytest.mark.model
@pytest.mark.skipif(not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
                    reason="pinning needs Linux and at least two usable cores")
def test_each_instance_keeps_its_model_threads_on_a_core_of_its_own():
    cpus = sorted(os.sched_getaffinity(0))
    before = _thread_ids()
    with PerHandLandmarker(num_hands=2, pin_threads=True) as ph:
        threads = sorted(_thread_ids() - before)
        assert ph.pinned == len(threads) >= 2
        cores = [os.sched_getaffinity(t) for t in threads]
        assert all(len(c) == 1 for c in cores)
        base = os.getpriority(os.PRIO_PROCESS, 0)
        assert all(os.getpriority(os.PRIO_PROCESS, t) == min(19, base + MODEL_NICE)
                   for t in threads)
        # instance 0's threads (started first) on the first core, instance 1's on the next
        half = len(threads) // 2
        assert {next(iter(c)) for c in cores[:half]} == {cpus[0]}
        assert {next(iter(c)) for c in cores[half:]} == {cpus[1]}
    with PerHandLandmarker(num_hands=2) as ph:  # off by default
        assert ph.pinned == 0
        assert all(len(os.sched_getaffinity(t)) == len(cpus) for t in _thread_ids() - before)
        assert all(os.getpriority(os.PRIO_PROCESS, t) == os.getpriority(os.PRIO_PROCESS, 0)
                   for t in _thread_ids() - before)
