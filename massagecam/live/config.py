"""Settings and outcome of one live session: :class:`LiveConfig` and :class:`LiveSummary`.

Kept apart from :mod:`massagecam.live.loop` so the CLI, the saver and tests can build and check
a configuration (a ConfigError at construction) without importing the loop's OpenCV/overlay
machinery; :mod:`massagecam.live.loop` re-exports both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from massagecam.errors import ConfigError
from massagecam.feeds import MAX_WORKERS

if TYPE_CHECKING:
    from massagecam.scoring import SessionScore

#: Key code → action (``cv2.waitKey`` codes; 27 is Esc).
KEYMAP: dict[int, str] = {
    ord(" "): "pause", ord("n"): "next", ord("p"): "previous", ord("z"): "zones",
    ord("m"): "mirror", ord("r"): "record", ord("h"): "help", ord("q"): "quit", 27: "quit",
}
RECEIVING = ("auto", "left", "right")


#: Sources at least this fast get two per-hand landmark workers by default.
FAST_SOURCE_FPS = 50.0


@dataclass
class LiveConfig:
    """Settings of one live session, checked at construction.

    Attributes:
        source: camera index, video file, image folder or URL (``open_source`` spec).
        routine: built-in routine id or TOML path; None for free practice.
        receiving: "auto", "left" or "right".
        mirror: show the display mirrored (analysis always runs un-mirrored).
        record: write the displayed frames to this video file from the start.
        window: show an OpenCV window (False for headless runs; keys then come only from
            ``LiveSession.handle_key``).
        duration_s: stop after this many seconds (None: until quit or end of file).
        audio / beat: sound cues (see :mod:`massagecam.audio`).
        reconnect_s: how long to keep trying to reopen a lost camera.
        mode: "self" (one person's two hands) or "caregiver".
        save: store the session in the history and write its report on exit.
        db: history database (default: the user's).
        model_path: landmark model (default: bundled).
        size: requested camera (width, height).
        window_name: title of the window.
        pipelined: run the landmark model in worker threads, ahead of the loop's thread (see
            :mod:`massagecam.feeds`); False does everything in the loop's thread.
        caregiver_at: caregiver mode: the image edge the caregiver's hands come from.
        second_look: let whole-frame landmarkers (``per_hand=False``) search upscaled crops
            for a hand they lost (off live: a look makes its frame take about twice as long,
            and at 60 fps that frame's instance then misses its next frame: 6 of 597 frames
            dropped with it, 0 of 598 without, benchmarks/live_latency.py; the tracker holds
            a covered hand's last pose meanwhile). Recorded analyses keep it.
        per_hand: run one single-hand model instance per hand, side by side
            (:class:`~massagecam.per_hand.PerHandLandmarker`; on machines with two or more
            cores): a frame's landmarks are ready in about the time of one hand. The app's
            latency at 60 fps fell from 22 / 29 ms (p50 / p95) to 14 / 23 ms
            (benchmarks/live_latency.py, docs/live.md).
        landmark_workers: when pipelined, landmark workers taking frames side by side, each
            with its own instance(s) (1..4). None: with ``per_hand``, 2 for sources of 50 fps
            or more (two frames' models may overlap, so a slow stretch costs no frame) and 1
            below (a 30 fps camera leaves time enough, and each instance then tracks every
            frame); 2 for whole-frame instances.
        pin_threads: with ``per_hand`` on Linux, keep each hand's model threads on a core
            of its own, 5 steps nicer than the loop's threads (see
            :func:`~massagecam.per_hand.pin_native_threads`).
        reuse_still: with ``per_hand``, a hand that moved less than this share of its palm
            length between its last two model runs keeps those landmarks for the next frame
            instead of running the model on it (never two frames running; None: every hand,
            every frame). See :class:`~massagecam.per_hand.PerHandLandmarker`.
        loop: play a file source again from its start when it ends (demos, window tests).
    """

    source: str | int = 0
    routine: str | None = None
    receiving: str = "auto"
    mode: str = "self"
    mirror: bool = True
    record: Path | None = None
    window: bool = True
    duration_s: float | None = None
    audio: bool = False
    beat: bool = False
    reconnect_s: float = 10.0
    save: bool = True
    db: Path | None = None
    model_path: Path | None = None
    size: tuple[int, int] | None = None
    window_name: str = "massagecam"
    pipelined: bool = True
    per_hand: bool = True
    landmark_workers: int | None = None
    caregiver_at: str | None = "bottom"
    second_look: bool = False
    reuse_still: float | None = 0.015
    pin_threads: bool = True
    loop: bool = False

    def __post_init__(self) -> None:
        if self.receiving not in RECEIVING:
            raise ConfigError(f"receiving={self.receiving!r}: expected one of "
                              f"{', '.join(RECEIVING)}")
        if self.duration_s is not None and not 0 < self.duration_s <= 24 * 3600:
            raise ConfigError(f"duration {self.duration_s!r} s: expected 0 < seconds <= 86400")
        if self.landmark_workers is not None and not 1 <= self.landmark_workers <= MAX_WORKERS:
            raise ConfigError(f"landmark_workers {self.landmark_workers!r}: expected "
                              f"1..{MAX_WORKERS}")
        if self.reuse_still is not None and not 0.0 < self.reuse_still <= 0.5:
            raise ConfigError(f"reuse_still {self.reuse_still!r}: expected None or "
                              "0 < share <= 0.5 of the palm length")
        if not 0 <= self.reconnect_s <= 3600:
            raise ConfigError(f"reconnect_s {self.reconnect_s!r}: expected 0..3600 seconds")
        if self.record is not None:
            self.record = Path(self.record)
            if not self.record.parent.exists():
                raise ConfigError(f"--record {self.record}: folder {self.record.parent} does "
                                  "not exist")

    def workers_for(self, fps: float | None) -> int:
        """Landmark workers when pipelined, for a source delivering ``fps`` (None: unknown)."""
        if self.landmark_workers is not None:
            return self.landmark_workers
        if self.per_hand and (fps or 0.0) < FAST_SOURCE_FPS:
            return 1
        return 2


@dataclass
class LiveSummary:
    """What a finished live session produced."""

    frames: int
    duration_s: float
    stats: dict[str, Any]
    partial: bool
    ended_by: str
    score: SessionScore | None = None
    history_id: int | None = None
    report: Path | None = None
    recordings: list[Path] = field(default_factory=list)
