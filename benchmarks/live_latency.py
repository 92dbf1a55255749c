"""Live loop latency and throughput on a 640x480 session fed at 60 fps, next to bare MediaPipe.

A source thread delivers the session's frames at 60 Hz into FOUNDATION's newest-frame buffer
(``open_source`` on a camera whose driver is replaced by a paced frame player), exactly as a
60 fps webcam would; the real live loop (pipeline + overlay, no window) consumes them. After a
warm-up, it reports: frames processed per second, frames the buffer dropped (a webcam at
60 fps loses nothing only if the loop keeps up), app-added latency (frame grabbed -> overlay
ready) p50/p95, and stale frames (a frame that waited more than one frame interval). Then the
bare landmark model (the Landmarker adapter over MediaPipe's VIDEO mode, second look off: the
least any massagecam loop must do) runs on the same frames as fast as it can.

Targets (issue 8): >= 60 fps with nothing dropped in steady state, latency p95 <= 25 ms, no
stale frame.

    python benchmarks/live_latency.py [--video samples/X.mp4] [--seconds 8] [--warmup 2]
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from massagecam.capture import open_source
from massagecam.live import LiveConfig, LiveSession
from massagecam.paths import samples_dir

FEED_FPS = 60.0
SIZE = (640, 480)


class PacedPlayer:
    """A ``cv2.VideoCapture`` stand-in: preloaded frames at a fixed rate, looping."""

    def __init__(self, frames: list[np.ndarray], fps: float) -> None:
        self.frames, self.period = frames, 1.0 / fps
        self.i = 0
        self.next_t = time.monotonic()

    def isOpened(self) -> bool:  # noqa: N802 (OpenCV's name)
        return True

    def read(self) -> tuple[bool, np.ndarray]:
        wait = self.next_t - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.next_t += self.period
        img = self.frames[self.i % len(self.frames)]
        self.i += 1
        return True, img.copy()  # a camera hands over a new buffer every frame

    def set(self, prop: int, value: float) -> bool:
        return True

    def get(self, prop: int) -> float:
        return FEED_FPS if prop == cv2.CAP_PROP_FPS else 0.0

    def release(self) -> None:
        pass


def load_frames(video: Path | None, limit: int = 600) -> tuple[list[np.ndarray], str]:
    if video is None:
        found = sorted(samples_dir().glob("*.mp4"))
        video = found[0] if found else None
    if video is None:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "live"))
        from live_video import synth_video

        video = synth_video(Path(tempfile.mkdtemp()) / "synth.mp4", seconds=10.0, fps=30.0)
        name = "synthesised two-hand clip (no rendered sample in samples/)"
    else:
        name = str(video)
    cap = cv2.VideoCapture(str(video))
    frames = []
    while len(frames) < limit:
        ok, img = cap.read()
        if not ok:
            break
        frames.append(cv2.resize(img, SIZE, interpolation=cv2.INTER_AREA))
    cap.release()
    if not frames:
        sys.exit(f"{video}: no frames")
    return frames, name


def pct(v: list[float] | np.ndarray, q: float) -> float:
    return float(np.percentile(np.asarray(v), q)) if len(v) else float("nan")


def run_live(frames: list[np.ndarray], seconds: float, warmup: float,
             routine: str | None, pipelined: bool = True, workers: int | None = None,
             per_hand: bool = True, reuse_still: float | None = 0.015,
             pin_threads: bool = True) -> dict[str, float]:
    factory = lambda target, api: PacedPlayer(frames, FEED_FPS)  # noqa: E731
    opener = functools.partial(open_source, capture_factory=factory)
    # (frames done, process CPU seconds) every 30 frames: reading the process's CPU clock
    # costs about 0.4 ms here (it sums every thread's), too much for every frame of the loop
    cpu: list[tuple[int, float]] = []

    def sample(n: int) -> int:
        if n % 30 == 0:
            cpu.append((n, time.process_time()))
        return -1

    session = LiveSession(LiveConfig(source=0, routine=routine, window=False, save=False,
                                     duration_s=warmup + seconds, pipelined=pipelined,
                                     landmark_workers=workers, per_hand=per_hand,
                                     reuse_still=reuse_still, pin_threads=pin_threads),
                          opener=opener,
                          key_script=sample)
    session.run()
    lm_stats = getattr(session.landmarkers[0], "stats", None)
    st = session.stats
    done = np.asarray(st.done_t)
    steady = done >= done[0] + warmup if len(done) else done
    idx = np.asarray(st.indices)[steady]
    lat = np.asarray(st.latency_s)[steady] * 1000
    age = np.asarray(st.age_s)[steady] * 1000
    span = done[steady][-1] - done[steady][0] if steady.sum() > 1 else float("nan")
    gaps = np.diff(idx) - 1
    period_ms = 1000.0 / FEED_FPS
    first_n = int(np.argmax(steady)) + 1 if steady.any() else 0  # frames done by then
    cpu = [c for c in cpu if c[0] >= first_n]
    cpu_ms = ((cpu[-1][1] - cpu[0][1]) / max(1, cpu[-1][0] - cpu[0][0]) * 1000
              if len(cpu) > 1 else float("nan"))
    return {
        "frames": int(steady.sum()), "fps": (steady.sum() - 1) / span,
        "fed": int(idx[-1] - idx[0] + 1) if len(idx) else 0,
        "dropped": int(gaps[gaps > 0].sum()), "lat_p50": pct(lat, 50), "lat_p95": pct(lat, 95),
        "stale": int((age > period_ms + 2.0).sum()), "age_p95": pct(age, 95),
        "landmarks_p50": pct(np.asarray(st.landmarks_s)[steady] * 1000, 50),
        "rest_p50": pct(np.asarray(st.rest_s)[steady] * 1000, 50),
        "overlay_p50": pct(np.asarray(st.overlay_s)[steady] * 1000, 50),
        "overlay_p95": pct(np.asarray(st.overlay_s)[steady] * 1000, 95),
        "cpu_ms": cpu_ms,
        "workers": len(session.landmarkers),
        "pinned": sum(getattr(lm, "pinned", 0) for lm in session.landmarkers),
        # hand-frames whose landmarks were reused from the hand's last run (whole session)
        "reused": getattr(lm_stats, "reused", 0) / max(1, sum(
            n * c for n, c in getattr(lm_stats, "detected_counts", {}).items())),
    }


def run_bare(frames: list[np.ndarray], per_hand: bool = False) -> dict[str, float]:
    """The landmark model alone on ``frames`` as fast as it goes (no pipeline, no overlay)."""
    from massagecam.landmarker import Landmarker
    from massagecam.per_hand import PerHandLandmarker

    times = []
    model = (PerHandLandmarker(background_search=False) if per_hand
             else Landmarker(num_hands=2, second_look=False))
    with model as lm:
        for i, img in enumerate(frames):
            if i == 10:
                c0 = time.process_time()
            t0 = time.perf_counter()
            lm.detect(img, i / FEED_FPS, i)
            times.append(time.perf_counter() - t0)
        cpu_ms = (time.process_time() - c0) / max(1, len(frames) - 10) * 1000
    ms = np.asarray(times[10:]) * 1000
    return {"frames": len(ms), "fps": 1000.0 / float(ms.mean()), "p50": pct(ms, 50),
            "p95": pct(ms, 95), "cpu_ms": cpu_ms}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--video", type=Path, help="session video (default: first samples/*.mp4)")
    ap.add_argument("--seconds", type=float, default=8.0, help="steady-state seconds measured")
    ap.add_argument("--warmup", type=float, default=2.0, help="seconds ignored at the start")
    ap.add_argument("--routine", default="li4-quick", help="routine coached during the run")
    ap.add_argument("--sequential", action="store_true",
                    help="run the model in the loop's thread (default: worker threads)")
    ap.add_argument("--whole-frames", action="store_true",
                    help="whole-frame model instances on alternate frames instead of one "
                         "instance per hand")
    ap.add_argument("--workers", type=int, default=None,
                    help="landmark workers side by side (default: 1 per-hand, 2 whole-frame)")
    ap.add_argument("--no-reuse", action="store_true",
                    help="run every hand's model on every frame (default: a still hand keeps "
                         "its landmarks for one frame)")
    ap.add_argument("--no-pin", action="store_true",
                    help="let the OS place the model threads (default: each hand's instance "
                         "on a core of its own)")
    a = ap.parse_args()
    frames, name = load_frames(a.video)
    print(f"session: {name}, {len(frames)} frames at {SIZE[0]}x{SIZE[1]}, fed at "
          f"{FEED_FPS:.0f} fps for {a.warmup:.0f}+{a.seconds:.0f} s; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    live = run_live(frames, a.seconds, a.warmup, a.routine, pipelined=not a.sequential,
                    workers=a.workers, per_hand=not a.whole_frames,
                    reuse_still=None if a.no_reuse else 0.015, pin_threads=not a.no_pin)
    bare = run_bare(frames[: min(len(frames), 300)])
    per_hand = run_bare(frames[: min(len(frames), 300)], per_hand=True)
    ok = {"fps": live["fps"] >= FEED_FPS - 0.5 and live["dropped"] == 0,
          "latency": live["lat_p95"] <= 25.0, "stale": live["stale"] == 0}
    mode = ("sequential" if a.sequential else
            f"pipelined, {live['workers']} whole-frame landmark workers" if a.whole_frames else
            f"pipelined, {live['workers']} worker(s), one landmark instance per hand, "
            f"{100 * live['reused']:.0f} % of hand-frames reused, "
            f"{live['pinned']} model threads pinned")
    print(f"live loop ({mode}): {live['fps']:6.1f} fps processed, {live['frames']} of "
          f"{live['fed']} fed frames, dropped {live['dropped']}   "
          f"[{'ok' if ok['fps'] else 'MISS'}: >= 60 fps, 0 dropped]")
    print(f"             app latency p50 {live['lat_p50']:5.1f} ms, p95 {live['lat_p95']:5.1f} ms"
          f"   [{'ok' if ok['latency'] else 'MISS'}: p95 <= 25 ms]")
    print(f"             stale frames {live['stale']} (buffer wait p95 {live['age_p95']:.1f} ms)"
          f"   [{'ok' if ok['stale'] else 'MISS'}: 0]")
    print(f"             per frame p50: landmarks {live['landmarks_p50']:.1f} ms, rest of "
          f"pipeline {live['rest_p50']:.1f} ms, overlay {live['overlay_p50']:.1f} ms "
          f"(p95 {live['overlay_p95']:.1f})")
    print(f"             process CPU per processed frame {live['cpu_ms']:.1f} ms (all threads; "
          "less sensitive to other processes' load than wall-clock figures)")
    print(f"per-hand model alone: {per_hand['fps']:6.1f} fps, {per_hand['p50']:.1f} ms p50, "
          f"{per_hand['p95']:.1f} ms p95 per frame; process CPU {per_hand['cpu_ms']:.1f} ms "
          "per frame (both instances)")
    print(f"bare model : {bare['fps']:6.1f} fps, {bare['p50']:.1f} ms p50, {bare['p95']:.1f} ms "
          f"p95 per frame ({bare['frames']} frames, as fast as possible, no second look); "
          f"process CPU {bare['cpu_ms']:.1f} ms per frame")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
