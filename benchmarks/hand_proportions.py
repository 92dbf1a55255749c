"""How the rendered hand's proportions compare with real hands as the landmark model sees them.

The renderer's template (``massagecam.synthetic.TEMPLATE``) is one frame of one real hand.
When a caregiver's hands cover the receiver's palm, the model fills in the palm from what it
learnt of real hands; if the template's palm is unusually long, "errors" of the receiver's
wrist on rendered scenes partly measure the template, not the model. This prints, for real
open hands (the 1,522 "Open" rows of MediaPipe landmarks in
``../shared/footage/single_hand_keypoints_open_close_pointer.csv``, kept to those whose middle
finger is straight) and for the rendered receiver (caregiver scene poses):

- palm length (wrist to middle knuckle) over the middle finger's length (knuckle to tip
  along its joints): tilting the hand about its knuckle line shortens both alike;
- palm length over the knuckle breadth (index to little finger knuckle).

    python benchmarks/hand_proportions.py             # the proportions
    python benchmarks/hand_proportions.py --template  # also the median real hand, landmark by
                                                      # landmark (synthetic.REAL_OPEN_HAND)
"""

from __future__ import annotations

import argparse
import csv
import os
from pathlib import Path

import numpy as np

from massagecam.hands import Landmark as L
from massagecam.hands import to_palm_frame
from massagecam.render.caregiver import TECHNIQUES, CaregiverScene, caregiver_poses
from massagecam.synthetic import REAL_OPEN_HAND

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MASSAGECAM_SHARED", REPO.parent / "shared"))
CSV = SHARED / "footage" / "single_hand_keypoints_open_close_pointer.csv"
MIDDLE = (L.MIDDLE_FINGER_MCP, L.MIDDLE_FINGER_PIP, L.MIDDLE_FINGER_DIP, L.MIDDLE_FINGER_TIP)


def proportions(xy: np.ndarray) -> tuple[float, float, float]:
    """(palm / middle finger, palm / knuckle breadth, middle finger straightness)."""
    xy = np.asarray(xy, np.float64)
    palm = float(np.linalg.norm(xy[L.WRIST] - xy[L.MIDDLE_FINGER_MCP]))
    finger = sum(float(np.linalg.norm(xy[a] - xy[b]))
                 for a, b in zip(MIDDLE[:-1], MIDDLE[1:], strict=True))
    breadth = float(np.linalg.norm(xy[L.INDEX_FINGER_MCP] - xy[L.PINKY_MCP]))
    straight = float(np.linalg.norm(xy[L.MIDDLE_FINGER_TIP] - xy[L.MIDDLE_FINGER_MCP])) / finger
    return palm / finger, palm / breadth, straight


def line(label: str, v: np.ndarray) -> str:
    q = np.percentile(v, [25, 50, 75], axis=0)
    return (f"{label:<44} n={len(v):5d}  palm/finger {q[1, 0]:.2f} (IQR {q[0, 0]:.2f}-"
            f"{q[2, 0]:.2f})  palm/breadth {q[1, 1]:.2f} (IQR {q[0, 1]:.2f}-{q[2, 1]:.2f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--template", action="store_true",
                    help="print the median real hand in the palm frame (distal, radial)")
    args = ap.parse_args()
    if CSV.exists():
        with CSV.open(newline="") as fh:
            rows = [np.array(r[1:], np.float64).reshape(21, 2) for r in csv.reader(fh)
                    if r and r[0] == "0"]
        real = np.array([proportions(xy) for xy in rows])
        keep = real[:, 2] > 0.95
        print(line("real open hands, straight middle finger", real[keep]))
        if args.template:
            med = np.median([to_palm_frame(xy, xy) for xy, k in zip(rows, keep, strict=True)
                             if k], axis=0)
            print("median real hand, palm frame (distal, radial) per landmark:")
            for j, (x, y) in enumerate(med):
                print(f"  {L(j).name:<18} {x:6.3f} {y:6.3f}")
    else:
        print(f"real hands: {CSV} is absent (set MASSAGECAM_SHARED)")
    rendered = np.array([proportions(f.receiver) for k, tech in enumerate(TECHNIQUES)
                         for f in caregiver_poses(CaregiverScene(tech, 2.0, seed=k))])
    print(line("rendered receiver (caregiver scenes)", rendered))
    print(line("synthetic.REAL_OPEN_HAND", np.array([proportions(REAL_OPEN_HAND)])))


if __name__ == "__main__":
    main()
