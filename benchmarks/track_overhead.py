"""Overhead of the ``track`` pipeline over bare MediaPipe, per frame, on one video.

Three detectors see every decoded frame in turn, in one process, so load changes on a shared
machine hit all three alike (paired, interleaved timing):

* bare: ``cvtColor`` + ``HandLandmarker.detect_for_video`` (mediapipe used directly here, as a
  benchmark may; the package itself imports it only in ``massagecam/landmarker.py``);
* track: what ``massagecam track`` does per frame without the second look: ``Landmarker.detect``
  + ``RoleTracker.update`` + summary counting + building and serialising the JSON line;
* track+look: the same with the second look on (the command's default).

Decoding is timed once and added to each. The order of the three rotates every frame.
Prints ms/frame for each and the ratios to bare (paired within each run, median over runs).
Target: track / bare <= 1.10.

    /work/venv/bin/python benchmarks/track_overhead.py [VIDEO] [--frames N] [--repeat R]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import time
from pathlib import Path

import cv2
import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision

from massagecam.capture import open_source
from massagecam.cli.track import TrackSummary, frame_record, make_tracker
from massagecam.landmarker import Landmarker, _quiet_native_stderr, verify_model

DEFAULT_VIDEO = Path(__file__).resolve().parents[2] / "shared" / "footage" / "thumb_up_720p.mp4"


def bare_detector() -> vision.HandLandmarker:
    """MediaPipe's hand landmarker as a user would set it up: VIDEO mode, two hands."""
    options = vision.HandLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(verify_model())),
        running_mode=vision.RunningMode.VIDEO, num_hands=2)
    with _quiet_native_stderr():  # keep the printed figures readable
        return vision.HandLandmarker.create_from_options(options)


def bare_step(detector: vision.HandLandmarker, image, t_ms: int) -> int:
    rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    result = detector.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), t_ms)
    return len(result.hand_landmarks)


class TrackStep:
    """One ``track`` pipeline: landmarker, role tracker, summary, JSON line."""

    def __init__(self, second_look: bool) -> None:
        self.landmarker = Landmarker(second_look=second_look)
        self.tracker = make_tracker("auto")
        self.summary = TrackSummary()
        self.sink = io.StringIO()

    def __call__(self, image, t: float, index: int) -> int:
        hands = self.tracker.update(self.landmarker.detect(image, t, index), image)
        self.summary.update(hands)
        self.sink.write(json.dumps(frame_record(hands)) + "\n")
        return hands.detected

    def close(self) -> None:
        self.landmarker.close()


def run_once(video: Path, max_frames: int | None) -> dict[str, float]:
    bare = bare_detector()
    track, look = TrackStep(second_look=False), TrackStep(second_look=True)
    blank = np.zeros((64, 64, 3), np.uint8)
    with _quiet_native_stderr():  # first inferences are slow and warn once: not timed
        bare_step(bare, blank, 0)
    track.landmarker.detect(blank, 0.0, -1)
    look.landmarker.detect(blank, 0.0, -1)
    steps = {
        "bare": lambda im, t, i: bare_step(bare, im, 1 + int(round(t * 1000))),
        "track": track,
        "track+look": look,
    }
    totals = dict.fromkeys(steps, 0.0)
    decode = 0.0
    frames = 0
    names = list(steps)
    with open_source(video) as src:
        it = iter(src)
        while max_frames is None or frames < max_frames:
            t0 = time.perf_counter()
            frame = next(it, None)
            decode += time.perf_counter() - t0
            if frame is None:
                break
            order = names[frames % 3:] + names[: frames % 3]  # rotate who goes first
            for name in order:
                t0 = time.perf_counter()
                steps[name](frame.image, frame.t, frame.index)
                totals[name] += time.perf_counter() - t0
            frames += 1
    with _quiet_native_stderr():
        bare.close()
    track.close()
    look.close()
    result = {name: 1000.0 * (totals[name] + decode) / frames for name in steps}
    result["frames"] = frames
    result["recoveries"] = look.landmarker.stats.second_look_recoveries
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path, default=DEFAULT_VIDEO)
    parser.add_argument("--frames", type=int, default=None, help="limit frames per run")
    parser.add_argument("--repeat", type=int, default=2, help="runs (median is reported)")
    args = parser.parse_args()
    runs = [run_once(args.video, args.frames) for _ in range(args.repeat)]
    for i, r in enumerate(runs):
        print(f"run {i + 1}: {r['frames']:.0f} frames  bare {r['bare']:.1f}  track "
              f"{r['track']:.1f}  track+look {r['track+look']:.1f} ms/frame  "
              f"(second look recovered {r['recoveries']:.0f})")
    med = {k: statistics.median(r[k] for r in runs) for k in ("bare", "track", "track+look")}
    # ratios are paired within a run (same frames, same moment), then the median over runs
    ratio = {k: statistics.median(r[k] / r["bare"] for r in runs) for k in ("track", "track+look")}
    print(f"video: {args.video.name}  (decode included in every figure; median of {len(runs)} "
          "runs)")
    print(f"bare MediaPipe       {med['bare']:7.2f} ms/frame")
    print(f"track, no 2nd look   {med['track']:7.2f} ms/frame  ratio {ratio['track']:.3f}  "
          "(target <= 1.10)")
    print(f"track (default)      {med['track+look']:7.2f} ms/frame  "
          f"ratio {ratio['track+look']:.3f}")

if __name__ == "__main__":
    main()
