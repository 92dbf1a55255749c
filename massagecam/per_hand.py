"""One landmark-model instance per hand, run side by side: the low-latency landmarker for live use.

Why: MediaPipe runs its hand model once per hand, one after the other, in one thread: about
16 ms for two tracked hands at 640×480 here, most of the 25-ms budget of a live frame. An
instance asked for one hand tracks it in about 9–10 ms. :class:`PerHandLandmarker` gives each
hand its own single-hand instance and runs them at the same time on different cores, so a
frame's landmarks are ready in about the time of one hand (measured on
``samples/li4-quick-good.mp4`` at 640×480: 9.2 ms p50 / 12.9 ms p95 per frame instead of
15.3 / 17.2, the same share of frames with both hands found, 93.8 %, and the same landmarks:
median difference 0.00 px, 95th percentile 0.21 px). It costs about 7 % more CPU per frame
(17.2 against 16.1 ms; each instance converts the image), so self-mode analyses, where
throughput counts and both find the same hands, keep :class:`~massagecam.landmarker.Landmarker`
with its two-hand instance. Caregiver analyses use this one: its painted-over searches find
the receiver's hand under the giver's far more often (docs/caregiver.md).

How instances keep to different hands: an instance with no hand to track re-runs the palm
detector, which would find the most salient palm, usually one another instance already tracks.
So a searching instance sees the frame with the other instances' hands (their previous frame's
landmarks, hull widened by 15 %) painted flat grey, and of several empty instances only the
first searches on a frame. Should two instances still end on one hand (tracks converging when
hands overlap), the younger track is dropped; on the next frame that instance sees its hand
painted over, loses it, and searches again.

Live use also skips the model, for one frame, on a hand that is holding still
(``reuse_still``): a hand that moved less than 1.5 % of its palm length between its last two
runs keeps those landmarks for the next frame, and runs again on the one after. Frame to frame,
a receiving hand mostly moves by MediaPipe's own jitter (median 0.8 % of a palm length on the
rendered sample at 60 fps, the giving hand 2.2 %), so about a third of the hand-frames are
reused, the process's CPU per frame falls by about a quarter, and a moving hand is always
measured on the frame it is in. Against the truth of the three rendered samples this is
neither better nor worse (contact F1, zone and technique, means over the three within ±0.02;
docs/live.md).

MediaPipe itself is used only through :class:`~massagecam.landmarker.Landmarker`.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from massagecam.errors import ConfigError
from massagecam.hands import Hands, Landmark
from massagecam.second_look import same_hand

#: Grey painted over the hands a searching instance must not find again.
MASK_BGR = (128, 128, 128)
#: The painted hull is the hand's landmark hull widened by this factor about its centre, so the
#: hand's outline (outside its joints) and a frame's motion (1/60 s) stay covered.
MASK_GROW = 1.15


@dataclass
class PerHandStats:
    """What the instances did: frames, searches (palm detector runs), dropped duplicates.

    ``reused`` counts hands whose landmarks were kept from their last run (``reuse_still``).
    """

    frames: int = 0
    searches: int = 0
    duplicates: int = 0
    reused: int = 0
    detected_counts: dict[int, int] = field(default_factory=dict)


def paint_over(image_bgr: npt.NDArray[np.uint8],
               hands_xy: list[npt.NDArray[np.float32]]) -> npt.NDArray[np.uint8]:
    """A copy of the frame with each hand's widened landmark hull painted :data:`MASK_BGR`.

    The whole hand, fingers included: painting only the palm (what the palm detector looks
    for) left more of a hand under the others visible, but found the receiver in fewer
    caregiver frames (79.4 % against 82.9 %, seeds 100-111 of benchmarks/caregiver.py).
    """
    import cv2

    out = image_bgr.copy()
    for xy in hands_xy:
        centre = xy.mean(axis=0)
        pts = np.round(centre + MASK_GROW * (xy - centre)).astype(np.int32)
        cv2.fillConvexPoly(out, cv2.convexHull(pts), MASK_BGR, lineType=cv2.LINE_8)
    return out


class PerHandLandmarker:
    """``num_hands`` single-hand VIDEO-mode instances, one per hand, in parallel threads.

    Same interface as :class:`~massagecam.landmarker.Landmarker` (``detect``, ``close``,
    context manager, ``stats``), so the pipeline and the live loop take either.

    Args:
        model_path: a task bundle; None uses the bundled, checksum-verified model.
        num_hands: most hands to report, one instance each (2..4).
        mirrored: frames are mirrored (handedness labels are flipped back).
        min_detection_confidence, min_presence_confidence, min_tracking_confidence:
            MediaPipe's thresholds (0..1), the same for every instance.
        background_search: do not wait for a search's frame (see :meth:`detect`); False
            waits, so a file gives the same result on every run (tests).
        pin_threads: on Linux, keep each instance's MediaPipe graph threads on one core of
            its own (instance ``k`` on the ``k``-th core this process may use), a little
            nicer than the others, see :func:`pin_native_threads`. Off by default; live
            practice turns it on.
        reuse_still: a hand that moved less than this share of its palm length between
            its last two runs keeps those landmarks for one frame instead of running its
            model on it (never two frames running). None runs every hand on every frame.
            Live practice uses 0.015 (``LiveConfig.reuse_still``).
        instances: ready single-hand detectors (tests); the default builds Landmarkers.
    """

    def __init__(self, model_path: str | os.PathLike[str] | None = None, num_hands: int = 2,
                 mirrored: bool = False, *, min_detection_confidence: float = 0.5,
                 min_presence_confidence: float = 0.5, min_tracking_confidence: float = 0.5,
                 background_search: bool = True, reuse_still: float | None = None,
                 pin_threads: bool = False, instances: list[Any] | None = None) -> None:
        if not 2 <= num_hands <= 4:
            raise ConfigError(f"num_hands {num_hands}: expected 2..4 (one instance per hand)")
        if reuse_still is not None and not 0.0 < reuse_still <= 0.5:
            raise ConfigError(f"reuse_still {reuse_still!r}: expected None or 0 < share <= 0.5"
                              " of the palm length")
        self.pinned = 0  # native threads kept on one core (pin_threads)
        if instances is None:
            from massagecam.landmarker import Landmarker

            instances = []
            cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
            try:
                for k in range(num_hands):
                    before = _thread_ids()
                    instances.append(Landmarker(
                        model_path, num_hands=1, mirrored=mirrored, second_look=False,
                        search_every_s=None, min_detection_confidence=min_detection_confidence,
                        min_presence_confidence=min_presence_confidence,
                        min_tracking_confidence=min_tracking_confidence))
                    if pin_threads and len(cpus) >= 2:
                        self.pinned += pin_native_threads(_thread_ids() - before,
                                                          cpus[k % len(cpus)])
            except BaseException:
                for lm in instances:
                    lm.close()
                raise
        elif len(instances) != num_hands:
            raise ConfigError(f"instances: {len(instances)} given, expected {num_hands}")
        self.num_hands, self.mirrored = num_hands, mirrored
        self.model_path = getattr(instances[0], "model_path", model_path)
        self._instances = instances
        self._age = [0] * num_hands  # frames each instance has tracked its hand
        self.reuse_still = reuse_still
        self._row: list[Hands | None] = [None] * num_hands  # each hand's last model output
        self._motion = [np.inf] * num_hands  # its move between its last two runs, in palms
        self._reused = [False] * num_hands  # its landmarks were reused on the last frame
        self.background_search = background_search
        self._search: tuple[int, Future[Hands]] | None = None  # (instance, its search)
        self._pool: ThreadPoolExecutor | None = ThreadPoolExecutor(
            num_hands, thread_name_prefix="massagecam hand")
        self.stats = PerHandStats()

    def __enter__(self) -> PerHandLandmarker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the threads and release every instance (idempotent)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        for lm in self._instances:
            lm.close()

    def _run(self, k: int, image_bgr: npt.NDArray[np.uint8], t: float, frame_index: int,
             hide: list[npt.NDArray[np.float32]]) -> Hands:
        if hide:  # a search: the hands the other instances have are painted over
            image_bgr = paint_over(image_bgr, hide)
        return self._instances[k].detect(image_bgr, t, frame_index)

    def _collect_search(self) -> dict[int, Hands]:
        """A finished background search's hand (empty while it runs or when it found none)."""
        if self._search is None or not self._search[1].done():
            return {}
        k, fut = self._search
        self._search = None
        hands = fut.result()
        return {k: hands[0:1]} if len(hands) else {}

    def detect(self, image_bgr: npt.NDArray[np.uint8], t: float, frame_index: int) -> Hands:
        """Landmarks of the hands in one BGR frame (see :meth:`Landmarker.detect`).

        Instances tracking a hand run on this frame, side by side. The first instance without
        a hand searches (palm detector, about twice a tracking run); in the background
        (``background_search``) its frame is not waited for: a hand it finds is reported from
        the next frame on, so searching never delays a frame.
        """
        if self._pool is None:
            raise RuntimeError("PerHandLandmarker is closed")
        tracked = [k for k in range(self.num_hands) if self._row[k] is not None]
        reuse = [k for k in tracked if self._may_reuse(k)]
        jobs = [k for k in tracked if k not in reuse]
        empty = [k for k in range(self.num_hands) if self._row[k] is None]
        if self._search is None and empty:
            hide = [row.xy[0] for row in self._row if row is not None]
            self.stats.searches += 1
            self._search = (empty[0], self._pool.submit(self._run, empty[0], image_bgr, t,
                                                        frame_index, hide))
        # The calling thread runs the first tracking job itself; the pool runs the others.
        futures = {k: self._pool.submit(self._run, k, image_bgr, t, frame_index, [])
                   for k in jobs[1:]}
        found: dict[int, Hands] = {}
        if jobs:
            found[jobs[0]] = self._run(jobs[0], image_bgr, t, frame_index, [])
        for k, fut in futures.items():
            found[k] = fut.result()
        if self._search is not None and not self.background_search:
            self._search[1].result()
        rows: dict[int, Hands] = {k: h[0:1] for k, h in found.items() if len(h)}
        rows.update(self._collect_search())
        self._drop_duplicates(rows)
        for k in reuse:  # after the duplicate check: a kept track is not dropped for a stale one
            rows[k] = self._row[k]  # type: ignore[assignment]
        self.stats.reused += len(reuse)
        for k in range(self.num_hands):
            if self._search is not None and self._search[0] == k:
                continue  # still searching: nothing new to remember
            self._reused[k] = k in reuse
            if k in reuse:
                continue
            before, self._row[k] = self._row[k], rows.get(k)
            self._motion[k] = _moved(before, self._row[k])
            self._age[k] = self._age[k] + 1 if k in rows else 0
        h, w = image_bgr.shape[:2]
        n = len(rows)
        self.stats.frames += 1
        self.stats.detected_counts[n] = self.stats.detected_counts.get(n, 0) + 1
        if not rows:
            return Hands.empty(frame_index=frame_index, t=t, image_wh=(w, h), detected=0)
        parts = [rows[k] for k in sorted(rows)]
        return Hands.from_arrays(
            np.concatenate([p.xy for p in parts]), z=np.concatenate([p.z for p in parts]),
            world=np.concatenate([p.world for p in parts]),
            handedness=[str(p.handedness[0]) for p in parts],
            score=np.concatenate([p.score for p in parts]), frame_index=frame_index, t=t,
            image_wh=(w, h), detected=n)

    def _may_reuse(self, k: int) -> bool:
        """Instance ``k``'s hand was still and was run on the last frame: skip it this one."""
        return (self.reuse_still is not None and not self._reused[k]
                and self._motion[k] < self.reuse_still)

    def _drop_duplicates(self, rows: dict[int, Hands]) -> None:
        """Two instances on one hand: keep the older track, drop the other."""
        keys = sorted(rows, key=lambda k: (-self._age[k], k))
        kept: list[int] = []
        for k in keys:
            if any(same_hand(rows[k].xy[0], rows[j].xy[0]) for j in kept):
                del rows[k]
                self.stats.duplicates += 1
            else:
                kept.append(k)


def _moved(before: Hands | None, after: Hands | None) -> float:
    """Mean landmark move of a one-hand row, in palm lengths (inf when either is unknown)."""
    if before is None or after is None:
        return float("inf")
    a, b = before.xy[0], after.xy[0]
    palm = float(np.linalg.norm(b[Landmark.MIDDLE_FINGER_MCP] - b[Landmark.WRIST]))
    if palm <= 1e-6:
        return float("inf")
    return float(np.linalg.norm(b - a, axis=1).mean()) / palm


#: Name MediaPipe (1.2) gives the threads of a graph's default executor, which run the model.
GRAPH_THREAD_NAME = "drishti"
#: Niceness added to pinned model threads, so the loop's short Python steps preempt them.
MODEL_NICE = 5


def _thread_ids() -> set[int]:
    """Ids of this process's MediaPipe graph threads (Linux ``/proc``; elsewhere empty)."""
    found = set()
    try:
        for tid in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{tid}/comm") as f:
                if f.read().strip() == GRAPH_THREAD_NAME:
                    found.add(int(tid))
    except OSError:
        return found
    return found


def pin_native_threads(tids: set[int], cpu: int, nice: int = MODEL_NICE) -> int:
    """Keep the threads ``tids`` on core ``cpu``, ``nice`` steps nicer; returns how many.

    :class:`PerHandLandmarker` passes the graph threads each instance started (two per
    instance); should a MediaPipe version name them otherwise, none are found and nothing is
    pinned (the live benchmark prints how many were).

    Why a core each: traced with ``perf`` (sched_switch) on this 2-core VM, the slowest live
    frames had both instances' MediaPipe threads taking turns on one core while the other
    stayed idle for up to 12 ms; the scheduler did not move a woken thread to the idle core.
    Pinned, p95 latency fell by 3-5 ms. Why lower priority: in the frames that were still
    slow, the process used less than one core of two (``perf`` samples), as when threads wait
    for each other rather than for a core; the loop's Python threads (coach, overlay, and
    MediaPipe's own Python dispatch around each model call) run in short steps, and at
    niceness 0 they queued behind a model thread on its core. At niceness 5 the model threads
    still get every idle cycle but yield at once: in seven 60-s runs p95 was 19.1-21.0 ms
    (0-2 frames dropped, none in five), against 20.2-24.0 ms at niceness 0 (0-2 dropped, none
    in five of nine; docs/live.md). A thread that is gone or may not be changed is skipped:
    this is an optimisation, never an error.
    """
    done = 0
    for tid in tids:
        try:
            os.sched_setaffinity(tid, {cpu})
            if nice:  # relative to the thread's own, so a niced process stays niced
                base = os.getpriority(os.PRIO_PROCESS, tid)
                os.setpriority(os.PRIO_PROCESS, tid, min(19, base + nice))
            done += 1
        except (OSError, AttributeError):
            continue
    return done
