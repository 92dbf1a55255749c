"""Parallel segments of one video: the plan covers every frame once; the seams are invisible."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from batch_videos import LocalRun

from massagecam.errors import ConfigError
from massagecam.segments import Segment, analyze_segmented, plan, seam_agreement


def test_plan_covers_every_frame_once_with_warmup() -> None:
    segs = plan(18000, 2, 30.0, warmup_s=0.5, chunk_s=60.0)
    assert len(segs) == 10  # 10 minutes in 60-second chunks: memory bounded by the chunk
    assert segs[0] == Segment(0, 0, segs[1].start)
    assert segs[-1].stop is None
    for a, b in zip(segs, segs[1:], strict=False):
        assert a.stop == b.start and b.warm_start == b.start - 15
    assert plan(600, 2, 30.0)[1].start == 300  # short video: one segment per worker
    assert len(plan(50, 2, 30.0)) == 1  # too short to split past its warm-up


@pytest.mark.parametrize("kw, match", [({"workers": 0}, "workers=0"),
                                       ({"warmup_s": -1.0}, "warmup_s=-1.0"),
                                       ({"chunk_s": 0.2}, "chunk_s=0.2")])
def test_plan_config_errors(kw: dict[str, float], match: str) -> None:
    args = {"workers": 2, "warmup_s": 0.5, "chunk_s": 60.0} | kw
    with pytest.raises(ConfigError, match=match):
        plan(1000, int(args["workers"]), 30.0, warmup_s=args["warmup_s"],
             chunk_s=args["chunk_s"])


@pytest.mark.model
def test_seam_landmarks_match_continuous_run(footage: Path) -> None:
    # 400 frames: with the default 1.5 s warm-up a segment must last 4 warm-ups to be split off
    got = seam_agreement(footage / "open_palm_finger_poses_720p.mp4", 400, 30.0)
    assert got["segments"] == 2 and got["frames"] == 400
    assert got["hand_count_differs"] == 0
    # MediaPipe's frame-to-frame feedback keeps small differences, a few px at worst on this
    # 720p footage (docs/batch.md). The warm-up exceeds the landmarker's 1 s switch to tracking
    # a lone hand alone, so at the seam both runs are in the same detection mode.
    assert got["max_px"] < 3.0, got
    assert got["mean_px"] < 0.5, got


@pytest.mark.model
def test_segmented_analysis_equals_sequential(local_run: LocalRun, tmp_path: Path) -> None:
    video = local_run.root / "ana" / "week1.mp4"
    seq = json.loads((local_run.out / "ana" / "week1" / "result.json").read_text())
    # 12 frames: too short to split past the 1.5 s warm-up, so one process does it all, with
    # one model instance here as in the batch job that made ``seq``
    out = analyze_segmented(video, workers=2, routine="li4-quick", out_dir=tmp_path / "one",
                            history=False, report=False, threads=1)
    assert out.frames == 12 and out.report_html is None
    one = json.loads((tmp_path / "one" / "result.json").read_text())
    assert "segments" not in one["settings"]
    for key in ("timeline", "contacts", "tracking", "score", "settings", "routine"):
        assert one[key] == seq[key], key
    # a one-frame warm-up splits it: two processes, every frame once, in order
    out = analyze_segmented(video, workers=2, routine="li4-quick", out_dir=tmp_path / "two",
                            history=False, report=False, warmup_s=1 / 30)
    two = json.loads((tmp_path / "two" / "result.json").read_text())
    assert two["settings"]["segments"] == 2 and out.frames == 12
    assert [r["frame"] for r in two["timeline"]] == list(range(12))
    assert [r["hands"] for r in two["timeline"]] == [r["hands"] for r in seq["timeline"]]


@pytest.mark.parametrize("name, k", [("open_palm_finger_poses_720p.mp4", 310),
                                     ("open_palm_360p.mp4", 101)])
def test_seek_lands_on_the_same_frame(footage: Path, name: str, k: int) -> None:
    """Segments seek by frame number: the frame found must be the one a sequential read sees."""
    import cv2
    import numpy as np

    cap = cv2.VideoCapture(str(footage / name))
    for _ in range(k):
        cap.grab()
    ok, sequential = cap.read()
    cap.release()
    cap = cv2.VideoCapture(str(footage / name))
    cap.set(cv2.CAP_PROP_POS_FRAMES, k)
    ok2, sought = cap.read()
    cap.release()
    assert ok and ok2
    assert np.array_equal(sequential, sought)
