"""Realism benchmark: does the project's tracking find the rendered hands?

Renders >= 20 sessions across the six skin tones, palm and back, left and right receiving hands,
the three backgrounds and lighting kinds, writes each to a temporary mp4 (so video compression is
part of the test), reads it back, runs massagecam.landmarker.Landmarker + massagecam.tracking.
RoleTracker on it and compares with the truth.

Figures (per condition and overall):
  receiver %   frames with the receiver rendered where the tracker reports a RECEIVER row,
               detected this frame (not held), within 0.3 palm lengths of the truth;
  giver@press  the same for the GIVER row over frames where the thumb presses;
  raw R / raw G  the same from the bare landmarker output (any detected hand matching);
  err %L       median over matched detections of the mean landmark distance / palm length;
  med %L       the same with each hand's median landmark distance (the issue's measure);
  R>0.5s, G>0.5s  receiver % and giver@press % after the tracker's first 0.5 s (it needs a
               few frames of evidence before it names the roles);
  hand ok %    detected handedness label == rendered hand, over frames where the hands are
               apart (no landmark of one hand on the other, or one hand alone).

Also prints the renderer's speed (frames per second, rendering alone and with mp4 encoding,
640x480) on a cluttered, side-lit session: real time needs >= 30 fps.

Usage:  python benchmarks/render_realism.py [--sessions 24] [--seconds 8] [--quick] [--speed-only]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

from massagecam.hands import Role
from massagecam.render import Renderer, parse_script
from massagecam.render.skin import TONES
from massagecam.render.writer import open_writer

TARGETS = {"back": ["LI4", "TE3", "EX-UE8", "LI3", "D5"],
           "palm": ["PC8", "HT8", "Z10", "LU10", "Z14"]}
TECHS = ["circles", "hold", "stroke", "thumb_walk"]
WARMUP_S = 0.5  # the tracker needs a few frames of evidence before it names the roles


def session_toml(k: int, seconds: float) -> tuple[str, dict[str, str]]:
    """The k-th benchmark session: conditions cycle so every tone meets every other factor."""
    tone = TONES[k % 6]
    side = ("palm", "back")[(k // 6) % 2] if k < 12 else ("back", "palm")[k % 2]
    receiving = ("left", "right")[(k // 2) % 2]
    background = ("plain", "textured", "cluttered")[(k // 3) % 3]
    lighting = ("even", "side", "dim")[(k // 4) % 3]
    t1, t2 = TARGETS[side][k % 5], TARGETS[side][(k + 2) % 5]
    tech = TECHS[k % 4]
    seg = seconds / 8.0
    text = f"""
receiving = "{receiving}"
[render]
seed = {100 + k}
size = [640, 480]
fps = 30
skin = "{tone}"
background = "{background}"
lighting = "{lighting}"
[[perform]]
action = "away"
duration_s = {0.6 * seg:.2f}
[[perform]]
action = "move"
duration_s = {0.4 * seg:.2f}
[[perform]]
step = 1
target = "{t1}"
technique = "{tech}"
duration_s = {2.6 * seg:.2f}
[[perform]]
action = "move"
duration_s = {0.6 * seg:.2f}
[[perform]]
step = 2
target = "{t2}"
technique = "circles"
duration_s = {2.2 * seg:.2f}
[[perform]]
step = 2
target = "{t2}"
technique = "hold"
contact = false
duration_s = {0.6 * seg:.2f}
[[perform]]
action = "pause"
duration_s = {1.0 * seg:.2f}
"""
    cond = {"tone": tone, "side": side, "receiving": receiving, "background": background,
            "lighting": lighting}
    return text, cond


def _err(found: np.ndarray, truth: np.ndarray) -> float:
    """Mean landmark distance in palm lengths (stricter than the median)."""
    lp = float(np.linalg.norm(truth[9] - truth[0])) or 1.0
    return float(np.linalg.norm(found - truth, axis=1).mean() / lp)


def _med(found: np.ndarray, truth: np.ndarray) -> float:
    """Median landmark distance in palm lengths (the issue's measure)."""
    lp = float(np.linalg.norm(truth[9] - truth[0])) or 1.0
    return float(np.median(np.linalg.norm(found - truth, axis=1)) / lp)


def _apart(g: np.ndarray | None, r: np.ndarray | None) -> bool:
    """No landmark of either hand lies on (or within 0.1 palm lengths of) the other hand."""
    if g is None or r is None:
        return True
    for a, b in ((g, r), (r, g)):
        hull = cv2.convexHull(np.round(b).astype(np.int32))
        margin = 0.1 * float(np.linalg.norm(b[9] - b[0]))
        if any(cv2.pointPolygonTest(hull, (float(x), float(y)), True) > -margin for x, y in a):
            return False
    return True


def run_session(text: str, workdir: Path, second_look: bool = True) -> dict[str, list]:
    from massagecam.landmarker import Landmarker
    from massagecam.tracking import RoleTracker

    script = parse_script(text)
    renderer = Renderer(script)
    video = workdir / "s.mp4"
    writer = open_writer(video, script.render.fps, script.render.size)
    truths = []
    for rf in renderer.frames():
        writer.write(rf.image)
        truths.append(rf.truth)
    writer.release()
    rec_hand = renderer.timeline.handedness
    giv_hand = renderer.timeline.giver_shape.handedness
    out: dict[str, list] = defaultdict(list)
    cap = cv2.VideoCapture(str(video))
    tracker = RoleTracker(receiving=script.receiving)
    t0 = time.perf_counter()
    with Landmarker(second_look=second_look) as lm:
        for tr in truths:
            ok, img = cap.read()
            if not ok:
                break
            hands = lm.detect(img, tr["t"], tr["frame"])
            tracked = tracker.update(hands, img)
            r_t = None if tr["receiver"] is None else np.array(tr["receiver"], np.float32)
            g_t = None if tr["giver"] is None else np.array(tr["giver"], np.float32)
            apart = _apart(g_t, r_t)
            steady = tr["t"] >= WARMUP_S
            for truth, role, label, key in ((r_t, Role.RECEIVER, rec_hand, "r"),
                                            (g_t, Role.GIVER, giv_hand, "g")):
                if truth is None:
                    continue
                counted = key == "r" or bool(tr["contact"])  # giver: press frames only
                raw = [_err(hands.xy[i], truth) for i in range(len(hands))]
                best = int(np.argmin(raw)) if raw else -1
                raw_ok = bool(raw) and raw[best] < 0.3
                if counted:
                    out[f"raw_{key}"].append(raw_ok)
                    i = tracked.index_of(role)
                    ok_t = (i is not None and not bool(tracked.estimated[i])
                            and _err(tracked.xy[i], truth) < 0.3)
                    out[f"trk_{key}"].append(ok_t)
                    if steady:
                        out[f"st_{key}"].append(ok_t)
                if raw_ok:
                    out["err"].append(raw[best])
                    out["med"].append(_med(hands.xy[best], truth))
                    if apart:
                        out["hand_ok"].append(str(hands.handedness[best]) == label)
    cap.release()
    out["det_ms"].append((time.perf_counter() - t0) * 1000 / max(len(truths), 1))
    return out


def speed(frames: int = 150) -> None:
    """Print rendering speed in frames per second (wall clock and CPU time)."""
    text, _ = session_toml(5, frames / 30.0)
    text = text.replace('background = "', 'background = "cluttered" #"', 1)
    script = parse_script(text)
    for encode in (False, True):
        renderer = Renderer(script)
        with tempfile.TemporaryDirectory() as tmp:
            writer = open_writer(Path(tmp) / "s.mp4", 30, (640, 480)) if encode else None
            t0, c0 = time.perf_counter(), time.process_time()
            n = 0
            for rf in renderer.frames():
                if writer is not None:
                    writer.write(rf.image)
                n += 1
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            if writer is not None:
                writer.release()
        what = "render + mp4 encode" if encode else "render only       "
        print(f"{what}: {n / wall:6.1f} fps wall, {n / cpu:6.1f} fps per CPU-second "
              f"({n} frames 640x480)")


def pct(v: list) -> str:
    return f"{100.0 * np.mean(v):5.1f}" if v else "   - "


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=24)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--quick", action="store_true", help="6 sessions of 4 s (smoke run)")
    ap.add_argument("--speed-only", action="store_true", help="only the rendering speed")
    ap.add_argument("--only", default="", help="comma-separated session numbers (1-based)")
    ap.add_argument("--no-second-look", action="store_true",
                    help="run the landmarker without its second look for a lost hand")
    args = ap.parse_args()
    if args.speed_only or not args.only:
        speed()
    if args.speed_only:
        return
    n, secs = (6, 4.0) if args.quick else (args.sessions, args.seconds)
    per: dict[tuple[str, str], dict[str, list]] = defaultdict(lambda: defaultdict(list))
    with tempfile.TemporaryDirectory() as tmp:
        picked = [int(x) - 1 for x in args.only.split(",") if x.strip()] or range(n)
        for k in picked:
            text, cond = session_toml(k, secs)
            res = run_session(text, Path(tmp), second_look=not args.no_second_look)
            keys = [("all", "all")] + [(c, v) for c, v in cond.items()]
            for key in keys:
                for m, vals in res.items():
                    per[key][m].extend(vals)
            print(f"session {k + 1:2d}/{n} {cond}: receiver {pct(res['trk_r'])} % "
                  f"giver@press {pct(res['trk_g'])} % err {np.median(res['err']) * 100:4.1f} %L "
                  f"hand {pct(res['hand_ok'])} %", flush=True)
    print()
    print(f"{'condition':24s} {'frames':>6s} {'receiver%':>9s} {'giver@press%':>12s} "
          f"{'R>0.5s%':>7s} {'G>0.5s%':>7s} {'raw R%':>6s} {'raw G%':>6s} {'err %L':>6s} "
          f"{'med %L':>6s} "
          f"{'hand ok%':>8s} {'n apart':>7s}")
    order = ["all", "tone", "side", "receiving", "background", "lighting"]
    for cat in order:
        for (c, v), m in sorted(per.items(), key=lambda kv: (order.index(kv[0][0]),
                                                               str(kv[0][1]))):
            if c != cat:
                continue
            err = f"{np.median(m['err']) * 100:6.1f}" if m["err"] else "     -"
            err += f" {np.median(m['med']) * 100:6.1f}" if m["med"] else "      -"
            print(f"{c + '=' + v:24s} {len(m['raw_r']):6d} {pct(m['trk_r']):>9s} "
                  f"{pct(m['trk_g']):>12s} {pct(m['st_r']):>7s} {pct(m['st_g']):>7s} "
                  f"{pct(m['raw_r']):>6s} {pct(m['raw_g']):>6s} "
                  f"{err} {pct(m['hand_ok']):>8s} {len(m['hand_ok']):7d}")
    ms = np.mean(per[("all", "all")]["det_ms"])
    print(f"\nlandmarker+tracker ms/frame (wall clock): {ms:.1f}")


if __name__ == "__main__":
    main()
