"""Re-run the One Euro tuning procedure (Casiez et al. 2012) and print every measured step.

Run: /work/venv/bin/python benchmarks/tune_one_euro.py
Synthetic landmarks, 30 fps, jitter 1 % of palm length per coordinate. Criteria (issue 2):
static jitter reduced >= 5x (std); lag at 1 palm length/s <= 1 frame.
"""

from __future__ import annotations

from massagecam.tracking import SmoothingConfig
from massagecam.tracking.tuning import circle_gain, jitter_reduction, lag_frames, tune


def main() -> None:
    cfg, steps = tune()
    print("step  min_cutoff  beta  d_cutoff  jitter_reduction  lag_frames@1palm/s")
    for k, s in enumerate(steps):
        c = s.config
        print(f"{k:4d}  {c.min_cutoff:10.2f}  {c.beta:4.1f}  {c.d_cutoff:8.2f}  "
              f"{s.jitter_reduction:16.2f}  {s.lag_steady:18.2f}")
    print(f"chosen: min_cutoff={cfg.min_cutoff} beta={cfg.beta} d_cutoff={cfg.d_cutoff}")
    default = SmoothingConfig()
    print(f"package default: {default}")
    for palm in (120.0, 150.0, 200.0):
        j = [jitter_reduction(default, palm_px=palm, seed=s) for s in range(5)]
        steady, onset = lag_frames(default, palm_px=palm)
        print(f"palm {palm:5.0f} px: jitter reduction min {min(j):.2f} mean {sum(j)/5:.2f} "
              f"(5 seeds); lag steady {steady:.2f} frames, worst in first 0.5 s {onset:.2f}")
    for v in (0.3, 1.0, 3.0):
        print(f"speed {v:.1f} palm/s: steady lag {lag_frames(default, speed=v)[0]:.2f} frames")
    print(f"thumb circles 1.5 Hz, r=0.1 palm: filtered radius {circle_gain(default):.2f} of true")


if __name__ == "__main__":
    main()
