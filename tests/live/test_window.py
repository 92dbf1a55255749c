"""A real OpenCV window under Xvfb: ``massagecam live --source`` for over 5 s, keys sent with
xdotool (when installed; otherwise the run ends by --duration and keys are covered by the
loop's key-handler tests), screenshots taken with xwd and checked for the overlay."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from live_video import rendered_sample, synth_video
from live_xserver import Xvfb, have_tools

from massagecam.overlay import OKABE_ITO, HelpAnnotator

pytestmark = [pytest.mark.display, pytest.mark.model]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "live-screenshot.png"


def near(img: np.ndarray, bgr, tol: int = 30) -> np.ndarray:
    return np.abs(img.astype(int) - np.array(bgr)).sum(axis=-1) <= tol


def xdo(x: Xvfb, *args: str, timeout: float = 30) -> str:
    return subprocess.run(["xdotool", *args], env=x.env(), capture_output=True, text=True,
                          timeout=timeout, check=True).stdout


@pytest.fixture()
def xserver():
    missing = have_tools("Xvfb", "xwd")
    if missing:
        pytest.skip(f"window test needs {', '.join(missing)} (Debian: apt-get install xvfb "
                    "x11-apps)")
    with Xvfb((1600, 1000)) as x:
        yield x


def poll(x: Xvfb, ok, timeout: float = 40.0) -> np.ndarray:
    """Screenshots until ``ok(shot)`` (the loop may be slow on a loaded machine)."""
    deadline = time.monotonic() + timeout
    while True:
        shot = x.screenshot()
        if ok(shot) or time.monotonic() > deadline:
            return shot
        time.sleep(0.3)


def panel(shot: np.ndarray) -> int:
    """Pixels of the step panel's yellow title (top-left corner of the window)."""
    return int(near(shot[:120, :400], OKABE_ITO.yellow).sum())


def help_box(size: tuple[int, int]) -> tuple[slice, slice]:
    """Where the key help box lands in a window of ``size`` (drawn on a blank to find it)."""
    blank = np.full((size[1], size[0], 3), 255, np.uint8)
    drawn = HelpAnnotator().annotate(blank.copy())
    ys, xs = np.nonzero((drawn != blank).any(axis=-1))
    return slice(ys.min() + 4, ys.max() - 4), slice(xs.min() + 4, xs.max() - 4)


def darkness(shot: np.ndarray, box: tuple[slice, slice]) -> float:
    return float(shot[box].mean())


def test_live_window_shows_overlay_and_obeys_keys(xserver, tmp_path):
    video = rendered_sample() or synth_video(tmp_path / "session.mp4", seconds=10.0, fps=10.0)
    cap = cv2.VideoCapture(str(video))
    size = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    box = help_box(size)
    cap.release()
    env = xserver.env() | {"MASSAGECAM_HOME": str(tmp_path / "home")}
    # without xdotool (or with MASSAGECAM_TEST_NO_KEYS=1): no key presses, ends by --duration
    keys = not have_tools("xdotool") and os.environ.get("MASSAGECAM_TEST_NO_KEYS") != "1"
    proc = subprocess.Popen(
        [sys.executable, "-m", "massagecam", "live", "--source", str(video), "--loop",
         "--routine", "li4-quick", "--duration", "120" if keys else "9", "--stats"], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        plain = poll(xserver, lambda s: panel(s) > 40, timeout=90)
        t0 = time.monotonic()
        if keys:
            wid = xdo(xserver, "search", "--sync", "--name", "^massagecam$").split()[0]
            xdo(xserver, "windowfocus", "--sync", wid, "key", "h")
            helped = poll(xserver, lambda s: darkness(s, box) < 0.5 * darkness(plain, box))
            xdo(xserver, "key", "h")
            final = poll(xserver, lambda s: darkness(s, box) > 0.7 * darkness(plain, box))
            time.sleep(max(0.0, 5.5 - (time.monotonic() - t0)))
            xdo(xserver, "key", "q")
        else:
            time.sleep(3.0)
            final = xserver.screenshot()
        out, err = proc.communicate(timeout=60)
        shown_s = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    cv2.imwrite(str(tmp_path / "live-screenshot.png"), final)
    if os.environ.get("MASSAGECAM_UPDATE_SCREENSHOT") == "1":
        DOCS.write_bytes(cv2.imencode(".png", crop_window(final))[1].tobytes())
    assert proc.returncode == 0, err
    assert f"ended by {'key' if keys else 'duration'}" in out and shown_s >= 5.0
    assert "app latency" in out
    assert panel(plain) > 40 and panel(final) > 40  # the step panel's yellow title
    if keys:  # h shows the dark key-help box in the middle of the window, h again hides it
        assert darkness(helped, box) < 0.5 * darkness(plain, box)
        assert darkness(final, box) > 0.7 * darkness(plain, box)
        assert near(helped[box], OKABE_ITO.yellow).sum() > 20  # its "Keys" title


def crop_window(shot: np.ndarray) -> np.ndarray:
    """The non-black bounding box of a screenshot (the window on an empty root)."""
    ys, xs = np.nonzero(shot.max(axis=-1) > 0)
    return shot[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
