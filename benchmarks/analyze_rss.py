"""Peak RSS of ``massagecam analyze`` on a 1- and a 10-minute input (memory must not grow).

Builds looped inputs in a temporary folder (never in the repository) from a source video: by
default the first bundled sample, else ../shared/footage/open_palm_finger_poses_720p.mp4,
scaled to --size. Each analysis runs in its own process; peak RSS comes from wait4().

    python benchmarks/analyze_rss.py                 # 1 and 10 minutes
    python benchmarks/analyze_rss.py --minutes 0.5 2 # quicker check
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2

REPO = Path(__file__).resolve().parents[1]
FOOTAGE = REPO.parent / "shared" / "footage" / "open_palm_finger_poses_720p.mp4"


def default_source() -> Path:
    samples = sorted((REPO / "samples").glob("*.mp4"))
    return samples[0] if samples else FOOTAGE


def read_clip(src: Path, size: tuple[int, int]) -> list:
    """The source's frames, downscaled to ``size`` (short clip: kept in memory to loop it)."""
    cap = cv2.VideoCapture(str(src))
    clip = []
    while True:
        ok, img = cap.read()
        if not ok:
            break
        clip.append(cv2.resize(img, size, interpolation=cv2.INTER_AREA))
    cap.release()
    if not clip:
        raise SystemExit(f"cannot read {src}")
    return clip


def make_loop(clip: list, dst: Path, minutes: float, size: tuple[int, int], fps: float) -> int:
    """Write ``minutes`` of ``clip`` looped (ping-pong, so the motion stays continuous)."""
    frames_needed = int(round(minutes * 60 * fps))
    writer = cv2.VideoWriter(str(dst), cv2.VideoWriter.fourcc(*"mp4v"), fps, size)
    order = list(range(len(clip))) + list(range(len(clip) - 2, 0, -1))
    for i in range(frames_needed):
        writer.write(clip[order[i % len(order)]])
    writer.release()
    return frames_needed


#: Runs the CLI and, at exit, writes the process's VmHWM (peak RSS since exec) to argv[1].
#: Not ru_maxrss/wait4: those include the parent's pages copied at fork (the looped clip held
#: in memory here), which hid the analysis's own figure.
_WRAPPER = """
import atexit, runpy, sys
out = sys.argv[1]
def _peak():
    status = open('/proc/self/status').read()
    open(out, 'w').write(status.split('VmHWM:')[1].split()[0])
atexit.register(_peak)
sys.argv = ['massagecam'] + sys.argv[2:]
runpy.run_module('massagecam', run_name='__main__')
"""


def peak_rss_mb(video: Path, out: Path) -> tuple[float, float]:
    """(peak RSS in MB, wall seconds) of one `massagecam analyze` process (Linux)."""
    t0 = time.monotonic()
    peak_file = out.with_suffix(".peak")
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, str(peak_file), "analyze",
                           str(video), "--no-history", "-q", "--out", str(out)],
                          stdout=subprocess.DEVNULL, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"analyze failed on {video} (exit {proc.returncode})")
    return int(peak_file.read_text()) / 1024.0, time.monotonic() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=None)
    ap.add_argument("--minutes", type=float, nargs="+", default=[1.0, 10.0])
    ap.add_argument("--size", default="640x480", help="WxH of the looped input")
    ap.add_argument("--fps", type=float, default=30.0)
    args = ap.parse_args()
    src = args.source or default_source()
    size = tuple(int(v) for v in args.size.split("x"))
    print(f"source {src.name}, {size[0]}x{size[1]} at {args.fps:g} fps")
    clip = read_clip(src, size)  # type: ignore[arg-type]
    results = []
    with tempfile.TemporaryDirectory(prefix="massagecam-rss-") as tmp:
        videos = {}
        for minutes in args.minutes:  # write every input first, then free the clip
            videos[minutes] = Path(tmp) / f"loop_{minutes:g}min.mp4"
            make_loop(clip, videos[minutes], minutes, size, args.fps)  # type: ignore[arg-type]
        del clip
        for minutes in args.minutes:
            video = videos[minutes]
            n = int(round(minutes * 60 * args.fps))
            rss, wall = peak_rss_mb(video, Path(tmp) / f"out_{minutes:g}")
            results.append((minutes, n, rss, wall))
            print(f"{minutes:>5g} min  {n:>6} frames  peak RSS {rss:7.1f} MB  "
                  f"({wall:.0f} s, {n / wall:.1f} frames/s)", flush=True)
            video.unlink()
    if len(results) >= 2:
        short, long = min(results), max(results)
        print(f"growth {short[0]:g} -> {long[0]:g} min: "
              f"{100 * (long[2] - short[2]) / short[2]:+.1f} % (target: within 10 %)")


if __name__ == "__main__":
    main()
