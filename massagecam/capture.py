"""One way to open any video source: camera, video file, image, folder of images, URL.

Why two clocks: recorded sources (files, images, folders) stamp each frame with ``index / fps``,
so an analysis of a file is deterministic and repeatable whatever the machine's speed. Live
sources (cameras, streams; :mod:`massagecam.live_capture`) stamp frames with
``time.monotonic()`` when they are grabbed, and a background thread keeps only the newest
frame: a slow consumer then sees fresh frames with gaps (counted in :attr:`Source.dropped`)
instead of an ever-growing delay.

Opening fails fast with a :class:`~massagecam.errors.CaptureError` naming the source and the
problem (missing path, empty, corrupt or truncated file, no frames, absent camera), because one
frame is read at open time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from massagecam.errors import CaptureError, ConfigError
from massagecam.video_meta import is_iso_media, iso_media_problem

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
URL_PREFIXES = ("rtsp://", "rtsps://", "rtmp://", "http://", "https://", "udp://", "tcp://")
#: ``factory(target, api_preference) -> cv2.VideoCapture``-like object; tests inject fakes.
CaptureFactory = Callable[[Any, int], Any]


@dataclass(frozen=True)
class Frame:
    """One decoded frame.

    Attributes:
        image: (H, W, 3) uint8 BGR, already rotated upright when the file says so.
        index: position in the source (for live sources: grab count, so gaps show drops).
        t: seconds; ``index / fps`` for recorded sources, ``time.monotonic()`` for live ones.
    """

    image: npt.NDArray[np.uint8]
    index: int
    t: float


@dataclass(frozen=True)
class SourceInfo:
    """What was opened.

    Attributes:
        name: the spec as the user gave it (path, index, URL).
        kind: "camera", "video", "image", "folder" or "url".
        fps: frames per second (declared by the file, delivered by the camera, or chosen).
        size: (width, height) of the frames as delivered (after rotation).
        frame_count: number of frames for recorded sources, None for live ones.
        rotation: degrees of rotation metadata the decoder applied (phone videos), else 0.
    """

    name: str
    kind: str
    fps: float
    size: tuple[int, int]
    frame_count: int | None
    rotation: int = 0


def _quiet_opencv() -> None:
    """Keep OpenCV/FFmpeg chatter about bad files off stderr (the user gets one clear line).

    Respects the user's own ``OPENCV_LOG_LEVEL`` / ``OPENCV_FFMPEG_LOGLEVEL`` settings.
    """
    import cv2

    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET, read at each open
    if "OPENCV_LOG_LEVEL" not in os.environ:
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)


class Source:
    """Base of all sources: a context manager and an iterable of :class:`Frame`.

    Attributes:
        info: what was opened.
        dropped: frames skipped so the consumer stays current (live sources, realtime files).
    """

    info: SourceInfo

    def __init__(self) -> None:
        self.dropped = 0
        self._iterator: Iterator[Frame] | None = None

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[Frame]:
        """The source's one frame stream: iterating again resumes where the last loop stopped."""
        if self._iterator is None:
            self._iterator = self.frames()
        return self._iterator

    def frames(self) -> Iterator[Frame]:
        """Yield the frames in order."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the device or file (idempotent)."""


class _VideoSource(Source):
    """A video file (or a finite stream): every frame, frame-clock timestamps.

    With ``realtime=True`` frames are paced at the file's fps and frames the consumer is too
    slow for are skipped (grabbed without decoding) and counted, as a camera would.
    """

    def __init__(self, cap: Any, info: SourceInfo, first: npt.NDArray[np.uint8],
                 realtime: bool) -> None:
        super().__init__()
        self._cap, self.info, self._first, self._realtime = cap, info, first, realtime

    def frames(self) -> Iterator[Frame]:
        fps = self.info.fps
        index = 0
        image: npt.NDArray[np.uint8] | None = self._first
        self._first = None  # type: ignore[assignment]
        start = time.monotonic()
        while image is not None:
            if self._realtime:
                due = start + index / fps
                now = time.monotonic()
                if now < due:
                    time.sleep(due - now)
                elif now - due > 1.0 / fps:  # a whole frame late: skip to catch up
                    # drop this frame and the next skip-1 (grabbed, not decoded)
                    skip = min(int((now - due) * fps), 10_000)
                    for _ in range(skip - 1):
                        if not self._cap.grab():
                            return
                    self.dropped += skip
                    index += skip
                    ok, image = self._cap.read()
                    if not ok:
                        return
            yield Frame(image, index, index / fps)
            index += 1
            ok, image = self._cap.read()
            if not ok:
                image = None

    def close(self) -> None:
        self._cap.release()


class _ImageSource(Source):
    """A single still image: one frame at t = 0."""

    def __init__(self, image: npt.NDArray[np.uint8], info: SourceInfo) -> None:
        super().__init__()
        self._image, self.info = image, info

    def frames(self) -> Iterator[Frame]:
        yield Frame(self._image, 0, 0.0)


class _FolderSource(Source):
    """Images of a folder in name order, stamped ``index / fps``."""

    def __init__(self, files: list[Path], first: npt.NDArray[np.uint8], info: SourceInfo) -> None:
        super().__init__()
        self._files, self._first, self.info = files, first, info

    def frames(self) -> Iterator[Frame]:
        for index, path in enumerate(self._files):
            image = self._first if index == 0 else _read_image(path)
            yield Frame(image, index, index / self.info.fps)


def open_source(spec: str | int | os.PathLike[str], *, size: tuple[int, int] | None = None,
                fps: float | None = None, realtime: bool = False,
                capture_factory: CaptureFactory | None = None) -> Source:
    """Open a camera index, video file, image, folder of images or URL.

    Args:
        spec: camera index (int or digit string, or ``/dev/videoN``), path, or URL.
        size: requested (width, height) for cameras (the driver may pick the nearest).
        fps: requested frame rate for cameras; frame rate of a folder sequence (default 1).
        realtime: pace a video file at its own fps and drop late frames, as a camera would.
        capture_factory: ``factory(target, api) -> VideoCapture``-like, for tests.

    Returns:
        An open :class:`Source` (use it as a context manager).

    Raises:
        CaptureError: the source cannot be opened or yields no frame (message names it).
        ConfigError: ``size`` or ``fps`` out of range.
    """
    import cv2

    _quiet_opencv()
    if size is not None and (len(size) != 2 or min(size) < 16 or max(size) > 8192):
        raise ConfigError(f"size {size!r}: expected (width, height) each within 16..8192")
    if fps is not None and not 0 < fps <= 1000:
        raise ConfigError(f"fps {fps!r}: expected a number within (0, 1000]")
    from massagecam.live_capture import default_factory, open_camera

    factory = capture_factory or default_factory
    text = os.fspath(spec) if not isinstance(spec, int) else str(spec)
    if isinstance(spec, int) or text.strip().isdigit():
        return open_camera(int(text), size, fps, factory)
    if not text.strip():
        raise CaptureError("empty source: expected a video, an image, a folder of images, a "
                           "camera index or a URL")
    if text.startswith("/dev/video") and text[len("/dev/video"):].isdigit():
        return open_camera(int(text[len("/dev/video"):]), size, fps, factory)
    if text.lower().startswith(URL_PREFIXES):
        return _open_url(text, factory, realtime)
    path = Path(text).expanduser()
    if not path.exists():
        raise CaptureError(f"{text}: no such file or folder (expected a video, an image, a folder "
                           "of images, a camera index or a URL)")
    if path.is_dir():
        return _open_folder(path, text, fps or 1.0)
    if not os.access(path, os.R_OK):
        raise CaptureError(f"{text}: file is not readable (permission denied)")
    if path.stat().st_size == 0:
        raise CaptureError(f"{text}: file is empty (0 bytes); expected a video or an image")
    if path.suffix.lower() in IMAGE_SUFFIXES:
        image = _read_image(path)
        h, w = image.shape[:2]
        return _ImageSource(image, SourceInfo(text, "image", 1.0, (w, h), 1))
    if is_iso_media(path):
        problem = iso_media_problem(path)
        if problem:
            raise CaptureError(f"{text}: video file is {problem}")
    if _looks_like_text(path):
        raise CaptureError(f"{text}: is a text file, not a video or image")
    cap = factory(str(path), cv2.CAP_ANY)
    if not cap.isOpened():
        cap.release()
        raise CaptureError(f"{text}: cannot be decoded as a video (corrupt or not a video file; "
                           "expected e.g. .mp4, .mov, .avi, .webm, an image or a folder of images)")
    return _start_video(cap, text, "video", realtime)


def _start_video(cap: Any, name: str, kind: str, realtime: bool) -> _VideoSource:
    import cv2

    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)  # stand phone videos upright
    ok, first = cap.read()
    if not ok or first is None:
        cap.release()
        raise CaptureError(f"{name}: contains no readable video frame")
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
    if not 0 < fps <= 1000:
        fps = 30.0  # containers without a rate: assume a common camera rate
    count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
    rotation = int(cap.get(cv2.CAP_PROP_ORIENTATION_META) or 0) % 360
    h, w = first.shape[:2]
    info = SourceInfo(name, kind, fps, (w, h), count if count > 0 else None, rotation)
    return _VideoSource(cap, info, first, realtime)


def _open_url(url: str, factory: CaptureFactory, realtime: bool) -> Source:
    """A URL: a finite remote file reads like a video file, a live stream like a camera."""
    import cv2

    from massagecam.live_capture import LiveSource

    cap = factory(url, cv2.CAP_FFMPEG)
    if not cap.isOpened():
        cap.release()
        raise CaptureError(f"{url}: cannot open the stream (unreachable, or not a video URL)")
    count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
    if count > 0:
        return _start_video(cap, url, "url", realtime)
    cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
    ok, first = cap.read()
    if not ok or first is None:
        cap.release()
        raise CaptureError(f"{url}: the stream opened but delivered no frame")
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0) or 30.0
    h, w = first.shape[:2]
    return LiveSource(cap, SourceInfo(url, "url", fps, (w, h), None), first)


def _open_folder(path: Path, name: str, fps: float) -> _FolderSource:
    files = sorted(p for p in path.iterdir()
                   if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise CaptureError(f"{name}: folder has no images (expected "
                           f"{', '.join(sorted(IMAGE_SUFFIXES))} files)")
    first = _read_image(files[0])
    h, w = first.shape[:2]
    return _FolderSource(files, first, SourceInfo(name, "folder", fps, (w, h), len(files)))


def _looks_like_text(path: Path) -> bool:
    """True when the file's first KiB is printable UTF-8 (a note or log given by mistake)."""
    with open(path, "rb") as f:
        head = f.read(1024)
    if b"\0" in head:
        return False
    try:
        decoded = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(c.isprintable() or c in "\r\n\t" for c in decoded)


def _read_image(path: Path) -> npt.NDArray[np.uint8]:
    """Read an image upright (EXIF orientation applied) as BGR, or raise CaptureError."""
    import cv2

    data = np.fromfile(str(path), dtype=np.uint8)  # handles non-ASCII paths on every OS
    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if image is None:
        raise CaptureError(f"{path}: cannot be decoded as an image (corrupt or not an image)")
    return image
