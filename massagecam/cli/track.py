"""``massagecam track``: landmarks and giver/receiver roles per frame, as JSON lines.

The first thing a user runs on their own camera or video, and the raw material of every later
stage. One JSON object per frame (written and flushed as it is made, so an interrupted run keeps
what it has) and a final ``{"summary": ...}`` line that says how well tracking went: frames with
0/1/2 hands, frames where both roles were known, role swaps, speed.

The record building and the counting live in :func:`frame_record` and :class:`TrackSummary` so
the overhead benchmark times exactly what this command does.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click
import numpy as np

from massagecam.errors import ConfigError, MassagecamError
from massagecam.hands import Hands, Landmark, Role

if TYPE_CHECKING:
    from tqdm import tqdm

    from massagecam.capture import Source
    from massagecam.landmarker import Landmarker
    from massagecam.tracking import RoleTracker

#: Palm landmarks whose mean is the hand's position when judging role swaps.
_PALM = [int(Landmark.WRIST), int(Landmark.INDEX_FINGER_MCP), int(Landmark.MIDDLE_FINGER_MCP),
         int(Landmark.RING_FINGER_MCP), int(Landmark.PINKY_MCP)]


def _hand_record(hands: Hands, row: int | None) -> dict[str, Any] | None:
    if row is None:
        return None
    pts = np.concatenate([hands.xy[row], hands.z[row][:, None]], axis=1)
    return {"landmarks": np.round(pts, 2).tolist(), "estimated": bool(hands.estimated[row]),
            "handedness": str(hands.handedness[row]), "track_id": int(hands.track_id[row])}


def frame_record(hands: Hands) -> dict[str, Any]:
    """The JSON object of one tracked frame (landmarks [x, y, z] in pixels).

    ``unassigned`` counts hands whose role the tracker has not decided yet (e.g. a lone hand
    in auto mode), ``ignored`` extra hands (a third hand in self mode).
    """
    return {"frame": hands.frame_index, "t": round(hands.t, 4), "detected": hands.detected,
            "giver": _hand_record(hands, hands.index_of(Role.GIVER)),
            "receiver": _hand_record(hands, hands.index_of(Role.RECEIVER)),
            "unassigned": int(np.count_nonzero(hands.role == int(Role.UNKNOWN))),
            "ignored": int(np.count_nonzero(hands.role == int(Role.IGNORED)))}


class TrackSummary:
    """Counts for the final summary line.

    A *role swap* is counted when, between two successive frames where both roles are known,
    the receiver's palm is now clearly where the giver's was (the crossed pairing explains the
    motion at least twice as well as the kept one): the error a user would see, judged by
    position rather than by the tracker's own identities.
    """

    def __init__(self) -> None:
        self.frames = 0
        self.detected = {"0": 0, "1": 0, "2": 0}
        self.with_hand = 0
        self.both_roles = 0
        self.role_swaps = 0
        self._prev: tuple[np.ndarray, np.ndarray] | None = None
        self._start = time.perf_counter()

    def update(self, hands: Hands) -> None:
        """Count one tracked frame."""
        self.frames += 1
        key = str(min(hands.detected, 2))
        self.detected[key] += 1
        self.with_hand += hands.detected > 0
        g, r = hands.giver, hands.receiver
        if g is None or r is None:
            return
        self.both_roles += 1
        gp, rp = g[_PALM].mean(axis=0), r[_PALM].mean(axis=0)
        if self._prev is not None:
            pg, pr = self._prev
            kept = np.linalg.norm(gp - pg) + np.linalg.norm(rp - pr)
            crossed = np.linalg.norm(gp - pr) + np.linalg.norm(rp - pg)
            if crossed * 2.0 < kept:
                self.role_swaps += 1
        self._prev = (gp, rp)

    def as_dict(self, tracker_swaps: int | None = None, **extra: Any) -> dict[str, Any]:
        """The summary, with extra fields (source, fps, second-look counts, partial).

        ``tracker_swaps`` is the tracker's own count of receiver changes
        (:attr:`RoleTracker.swaps`, by identity), reported as ``tracker_receiver_changes`` right
        after ``role_swaps`` (by position) so the two views of the same error sit together.
        """
        elapsed = time.perf_counter() - self._start
        return {"frames": self.frames, "detected_hands": dict(self.detected),
                "frames_with_hand": self.with_hand, "both_roles": self.both_roles,
                "role_swaps": self.role_swaps, "tracker_receiver_changes": tracker_swaps,
                "elapsed_s": round(elapsed, 3),
                "processing_fps": round(self.frames / elapsed, 2) if elapsed > 0 else None,
                **extra}


def make_tracker(receiving: str) -> RoleTracker:
    """TRACKING's RoleTracker for self mode (one person: a receiver and a giver)."""
    from massagecam.tracking import RoleTracker

    return RoleTracker(receiving=receiving, mode="self")


def _parse_size(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        w, h = (int(v) for v in value.lower().split("x"))
    except ValueError:
        raise ConfigError(f"--size {value!r}: expected WIDTHxHEIGHT, e.g. 1280x720") from None
    return w, h


def _open_out(out: Path | None) -> IO[str] | None:
    if out is None:
        return None
    if str(out) == "-":
        return sys.stdout
    try:
        return open(out, "w", encoding="utf-8")
    except OSError as exc:
        raise MassagecamError(f"{out}: cannot write the output file ({exc.strerror})") from None


def _run(src: Source, landmarker: Landmarker, tracker: RoleTracker, summary: TrackSummary,
         sink: IO[str] | None, bar: tqdm,
         max_frames: int | None) -> tuple[bool, MassagecamError | None]:
    """The frame loop; returns (interrupted by Ctrl-C, error that stopped it)."""
    try:
        for frame in src:
            hands = tracker.update(landmarker.detect(frame.image, frame.t, frame.index),
                                   frame.image)
            summary.update(hands)
            if sink is not None:
                sink.write(json.dumps(frame_record(hands)) + "\n")
                sink.flush()  # an interrupted run keeps every finished line
            bar.update()
            if max_frames is not None and summary.frames >= max_frames:
                break
    except KeyboardInterrupt:
        return True, None
    except MassagecamError as exc:  # e.g. camera lost: keep the summary, then report
        return False, exc
    finally:
        bar.close()
    return False, None


@click.command("track")
@click.argument("source")
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write one JSON line per frame and a final summary line here ('-' = stdout).")
@click.option("--receiving", type=click.Choice(["auto", "left", "right"]), default="auto",
              show_default=True, help="Which hand is massaged; auto: the stiller, touched one.")
@click.option("--mirror", is_flag=True, help="Frames are mirrored (selfie view).")
@click.option("--model", type=click.Path(path_type=Path), default=None,
              help="Use this hand_landmarker.task instead of the bundled model.")
@click.option("--no-second-look", is_flag=True,
              help="Do not search around a lone hand for a hidden partner (faster).")
@click.option("--realtime", is_flag=True,
              help="Pace a video file at its frame rate, dropping frames we are too slow for.")
@click.option("--max-frames", type=click.IntRange(min=1), default=None,
              help="Stop after this many frames.")
@click.option("--size", default=None, help="Camera resolution to ask for, WIDTHxHEIGHT.")
@click.option("--fps", type=click.FloatRange(min=0.01, max=1000), default=None,
              help="Camera frame rate to ask for; frame rate of an image folder (default 1).")
def command(source: str, out: Path | None, receiving: str, mirror: bool, model: Path | None,
            no_second_look: bool, realtime: bool, max_frames: int | None, size: str | None,
            fps: float | None) -> None:
    """Track both hands and their giver/receiver roles in SOURCE.

    SOURCE is a camera index (0), a video file, an image, a folder of images or a stream URL.
    Without --out only the summary is printed (JSON). Ctrl-C stops and keeps what was written,
    ending the file with a summary marked partial.
    """
    from tqdm import tqdm

    from massagecam.capture import open_source
    from massagecam.landmarker import Landmarker

    with open_source(source, size=_parse_size(size), fps=fps, realtime=realtime) as src:
        with Landmarker(model_path=model, mirrored=mirror,
                        second_look=not no_second_look) as landmarker:
            tracker = make_tracker(receiving)
            sink = _open_out(out)
            summary = TrackSummary()
            live = src.info.frame_count is None
            bar = tqdm(total=src.info.frame_count if max_frames is None else
                       min(max_frames, src.info.frame_count or max_frames),
                       disable=True if live else None, file=sys.stderr, unit="frame",
                       desc=Path(src.info.name).name[:30], leave=False)
            interrupted, error = _run(src, landmarker, tracker, summary, sink, bar, max_frames)
            partial = interrupted or error is not None
            stats = landmarker.stats
            result = {"summary": summary.as_dict(
                tracker_swaps=tracker.swaps, source=src.info.name, kind=src.info.kind,
                source_fps=src.info.fps, source_frames=src.info.frame_count,
                size=list(src.info.size), dropped=src.dropped,
                second_look_runs=stats.second_look_runs,
                second_look_recoveries=stats.second_look_recoveries, partial=partial)}
            line = json.dumps(result)
            if sink is not None:
                sink.write(line + "\n")
                sink.flush()
                if sink is not sys.stdout:
                    sink.close()
            if sink is not sys.stdout:
                click.echo(line)
            if error is not None:
                raise error
            if interrupted:
                raise KeyboardInterrupt
