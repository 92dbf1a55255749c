"""Throughput and scale of massagecam on this machine: one script, one run, figures printed.

1. bare MediaPipe loop (decode + cvtColor + detect_for_video, one process) frames/s;
2. ``analyze`` with one landmark instance (decode thread) frames/s and its overhead over the
   bare loop, also without the landmarker's second look, with the per-frame cost of the stages
   after the model; ``analyze`` as the CLI runs it (two landmark instances in threads) and its
   real-time factor on 720p30;
3. ``analyze --workers 2`` (parallel segments, 2 processes: the CLI's default) frames/s; the
   same on a looped 2-minute input, where start-up and the report are amortised
   (``--long-minutes``); and on a rendered two-hand 1280x720 session (``--no-two-hand``);
4. seam agreement of segmented landmarks with one continuous detector;
5. ``batch`` with 1 and 2 workers on >= 8 videos (speed-up);
6. peak RSS of ``analyze`` on a 1- and a 10-minute input (looped clip, child process, wait4).

"cores" = CPU time / wall time of the run (children included; segment workers are forked by
a fork server, not by this process, so ``--workers`` rows count only the parent's share); CPU
ms/frame is the figure load on a shared machine distorts least. Inputs are written to a
temporary folder (never into the repository) from
../shared/footage/open_palm_finger_poses_720p.mp4 (1280x720, 30 fps, 621 frames).

    python benchmarks/throughput.py                    # everything (~10 min on a quiet 2-core box)
    python benchmarks/throughput.py --minutes 0.5 2    # shorter memory check
    python benchmarks/throughput.py --skip-rss
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2

REPO = Path(__file__).resolve().parents[1]
FOOTAGE = REPO.parent / "shared" / "footage" / "open_palm_finger_poses_720p.mp4"


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime + c.ru_utime + c.ru_stime


def bare_loop(video: Path) -> tuple[int, float, float]:
    """(frames, wall s, cores used) of the naive MediaPipe loop, as a user would write it."""
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    from massagecam.landmarker import verify_model

    opts = vision.HandLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(verify_model())),
        running_mode=vision.RunningMode.VIDEO, num_hands=2)
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    n = 0
    t0, c0 = time.perf_counter(), cpu_s()  # model load included, as in analyze's figure
    with vision.HandLandmarker.create_from_options(opts) as lm:
        while True:
            ok, img = cap.read()
            if not ok:
                break
            rgb = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
            lm.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb),
                                int(round(n * 1000 / fps)))
            n += 1
        wall, cpu = time.perf_counter() - t0, cpu_s() - c0
    cap.release()
    return n, wall, cpu / wall


def timed(fn, *args, **kw):  # noqa: ANN001, ANN002, ANN003, ANN202 - tiny helper
    t0, c0 = time.perf_counter(), cpu_s()
    out = fn(*args, **kw)
    wall = time.perf_counter() - t0
    return out, wall, (cpu_s() - c0) / wall


def write_clip(src: Path, dst: Path, start: int, frames: int, size: tuple[int, int] | None = None
               ) -> int:
    """``frames`` frames of ``src`` from ``start``, looping at its end, into ``dst`` (streamed:
    holding the clip in memory would inflate this process's RSS, and so the children's)."""
    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    cap.set(cv2.CAP_PROP_POS_FRAMES, start % count)
    writer = None
    written = 0
    while written < frames:
        ok, img = cap.read()
        if not ok:  # loop
            cap.release()
            cap = cv2.VideoCapture(str(src))
            continue
        if size is not None:
            img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
        if writer is None:
            h, w = img.shape[:2]
            writer = cv2.VideoWriter(str(dst), cv2.VideoWriter.fourcc(*"mp4v"), fps, (w, h))
        writer.write(img)
        written += 1
    cap.release()
    if writer is not None:
        writer.release()
    return written


def _descendants(root: int) -> list[int]:
    """``root`` and every process below it (from /proc: parents of all processes)."""
    parent: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
                parent[int(d.name)] = int(stat[stat.rindex(")") + 2:].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    out, frontier = [root], [root]
    while frontier:
        frontier = [p for p, pp in parent.items() if pp in frontier]
        out += frontier
    return out


def _hwm_kb(pid: int) -> int:
    """VmHWM (the process's own peak RSS so far, KiB), 0 when gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_rss_mb(video: Path, out: Path) -> tuple[float, float]:
    """(peak RSS MB of the largest process, wall s) of one ``massagecam analyze`` run.

    The command and every process it starts (segment workers are forked by a fork server, so
    ``RUSAGE_CHILDREN`` would not see them) are sampled for their own peak (VmHWM) every
    0.1 s until the command ends.
    """
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "massagecam", "analyze", str(video),
                             "--no-history", "--no-report", "-q", "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak: dict[int, int] = {}
    while proc.poll() is None:
        for pid in _descendants(proc.pid):
            peak[pid] = max(peak.get(pid, 0), _hwm_kb(pid))
        time.sleep(0.1)
    err = proc.stderr.read() if proc.stderr is not None else ""
    if proc.returncode != 0:
        raise SystemExit(f"analyze failed on {video}: {err.strip()[-300:]}")
    return max(peak.values(), default=0) / 1024.0, time.monotonic() - t0


TWO_HAND_SCRIPT = """
routine = "li4-quick"
receiving = "left"
[render]
seed = 11
size = [1280, 720]
fps = 30
[[perform]]
action = "move"
step = 1
target = "LI4"
duration_s = 1.0
side = "back"
[[perform]]
action = "massage"
step = 1
target = "LI4"
technique = "circles"
duration_s = 9.0
side = "back"
rhythm_hz = 1.0
"""


def two_hand(tmp: Path, routine: str) -> None:
    """The same figures on a rendered two-hand 720p session (both hands in view: the model
    tracks two hands and skips its palm detector, unlike on the one-hand footage)."""
    from massagecam.analyze import analyze_video
    from massagecam.render import load_script, render_session

    spath = tmp / "two_hand.toml"
    spath.write_text(TWO_HAND_SCRIPT, encoding="utf-8")
    video = tmp / "two_hand.mp4"
    render_session(load_script(spath), video, tmp / "two_hand.truth.json")
    n, wall, cores = bare_loop(video)
    bare = n / wall
    print(f"two-hand 1280x720 render: bare loop {bare:6.1f} frames/s ({bare / 30:.2f}x real "
          f"time, {1000 * cores * wall / n:.1f} CPU ms/frame)")
    for threads in (1, 2):
        out, wall, cores = timed(analyze_video, video, out_dir=tmp / f"two{threads}",
                                 threads=threads, routine=routine, history=False, report=True)
        f = out.frames / wall
        print(f"  analyze, {threads} thread(s): {f:6.1f} frames/s  {f / 30:.2f}x real time  "
              f"({cores:.2f} cores, {1000 * cores * wall / out.frames:.1f} CPU ms/frame)")


def long_input(src: Path, tmp: Path, minutes: float, routine: str, fps: float) -> None:
    """Bare loop, two threads and two segment processes on a looped ``minutes``-long input:
    the steady-state real-time factor, with start-up and report amortised."""
    from massagecam.analyze import analyze_video
    from massagecam.segments import analyze_segmented

    video = tmp / "long.mp4"
    frames = write_clip(src, video, 0, int(round(minutes * 60 * fps)))
    n, wall, cores = bare_loop(video)
    print(f"{minutes:g}-minute input ({frames} frames, looped): bare loop {n / wall:6.1f} "
          f"frames/s ({n / wall / fps:.2f}x real time)")
    for name, fn, kw in (("analyze --threads 2", analyze_video, {"threads": 2}),
                         ("analyze --workers 2", analyze_segmented, {"workers": 2})):
        out, wall, cores = timed(fn, video, out_dir=tmp / f"long{name[-11:]}",
                                 routine=routine, history=False, report=True, **kw)
        f = out.frames / wall
        print(f"  {name}: {f:6.1f} frames/s  {f / fps:.2f}x real time  ({cores:.2f} cores)"
              "  (target >= 3.5x)")
    video.unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--video", type=Path, default=FOOTAGE, help="720p30 input")
    ap.add_argument("--routine", default="li4-quick")
    ap.add_argument("--batch-videos", type=int, default=8)
    ap.add_argument("--batch-frames", type=int, default=150, help="frames per batch video")
    ap.add_argument("--minutes", type=float, nargs=2, default=[1.0, 10.0])
    ap.add_argument("--rss-size", default="640x360", help="WxH of the looped RSS inputs")
    ap.add_argument("--skip-rss", action="store_true")
    ap.add_argument("--skip-seam", action="store_true")
    ap.add_argument("--long-minutes", type=float, default=2.0,
                    help="also time a looped input this long (start-up amortised; 0: skip)")
    ap.add_argument("--two-hand", action=argparse.BooleanOptionalAction, default=True,
                    help="also render a 10 s two-hand session at 1280x720 and time it")
    args = ap.parse_args()
    if not args.video.is_file():
        raise SystemExit(f"{args.video}: not found (needs ../shared/footage)")
    from massagecam.analyze import analyze_video
    from massagecam.batch import collect, run_batch
    from massagecam.capture import open_source
    from massagecam.segments import analyze_segmented, seam_agreement

    with open_source(args.video) as s:
        info = s.info
    fps = info.fps
    print(f"input {args.video.name}: {info.size[0]}x{info.size[1]} {fps:g} fps, "
          f"{info.frame_count} frames; {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.1f}")
    n, wall, cores = bare_loop(args.video)
    bare = n / wall
    print(f"bare MediaPipe loop      {bare:7.1f} frames/s  {bare / fps:5.2f}x real time  "
          f"({cores:.2f} cores, {1000 * cores * wall / n:.1f} CPU ms/frame)")
    kw = {"routine": args.routine, "history": False, "report": True}  # as the CLI runs
    with tempfile.TemporaryDirectory(prefix="massagecam-tp-") as tmp_s:
        tmp = Path(tmp_s)
        out, wall, cores = timed(analyze_video, args.video, out_dir=tmp / "a", threads=1, **kw)
        seq = out.frames / wall
        print(f"analyze (1 thread)       {seq:7.1f} frames/s  {seq / fps:5.2f}x real time  "
              f"({cores:.2f} cores, {1000 * cores * wall / out.frames:.1f} CPU ms/frame)  "
              f"overhead vs bare {100 * (bare / seq - 1):+.1f} % "
              "(target <= 10 %)")
        out, wall, cores = timed(analyze_video, args.video, out_dir=tmp / "t", threads=2, **kw)
        par = out.frames / wall
        print(f"analyze --threads 2      {par:7.1f} frames/s  {par / fps:5.2f}x real time  "
              f"({cores:.2f} cores, {1000 * cores * wall / out.frames:.1f} CPU ms/frame)  "
              "(target >= 3.5x; model load included)")
        from massagecam.session import Pipeline

        with Pipeline(args.routine, second_look=False, profile=True) as pipe:
            out, wall, cores = timed(analyze_video, args.video, out_dir=tmp / "c",
                                     pipeline=pipe, **(kw | {"report": False}))
            tm = dict(pipe.timings or {})
        frames = max(tm.pop("frames", 1.0), 1.0)
        lm_ms = 1000 * tm.pop("landmarker", 0.0) / frames
        rest_ms = 1000 * sum(tm.values()) / frames
        print(f"analyze (no 2nd look/report) {out.frames / wall:7.1f} frames/s  overhead vs "
              f"bare {100 * (bare / (out.frames / wall) - 1):+.1f} %; per frame: landmarker "
              f"{lm_ms:.2f} ms, all other stages {rest_ms:.2f} ms")
        out, wall, cores = timed(analyze_segmented, args.video, out_dir=tmp / "b", workers=2,
                                 **kw)
        seg = out.frames / wall
        print(f"analyze --workers 2 (2 segment processes; the CLI's default) {seg:7.1f} "
              f"frames/s  {seg / fps:5.2f}x real time  ({cores:.2f} cores, "
              f"{1000 * cores * wall / out.frames:.1f} CPU ms/frame; start-up included)")
        if args.long_minutes > 0:
            long_input(args.video, tmp, args.long_minutes, args.routine, fps)
        if args.two_hand:
            two_hand(tmp, args.routine)
        if not args.skip_seam:
            agree = seam_agreement(args.video, int(info.frame_count or 0), fps, workers=2)
            print(f"seam agreement           {agree['hand_count_differs']:.0f} of "
                  f"{agree['frames']:.0f} frames differ in hand count; landmark distance "
                  f"max {agree['max_px']:.2f} px (frame {agree['max_frame']:.0f}; seams at "
                  f"{', '.join(f'{x:.0f}' for x in agree['seams'])}), "
                  f"mean {agree['mean_px']:.3f} px")
        vids = tmp / "cohort"
        for k in range(args.batch_videos):
            (vids / f"p{k % 4}").mkdir(parents=True, exist_ok=True)
            write_clip(args.video, vids / f"p{k % 4}" / f"s{k // 4}.mp4", 60 * k,
                       args.batch_frames)
        jobs = collect([vids], routine=args.routine)  # report.html too, as the CLI
        times = {}
        for w in (1, 2):
            rep, wall, cores = timed(run_batch, jobs, tmp / f"batch{w}", workers=w,
                                     history=False)
            assert not rep.failures, rep.failures
            times[w] = wall
            print(f"batch {len(jobs)} videos x {args.batch_frames} frames, {w} worker(s): "
                  f"{wall:6.1f} s  {rep.frames / wall:6.1f} frames/s  ({cores:.2f} cores, "
                  f"{rep.job_seconds / rep.seconds:.2f} videos in flight on average)")
        print(f"batch speed-up 2 vs 1 worker: {times[1] / times[2]:.2f}x (target >= 1.7x)")
        if not args.skip_rss:
            size = tuple(int(v) for v in args.rss_size.split("x"))
            rss = []
            for minutes in args.minutes:
                video = tmp / f"loop_{minutes:g}.mp4"
                frames = write_clip(args.video, video, 0, int(round(minutes * 60 * fps)), size)
                mb, wall = peak_rss_mb(video, tmp / f"rss_{minutes:g}")
                rss.append(mb)
                print(f"peak RSS {minutes:>4g} min ({frames} frames {size[0]}x{size[1]}): "
                      f"{mb:7.1f} MB  ({frames / wall:.1f} frames/s)", flush=True)
                video.unlink()
            print(f"RSS growth {args.minutes[0]:g} -> {args.minutes[1]:g} min: "
                  f"{100 * (rss[1] - rss[0]) / rss[0]:+.1f} % (target within 10 %)")


if __name__ == "__main__":
    main()
