"""MediaPipe Hand Landmarker adapter: the only module that imports mediapipe.

Why VIDEO mode for files and cameras alike: it tracks hands from frame to frame (cheaper and
steadier than re-detecting), needs strictly increasing timestamps per instance, so each stream
gets its own :class:`Landmarker` and the adapter guarantees monotonic timestamps itself.

Why a *second look*: when two hands touch, the palm detector often finds only one of them. A
second detector in IMAGE mode on upscaled crops beside the found hand, where the other hand is
larger and less cluttered, often finds it. It runs only when exactly one hand was found, and
backs off after a miss so a truly one-handed scene costs little. Measured figures are in
``Landmarker._look_again`` and the engineer's report.
"""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from massagecam.errors import ConfigError, ModelError
from massagecam.hands import NUM_LANDMARKS, Hands
from massagecam.model_file import MODEL_NAME, MODEL_SHA256, sha256_of, verify_model
from massagecam.second_look import PHANTOM_INSIDE, Crop, crop_ring, inside_share, same_hand

#: The model-file names are re-exported: callers check the model through the adapter.
__all__ = ["MODEL_NAME", "MODEL_SHA256", "Landmarker", "LandmarkerStats", "sha256_of",
           "verify_model"]

_STDERR_LOCK = threading.RLock()


@contextlib.contextmanager
def _quiet_native_stderr(enabled: bool = True) -> Iterator[None]:
    """Silence the C++ runtime's start-up banner and first-frame warnings (fd-level).

    MediaPipe/LiteRT log INFO lines to the process's stderr at model load and warnings at the
    first inference, ignoring GLOG/TF environment settings; a user running ``track`` should see
    the progress bar and our messages, not those.
    """
    if not enabled:
        yield
        return
    with _STDERR_LOCK:  # two threads swapping fd 2 at once could lose stderr for good
        try:
            saved = os.dup(2)
        except OSError:
            yield
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)


def _close_tasks(tasks: dict[str, Any], quiet: bool) -> None:
    with _quiet_native_stderr(quiet):
        for name, task in tasks.items():
            if task is not None:
                task.close()
                tasks[name] = None


@dataclass
class LandmarkerStats:
    """Counters for the summary: how often each path ran and what it found."""

    frames: int = 0
    second_look_runs: int = 0
    second_look_recoveries: int = 0
    second_look_crops: int = 0
    second_look_duplicates: int = 0
    timestamp_bumps: int = 0
    sparse_frames: int = 0
    searches: int = 0
    detected_counts: dict[int, int] = field(default_factory=dict)


class Landmarker:
    """Two-hand landmarks per frame as :class:`~massagecam.hands.Hands` (roles UNKNOWN).

    Args:
        model_path: a task bundle; None uses the bundled, checksum-verified model.
        num_hands: most hands to report (1..4).
        mirrored: frames are mirrored (selfie view); handedness labels are flipped back so
            they stay anatomical.
        second_look: re-examine an upscaled crop around a lone hand for its partner.
        second_look_backoff_s: after a second look that finds nothing, wait this long (stream
            time) before trying again; 0 tries on every one-hand frame. A look costs about two
            frames' detection; at 1 s the default pipeline stayed within 10 % of bare MediaPipe
            on a one-hand clip (benchmarks/track_overhead.py), at 0.5 s it cost 15 %.
        second_look_scale: side of the centred crop as a multiple of the lone hand's box side
            (the side crops are 1.5x, shifted 0.6x left, up, right, down).
        second_look_size: the crop's longer side after upscaling, in pixels.
        second_look_crops: crops examined per look (each costs one IMAGE-mode detection).
        second_look_memory_s: look only within this many seconds of a frame that had two
            hands (and once at the start of a stream, for a still image); ``None`` looks
            whenever a hand is alone. A one-hand clip thus gets at most one look, so it cannot
            gain phantom partners later (measured: see docs/render.md, "Second look").
        second_look_follow: after a recovery, look again on every frame with the crop that
            found the partner. Recovers a persistent partner on nearly every frame, but also
            sustains a phantom once one is accepted (measured on open_palm_360p.mp4, one hand:
            phantom partner on 96 of 202 frames), so it is off by default.
        search_every_s: once fewer hands than ``num_hands`` have been found for
            ``sparse_after_s``, track just the hands in view (an instance asked for that many
            hands, which skips the palm detector while it tracks them) and look for more hands
            with the full instance too every ``search_every_s`` (stream time). MediaPipe
            re-runs its palm detector on every frame with a hand missing, about 2.7x the cost
            of tracking; a hand entering is then found within this delay. None disables it.
        sparse_after_s: how long the hand count must stay below ``num_hands`` first.
        min_detection_confidence, min_presence_confidence, min_tracking_confidence: MediaPipe's
            thresholds (0..1).
        quiet: hide the native runtime's stderr chatter at load and first frame.
    """

    def __init__(self, model_path: str | os.PathLike[str] | None = None, num_hands: int = 2,
                 mirrored: bool = False, second_look: bool = True, *,
                 second_look_backoff_s: float = 1.0, second_look_scale: float = 2.5,
                 second_look_size: int = 480, second_look_crops: int = 2,
                 second_look_follow: bool = False, second_look_memory_s: float | None = 2.0,
                 search_every_s: float | None = 0.2, sparse_after_s: float = 1.0,
                 min_detection_confidence: float = 0.5,
                 min_presence_confidence: float = 0.5, min_tracking_confidence: float = 0.5,
                 quiet: bool = True) -> None:
        if not 1 <= num_hands <= 4:
            raise ConfigError(f"num_hands {num_hands}: expected 1..4")
        for name, value in (("min_detection_confidence", min_detection_confidence),
                            ("min_presence_confidence", min_presence_confidence),
                            ("min_tracking_confidence", min_tracking_confidence)):
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"{name} {value}: expected 0..1")
        if second_look_backoff_s < 0:
            raise ConfigError(f"second_look_backoff_s {second_look_backoff_s}: expected >= 0")
        if not 1.2 <= second_look_scale <= 6.0:
            raise ConfigError(f"second_look_scale {second_look_scale}: expected 1.2..6")
        if not 1 <= second_look_crops <= 6:
            raise ConfigError(f"second_look_crops {second_look_crops}: expected 1..6")
        if not 128 <= second_look_size <= 1920:
            raise ConfigError(f"second_look_size {second_look_size}: expected 128..1920")
        self.model_path = verify_model(model_path)
        self.num_hands, self.mirrored, self.second_look = num_hands, mirrored, second_look
        self._backoff, self._scale, self._crop_px = (second_look_backoff_s, second_look_scale,
                                                     second_look_size)
        self._crops_per_look = second_look_crops
        self._follow = second_look_follow
        if second_look_memory_s is not None and not 0.0 <= second_look_memory_s <= 60.0:
            raise ConfigError(f"second_look_memory_s {second_look_memory_s}: expected 0..60 "
                              "or None")
        self._memory = second_look_memory_s
        if search_every_s is not None and not 0.0 < search_every_s <= 5.0:
            raise ConfigError(f"search_every_s {search_every_s}: expected 0 < s <= 5 or None")
        if not 0.0 <= sparse_after_s <= 60.0:
            raise ConfigError(f"sparse_after_s {sparse_after_s}: expected 0..60")
        self._search_every, self._sparse_after = search_every_s, sparse_after_s
        self._short_since: float | None = None  # since when fewer than num_hands were found
        self._sparse = -1  # hands the sparse instance tracks (>= 1); -1: full detection
        self._next_search_t = -np.inf
        self._last_ms_of: dict[str, int] = {}
        self._pair_t = -np.inf  # when two hands were last found
        self._looked = False  # a second look has run on this stream
        self._ring = 0  # next position in the ring of crops around a lone hand
        self._partner: tuple[float, npt.NDArray[np.float32], Crop] | None = None
        self._conf = (min_detection_confidence, min_presence_confidence, min_tracking_confidence)
        self._quiet = quiet
        self.stats = LandmarkerStats()
        self._last_ms = -1
        self._next_look_t = -np.inf
        # Native tasks live in a dict so a finaliser can close them even if the user forgot
        # to (MediaPipe's own __del__ fails noisily at interpreter exit).
        self._tasks: dict[str, Any] = {"video": self._create("VIDEO"), "image": None}
        self._finalizer = weakref.finalize(self, _close_tasks, self._tasks, quiet)
        self._warm = {"video": False, "image": False}

    # -- lifecycle ---------------------------------------------------------------------
    def _create(self, mode: str, num_hands: int | None = None) -> Any:
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.HandLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=getattr(vision.RunningMode, mode),
            num_hands=num_hands or self.num_hands,
            min_hand_detection_confidence=self._conf[0],
            min_hand_presence_confidence=self._conf[1],
            min_tracking_confidence=self._conf[2])
        try:
            with _quiet_native_stderr(self._quiet):
                return vision.HandLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(f"{self.model_path}: MediaPipe cannot load this model ({first}); "
                             "expected a hand_landmarker.task bundle") from None

    def __enter__(self) -> Landmarker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the native detectors (idempotent)."""
        self._finalizer()

    # -- detection ---------------------------------------------------------------------
    def detect(self, image_bgr: npt.NDArray[np.uint8], t: float, frame_index: int) -> Hands:
        """Landmarks of the hands in one BGR frame.

        Args:
            image_bgr: (H, W, 3) uint8 BGR frame as captured.
            t: its timestamp in seconds. MediaPipe refuses a stamp that does not increase;
                such a stamp is moved to 1 ms after the previous one (counted in ``stats``).
            frame_index: its index in the source.

        Returns:
            Hands with xy in pixels, z in the same pixel scale, world metres, anatomical
            handedness, roles UNKNOWN; ``detected`` counts hands found (second look included).
        """
        import cv2
        import mediapipe as mp

        if self._tasks["video"] is None:
            raise RuntimeError("Landmarker is closed")
        h, w = image_bgr.shape[:2]
        ts_ms = int(round(t * 1000.0))
        if ts_ms <= self._last_ms:
            ts_ms = self._last_ms + 1
            self.stats.timestamp_bumps += 1
        self._last_ms = ts_ms
        rgb = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
        result = self._detect_video(image, ts_ms, t)
        rows = _rows(result, (0.0, 0.0), (float(w), float(h)), float(w))
        self._update_cadence(len(rows), t)
        if len(rows) >= 2:
            self._pair_t = t
        if (self.second_look and len(rows) == 1 and self.num_hands >= 2
                and t >= self._next_look_t and self._may_look(t)):
            self._looked = True
            extra = self._look_again(rgb, rows[0], t)
            if extra is not None:
                rows.append(extra)
                self.stats.second_look_recoveries += 1
            elif not self._partner_recent(t):
                self._next_look_t = t + self._backoff
        n = len(rows)
        self.stats.frames += 1
        self.stats.detected_counts[n] = self.stats.detected_counts.get(n, 0) + 1
        if not rows:
            return Hands.empty(frame_index=frame_index, t=t, image_wh=(w, h), detected=0)
        labels = [r[3] for r in rows]
        if self.mirrored:
            labels = ["Left" if lab == "Right" else "Right" for lab in labels]
        return Hands.from_arrays(
            np.stack([r[0] for r in rows]), z=np.stack([r[1] for r in rows]),
            world=np.stack([r[2] for r in rows]), handedness=labels,
            score=[r[4] for r in rows], frame_index=frame_index, t=t, image_wh=(w, h),
            detected=n)

    def _detect_video(self, image: Any, ts_ms: int, t: float) -> Any:
        """Run the full instance, or (sparse) the instance tracking just the hands in view."""
        if self._sparse <= 0:
            return self._run_video("video", image, ts_ms)
        key = f"video{self._sparse}"
        if key not in self._tasks:
            self._tasks[key] = self._create("VIDEO", self._sparse)
        self.stats.sparse_frames += 1
        # The tracking instance runs on every sparse frame, search frames included, so the
        # landmarks come from one continuous track (the full instance re-detects from scratch
        # and placed the same hand up to 8 px apart on open_palm_360p.mp4); the search's
        # result replaces it only when it found more hands.
        tracked = self._run_video(key, image, ts_ms)
        if t < self._next_search_t:
            return tracked
        self._next_search_t = t + float(self._search_every or 0.0)
        self.stats.searches += 1
        searched = self._run_video("video", image, ts_ms)
        return searched if len(searched.hand_landmarks) > len(tracked.hand_landmarks) else tracked

    def _run_video(self, key: str, image: Any, ts_ms: int) -> Any:
        """One VIDEO-mode instance on one frame (its own clock kept strictly increasing)."""
        if ts_ms <= self._last_ms_of.get(key, -1):
            ts_ms = self._last_ms_of[key] + 1
        self._last_ms_of[key] = ts_ms
        with _quiet_native_stderr(self._quiet and not self._warm.get(key, False)):
            result = self._tasks[key].detect_for_video(image, ts_ms)
        self._warm[key] = True
        return result

    def _update_cadence(self, found: int, t: float) -> None:
        """Switch between full detection and sparse tracking from the hands just found."""
        if self._search_every is None or self.num_hands < 2:
            return
        if found >= self.num_hands:
            self._short_since, self._sparse = None, -1
            return
        if found == 0:  # nothing to track: the full instance looks on every frame, as bare
            self._sparse = -1  # MediaPipe would (a hand entering is found at once)
            self._short_since = None
            return
        if self._sparse > 0:
            # a search found more hands: detect fully again; fewer: track fewer
            if found > self._sparse:
                self._sparse, self._short_since = -1, t
            else:
                self._sparse = found
            return
        if self._short_since is None:
            self._short_since = t
        elif t - self._short_since >= self._sparse_after:
            self._sparse = found
            self._next_search_t = t + self._search_every

    def _may_look(self, t: float) -> bool:
        """A second look is allowed: a partner was seen lately, or none has run yet."""
        return self._memory is None or not self._looked or t - self._pair_t <= self._memory

    def _partner_recent(self, t: float) -> bool:
        """Follow-up is on and a partner was accepted in the last 0.5 s (keep looking then)."""
        return self._follow and self._partner is not None and t - self._partner[0] <= 0.5

    def _crops(self, found: npt.NDArray[np.float32], t: float) -> list[Crop]:
        """This look's crops: the partner's recent crop first, then the next ones of the ring."""
        first = [self._partner[2]] if self._partner_recent(t) else []  # type: ignore[index]
        ring = crop_ring(found, self._scale)
        picks = [ring[(self._ring + i) % len(ring)] for i in range(self._crops_per_look)]
        self._ring += self._crops_per_look
        return first + picks

    def _look_again(self, rgb: npt.NDArray[np.uint8], found: _Row, t: float) -> _Row | None:
        """Search upscaled crops around the lone hand for a second, distinct hand.

        The first hand found that is not a duplicate of the lone one is taken. The detector
        sometimes returns the lone hand itself posed another way (a foreshortened thumb) that
        passes the duplicate test: measured with the defaults, 1 such phantom in the 1018
        frames (38 looks) of the three one-hand clips of ../shared/footage. Requiring a second
        sighting was tried and dropped: phantoms remained and most true partners were lost
        (1 of 8 scaled/flipped variants of two_thumbs_up.jpg instead of 8 of 8), because
        their landmarks differ from crop to crop.
        """
        self.stats.second_look_runs += 1
        for crop in self._crops(found[0], t):
            for row in self._detect_crop(rgb, *crop):
                if (not same_hand(row[0], found[0])
                        and inside_share(row[0], found[0]) <= PHANTOM_INSIDE):
                    self._partner = (t, row[0], crop)
                    return row
                self.stats.second_look_duplicates += 1
        return None

    def _detect_crop(self, rgb: npt.NDArray[np.uint8], cx: float, cy: float,
                     side: float) -> list[_Row]:
        """Hands in the square crop (cx, cy, side), upscaled, in full-image pixels."""
        import cv2
        import mediapipe as mp

        h, w = rgb.shape[:2]
        x0, y0 = int(max(0, cx - side / 2)), int(max(0, cy - side / 2))
        x1, y1 = int(min(w, cx + side / 2)), int(min(h, cy + side / 2))
        if x1 - x0 < 16 or y1 - y0 < 16:
            return []
        crop = rgb[y0:y1, x0:x1]
        k = self._crop_px / max(crop.shape[:2])
        crop = cv2.resize(crop, None, fx=k, fy=k, interpolation=cv2.INTER_LINEAR)
        if self._tasks["image"] is None:
            self._tasks["image"] = self._create("IMAGE")
        with _quiet_native_stderr(self._quiet and not self._warm["image"]):
            result = self._tasks["image"].detect(mp.Image(image_format=mp.ImageFormat.SRGB,
                                                          data=np.ascontiguousarray(crop)))
        self._warm["image"] = True
        self.stats.second_look_crops += 1
        cw, ch = float(x1 - x0), float(y1 - y0)
        return _rows(result, (float(x0), float(y0)), (cw, ch), cw)


#: (xy (21,2) px, z (21,) px, world (21,3) m, label, score) of one detected hand.
_Row = tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.float32], str, float]


def _rows(result: Any, origin: tuple[float, float], scale: tuple[float, float],
          z_scale: float) -> list[_Row]:
    """Convert a MediaPipe result into rows, mapping normalised coords into the full image."""
    rows: list[_Row] = []
    for lms, world, cats in zip(result.hand_landmarks, result.hand_world_landmarks,
                                result.handedness, strict=False):
        a = np.array([(p.x, p.y, p.z) for p in lms], dtype=np.float32)
        if a.shape != (NUM_LANDMARKS, 3):
            continue
        xy = a[:, :2] * np.array(scale, np.float32) + np.array(origin, np.float32)
        wa = np.array([(p.x, p.y, p.z) for p in world], dtype=np.float32)
        cat = cats[0] if cats else None
        label = cat.category_name if cat is not None and cat.category_name in ("Left",
                                                                               "Right") else "Right"
        score = float(cat.score) if cat is not None else 0.0
        rows.append((xy, a[:, 2] * z_scale, wa.reshape(NUM_LANDMARKS, 3), label, score))
    return rows
