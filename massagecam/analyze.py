"""Analyse a recorded session: one video in, ``result.json`` + ``report.html`` (+ video) out.

The same :class:`~massagecam.session.Pipeline` as live practice runs over every frame, so a
recording is judged as the live session would have been, with one difference a recording
allows: each frame's stroke is named with a few seconds of hindsight
(:mod:`massagecam.hindsight`; ``hindsight_s=0`` turns it off). Decoding runs in its own
thread (a bounded queue of a few frames) so the landmark model never waits for the decoder.

Outputs are written under temporary names and renamed at the end: a video that fails half way
leaves no half-written result behind. Ctrl-C is different: the user chose to stop, so what was
analysed up to then is written and marked ``partial``. Memory stays flat with video length (see
:mod:`massagecam.report.recorder`).
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from massagecam import __version__
from massagecam.errors import CaptureError
from massagecam.hindsight import ANALYSIS_LAG_S
from massagecam.history import History, now_iso, record_from_result
from massagecam.report import html as report_html
from massagecam.report.recorder import Recorder
from massagecam.report.result import (
    SCHEMA_NAME,
    SCHEMA_VERSION,
    routine_json,
    score_json,
    timeline_rows,
    tracking_json,
    write_atomic_json,
)
from massagecam.session import FrameResult, Pipeline

if TYPE_CHECKING:
    import cv2
    from tqdm import tqdm

    from massagecam.capture import SourceInfo
    from massagecam.overlay.compose import Overlay
    from massagecam.routines.model import Routine
    from massagecam.scoring import SessionScore

T = TypeVar("T")

DEFAULT_OUT_ROOT = Path("massagecam-out")


@dataclass(frozen=True)
class AnalysisOutput:
    """Where the outputs went and the headline figures.

    Attributes:
        out_dir: the output folder.
        result_json / report_html / annotated: written files (None when not asked).
        session_id: history row id, None with ``history=False``.
        partial: the analysis was interrupted (Ctrl-C); outputs cover the frames before it.
        score: session score 0..100, None without a routine.
        feedback: the score's one-sentence explanation ("" without a routine).
        frames: frames analysed.
        seconds: wall-clock time of the analysis.
        warnings: tracking-quality warnings (as in the report).
    """

    out_dir: Path
    result_json: Path
    report_html: Path | None
    annotated: Path | None
    session_id: int | None
    partial: bool
    score: float | None
    feedback: str
    frames: int
    seconds: float
    warnings: tuple[str, ...] = ()


def default_out_dir(video: str | os.PathLike[str]) -> Path:
    """``./massagecam-out/<video name without extension>/``."""
    return DEFAULT_OUT_ROOT / Path(str(video)).stem


def default_threads() -> int:
    """Landmark instances for one analysis: one per core, at most 2.

    Measured on a 2-core machine (benchmarks/throughput.py): two instances in threads nearly
    double the frames per second of one; a third only competes for the same cores.
    """
    return max(1, min(2, os.cpu_count() or 1))


def _prefetch(frames: Iterator[T], depth: int = 4) -> Iterator[T]:
    """Iterate ``frames`` decoded ahead in a background thread (bounded: ``depth`` frames)."""
    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def run() -> None:
        try:
            for f in frames:
                while not stop.is_set():
                    try:
                        q.put(f, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(done)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer to re-raise
            q.put(exc)

    th = threading.Thread(target=run, name="massagecam-decode", daemon=True)
    th.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while th.is_alive():
            try:
                q.get_nowait()
            except queue.Empty:
                th.join(0.05)


def analyze_video(video: str | os.PathLike[str], *,
                  routine: str | os.PathLike[str] | Routine | None = None,
                  out_dir: str | os.PathLike[str] | None = None, annotate: bool = False,
                  report: bool = True, history: bool = True,
                  db: str | os.PathLike[str] | None = None, receiving: str = "auto",
                  mode: str = "self", mirrored: bool = False,
                  model_path: str | os.PathLike[str] | None = None, progress: bool = False,
                  kind: str = "analyze", max_frames: int | None = None,
                  pipeline: Pipeline | None = None,
                  on_frame: Callable[[int], None] | None = None,
                  threads: int | None = None,
                  caregiver_at: str | None = "bottom",
                  hindsight_s: float = ANALYSIS_LAG_S) -> AnalysisOutput:
    """Analyse ``video`` and write its outputs.

    Args:
        video: a video file (or anything :func:`massagecam.capture.open_source` opens).
        routine: built-in id, TOML path or ``Routine``; None for free practice (no score).
        out_dir: output folder, default :func:`default_out_dir`.
        annotate: also write ``annotated.mp4`` with the live overlay.
        report: write ``report.html``.
        history: store the session in the history database.
        db: history database path, default :func:`massagecam.history.default_path`.
        receiving: which hand receives (see :class:`~massagecam.session.Pipeline`).
        mode: "self" or "caregiver".
        mirrored: the video is mirrored (selfie view).
        model_path: hand landmarker model, default the bundled one.
        progress: show a tqdm progress bar on stderr.
        kind: history kind ("analyze", "demo", "batch").
        max_frames: stop after this many frames (a complete, not partial, shorter analysis).
        pipeline: a ready pipeline (already entered) instead of building one; for tests.
        on_frame: called with the number of frames done after each frame (tests, GUIs).
        caregiver_at: caregiver mode: the image edge the caregiver's hands come from.
        threads: landmark model instances run side by side (1..4), each on every k-th frame
            (:meth:`Pipeline.feed`); default :func:`default_threads`. The result does not
            depend on timing, but 1 and 2 give slightly different results.
        hindsight_s: how far ahead each frame's technique is judged
            (:mod:`massagecam.hindsight`); 0 judges every frame as live practice would.

    Raises:
        CaptureError: the video cannot be opened or breaks while reading (nothing written).
        RoutineError / ConfigError: bad routine or settings (checked before decoding).
    """
    from massagecam.capture import open_source

    started = now_iso()
    t0 = time.monotonic()
    out = Path(out_dir) if out_dir is not None else default_out_dir(video)
    own = pipeline is None
    pipe = pipeline or Pipeline(routine, receiving=receiving, mode=mode, mirrored=mirrored,
                                model_path=model_path, caregiver_at=caregiver_at,
                                landmark_workers=threads or default_threads(),
                                hindsight_s=hindsight_s)
    rec = Recorder()
    partial_reason: str | None = None
    tmp_video: Path | None = None
    writer = None
    try:
        with open_source(video) as source:
            info = source.info
            out.mkdir(parents=True, exist_ok=True)
            if own:
                pipe.__enter__()
            if annotate:
                tmp_video, writer, overlay = _open_writer(out, info, pipe)
            bar = progress_bar(progress, info.frame_count if max_frames is None else
                               min(max_frames, info.frame_count or max_frames), info.name)
            def emit(done: list[tuple[Any, FrameResult]]) -> None:
                for image, result in done:
                    rec.add(result)
                    if writer is not None:
                        writer.write(_annotate(image, result, overlay))

            pushed = 0
            try:
                try:
                    with contextlib.closing(_prefetch(iter(source))) as frames, \
                            contextlib.closing(pipe.feed(frames)) as feed:
                        for d in feed:
                            image = None if writer is None else _hold(d.frame.image, pipe)
                            emit(pipe.push_detected(d, image))
                            pushed += 1
                            if bar is not None:
                                bar.update(1)
                            if on_frame is not None:
                                on_frame(pushed)
                            if max_frames is not None and pushed >= max_frames:
                                break
                except KeyboardInterrupt:
                    partial_reason = f"interrupted by the user after {pushed} frames"
                emit(pipe.drain())  # the frames still held for their look-ahead
            finally:
                if bar is not None:
                    bar.close()
                if writer is not None:
                    writer.release()
        score = pipe.finish()
        routine_obj = pipe.routine
        header = result_header(info, rec, routine_obj, score, pipe, partial_reason, annotate,
                               time.monotonic() - t0)
        result_path = write_atomic_json(out / "result.json", header, timeline_rows(rec))
        html_path = report_html.write(out / "report.html", header, rec, routine_obj) \
            if report else None
        video_path = None
        if tmp_video is not None:
            video_path = out / "annotated.mp4"
            tmp_video.replace(video_path)
            tmp_video = None
    finally:
        if own:
            pipe.close()
        if tmp_video is not None:
            tmp_video.unlink(missing_ok=True)
    sid = None
    s = header["score"]
    if history:
        with History(db) as h:
            sid = h.add(record_from_result(header, kind=kind, started_at=started,
                                           source=str(Path(str(video)).resolve())))
    return AnalysisOutput(out, result_path, html_path, video_path, sid,
                          partial_reason is not None, None if s is None else s["total"],
                          "" if s is None else s["feedback"], len(rec.timeline),
                          time.monotonic() - t0, tuple(header["tracking"]["warnings"]))


def _hold(image: np.ndarray, pipe: Pipeline) -> Any:
    """The frame's image, kept to be drawn once its look-ahead is over.

    With look-ahead the pipeline holds a few seconds of frames (90 at 30 fps, 3 s); raw 1080p
    images would take over 500 MB, so they wait JPEG-encoded (quality 95, about 0.3 MB each).
    """
    if pipe.hindsight is None:
        return image
    import cv2

    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 95])
    if not ok:
        raise CaptureError("cannot hold a frame for the annotated video (JPEG encoding failed)")
    return buf


def _annotate(held: Any, result: FrameResult, overlay: Overlay) -> np.ndarray:
    """One annotated-video frame: the held image with the live overlay drawn on it."""
    import cv2

    from massagecam.overlay.compose import View, compose

    image = held.copy() if held.ndim == 3 else cv2.imdecode(held, cv2.IMREAD_COLOR)
    return compose(image, result, View(mirror=False), overlay=overlay)


def progress_bar(progress: bool, total: int | None, name: str) -> tqdm | None:
    """A tqdm frame counter on stderr named after the video, or None when ``progress`` is off.

    Public because every single-video analyser (this one, :mod:`massagecam.segments`) shows the
    same bar; tqdm is imported only when a bar is asked for.
    """
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="frame", desc=Path(name).name[:30], leave=False,
                dynamic_ncols=True)


def _open_writer(out: Path, info: SourceInfo,
                 pipe: Pipeline) -> tuple[Path, cv2.VideoWriter, Overlay]:
    import cv2

    from massagecam.overlay.compose import Overlay

    tmp = out / f".annotated.{os.getpid()}.tmp.mp4"
    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter.fourcc(*"mp4v"), info.fps or 30.0,
                             tuple(info.size))
    if not writer.isOpened():
        raise CaptureError(f"{tmp}: cannot open an mp4 writer for the annotated video")
    return tmp, writer, Overlay(atlas=pipe.atlas)


def result_header(info: SourceInfo, rec: Recorder, routine: Routine | None,
                  score: SessionScore | None, pipe: Pipeline,
                  partial_reason: str | None, annotate: bool, seconds: float) -> dict[str, Any]:
    """Everything in result.json except the timeline (closes the recorder's open presses).

    Shared with live practice, which saves its sessions in the same format. ``info`` is the
    capture's ``SourceInfo``; ``seconds`` the wall-clock time spent.
    """
    import datetime as dt

    n = len(rec.timeline)
    fps = float(info.fps or 0.0)
    duration = n / fps if fps > 0 else 0.0
    events = rec.finish()
    return {
        "schema": SCHEMA_NAME, "schema_version": SCHEMA_VERSION,
        "massagecam_version": __version__,
        "created_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "partial": partial_reason is not None, "partial_reason": partial_reason,
        "video": {
            "name": Path(str(info.name)).name, "path": str(info.name), "kind": info.kind,
            "fps": round(fps, 4), "width": int(info.size[0]), "height": int(info.size[1]),
            "frame_count": info.frame_count, "frames_analysed": n,
            "duration_s": round(duration, 3), "analysis_s": round(seconds, 3),
            "speed_x_realtime": round(duration / seconds, 3) if seconds > 0 else None,
        },
        "settings": {"receiving": pipe.receiving, "mode": pipe.mode,
                     "mirrored": bool(pipe.mirrored), "annotate": bool(annotate),
                     "hindsight_s": pipe.hindsight.lag_s if pipe.hindsight is not None else 0.0},
        "routine": routine_json(routine),
        "score": score_json(score, routine),
        "contacts": [e.to_json() for e in events],
        "tracking": tracking_json(rec.tracking, rec.events_dropped,
                                  getattr(pipe.receiver_shape, "kept", 0)),
    }
