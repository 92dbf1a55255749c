"""Capture: real footage, images, folders, rotation, realtime pacing, cameras (fake device)."""

from __future__ import annotations

import struct
import threading
import time

import cv2
import numpy as np
import pytest

from massagecam.capture import Frame, open_source
from massagecam.errors import CaptureError, ConfigError


# thumb_up_720p.mp4 (195 frames) and open_palm_finger_poses_720p.mp4 (621) are decoded in full,
# with the same checks of frame index and time, by tests/test_track_cli.py.
@pytest.mark.parametrize("name, count, fps, size", [
    ("open_palm_360p.mp4", 202, 25.0, (640, 360)),
])
def test_video_files_yield_every_frame_with_frame_clock(footage, name, count, fps, size):
    with open_source(footage / name) as src:
        assert src.info.kind == "video"
        assert src.info.fps == fps and src.info.size == size and src.info.frame_count == count
        n = 0
        for frame in src:
            assert frame.index == n
            assert frame.t == pytest.approx(n / fps)
            assert frame.image.shape == (size[1], size[0], 3) and frame.image.dtype == np.uint8
            n += 1
    assert n == count and src.dropped == 0


def test_same_file_twice_gives_identical_frames_and_times(footage):
    def first_ten():
        with open_source(footage / "open_palm_360p.mp4") as src:
            return [(f.index, f.t, int(f.image.sum()))
                    for f, _ in zip(src, range(10), strict=False)]
    assert first_ten() == first_ten()


def test_image_is_one_frame(footage):
    with open_source(str(footage / "thumb_up.jpg")) as src:
        frames = list(src)
    assert src.info.kind == "image" and src.info.size == (640, 521)
    assert len(frames) == 1 and frames[0].t == 0.0 and frames[0].image.shape == (521, 640, 3)


def _pattern(i: int) -> np.ndarray:
    image = np.zeros((40, 60, 3), np.uint8)
    image[:, : 10 * (i + 1)] = 200
    return image


def test_folder_sorted_with_chosen_fps(tmp_path):
    for i, name in enumerate(["b.png", "c.jpg", "a.png"]):
        cv2.imwrite(str(tmp_path / name), _pattern(i))
    (tmp_path / "notes.txt").write_text("not an image")
    with open_source(tmp_path, fps=5) as src:
        frames = list(src)
    assert src.info.kind == "folder" and src.info.frame_count == 3
    assert [f.t for f in frames] == pytest.approx([0.0, 0.2, 0.4])
    # name order a, b, c: a.png was written third (pattern 2), b first (pattern 0)
    widths = [int((f.image[0, :, 0] > 100).sum()) for f in frames]
    assert widths == [30, 10, 20]
    with open_source(tmp_path) as src:
        assert [f.t for f in src] == [0.0, 1.0, 2.0]


def test_folder_without_images_fails(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(CaptureError, match="folder has no images"):
        open_source(tmp_path)


def _rotated_mp4(path):
    """A tiny mp4 (64x48, left half white) whose track header says: rotate 90 degrees."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (64, 48))
    for _ in range(5):
        writer.write(np.where(np.arange(64)[None, :, None] < 32, 255, 0).astype(np.uint8)
                     .repeat(48, axis=0).repeat(3, axis=2))
    writer.release()
    data = bytearray(path.read_bytes())
    at = data.find(b"tkhd")
    matrix_at = at - 4 + (60 if data[at + 4] == 1 else 48)
    data[matrix_at:matrix_at + 36] = struct.pack(">9I", 0, 0x10000, 0, 0xFFFF0000, 0, 0, 0, 0,
                                                 0x40000000)
    path.write_bytes(bytes(data))


def test_phone_rotation_metadata_is_applied(tmp_path):
    path = tmp_path / "phone.mp4"
    _rotated_mp4(path)
    with open_source(path) as src:
        frame = next(iter(src))
    assert src.info.rotation == 90 and src.info.size == (48, 64)
    assert frame.image.shape == (64, 48, 3)
    # turned clockwise: the white left half is now on top
    assert frame.image[:20].mean() > 200 and frame.image[-20:].mean() < 50


def test_realtime_file_paces_and_drops_late_frames(footage):
    with open_source(footage / "open_palm_360p.mp4") as src:
        truth = [int(f.image.sum()) for f, _ in zip(src, range(100), strict=False)]
    with open_source(footage / "open_palm_360p.mp4", realtime=True) as src:
        start = time.monotonic()
        got = [f for f, _ in zip(src, range(6), strict=False)]
        paced = time.monotonic() - start
        assert paced >= 5 / 25 - 0.01  # not faster than the file's own clock
        slow = []
        for f in src:
            slow.append(f)
            time.sleep(0.1)  # a consumer at 10 fps on a 25 fps file
            if len(slow) == 5:
                break
    assert [f.index for f in got] == list(range(6))
    idx = [f.index for f in slow]
    assert all(b - a >= 2 for a, b in zip(idx, idx[1:], strict=False)), idx
    assert src.dropped >= 4
    assert all(f.t == pytest.approx(f.index / 25) for f in slow)
    # frames after a skip carry their true index: same pixels as the plain read
    assert all(int(f.image.sum()) == truth[f.index] for f in got + slow if f.index < 100)
    assert slow[-1].index < 100


class FakeCamera:
    """A VideoCapture-like device: frames at ~200 fps, optionally lost after `lose_after`."""

    def __init__(self, lose_after: int | None = None, opens: bool = True):
        self.opens, self.lose_after, self.reads = opens, lose_after, 0
        self.props: dict[int, float] = {}
        self.released = threading.Event()

    def isOpened(self):  # noqa: N802 - OpenCV's name
        return self.opens

    def set(self, prop, value):
        self.props[prop] = value
        return True

    def get(self, prop):
        return self.props.get(prop, 0.0)

    def read(self):
        time.sleep(0.005)
        self.reads += 1
        if self.lose_after is not None and self.reads > self.lose_after:
            return False, None
        return True, np.full((24, 32, 3), self.reads % 256, np.uint8)

    def release(self):
        self.released.set()


def test_camera_keeps_newest_frame_and_counts_drops():
    cam = FakeCamera()
    with open_source(0, size=(640, 480), fps=30, capture_factory=lambda t, api: cam) as src:
        frames: list[Frame] = []
        for frame in src:
            frames.append(frame)
            time.sleep(0.05)  # slower than the device
            if len(frames) == 5:
                break
    assert cam.released.is_set()
    assert src.info.kind == "camera" and src.info.size == (32, 24) and src.info.frame_count is None
    assert cam.props[cv2.CAP_PROP_BUFFERSIZE] == 1
    assert (cam.props[cv2.CAP_PROP_FRAME_WIDTH], cam.props[cv2.CAP_PROP_FRAME_HEIGHT]) == (640, 480)
    assert cam.props[cv2.CAP_PROP_FPS] == 30
    ts = [f.t for f in frames]
    assert all(b > a for a, b in zip(ts, ts[1:], strict=False))
    idx = [f.index for f in frames]
    assert all(b - a >= 2 for a, b in zip(idx[1:], idx[2:], strict=False)), idx  # stale skipped
    assert src.dropped >= 3


def test_camera_lost_mid_session_raises_capture_error():
    cam = FakeCamera(lose_after=20)
    with open_source("0", capture_factory=lambda t, api: cam) as src:
        n = 0
        with pytest.raises(CaptureError, match="camera 0 stopped delivering frames"):
            for _ in src:
                n += 1
    assert 1 <= n <= 20


def test_absent_camera_names_the_cameras_that_open():
    def factory(index, api):
        return FakeCamera(opens=index in (1, 4))
    with pytest.raises(CaptureError, match=r"^no camera at index 3; cameras that open: 1, 4$"):
        open_source(3, capture_factory=factory)


def test_real_absent_camera_index():
    with pytest.raises(CaptureError, match=r"^no camera at index 9; cameras that open: "):
        open_source(9)


@pytest.mark.parametrize("kwargs", [{"fps": 0}, {"fps": -3}, {"size": (0, 480)}])
def test_bad_settings_are_config_errors(kwargs, tmp_path):
    with pytest.raises(ConfigError):
        open_source(tmp_path, **kwargs)


def test_url_of_a_finite_video_reads_every_frame(footage):
    """A local HTTP server stands in for a remote file (offline, same decoder path)."""
    import functools
    import http.server

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(footage)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/open_palm_360p.mp4"
        with open_source(url) as src:
            ts = [f.t for f in src]
        assert src.info.kind == "url" and len(ts) == 202 and ts[-1] == pytest.approx(201 / 25)
    finally:
        server.shutdown()


def test_unreachable_stream_fails_fast():
    start = time.monotonic()
    with pytest.raises(CaptureError, match=r"^rtsp://127.0.0.1:9/live: cannot open the stream"):
        open_source("rtsp://127.0.0.1:9/live")
    assert time.monotonic() - start < 10
