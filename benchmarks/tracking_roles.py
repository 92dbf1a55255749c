"""Role-tracking robustness over many seeds of every synthetic scenario (no model).

Run: /work/venv/bin/python benchmarks/tracking_roles.py [N_SEEDS]
Prints, per scenario and receiving mode (and mirrored, so the right hand receives): runs,
total role swaps (a physical hand's role changed), tracker swap count, wrong-role hand-frames,
receiver/giver rows not on a true hand of that role, the slowest first frame with all roles
known, and the worst held-receiver error.
"""

from __future__ import annotations

import sys

from massagecam.tracking import RoleTracker
from massagecam.tracking.scenarios import SCENARIOS, evaluate, mirror


def main(n_seeds: int = 20) -> None:
    print(f"{'scenario':22s} {'receiving':9s} runs swaps trk_swaps wrong misplaced "
          f"first_known<= held_err<=")
    for name, make in SCENARIOS.items():
        mode = "caregiver" if name == "caregiver" else "self"
        for mirrored in (False, True):
            sided = ("right" if mirrored else "left") if mode == "self" else \
                ("left" if mirrored else "right")
            for receiving in ("auto", sided):
                swaps = trk = wrong = first = misplaced = 0
                held = 0.0
                for seed in range(100, 100 + n_seeds):
                    sc = make(seed)
                    sc = mirror(sc) if mirrored else sc
                    ev = evaluate(RoleTracker(receiving=receiving, mode=mode), sc)
                    swaps += ev.swaps
                    trk += ev.tracker_swaps
                    wrong += ev.wrong
                    misplaced += ev.misplaced
                    first = max(first, ev.first_known if ev.first_known >= 0 else 10**6)
                    held = max([held, *ev.held_error])
                label = name + (" (mirrored)" if mirrored else "")
                print(f"{label:22s} {receiving:9s} {n_seeds:4d} {swaps:5d} {trk:9d} {wrong:5d} "
                      f"{misplaced:9d} {first:14d} {held:10.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
