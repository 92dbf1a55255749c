"""Live practice: capture → pipeline → overlay → window (and recorder), with keys and stats.

The loop always processes the newest frame the source holds (cameras: FOUNDATION's
newest-frame thread; files with ``realtime=True``: paced at their fps, late frames skipped and
counted), so a slow frame costs one dropped frame rather than a growing delay. The delay the
application adds, from the frame being grabbed to the overlay being ready, is measured on
every frame and reported with the per-stage times (:class:`LiveStats`).

A camera that stops delivering does not end the session: the loop shows the last frame with
a notice and reopens the source for ``reconnect_s`` seconds, keeping the coach and its timers;
whatever happens, leaving the loop (q, Esc, window closed, end of file, duration, Ctrl-C,
camera gone for good) saves the session to the history and writes its report.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from massagecam.audio import AudioCues
from massagecam.errors import CaptureError, ConfigError
from massagecam.feeds import ParallelFeed, SequentialFeed, timed
from massagecam.live.config import KEYMAP, RECEIVING, LiveConfig, LiveSummary
from massagecam.live.record import ScreenRecorder
from massagecam.live.stats import LiveStats, TimedLandmarker
from massagecam.overlay import Overlay, View, guide_from

if TYPE_CHECKING:
    from massagecam.session import Pipeline

__all__ = ["KEYMAP", "RECEIVING", "LiveConfig", "LiveSession", "LiveSummary"]

Opener = Callable[..., Any]


def _default_pipeline(config: LiveConfig, landmarker: Any) -> Pipeline:
    from massagecam.session import Pipeline

    return Pipeline(routine=config.routine, receiving=config.receiving, mode=config.mode,
                    mirrored=False, landmarker=landmarker, caregiver_at=config.caregiver_at)


def _has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class LiveSession:
    """One live practice session; :meth:`run` loops until quit and returns a summary.

    Args:
        config: the settings.
        opener: ``open_source``-like callable (tests pass sources that fail on purpose).
        pipeline_factory: ``(config, landmarker) -> Pipeline``-like, default the real one.
        landmarker: a ready ``Landmarker`` (default: a new one with the bundled model).
        on_finish: called with ``(session, summary)`` after saving; the CLI prints with it.
        key_script: ``frames_done -> key code or -1``, consulted after every frame: keys
            for headless runs (tests, demos) through the same handler as the window's.
    """

    def __init__(self, config: LiveConfig, *, opener: Opener | None = None,
                 pipeline_factory: Callable[[LiveConfig, Any], Pipeline] | None = None,
                 landmarker: Any = None,
                 on_finish: Callable[[LiveSession, LiveSummary], None] | None = None,
                 key_script: Callable[[int], int] | None = None) -> None:
        if config.window and not _has_display():
            raise ConfigError("no display to open a window on (DISPLAY is not set); "
                              "run with --no-window")
        if opener is None:
            from massagecam.capture import open_source

            opener = open_source
        self.config = config
        self._opener = opener
        self._pipeline_factory = pipeline_factory or _default_pipeline
        self._landmarker = landmarker
        self._on_finish = on_finish
        self._key_script = key_script
        self.view = View(mirror=config.mirror)
        self.stats = LiveStats()
        self.audio = AudioCues(enabled=config.audio, beat=config.beat)
        self.overlay: Overlay | None = None
        self.pipeline: Any = None
        self.source: Any = None
        self.quit_requested = False
        self.ended_by = ""
        self.screen = ScreenRecorder()
        self._last_scene: np.ndarray | None = None
        self._last_result: Any = None
        self._t_offset = 0.0
        self._last_t = -1.0
        self._window_open = False
        self._feed: Any = None
        self.source_info: Any = None
        self.started_at: str | None = None
        self.recorder: Any = None
        self.landmarkers: list[Any] = []  # the model instances of the last run (their stats)

    # -- keys -------------------------------------------------------------------------
    def handle_key(self, code: int) -> str | None:
        """Apply the action bound to key ``code`` (``cv2.waitKey`` value); returns its name."""
        if code < 0:
            return None
        action = KEYMAP.get(code & 0xFF) if code not in KEYMAP else KEYMAP[code]
        if action is None:
            return None
        coach = getattr(self.pipeline, "coach", None)
        if action == "quit":
            self.quit_requested = True
            self.ended_by = self.ended_by or "key"
        elif action == "pause":
            self.view.paused = not self.view.paused
            if coach is not None:
                (coach.pause if self.view.paused else coach.resume)()
        elif action in ("next", "previous"):
            if coach is not None:
                getattr(coach, action)()
        elif action == "zones":
            self.view.show_zones = not self.view.show_zones
        elif action == "mirror":
            self.view.mirror = not self.view.mirror
        elif action == "help":
            self.view.show_help = not self.view.show_help
        elif action == "record":
            self.screen.toggle()
            self.view.recording = self.screen.recording
        return action

    # -- recording --------------------------------------------------------------------
    def _record(self, scene: np.ndarray) -> None:
        fps = float(getattr(getattr(self.source, "info", None), "fps", 30.0) or 30.0)
        self.screen.write(scene, fps)
        self.view.recording = self.screen.recording

    # -- window -----------------------------------------------------------------------
    def _show(self, scene: np.ndarray) -> int:
        import cv2

        if not self.config.window:
            return -1
        name = self.config.window_name
        if not self._window_open:
            cv2.namedWindow(name, cv2.WINDOW_GUI_NORMAL)
            cv2.resizeWindow(name, int(scene.shape[1]), int(scene.shape[0]))
            self._window_open = True
        cv2.imshow(name, scene)
        key = cv2.waitKey(1)
        if cv2.getWindowProperty(name, cv2.WND_PROP_VISIBLE) < 1:
            self.quit_requested = True
            self.ended_by = self.ended_by or "window closed"
        return int(key)

    # -- the loop ---------------------------------------------------------------------
    def _open(self) -> Any:
        kw: dict[str, Any] = {"realtime": True}
        if self.config.size is not None:
            kw["size"] = self.config.size
        return self._opener(self.config.source, **kw)

    def _stamp(self, frame: Any) -> Any:
        """Keep the analysis clock strictly increasing across reconnects."""
        t = float(frame.t) + self._t_offset
        if t <= self._last_t:
            self._t_offset += self._last_t - t + 1e-3
            t = self._last_t + 1e-3
        self._last_t = t
        return frame if t == frame.t else dataclasses.replace(frame, t=t)

    def _is_live(self) -> bool:
        kind = getattr(getattr(self.source, "info", None), "kind", "camera")
        return kind in ("camera", "url")

    def _reconnect(self, reason: str, started: float) -> bool:
        """Reopen the lost source for up to ``reconnect_s``; True when frames flow again."""
        self.stats.lost_events += 1
        self._close_source()
        deadline = time.monotonic() + self.config.reconnect_s
        while not self.quit_requested and time.monotonic() < deadline:
            if self._out_of_time(started):
                return False
            left = deadline - time.monotonic()
            self.view.notices = (f"camera lost - reconnecting ({left:.0f} s)",)
            if self._last_scene is not None and self.config.window:
                self.handle_key(self._show(self._redraw_last()))
            try:
                self.source = self._open()
                self.stats.watch(self.source)
            except CaptureError:
                time.sleep(min(0.5, max(0.0, left)))
                continue
            self.stats.reconnects += 1
            self.view.notices = ()
            return True
        self.ended_by = self.ended_by or f"source lost ({reason})"
        return False

    def _redraw_last(self) -> np.ndarray:
        assert self.overlay is not None and self._last_scene is not None
        return self.overlay.compose(self._last_scene.copy(), self._last_result, self.view)

    def _close_source(self) -> None:
        if self._feed is not None:  # stop the reader thread before closing its source
            self._feed.close()
            self._feed = None
        if self.source is not None:
            self.stats.unwatch()
            self.source.close()
            self.source = None

    def _out_of_time(self, started: float) -> bool:
        d = self.config.duration_s
        if d is not None and time.monotonic() - started >= d:
            self.ended_by = self.ended_by or "duration"
            return True
        return False

    def run(self) -> LiveSummary:
        """Run until quit, end of file, duration or a source lost for good; then save."""
        from massagecam.history import now_iso
        from massagecam.report.recorder import Recorder

        self.started_at = now_iso()
        self.source = self._open()  # no camera: CaptureError with the indices that open
        self.source_info = self.source.info
        self.stats.watch(self.source)
        landmarkers: list[Any] = [] if self._landmarker is None else [self._landmarker]
        self.landmarkers = landmarkers
        owns = not landmarkers
        self.recorder = Recorder()
        started = time.monotonic()
        self.stats.start(started)
        interrupted = False
        try:
            if owns:
                from massagecam.landmarker import Landmarker
                from massagecam.per_hand import PerHandLandmarker

                n_hands = 3 if self.config.mode == "caregiver" else 2
                per_hand = self.config.per_hand and (os.cpu_count() or 1) >= 2
                fps = getattr(self.source_info, "fps", None)
                for _ in range(self.config.workers_for(fps) if self.config.pipelined else 1):
                    landmarkers.append(
                        PerHandLandmarker(self.config.model_path, n_hands,
                                          reuse_still=self.config.reuse_still,
                                          pin_threads=self.config.pin_threads) if per_hand
                        else Landmarker(model_path=self.config.model_path, num_hands=n_hands,
                                        mirrored=False, second_look=self.config.second_look))
            self.pipeline = self._pipeline_factory(self.config, TimedLandmarker(landmarkers[0]))
            self.overlay = Overlay(atlas=getattr(self.pipeline, "atlas", None),
                                   routine=getattr(self.pipeline, "routine", None))
            if self.config.record is not None:
                self.screen.start(self.config.record)
                self.view.recording = True
            started = time.monotonic()  # --duration counts from here, after the model loaded
            self.stats.start(started)
            # The objects of start-up (model wrappers, atlas, routine) live all session: moved
            # out of the collector's sight, a full collection no longer walks them. One took
            # 13 ms mid-session otherwise, on the latency path (benchmarks/live_latency.py).
            gc.collect()
            gc.freeze()
            self._loop(landmarkers, started)
        except KeyboardInterrupt:
            interrupted = True
            self.ended_by = "interrupted"
        finally:
            gc.unfreeze()
            self._close_source()
            self.screen.stop()
            if self._window_open:
                import cv2

                cv2.destroyWindow(self.config.window_name)
                cv2.waitKey(1)
            if owns:
                for lm in landmarkers:
                    lm.close()
        self.stats.stop(time.monotonic())
        summary = self._finish(interrupted)
        if self._on_finish is not None:
            self._on_finish(self, summary)
        return summary

    def _new_feed(self, landmarkers: list[Any]) -> Any:
        """Frames with landmarks from the current source.

        Pipelined: worker threads (``LiveConfig.workers_for`` the source's rate) each take
        the newest frame when free and run the landmarks on it
        (:class:`~massagecam.feeds.ParallelFeed`; with ``per_hand`` one instance per hand,
        side by side, otherwise one whole-frame instance per worker), while this thread
        tracks, coaches, draws and shows the frames in order.
        """
        live = self._is_live()

        def prepare(frame: Any, take: float) -> tuple[Any, float]:
            grabbed = float(frame.t) if live else take
            return self._stamp(frame), grabbed

        detects = [timed(lm) for lm in landmarkers]
        if self.config.pipelined:
            self._feed = ParallelFeed(iter(self.source), prepare, detects, turns=False)
        else:
            self._feed = SequentialFeed(iter(self.source), prepare, detects[0])
        return self._feed

    def _loop(self, landmarkers: list[Any], started: float) -> None:
        assert self.overlay is not None
        feed = self._new_feed(landmarkers)
        while not self.quit_requested and not self._out_of_time(started):
            try:
                d = feed.next()
            except (StopIteration, CaptureError) as exc:
                feed.close()
                if self.config.loop and not self._is_live() and isinstance(exc, StopIteration):
                    self._close_source()  # play the file again; the session clock goes on
                    self.source = self._open()
                    self.stats.watch(self.source)
                    feed = self._new_feed(landmarkers)
                    continue
                if not self._is_live():  # a file ends (or breaks): that ends the session
                    self.ended_by = self.ended_by or (
                        "end of source" if isinstance(exc, StopIteration) else f"error: {exc}")
                    return
                if not self._reconnect(str(exc) or "ended", started):
                    return
                feed = self._new_feed(landmarkers)
                continue
            t0 = time.monotonic()
            frame = d.frame
            result = self.pipeline.update_hands(d.hands, frame.image)
            t_pipe = time.monotonic()
            self.recorder.add(result)
            raw = frame.image
            self._last_scene = raw.copy() if self.config.window else raw
            self._last_result = result
            scene = self.overlay.compose(raw, result, self._view_for(result))
            t_done = time.monotonic()
            self.stats.add(index=int(frame.index), grabbed=d.grabbed, wait=d.wait_s,
                           take=d.take_t, landmarks=d.landmarks_s,
                           pipeline=d.landmarks_s + (t_pipe - t0), overlay=t_done - t_pipe,
                           done=t_done, live=self._is_live())
            self._record(scene)
            if self.audio.enabled:
                guide = guide_from(result.coach, self.overlay.routine)
                self.audio.update(frame.t, getattr(result, "step_index", None), guide.rhythm_hz)
            self.handle_key(self._show(scene))
            self.stats.display_s.append(time.monotonic() - t_done)
            if self._key_script is not None:
                self.handle_key(self._key_script(self.stats.frames))

    def _view_for(self, result: Any) -> View:
        fps = self.stats.recent_fps()
        status = ((f"{fps:.0f} fps",) if fps else ()) + ("h: keys",)
        return dataclasses.replace(self.view, status=status)

    # -- the end ----------------------------------------------------------------------
    def _finish(self, interrupted: bool) -> LiveSummary:
        score = self.pipeline.finish() if self.pipeline is not None else None
        coach = getattr(self.pipeline, "coach", None)
        # Partial: stopped by Ctrl-C, or a routine left before its last step was done.
        partial = interrupted or (coach is not None and getattr(coach, "step", None) is not None)
        summary = LiveSummary(frames=self.stats.frames, duration_s=self.stats.wall_s,
                              stats=self.stats.summary(), partial=partial,
                              ended_by=self.ended_by or "end", score=score,
                              recordings=list(self.screen.paths))
        if self.config.save:
            from massagecam.live.save import save_live_session

            summary.history_id, summary.report = save_live_session(self, summary)
        return summary

