"""Recording the live window's picture (overlay included) to an mp4, in real time."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from massagecam.errors import ConfigError


def default_recording_path() -> Path:
    """``<data folder>/recordings/live-<local time>.mp4`` (the ``r`` key without --record)."""
    from massagecam import paths

    folder = paths.data_dir() / "recordings"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / time.strftime("live-%Y%m%d-%H%M%S.mp4")


class ScreenRecorder:
    """Writes shown frames to mp4, repeating each as needed so the video plays in real time.

    The loop may show fewer frames a second than the source's rate; each shown frame is
    written as many times as the time it stayed on screen covers (at most 10), at ``fps``.

    Attributes:
        recording: frames are being written (or will be from the next one).
        paths: every file started in this session.
    """

    def __init__(self) -> None:
        self.recording = False
        self.paths: list[Path] = []
        self._path: Path | None = None
        self._writer: Any = None
        self._fps, self._t0, self._written = 30.0, 0.0, 0

    def start(self, path: Path | None = None) -> None:
        """Record to ``path`` (default :func:`default_recording_path`) from the next frame."""
        self.stop()
        self._path = path if path is not None else default_recording_path()
        self.recording = True  # the writer opens on the next frame, when its size is known

    def stop(self) -> None:
        """Close the current file, if any."""
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        self.recording = False

    def toggle(self) -> None:
        """Start (to the default path) or stop."""
        if self.recording:
            self.stop()
        else:
            self.start()

    def write(self, scene: np.ndarray, fps: float) -> None:
        """Add the shown picture (no-op when not recording)."""
        import cv2

        if not self.recording:
            return
        if self._writer is None:
            assert self._path is not None
            h, w = scene.shape[:2]
            self._writer = cv2.VideoWriter(str(self._path), cv2.VideoWriter_fourcc(*"mp4v"),
                                           fps, (w, h))
            if not self._writer.isOpened():
                self._writer = None
                self.recording = False
                raise ConfigError(f"--record {self._path}: cannot write a video there")
            self.paths.append(self._path)
            self._fps, self._t0, self._written = fps, time.monotonic(), 0
        due = int((time.monotonic() - self._t0) * self._fps) + 1
        n = min(10, max(1, due - self._written))
        for _ in range(n):
            self._writer.write(scene)
        self._written += n
