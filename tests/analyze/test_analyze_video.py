"""End to end on real video with the real model (marked ``model``)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import jsonschema
import numpy as np
import pytest

from massagecam.analyze import analyze_video
from massagecam.errors import CaptureError
from massagecam.history import History
from massagecam.report.result import load_schema

pytestmark = pytest.mark.model


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_analyze_real_clip_writes_valid_outputs(footage, tmp_path):
    out = tmp_path / "out"
    db = tmp_path / "h.sqlite"
    res = analyze_video(footage / "open_palm_360p.mp4", out_dir=out, db=db, max_frames=60,
                        annotate=True)
    assert _files(out) == ["annotated.mp4", "report.html", "result.json"]
    data = json.loads(res.result_json.read_text())
    jsonschema.validate(data, load_schema())
    assert data["partial"] is False and len(data["timeline"]) == 60 == res.frames
    # judged with hindsight: the frames held for their look-ahead were all drained at the end
    assert data["settings"]["hindsight_s"] == 3.0
    assert [r["frame"] for r in data["timeline"]] == list(range(60))
    # one real right hand, nobody massaging: seen, but never both hands, no press
    assert data["tracking"]["share_two_hands"] < 0.2
    assert data["tracking"]["hints"].get("show both hands", 0) > 30
    assert not any(r["contact"] for r in data["timeline"])
    cap = cv2.VideoCapture(str(res.annotated))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 60 and cap.get(cv2.CAP_PROP_FRAME_WIDTH) == 640
    cap.release()
    with History(db) as h:
        (s,) = h.sessions()
    assert s.id == res.session_id and s.frames == 60 and not s.partial


def test_ctrl_c_writes_partial_result(footage, tmp_path):
    out = tmp_path / "out"

    def stop_at(n: int) -> None:
        if n == 25:
            raise KeyboardInterrupt

    res = analyze_video(footage / "open_palm_360p.mp4", out_dir=out, history=True,
                        db=tmp_path / "h.sqlite", on_frame=stop_at)
    assert res.partial and res.frames == 25
    data = json.loads(res.result_json.read_text())
    jsonschema.validate(data, load_schema())
    assert data["partial"] is True and "25 frames" in data["partial_reason"]
    assert len(data["timeline"]) == 25
    assert "Partial result" in res.report_html.read_text()
    with History(tmp_path / "h.sqlite") as h:
        assert h.sessions()[0].partial


def test_failure_mid_video_leaves_nothing(footage, tmp_path):
    out = tmp_path / "out"

    def die(n: int) -> None:
        if n == 10:
            raise CaptureError("simulated decoder failure at frame 10")

    with pytest.raises(CaptureError):
        analyze_video(footage / "open_palm_360p.mp4", out_dir=out, annotate=True,
                      db=tmp_path / "h.sqlite", on_frame=die)
    assert _files(out) == []
    assert not (tmp_path / "h.sqlite").exists()


def test_unreadable_video_is_one_line_error(tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(np.random.default_rng(0).bytes(5000))
    with pytest.raises(CaptureError, match="broken.mp4"):
        analyze_video(bad, out_dir=tmp_path / "out", history=False)
    assert _files(tmp_path / "out") == []


def test_sigint_to_the_cli_writes_partial(footage, tmp_path):
    """A real Ctrl-C (SIGINT) to `massagecam analyze`: exit 130 and a partial result."""
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "massagecam", "analyze",
         str(footage / "open_palm_finger_poses_720p.mp4"), "--out", str(out), "--no-history"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    buf = ""
    while time.monotonic() < deadline:  # wait until frames are being analysed
        ch = proc.stderr.read(1)
        if not ch:
            break
        buf += ch
        if any(f" {k}/621" in buf for k in range(5, 600)):
            break
    proc.send_signal(signal.SIGINT)
    stdout, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, buf[-500:]
    assert "PARTIAL" in stdout
    data = json.loads((out / "result.json").read_text())
    assert data["partial"] is True and 0 < len(data["timeline"]) < 621
    jsonschema.validate(data, load_schema())
