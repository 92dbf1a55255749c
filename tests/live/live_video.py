"""Videos for live-loop tests: a rendered sample when the repository has one, else a synthesised
clip (two synthetic hands drawn as skin-coloured shapes, moving) written to a temp folder; and
a camera stand-in that plays a real video file through FOUNDATION's camera code and fails on
purpose."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

from massagecam.hands import CONNECTIONS
from massagecam.paths import samples_dir
from massagecam.synthetic import make_hand


def rendered_sample() -> Path | None:
    """The first readable bundled rendered session (samples/*.mp4), or None."""
    for path in sorted(samples_dir().glob("*.mp4")):
        cap = cv2.VideoCapture(str(path))
        ok = cap.isOpened() and cap.read()[0] and cap.get(cv2.CAP_PROP_FRAME_WIDTH) > 0
        cap.release()
        if ok:
            return path
    return None


def synth_video(path: Path, seconds: float = 3.0, fps: float = 30.0,
                size: tuple[int, int] = (640, 480)) -> Path:
    """A clip of two drawn hands, the giver's thumb circling over the receiver's palm."""
    w, h = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    assert writer.isOpened()
    for i in range(int(seconds * fps)):
        t = i / fps
        img = np.full((h, w, 3), (200, 215, 225), np.uint8)
        rec = make_hand((w * 0.45, h * 0.6), h * 0.28, 10, "Left", "palm")
        orbit = (20 * np.cos(2 * np.pi * t), 20 * np.sin(2 * np.pi * t))
        giv = make_hand((w * 0.62 + orbit[0], h * 0.4 + orbit[1]), h * 0.25, -70, "Right", "back",
                        curl=0.4)
        for hand, tone in ((rec, (120, 150, 200)), (giv, (100, 135, 190))):
            for a, b in CONNECTIONS:
                cv2.line(img, tuple(np.round(hand[a]).astype(int)),
                         tuple(np.round(hand[b]).astype(int)), tone, 14, cv2.LINE_AA)
            cv2.fillConvexPoly(img, cv2.convexHull(np.round(hand[[0, 1, 5, 9, 13, 17]])
                                                   .astype(np.int32)), tone, cv2.LINE_AA)
        writer.write(img)
    writer.release()
    return path


def session_video(tmp_path: Path, seconds: float = 3.0) -> Path:
    return rendered_sample() or synth_video(tmp_path / "session.mp4", seconds)


class FlakyCamera:
    """A ``cv2.VideoCapture``-like camera made of a real video file, paced at its fps, that
    stops delivering after ``fail_after`` frames (a camera unplugged mid-session)."""

    def __init__(self, path: Path, fail_after: int | None = None, fps: float = 30.0) -> None:
        self.cap = cv2.VideoCapture(str(path))
        self.fail_after, self.period = fail_after, 1.0 / fps
        self.reads = 0
        self.next_t = time.monotonic()

    def isOpened(self) -> bool:  # noqa: N802 (OpenCV's name)
        return self.cap.isOpened()

    def read(self):
        if self.fail_after is not None and self.reads >= self.fail_after:
            return False, None
        wait = self.next_t - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.next_t = max(self.next_t + self.period, time.monotonic() - self.period)
        ok, img = self.cap.read()
        if not ok:  # loop the clip: a camera never ends
            self.cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, img = self.cap.read()
        self.reads += 1
        return ok, img

    def set(self, prop, value) -> bool:
        return True

    def get(self, prop) -> float:
        return 30.0 if prop == cv2.CAP_PROP_FPS else 0.0

    def release(self) -> None:
        self.cap.release()


class Closed:
    def isOpened(self) -> bool:  # noqa: N802
        return False

    def release(self) -> None:
        pass


class CameraPlan:
    """``capture_factory`` for ``open_source``: camera 0 is a FlakyCamera per plan entry.

    ``plan`` lists, per open attempt of camera 0, ``None`` (absent: fails to open) or the
    number of frames before it fails (``-1``: never fails). Other indices are absent.
    """

    def __init__(self, video: Path, plan: list[int | None]) -> None:
        self.video, self.plan = video, list(plan)
        self.opens = 0

    def __call__(self, target, api):
        if target != 0:
            return Closed()
        entry = self.plan[min(self.opens, len(self.plan) - 1)]
        self.opens += 1
        if entry is None:
            return Closed()
        return FlakyCamera(self.video, None if entry < 0 else entry)
