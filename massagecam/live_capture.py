"""Live sources: cameras and streams, read by a thread that keeps only the newest frame.

Why a thread: a camera delivers frames at its own pace whether we are ready or not, and the
driver queues them. Reading them one by one from a slow analysis loop would show ever older
frames. A thread that always reads and keeps just the latest one makes the consumer see fresh
frames, with gaps counted in ``dropped``; timestamps are ``time.monotonic()`` at grab time.
Opened through :func:`massagecam.capture.open_source`.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from massagecam.capture import CaptureFactory, Frame, Source, SourceInfo
from massagecam.errors import CaptureError

#: Camera indices probed to tell the user which cameras do open.
PROBE_INDICES = range(10)
#: How long a camera may stay silent before it counts as lost.
CAMERA_TIMEOUT_S = 3.0


def default_factory(target: Any, api: int) -> Any:
    """Open ``target`` with OpenCV; absent-camera probes are kept quiet."""
    import cv2

    if not isinstance(target, int) or "OPENCV_LOG_LEVEL" in os.environ:
        return cv2.VideoCapture(target, api)
    # Probing an absent index makes every camera backend log an error line; the user gets
    # ours instead ("no camera at index 3; cameras that open: ...").
    level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        return cv2.VideoCapture(target, api)
    finally:
        cv2.utils.logging.setLogLevel(level)


class LiveSource(Source):
    """A camera or live stream read by a thread that keeps only the newest frame.

    The thread grabs continuously; a frame not yet taken when the next arrives is dropped and
    counted. If the device stops delivering for :data:`CAMERA_TIMEOUT_S` (unplugged, stream
    ended) iteration raises :class:`CaptureError`.
    """

    def __init__(self, cap: Any, info: SourceInfo, first: npt.NDArray[np.uint8],
                 timeout_s: float = CAMERA_TIMEOUT_S) -> None:
        super().__init__()
        self._cap, self.info, self._timeout = cap, info, timeout_s
        self._cond = threading.Condition()
        self._latest: Frame | None = Frame(first, 0, time.monotonic())
        self._grabbed = 1
        self._failed = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"capture {info.name}",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                ok, image = self._cap.read()
            except Exception:  # a driver error is a lost camera, reported by frames()
                ok, image = False, None
            t = time.monotonic()
            with self._cond:
                if not ok or image is None:
                    self._failed = True
                    self._cond.notify_all()
                    return
                if self._latest is not None:
                    self.dropped += 1
                self._latest = Frame(image, self._grabbed, t)
                self._grabbed += 1
                self._cond.notify_all()

    def frames(self) -> Iterator[Frame]:
        """Yield the newest frame each time; raise CaptureError when the device is lost."""
        while True:
            with self._cond:
                ready = self._cond.wait_for(
                    lambda: self._latest is not None or self._failed or self._stop.is_set(),
                    timeout=self._timeout)
                if self._stop.is_set():
                    return
                if self._latest is None:
                    what = "stopped delivering frames" if self._failed else (
                        f"delivered no frame for {self._timeout:.0f} s")
                    raise CaptureError(f"{self.info.kind} {self.info.name} {what} after "
                                       f"{self._grabbed} frames (disconnected?)")
                assert ready
                frame, self._latest = self._latest, None
            yield frame

    def close(self) -> None:
        """Stop the reader thread and release the device."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        self._thread.join(timeout=2.0)
        self._cap.release()


def open_camera(index: int, size: tuple[int, int] | None, fps: float | None,
                factory: CaptureFactory) -> LiveSource:
    """Open camera ``index`` (buffer of one, requested size and fps) and read a first frame.

    Raises:
        CaptureError: no camera at ``index`` (naming the indices that do open), or no frame.
    """
    import cv2

    cap = factory(index, cv2.CAP_ANY)
    if not cap.isOpened():
        cap.release()
        others = [i for i in PROBE_INDICES if i != index and _camera_opens(i, factory)]
        listed = ", ".join(map(str, others)) if others else "none"
        raise CaptureError(f"no camera at index {index}; cameras that open: {listed}")
    cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
    if size is not None:
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, float(size[0]))
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, float(size[1]))
    if fps is not None:
        cap.set(cv2.CAP_PROP_FPS, float(fps))
    first = None
    deadline = time.monotonic() + CAMERA_TIMEOUT_S  # some cameras need a moment to warm up
    while time.monotonic() < deadline:
        ok, first = cap.read()
        if ok and first is not None:
            break
        time.sleep(0.05)
    if first is None:
        cap.release()
        raise CaptureError(f"camera {index} opened but delivered no frame within "
                           f"{CAMERA_TIMEOUT_S:.0f} s (in use by another program?)")
    got_fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0) or 30.0
    h, w = first.shape[:2]
    return LiveSource(cap, SourceInfo(str(index), "camera", got_fps, (w, h), None), first)


def _camera_opens(index: int, factory: CaptureFactory) -> bool:
    import cv2

    cap = factory(index, cv2.CAP_ANY)
    try:
        return bool(cap.isOpened())
    finally:
        cap.release()


