"""The per-frame pipeline shared by live practice and recorded-video analysis.

One code path, so a session is judged alike whether it was watched live or analysed later:
``Landmarker`` → ``RoleTracker`` → ``SideDetector`` → ``ContactDetector`` →
``TechniqueClassifier`` (→ ``PairClassifier`` in caregiver mode) → ``Coach``. Recorded
analysis adds :class:`~massagecam.hindsight.Hindsight` before the coach
(:meth:`Pipeline.push`): a recording can look a few seconds ahead to name each frame's
stroke, live practice cannot. Each stage is built once, with its configuration checked at
construction; :meth:`Pipeline.update` runs one frame through all of them and returns a
:class:`FrameResult`. Everything after the landmarker is small numpy work (1.3 ms per frame
on the rendered benchmark sessions, 1.6 ms with hindsight), so the landmark model (10-17 ms)
sets the frame rate.

In caregiver mode the analysis is a :class:`~massagecam.technique_pair.PairAnalysis`: a
``FrameAnalysis`` that also carries the two-handed technique of both giving thumbs
(``analysis.pair``), so the coach, overlay and report can read it without a second path.

The pipeline also turns the state of the scene into short user hints (show both hands, a third
hand is ignored, move closer, more light: :mod:`massagecam.hints`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from time import perf_counter
from typing import Any

import numpy as np

from massagecam import stages
from massagecam.errors import ConfigError, check_range
from massagecam.feeds import (
    MAX_WORKERS,
    Detected,
    ParallelFeed,
    SequentialFeed,
    no_prepare,
    timed,
)
from massagecam.hands import Hands, Role
from massagecam.hindsight import PREROLL_S, Hindsight, learn_depth_trust
from massagecam.hints import (
    HINT_BOTH_HANDS,
    HINT_CLOSER,
    HINT_LIGHT,
    HINT_THIRD_HAND,
    SceneHints,
    grey_level,
)
from massagecam.results import FrameAnalysis, Side

RECEIVING = ("auto", "left", "right")
MODES = ("self", "caregiver")


@dataclass(frozen=True)
class FrameResult:
    """What one frame produced: the analysis, and the coach's state when a routine runs."""

    analysis: FrameAnalysis
    coach: Any | None = None

    @property
    def pair(self) -> Any | None:
        """The two-handed ``PairEstimate`` (caregiver mode), else None."""
        return getattr(self.analysis, "pair", None)

    @property
    def step_index(self) -> int | None:
        """Index of the routine step the coach is on; None without a routine or when done."""
        c = self.coach
        if c is None:
            return None
        step, count = getattr(c, "step_index", None), getattr(c, "step_count", None)
        if step is None or step < 0 or (count is not None and step >= count):
            return None
        return int(step)

    @property
    def on_target(self) -> bool | None:
        """The coach's verdict on the press: on the step's target or not (None: no press/step)."""
        c = self.coach
        if c is None or self.step_index is None or not getattr(c, "pressing", True):
            return None
        value = getattr(c, "on_target", None)
        return None if value is None else bool(value)


class Pipeline:
    """Runs every analysis stage on a stream of frames.

    Use as a context manager (it owns the landmark model). Stages can be passed in ready-built
    (``landmarker=``, ``tracker=``, ...): tests feed synthetic landmarks through
    :meth:`update_hands`, and batch workers may share an atlas.

    Args:
        routine: a ``Routine``, a built-in routine id or a TOML path; None for free practice.
        receiving: which hand receives: "auto", "left" or "right".
        mode: "self" (one person, two hands) or "caregiver" (giver's hands are another person's).
        mirrored: the frames are mirrored (selfie view), as most webcams show them.
        model_path: hand landmarker model; default the bundled one.
        min_palm_frac: "move closer" when the receiving palm (wrist to middle knuckle) is
            shorter than this share of the image height.
        dark_level: "more light" when the mean grey level (0..255) stays below this.
        second_look: let the landmarker re-search a lost hand near the found one.
        num_hands: most hands the landmarker reports (1..4); default 2 in self mode, 3 in
            caregiver mode (receiver and two giving hands; with 4 the palm detector re-runs
            on every frame that shows only three, see benchmarks/caregiver.py).
        pair: a ready-built two-handed recogniser (caregiver mode builds a ``PairClassifier``;
            its time is counted under "technique" in :attr:`timings`).
        profile: accumulate seconds per stage in :attr:`timings` (benchmarks).
        caregiver_at: caregiver mode: the image edge the caregiver's hands come from
            ("bottom", "top", "left", "right"; None: no prior), see ``RoleTracker``.
        landmark_workers: landmark model instances run side by side by :meth:`feed` (1..4;
            each sees every k-th frame; 2 uses both cores of a 2-core machine).
        hindsight_s: look-ahead of :meth:`push` (0..10 s; 0: none, as live practice). Recorded
            analysis passes :data:`~massagecam.hindsight.ANALYSIS_LAG_S`: each frame's
            technique is then the one the next seconds show (:class:`~massagecam.hindsight.
            Hindsight`), and its results come out that much later.
        preroll_s: seconds of frames :meth:`push` reads before analysing any, to learn how the
            stream's pad depth behaves (:func:`~massagecam.hindsight.learn_depth_trust`);
            0..60, default :data:`~massagecam.hindsight.PREROLL_S` with look-ahead (and no
            optical-flow tracker, which needs every picture), else 0.
        per_hand: one single-hand model instance per hand
            (:class:`~massagecam.per_hand.PerHandLandmarker`) instead of one instance for
            all hands; None: in caregiver mode only. There the search with the other hands
            painted over finds the receiver's hand, seen upside down under the giver's, that
            the three-hand instance misses (receiver found in 72 % of frames before, 91 %
            with it: benchmarks/caregiver.py).
    """

    def __init__(self, routine: Any = None, receiving: str = "auto", mode: str = "self",
                 mirrored: bool = False, model_path: str | Path | None = None, *,
                 min_palm_frac: float = 0.08, dark_level: float = 45.0,
                 second_look: bool = True, num_hands: int | None = None,
                 landmarker: Any = None, tracker: Any = None,
                 atlas: Any = None, side_detector: Any = None, contact: Any = None,
                 technique: Any = None, pair: Any = None, coach: Any = None,
                 profile: bool = False, landmark_workers: int = 1,
                 caregiver_at: str | None = "bottom", per_hand: bool | None = None,
                 hindsight_s: float = 0.0, preroll_s: float | None = None) -> None:
        if not 1 <= landmark_workers <= MAX_WORKERS:
            raise ConfigError(f"landmark_workers={landmark_workers}: expected 1..{MAX_WORKERS}")
        self.landmark_workers = landmark_workers
        self.caregiver_at = caregiver_at
        if receiving not in RECEIVING:
            raise ConfigError(f"receiving={receiving!r}: expected one of {', '.join(RECEIVING)}")
        if mode not in MODES:
            raise ConfigError(f"mode={mode!r}: expected one of {', '.join(MODES)}")
        self.receiving, self.mode, self.mirrored = receiving, mode, mirrored
        self.model_path = model_path
        self.scene_hints = SceneHints(min_palm_frac, dark_level)
        self._second_look = second_look
        if num_hands is None:
            num_hands = 3 if mode == "caregiver" else 2
        if not 1 <= num_hands <= 4:
            raise ConfigError(f"num_hands={num_hands}: expected 1..4")
        self.num_hands = num_hands
        self.per_hand = (mode == "caregiver" if per_hand is None else per_hand) and num_hands >= 2
        self._landmarker = landmarker
        self._landmarkers: list[Any] = []
        self._owns_landmarker = landmarker is None
        self.routine = self._load_routine(routine)
        self.tracker = tracker if tracker is not None else self._make_tracker()
        self.atlas = atlas if atlas is not None else stages.load_atlas()
        self.side_detector = side_detector if side_detector is not None else \
            stages.side_detector(mirrored)
        self.contact = contact if contact is not None else stages.contact_detector(mode)
        self.technique = technique if technique is not None else stages.technique_classifier()
        #: Two-handed technique recogniser; only in caregiver mode (one giving hand otherwise).
        self.pair = pair if pair is not None or mode != "caregiver" else stages.pair_classifier()
        if coach is None and self.routine is not None:
            from massagecam.coach import Coach

            coach = Coach(self.routine, mode=mode, atlas=self.atlas)
        self.coach = coach
        #: Keeps the receiver's thumb and wrist through a press that drags them (self mode).
        self.receiver_shape = stages.receiver_shape(mode)
        hindsight_s = check_range("hindsight_s", hindsight_s, 0.0, 10.0, low_open=False)
        #: Holds recent frames for :meth:`push`; None without look-ahead.
        self.hindsight = (Hindsight(hindsight_s, transits=stages.transit_finder(mode, hindsight_s))
                          if hindsight_s > 0 else None)
        if preroll_s is None:  # a tracker that reads pictures cannot be run on kept hands
            uses_images = bool(getattr(self.tracker, "uses_images", False))
            preroll_s = PREROLL_S if hindsight_s > 0 and not uses_images else 0.0
        self.preroll_s = check_range("preroll_s", preroll_s, 0.0, 60.0, low_open=False)
        # frames kept to learn from before any is analysed (hands, grey level, payload)
        self._preroll: list[tuple[Hands, np.ndarray | None, Any]] | None = \
            [] if self.preroll_s > 0 else None
        #: Seconds spent per stage (and "frames"), when built with ``profile=True``.
        self.timings: dict[str, float] | None = {} if profile else None

    # -- construction helpers -----------------------------------------------------------
    def _load_routine(self, routine: Any) -> Any:
        if routine is None or not isinstance(routine, (str, Path)):
            return routine
        from massagecam.routines import load_routine

        side = None if self.receiving == "auto" else self.receiving
        return load_routine(routine, receiving=side)

    def _make_tracker(self) -> Any:
        from massagecam.tracking import RoleTracker

        receiving = self.receiving
        if receiving == "auto" and self.routine is not None:
            wanted = str(getattr(self.routine, "receiving", "either"))
            receiving = wanted if wanted in ("left", "right") else "auto"
        return RoleTracker(receiving=receiving, mode=self.mode, caregiver_at=self.caregiver_at)

    def __enter__(self) -> Pipeline:
        if self._landmarker is None:
            self._landmarkers = [self._new_landmarker() for _ in range(self.landmark_workers)]
            self._landmarker = self._landmarkers[0]
        else:  # a ready landmarker (tests, live sessions): its owner opens and closes it
            self._landmarkers = [self._landmarker]
        return self

    def _new_landmarker(self) -> Any:
        if self.per_hand:  # searches waited for: a file gives the same result every run
            from massagecam.per_hand import PerHandLandmarker

            return PerHandLandmarker(self.model_path, self.num_hands, self.mirrored,
                                     background_search=False)
        from massagecam.landmarker import Landmarker

        return Landmarker(model_path=self.model_path, num_hands=self.num_hands,
                          mirrored=self.mirrored, second_look=self._second_look)

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the landmark models (idempotent)."""
        if self._owns_landmarker:
            for lm in self._landmarkers:
                exit_ = getattr(lm, "__exit__", None)
                if exit_ is not None:
                    exit_(None, None, None)
            self._landmarkers = []
            self._landmarker = None

    @property
    def landmarkers(self) -> list[Any]:
        """The landmark model instances (one unless ``landmark_workers`` > 1)."""
        return list(self._landmarkers)

    def feed(self, frames: Iterator[Any]) -> SequentialFeed | ParallelFeed:
        """Frames with their landmarks, in order, from every landmark instance at once.

        Frame ``i`` goes to instance ``i % k`` (:class:`~massagecam.feeds.ParallelFeed` with
        turns), so a file gives the same result on every run; pass the items to
        :meth:`update_detected`. The caller closes the feed.
        """
        if not self._landmarkers:
            raise RuntimeError("Pipeline.feed outside its 'with' block (model not loaded)")
        detects = [timed(lm) for lm in self._landmarkers]
        if len(detects) == 1:
            return SequentialFeed(frames, no_prepare, detects[0])
        return ParallelFeed(frames, no_prepare, detects, turns=True)

    def update_detected(self, d: Detected) -> FrameResult:
        """:meth:`update_hands` on a :meth:`feed` item (its model time counted in timings)."""
        if self.timings is not None:
            self.timings["landmarker"] = self.timings.get("landmarker", 0.0) + d.landmarks_s
        return self.update_hands(d.hands, d.frame.image)

    # -- per frame ----------------------------------------------------------------------
    def update(self, frame: Any) -> FrameResult:
        """Run one captured ``Frame`` (image, index, t) through every stage."""
        if self._landmarker is None:
            raise RuntimeError("Pipeline.update outside its 'with' block (model not loaded)")
        if self.timings is None:
            hands = self._landmarker.detect(frame.image, frame.t, frame.index)
        else:
            t0 = perf_counter()
            hands = self._landmarker.detect(frame.image, frame.t, frame.index)
            self.timings["landmarker"] = self.timings.get("landmarker", 0.0) + perf_counter() - t0
        return self.update_hands(hands, frame.image)

    def update_hands(self, hands: Hands, image: np.ndarray | None = None) -> FrameResult:
        """Run the stages after the landmarker on already detected hands (no look-ahead)."""
        return self._judge(self._analyse(hands, image))

    def push(self, hands: Hands, image: np.ndarray | None = None,
             payload: Any = None) -> list[tuple[Any, FrameResult]]:
        """:meth:`update_hands` with the pipeline's look-ahead (``hindsight_s``, ``preroll_s``).

        Returns the frames whose look-ahead is complete, oldest first, each as
        ``(payload, result)``: none during the pre-roll, then about one per frame,
        ``hindsight_s`` behind. Call :meth:`drain` at the end (or on an interruption) for the
        rest. Without look-ahead the frame comes straight back.
        """
        if self._preroll is None:
            return self._push(hands, image, payload)
        self._preroll.append((hands, grey_level(image), payload))
        if hands.t - self._preroll[0][0].t < self.preroll_s:
            return []
        return self._play_preroll()

    def _push(self, hands: Hands, image: np.ndarray | None,
              payload: Any) -> list[tuple[Any, FrameResult]]:
        analysis = self._analyse(hands, image)
        if self.hindsight is None:
            return [(payload, self._judge(analysis))]
        return [(p, self._judge(a)) for a, p in self.hindsight.update(analysis, payload)]

    def _play_preroll(self) -> list[tuple[Any, FrameResult]]:
        """Learn the depth trust on the pre-roll's frames, then analyse them for real."""
        frames, self._preroll = self._preroll or [], None
        learn_depth_trust([h for h, _, _ in frames], self.tracker, self.side_detector,
                          self.contact)
        return [r for hands, grey, payload in frames for r in self._push(hands, grey, payload)]

    def push_detected(self, d: Detected, payload: Any = None) -> list[tuple[Any, FrameResult]]:
        """:meth:`push` on a :meth:`feed` item (its model time counted in timings)."""
        if self.timings is not None:
            self.timings["landmarker"] = self.timings.get("landmarker", 0.0) + d.landmarks_s
        return self.push(d.hands, d.frame.image, payload)

    def drain(self) -> list[tuple[Any, FrameResult]]:
        """The frames :meth:`push` still holds, judged with the look-ahead they have."""
        out = self._play_preroll() if self._preroll is not None else []
        if self.hindsight is not None:
            out += [(p, self._judge(a)) for a, p in self.hindsight.flush()]
        return out

    def _analyse(self, hands: Hands, image: np.ndarray | None) -> FrameAnalysis:
        """Tracker to technique (and hints) on one frame: everything before the coach."""
        clock = self.timings is not None
        t0 = perf_counter() if clock else 0.0
        tracked = self.tracker.update(hands, image)
        if self.receiver_shape is not None:
            tracked = self.receiver_shape.update(tracked)
        t1 = perf_counter() if clock else 0.0
        rec = tracked.index_of(Role.RECEIVER)
        side = self.side_detector.update_hands(tracked)
        t2 = perf_counter() if clock else 0.0
        contacts = tuple(self.contact.update(tracked, side, self.atlas))
        t3 = perf_counter() if clock else 0.0
        techniques = tuple(self.technique.update(
            contacts, tracked.t, getattr(self.contact, "depth_share", 1.0)))
        pair = self.pair.update(contacts, tracked.t, Side(side)) if self.pair is not None \
            else None
        if pair is not None and pair.returning and self.hindsight is None:
            # a spread's lifted return is no press (with hindsight: its rule 5, centred)
            contacts = tuple(replace(c, in_contact=False)
                             if c.finger == "thumb" and c.giver_track in pair.returning else c
                             for c in contacts)
        t4 = perf_counter() if clock else 0.0
        hints = self.scene_hints.update(tracked, image, rec)
        if pair is None:
            analysis = FrameAnalysis(hands=tracked, side=Side(side), contacts=contacts,
                                     techniques=techniques, hints=hints)
        else:
            from massagecam.technique_pair import PairAnalysis

            analysis = PairAnalysis(hands=tracked, side=Side(side), contacts=contacts,
                                    techniques=techniques, hints=hints, pair=pair)
        if clock:
            t5 = perf_counter()
            tm = self.timings
            assert tm is not None
            for name, dt in (("tracker", t1 - t0), ("side", t2 - t1), ("contact", t3 - t2),
                             ("technique", t4 - t3), ("hints", t5 - t4)):
                tm[name] = tm.get(name, 0.0) + dt
            tm["frames"] = tm.get("frames", 0.0) + 1
        return analysis

    def _judge(self, analysis: FrameAnalysis) -> FrameResult:
        """The coach's view of one analysed frame (and the routine's hand for the tracker)."""
        t0 = perf_counter() if self.timings is not None else 0.0
        state = self.coach.update(analysis) if self.coach is not None else None
        self._follow_routine_hand()
        if self.timings is not None:
            self.timings["coach"] = self.timings.get("coach", 0.0) + perf_counter() - t0
        return FrameResult(analysis, state)

    def _follow_routine_hand(self) -> None:
        """Point a stated-side tracker at the hand the routine's current step massages.

        A routine's "other hand" steps (R1 does both hands) swap the roles: the hand that gave
        now receives. A tracker told "left" would keep calling the left hand the receiver, and
        the atlas would then be laid on the wrong hand, mirrored. An "auto" tracker decides
        from the hands' motion and is left alone.
        """
        coach, tracker = self.coach, self.tracker
        if coach is None or getattr(tracker, "receiving", "auto") == "auto":
            return
        step = coach.step
        hand = step.expected_hand(coach.first_hand) if step is not None else None
        if hand is not None and tracker.receiving != hand.lower():
            tracker.receiving = hand.lower()

    # -- coach controls (live keys) -----------------------------------------------------
    def finish(self) -> Any:
        """The coach's final ``SessionScore``, or None without a routine."""
        return self.coach.finish() if self.coach is not None else None


__all__: Sequence[str] = ("FrameResult", "Pipeline", "HINT_BOTH_HANDS", "HINT_THIRD_HAND",
                          "HINT_CLOSER", "HINT_LIGHT")
