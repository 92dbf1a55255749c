"""Analyse one long video with several processes: landmarks by segment, the rest in order.

Why split this way: the landmark model costs ~95 % of a frame and only needs the frame, while
everything after it (tracking, side, contact, technique, coach) carries state from frame to
frame and costs about a millisecond and a half. So worker processes each decode and run the model
on one *segment* of the video, and the parent feeds their ``Hands`` through one
:class:`~massagecam.session.Pipeline` in frame order (:meth:`Pipeline.push`). Tracking,
smoothing, roles and the coach therefore see exactly the sequence a single process would: there
is no tracking seam to patch.

The only seam left is inside the model: MediaPipe's VIDEO mode tracks each hand from the last
frame's landmarks, so a fresh detector at a segment start sees the first frame as a cold start.
Each segment therefore starts ``warmup`` frames early and drops them ("overlap the segments and
drop the warm-up"), so the detector is tracking, not cold-starting, at the seam. It is not
bit-identical to a continuous run: MediaPipe feeds each frame's landmarks into the next crop,
so tiny differences persist (measured with :func:`seam_agreement`: mean 0.19 px on 621 frames
of 720p footage, see docs/batch.md).

Segments are at most ``chunk_s`` long and at most ``workers + 1`` are in flight, so memory does
not grow with the video's length. Workers send only landmarks and the frame's mean grey level
(all the pipeline's light hint reads of the image); images never cross processes.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
from collections import deque
from collections.abc import Generator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from massagecam.errors import CaptureError, ConfigError
from massagecam.hands import Hands
from massagecam.hindsight import ANALYSIS_LAG_S
from massagecam.hints import grey_image

if TYPE_CHECKING:
    from massagecam.analyze import AnalysisOutput
    from massagecam.routines.model import Routine
    from massagecam.session import Pipeline

#: Seconds each segment starts early. More than the landmarker's ``sparse_after_s`` (1 s), so
#: that at the seam its detection mode (all hands, or the hands in view alone) is the one a
#: continuous run would be in.
DEFAULT_WARMUP_S = 1.5
DEFAULT_CHUNK_S = 30.0


@dataclass(frozen=True)
class Segment:
    """Frames ``[start, stop)`` are kept; decoding starts at ``warm_start`` (<= start).

    ``stop`` None = to the end of the file (the frame count in a header is not trusted).
    """

    warm_start: int
    start: int
    stop: int | None


def plan(frame_count: int, workers: int, fps: float, *, warmup_s: float = DEFAULT_WARMUP_S,
         chunk_s: float = DEFAULT_CHUNK_S) -> list[Segment]:
    """Split ``frame_count`` frames into segments: at least one per worker, at most ``chunk_s``.

    Raises:
        ConfigError: workers < 1, warmup_s < 0 or chunk_s <= warmup_s.
    """
    if workers < 1:
        raise ConfigError(f"workers={workers}: expected >= 1")
    if warmup_s < 0:
        raise ConfigError(f"warmup_s={warmup_s}: expected >= 0")
    if chunk_s <= warmup_s:
        raise ConfigError(f"chunk_s={chunk_s}: expected more than warmup_s={warmup_s}")
    warm = int(round(warmup_s * fps))
    n_seg = max(workers, math.ceil(frame_count / max(1.0, chunk_s * fps)))
    # a segment shorter than a few warm-ups wastes more than it gains
    n_seg = max(1, min(n_seg, frame_count // max(4 * warm, 1)))
    bounds = [round(k * frame_count / n_seg) for k in range(n_seg + 1)]
    return [Segment(max(0, a - warm), a, b if k < n_seg - 1 else None)
            for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True))]


def detect_segment(video: str, seg: Segment, fps: float, landmarker_kw: dict[str, Any]
                   ) -> list[tuple[Hands, float]]:
    """Decode and detect one segment (runs in a worker): ``(hands, grey level)`` per kept frame.

    Frames are stamped ``index / fps`` like :func:`massagecam.capture.open_source` stamps a file,
    so a segmented run sees the same timestamps as a sequential one.
    """
    import cv2

    from massagecam.landmarker import Landmarker

    cap = cv2.VideoCapture(video)
    if not cap.isOpened():
        raise CaptureError(f"{video}: cannot be decoded as a video")
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    out: list[tuple[Hands, float]] = []
    try:
        if seg.warm_start > 0:
            cap.set(cv2.CAP_PROP_POS_FRAMES, seg.warm_start)
        index = seg.warm_start
        with Landmarker(**landmarker_kw) as lm:
            while seg.stop is None or index < seg.stop:
                ok, image = cap.read()
                if not ok:
                    break
                hands = lm.detect(image, index / fps, index)
                if index >= seg.start:
                    out.append((hands, float(image[::8, ::8].mean())))
                index += 1
    finally:
        cap.release()
    if seg.stop is not None and index < seg.stop:
        raise CaptureError(f"{video}: video breaks at frame {index} (expected frames up to "
                           f"{seg.stop - 1}); file truncated or corrupt")
    return out


def _context() -> Any:
    """Workers forked from a server that has imported MediaPipe once.

    Each segment runs in a fresh worker (``max_tasks_per_child=1``): a worker that went on to
    the next segment kept growing (a new model instance per segment leaves the heap a little
    larger: 267 MB after one 30-s segment, 299 MB after ten), so the peak RSS grew with the
    video's length. Python refuses ``max_tasks_per_child`` with plain fork; a fork server
    forks each worker in milliseconds from a process that has already imported the model
    code (spawn would re-import everything, about 1 s a worker here).
    """
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["massagecam.segments", "massagecam.landmarker", "cv2",
                                    "mediapipe"])
        return ctx
    return mp.get_context("spawn")


def detect_parallel(video: str | os.PathLike[str], frame_count: int, fps: float, *,
                    workers: int = 2, warmup_s: float = DEFAULT_WARMUP_S,
                    chunk_s: float = DEFAULT_CHUNK_S,
                    landmarker_kw: dict[str, Any] | None = None
                    ) -> Generator[tuple[Hands, float], None, None]:
    """``(hands, grey level)`` for every frame of ``video``, in order, detected by ``workers``.

    The workers start *now* (not at the first ``next``), so they load their models while the
    caller builds its pipeline.
    """
    segs = plan(frame_count, workers, fps, warmup_s=warmup_s, chunk_s=chunk_s)
    kw = dict(landmarker_kw or {})
    pool = ProcessPoolExecutor(max_workers=min(workers, len(segs)), mp_context=_context(),
                               max_tasks_per_child=1)
    pending: deque[Future[list[tuple[Hands, float]]]] = deque()
    todo = deque(segs)

    def top_up() -> None:
        # at most one segment per worker in flight: a finished segment waits here until its
        # turn, so a further one would hold one more segment of results in this process (the
        # peak RSS would then grow with the number of segments up to that bound)
        while todo and len(pending) < workers:
            pending.append(pool.submit(detect_segment, str(video), todo.popleft(), fps, kw))

    def results() -> Generator[tuple[Hands, float], None, None]:
        try:
            while pending:
                fut = pending.popleft()
                top_up()
                yield from fut.result()
        finally:
            for fut in pending:
                fut.cancel()
            pool.shutdown(wait=True, cancel_futures=True)

    try:
        top_up()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    return results()


class _NoModel:
    """Stands in for the landmarker in the parent: its landmarks come from the workers."""

    def detect(self, *_: Any) -> Hands:
        raise RuntimeError("segmented analysis feeds landmarks through Pipeline.push")


def check_flow_free(pipe: Pipeline) -> None:
    """Segmented analysis passes no images on: refuse a tracker that needs them (flow)."""
    if getattr(pipe.tracker, "uses_images", False):
        raise ConfigError("segments: the tracker's optical-flow carrying needs every image; "
                          "expected a RoleTracker with flow=False (the default)")


def model_kw(model_path: str | os.PathLike[str] | None, mirrored: bool) -> dict[str, Any]:
    """Landmarker settings a :class:`~massagecam.session.Pipeline` would use."""
    return {"model_path": None if model_path is None else str(Path(model_path)),
            "num_hands": 2, "mirrored": mirrored, "second_look": True}


def analyze_segmented(video: str | os.PathLike[str], *, workers: int = 2,
                      routine: str | os.PathLike[str] | Routine | None = None,
                      out_dir: str | os.PathLike[str] | None = None, report: bool = True,
                      history: bool = True, db: str | os.PathLike[str] | None = None,
                      receiving: str = "auto", mode: str = "self", mirrored: bool = False,
                      model_path: str | os.PathLike[str] | None = None, progress: bool = False,
                      kind: str = "analyze", warmup_s: float = DEFAULT_WARMUP_S,
                      chunk_s: float = DEFAULT_CHUNK_S,
                      caregiver_at: str | None = "bottom",
                      threads: int | None = None,
                      hindsight_s: float = ANALYSIS_LAG_S) -> AnalysisOutput:
    """:func:`massagecam.analyze.analyze_video` with the landmark model in ``workers`` processes.

    Same outputs, same schema; no ``--annotate`` (that needs every image in one process).
    Falls back to :func:`~massagecam.analyze.analyze_video` (the model in ``threads``
    threads) when the file does not declare its frame count or is too short to split past
    the warm-ups.

    Returns:
        :class:`massagecam.analyze.AnalysisOutput`.
    """
    import time

    from massagecam import analyze as an
    from massagecam.capture import open_source
    from massagecam.history import History, now_iso, record_from_result
    from massagecam.report import html as report_html
    from massagecam.report.recorder import Recorder
    from massagecam.report.result import timeline_rows, write_atomic_json
    from massagecam.session import Pipeline

    if workers < 2:
        raise ConfigError(f"workers={workers}: segmented analysis needs >= 2 (use analyze)")
    started = now_iso()
    t0 = time.monotonic()
    with open_source(video) as source:  # validates the file, reads its facts
        info = source.info
    if info.kind != "video" or not info.frame_count or len(
            plan(info.frame_count, workers, info.fps or 30.0, warmup_s=warmup_s,
                 chunk_s=chunk_s)) < 2:
        # no frame count to split by, or too short to split past the warm-ups: one process,
        # the model in threads
        return an.analyze_video(video, routine=routine, out_dir=out_dir, report=report,
                                history=history, db=db, receiving=receiving, mode=mode,
                                mirrored=mirrored, model_path=model_path, progress=progress,
                                kind=kind, caregiver_at=caregiver_at, threads=threads,
                                hindsight_s=hindsight_s)
    out = Path(out_dir) if out_dir is not None else an.default_out_dir(video)
    # routine and settings first: a bad routine must fail before any worker starts
    pipe = Pipeline(routine, receiving=receiving, mode=mode, mirrored=mirrored,
                    landmarker=_NoModel(), caregiver_at=caregiver_at, hindsight_s=hindsight_s)
    check_flow_free(pipe)
    stream = detect_parallel(video, info.frame_count, info.fps, workers=workers,
                             warmup_s=warmup_s, chunk_s=chunk_s,
                             landmarker_kw=model_kw(model_path, mirrored))
    rec = Recorder()
    partial_reason: str | None = None
    bar = an.progress_bar(progress, info.frame_count, info.name)
    pushed = 0
    try:
        try:
            for hands, level in stream:
                for _, result in pipe.push(hands, grey_image(level)):
                    rec.add(result)
                pushed += 1
                if bar is not None:
                    bar.update(1)
        except KeyboardInterrupt:
            partial_reason = f"interrupted by the user after {pushed} frames"
        for _, result in pipe.drain():  # the frames still held for their look-ahead
            rec.add(result)
    finally:
        stream.close()
        if bar is not None:
            bar.close()
    out.mkdir(parents=True, exist_ok=True)
    score = pipe.finish()
    header = an.result_header(info, rec, pipe.routine, score, pipe, partial_reason, False,
                              time.monotonic() - t0)
    header["settings"]["segments"] = workers
    result_path = write_atomic_json(out / "result.json", header, timeline_rows(rec))
    html_path = report_html.write(out / "report.html", header, rec, pipe.routine) \
        if report else None
    sid = None
    if history:
        with History(db) as h:
            sid = h.add(record_from_result(header, kind=kind, started_at=started,
                                           source=str(Path(str(video)).resolve())))
    s = header["score"]
    return an.AnalysisOutput(out, result_path, html_path, None, sid, partial_reason is not None,
                             None if s is None else s["total"],
                             "" if s is None else s["feedback"], len(rec.timeline),
                             time.monotonic() - t0)


def seam_agreement(video: str | os.PathLike[str], frame_count: int, fps: float, *,
                   workers: int = 2, warmup_s: float = DEFAULT_WARMUP_S,
                   chunk_s: float = DEFAULT_CHUNK_S,
                   model_path: str | os.PathLike[str] | None = None
                   ) -> dict[str, Any]:
    """How closely segmented landmarks match one continuous detector on the first frames.

    Runs both on the first ``frame_count`` frames of ``video`` (here, in this process, one
    segment after the other) and compares frame by frame: frames whose hand count differs, and
    the largest / mean landmark distance in pixels where both found the same number of hands.
    """
    import cv2

    from massagecam.landmarker import Landmarker

    kw = model_kw(model_path, False)
    seq: list[Hands] = []
    cap = cv2.VideoCapture(str(video))
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    with Landmarker(**kw) as lm:
        for i in range(frame_count):
            ok, image = cap.read()
            if not ok:
                break
            seq.append(lm.detect(image, i / fps, i))
    cap.release()
    segs = plan(len(seq), workers, fps, warmup_s=warmup_s, chunk_s=chunk_s)
    segs[-1] = Segment(segs[-1].warm_start, segs[-1].start, len(seq))
    par = [h for s in segs for h, _ in detect_segment(str(video), s, fps, kw)]
    count_diff, dists, where = 0, [], []
    for a, b in zip(seq, par, strict=True):
        if len(a) != len(b):
            count_diff += 1
        elif len(a):
            d = np.linalg.norm(np.sort(a.xy, axis=0) - np.sort(b.xy, axis=0), axis=-1)
            dists.append(float(d.max()))
            where.append(a.frame_index)
    k = int(np.argmax(dists)) if dists else 0
    return {"frames": float(len(seq)), "segments": float(len(segs)),
            "seams": [float(s.start) for s in segs[1:]],
            "hand_count_differs": float(count_diff),
            "max_px": dists[k] if dists else 0.0,
            "max_frame": float(where[k]) if dists else -1.0,
            "mean_px": float(np.mean(dists)) if dists else 0.0}
