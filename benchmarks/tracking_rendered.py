"""Roles on a rendered session with the real model: detections -> RoleTracker -> vs truth.

Run: /work/venv/bin/python benchmarks/tracking_rendered.py VIDEO.mp4 [TRUTH.json]
(the renderer writes VIDEO.truth.json next to the video). Detections are computed once and
replayed through the tracker in auto mode and with the script's receiving side. Prints, per
mode: frames where the receiver/giver row is on the true hand, wrong-role frames, role changes
of a physical hand, held (estimated) rows and their error, and ms per tracker update.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from massagecam.capture import open_source
from massagecam.hands import Role
from massagecam.landmarker import Landmarker
from massagecam.tracking import RoleTracker


def main(video: str, truth_path: str | None = None) -> None:
    truth_file = Path(truth_path or str(Path(video).with_suffix("")) + ".truth.json")
    truth = json.loads(truth_file.read_text())
    palm = float(truth["palm_px"])
    frames_truth = {f["frame"]: f for f in truth["frames"]}
    detections = []
    t0 = time.perf_counter()
    with open_source(video) as src, Landmarker() as lm:
        for frame in src:
            detections.append(lm.detect(frame.image, frame.t, frame.index))
    print(f"{video}: {len(detections)} frames detected in {time.perf_counter() - t0:.1f} s; "
          f"hands per frame: " + ", ".join(
              f"{k}: {sum(1 for d in detections if min(d.detected, 2) == k)}" for k in (0, 1, 2)))
    for receiving in ("auto", truth.get("receiving", "left")):
        tracker = RoleTracker(receiving=receiving)
        on = {"receiver": 0, "giver": 0}
        wrong = changes = held = 0
        held_err: list[float] = []
        last: dict[str, int] = {}
        spent = 0.0
        n_truth = {"receiver": 0, "giver": 0}
        for hands in detections:
            t1 = time.perf_counter()
            out = tracker.update(hands)
            spent += time.perf_counter() - t1
            ft = frames_truth.get(hands.frame_index)
            if ft is None or not len(out):
                continue
            for name, role in (("receiver", Role.RECEIVER), ("giver", Role.GIVER)):
                pose = ft.get(name)
                if pose is None:
                    continue
                n_truth[name] += 1
                d = np.linalg.norm(out.xy - np.asarray(pose, np.float32)[None], axis=-1).mean(1)
                i = int(np.argmin(d))
                if d[i] > 0.5 * palm:
                    continue
                r = int(out.role[i])
                if r == role:
                    on[name] += 1
                elif r != Role.UNKNOWN:
                    wrong += 1
                if r != Role.UNKNOWN:
                    changes += name in last and last[name] != r
                    last[name] = r
                if out.estimated[i] and role == Role.RECEIVER:
                    held += 1
                    held_err.append(float(d[i] / palm))
        n = len(detections)
        print(f"receiving={receiving}: receiver row on the true receiver {on['receiver']}/"
              f"{n_truth['receiver']}, giver {on['giver']}/{n_truth['giver']}; wrong-role "
              f"hand-frames {wrong}; role changes {changes}; tracker swaps {tracker.swaps}; "
              f"held receiver rows {held} (mean err "
              f"{np.mean(held_err) if held_err else float('nan'):.3f} palm); "
              f"{1000 * spent / n:.3f} ms/update")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(*sys.argv[1:3])
