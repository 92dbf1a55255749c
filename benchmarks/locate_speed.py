"""How long ``Atlas.locate`` takes per call (target: <= 200 us).

Prints microseconds per call for: a press point moving over one receiver pose (the pose's
geometry cached, the common case within a frame: several giving fingers, one receiver), and
a new receiver pose on every call (the worst case: geometry rebuilt each time).

    python benchmarks/locate_speed.py [--calls N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from massagecam.atlas import load_atlas
from massagecam.synthetic import make_hand


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=20000)
    n = ap.parse_args().calls
    atlas = load_atlas()
    rng = np.random.default_rng(0)
    hand = make_hand((640, 360), 150, 20, "Right", "palm").astype(np.float64)
    pts = hand[0] + rng.uniform(-200, 200, (n, 2))
    atlas.locate(pts[0], hand, "Right", "palm")  # warm the cache
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for p in pts:
            atlas.locate(p, hand, "Right", "palm")
        best = min(best, (time.perf_counter() - t0) / n)
    print(f"locate, same receiver pose (cached geometry): {best * 1e6:8.1f} us/call "
          f"(best of 3 x {n} calls)")
    m = max(n // 10, 100)
    poses = [make_hand((640, 360), float(rng.uniform(60, 300)), float(rng.uniform(0, 360)),
                       "Left", "back").astype(np.float64) for _ in range(m)]
    t0 = time.perf_counter()
    for k, h in enumerate(poses):
        atlas.locate(pts[k], h, "Left", "back")
    per = (time.perf_counter() - t0) / m
    print(f"locate, new receiver pose every call:         {per * 1e6:8.1f} us/call ({m} calls)")
    atlas.to_canonical(pts[:50], hand, "Right", "palm")
    t0 = time.perf_counter()
    for _ in range(200):
        atlas.to_canonical(pts[:50], hand, "Right", "palm")
    print(f"to_canonical of 50 points, cached pose:       "
          f"{(time.perf_counter() - t0) / 200 * 1e6:8.1f} us/call")
    a, b = np.ones(40), np.ones(40)
    t0 = time.perf_counter()
    for _ in range(n):
        for _ in range(25):
            np.add(a, b)
    print(f"yardstick: 25 tiny numpy ufunc calls:         "
          f"{(time.perf_counter() - t0) / n * 1e6:8.1f} us (a machine-load yardstick: "
          f"compare runs by the ratio)")

if __name__ == "__main__":
    main()
