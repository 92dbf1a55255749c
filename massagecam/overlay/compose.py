"""``compose``: the whole overlay of one frame, shared by live practice and annotated videos.

Order matters for mirroring. Geometry (zones, skeletons, press points, arrow, dwell ring) is
drawn first, in the analysed image's pixel coordinates; then the image is flipped for a
mirror-like display (people move more naturally when the screen acts as a mirror); then the
text panels are drawn on the flipped image so they read normally. Analysis always runs on the
un-mirrored frame, so "left" and "right" hands keep their anatomical meaning.

The coach's state is read in one place, :func:`guide_from`, which turns it (with the routine's
step texts) into the plain :class:`Guide` record the annotators draw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from massagecam.hands import Role
from massagecam.overlay.guidance import (
    ArrowAnnotator,
    DwellRingAnnotator,
    PressAnnotator,
    RhythmAnnotator,
)
from massagecam.overlay.panels import (
    HelpAnnotator,
    MessageAnnotator,
    ScoreAnnotator,
    StatusAnnotator,
    StepInfo,
    StepPanelAnnotator,
)
from massagecam.overlay.skeleton import SkeletonAnnotator
from massagecam.overlay.style import OKABE_ITO, Palette
from massagecam.overlay.thumbs import ThumbAnnotator
from massagecam.overlay.zones import ZonesAnnotator, shape_center
from massagecam.results import FrameAnalysis


@dataclass
class View:
    """Display settings the user toggles with keys, and the live loop's own notices.

    Attributes:
        mirror: flip the display horizontally (after analysis).
        show_zones: draw the receiver's non-target zones (the target is always drawn).
        show_help: draw the key help box.
        paused / recording: shown in the status line.
        status: extra short status words ("28 fps").
        notices: messages from the application itself ("camera lost, reconnecting").
        clock: seconds used to animate the beat; None = the frame's time.
    """

    mirror: bool = True
    show_zones: bool = True
    show_help: bool = False
    paused: bool = False
    recording: bool = False
    status: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()
    clock: float | None = None


@dataclass(frozen=True)
class Guide:
    """What the coach wants drawn this frame (plain data, extracted by :func:`guide_from`).

    Attributes:
        step: the step panel's content, None in free practice.
        targets: atlas ids to highlight.
        target_xy: pixel position the arrow points at (None: no arrow).
        on_target: the coach's verdict for the primary press (None: unknown).
        dwell: fraction 0..1 of the required hold done (None: no ring).
        technique / rhythm_hz: the step's expected stroke and beat frequency.
        score: running score 0..100 (None before anything is scored).
        score_label: what the score is of ("step" for the coach's running step score).
        guidance: short words for the user ("press the thenar", "slower").
    """

    step: StepInfo | None = None
    targets: tuple[str, ...] = ()
    target_xy: tuple[float, float] | None = None
    on_target: bool | None = None
    dwell: float | None = None
    technique: str | None = None
    rhythm_hz: float | None = None
    score: float | None = None
    score_label: str = "score"
    guidance: tuple[str, ...] = field(default_factory=tuple)


#: The coach's phases in the few words the step panel shows.
PHASE_WORDS = {"waiting_for_hands": "show both hands", "find_target": "find the target",
               "perform": "", "step_complete": "step complete", "paused": "paused",
               "done": "routine complete"}


def guide_from(state: Any, routine: Any = None, shapes: Mapping[str, Any] | None = None) -> Guide:
    """Turn the coach's ``CoachState`` (plus its routine's step texts) into a :class:`Guide`.

    Args:
        state: a ``massagecam.coach.CoachState``; a :class:`Guide` passes through unchanged;
            None gives an empty guide (free practice).
        routine: the ``Routine`` being coached, for the instruction, next step, technique and
            rhythm (without it the panel shows the step title only).
        shapes: this frame's ``Atlas.shapes``, to aim the arrow at the target's centre.
    """
    if state is None:
        return Guide()
    if isinstance(state, Guide):
        return state
    steps = tuple(getattr(routine, "steps", ()) or ())
    idx, count = int(state.step_index), int(state.step_count)
    step = steps[idx] if 0 <= idx < len(steps) else None
    nxt = steps[idx + 1].label if 0 <= idx + 1 < len(steps) else None
    phase = str(state.phase)
    info = StepInfo(
        index=min(idx, max(0, count - 1)), count=count, title=str(state.step_title),
        instruction=step.instruction if step is not None else "",
        elapsed_s=float(state.elapsed_s), duration_s=state.required_s, next_title=nxt,
        phase=PHASE_WORDS.get(phase, phase), reps=int(state.reps),
        required_reps=state.required_reps)
    target_xy = None
    for t in state.targets:
        if shapes and t in shapes:
            target_xy = shape_center(shapes[t])
            if target_xy is not None:
                break
    techs = tuple(getattr(step, "techniques", ()) or ())
    hz = getattr(step, "rhythm_hz", None)
    return Guide(
        step=info, targets=tuple(state.targets), target_xy=target_xy,
        on_target=bool(state.on_target), dwell=float(state.progress),
        technique=techs[0] if techs else None,
        rhythm_hz=float(sum(hz) / 2.0) if hz else None,
        score=float(state.step_score), score_label="step",
        guidance=(str(state.guidance),) if state.guidance else ())


class Overlay:
    """All annotators with their styles; :meth:`compose` draws one frame.

    Args:
        atlas: a ``massagecam.atlas.Atlas`` used for zone geometry (``Atlas.shapes``); None
            draws no zones.
        routine: the coached ``Routine`` (step instructions, next step, rhythm); optional.
        palette: colours for every annotator.
        scale: size of text and strokes; None follows the image (1 at 480 px high, larger
            for bigger frames, so a 1080p camera's overlay is as readable as a VGA one's).
    """

    def __init__(self, atlas: Any = None, routine: Any = None,
                 palette: Palette = OKABE_ITO, scale: float | None = None) -> None:
        self.atlas = atlas
        self.routine = routine
        self.palette = palette
        self._fixed_scale = scale
        self._scale = -1.0
        self._style(scale or 1.0)

    def _style(self, s: float) -> None:
        """(Re)build the annotators for size factor ``s``."""
        if s == self._scale:
            return
        self._scale, p = s, self.palette
        self.skeleton = SkeletonAnnotator(p, thickness=round(2 * s), joint_radius=round(3 * s))
        self.zones = ZonesAnnotator(p)
        self.press = PressAnnotator(p, radius=round(7 * s))
        self.arrow = ArrowAnnotator(p, thickness=round(3 * s), min_length=12 * s)
        self.ring = DwellRingAnnotator(p, radius=round(22 * s), thickness=round(5 * s))
        self.rhythm = RhythmAnnotator(p, scale=0.55 * s)
        self.step_panel = StepPanelAnnotator(p, scale=0.55 * s)
        self.score = ScoreAnnotator(p, scale=1.0 * s)
        self.messages = MessageAnnotator(p, scale=0.62 * s, bottom=round(34 * s))
        self.help = HelpAnnotator(scale=0.6 * s)
        self.status = StatusAnnotator(scale=0.5 * s)
        self.thumbs = ThumbAnnotator(p, scale=0.5 * s)

    def shapes_for(self, analysis: FrameAnalysis) -> Mapping[str, Any]:
        """Zone geometry on the receiver this frame (empty without atlas or receiver)."""
        hands = analysis.hands
        i = hands.index_of(Role.RECEIVER)
        if self.atlas is None or i is None:
            return {}
        return self.atlas.shapes(hands.xy[i], str(hands.handedness[i]), analysis.side)

    def compose(self, scene: np.ndarray, result: Any, view: View | None = None) -> np.ndarray:
        """Draw ``result`` (a ``FrameResult`` or a bare ``FrameAnalysis``) on ``scene``.

        ``scene`` is drawn on in place and must have the analysed image's size; the returned
        image is ``scene`` itself, or its flipped copy when ``view.mirror``.
        """
        view = view or View()
        self._style(self._fixed_scale or max(1.0, round(scene.shape[0] / 480.0, 2)))
        analysis: FrameAnalysis = getattr(result, "analysis", result)
        coach = getattr(result, "coach", None)
        shapes = self.shapes_for(analysis)
        guide = guide_from(coach, self.routine, shapes)
        # -- geometry, in analysis pixels ----------------------------------------------
        if shapes:
            self.zones.show_others = view.show_zones
            self.zones.annotate(scene, shapes, guide.targets)
        self.skeleton.annotate(scene, analysis.hands)
        primary = analysis.primary
        if primary is not None and guide.target_xy is not None and guide.on_target is False:
            self.arrow.annotate(scene, primary.xy, guide.target_xy)
        if analysis.contacts:
            self.press.annotate(scene, analysis.contacts, primary)
        if primary is not None and guide.dwell is not None and primary.in_contact:
            self.ring.annotate(scene, primary.xy, guide.dwell)
        # -- mirror, then text in screen space -------------------------------------------
        if view.mirror:
            scene = cv2.flip(scene, 1)
        if guide.step is not None:
            self.step_panel.annotate(scene, guide.step)
        if coach is not None:
            self.score.annotate(scene, guide.score, guide.score_label)
        if primary is not None or guide.technique:
            h = scene.shape[0]
            self.rhythm.annotate(scene, (8, h - round(150 * self._scale)), analysis.technique,
                                 guide.technique,
                                 guide.rhythm_hz, analysis.t if view.clock is None
                                 else view.clock)
        if getattr(analysis, "pair", None) is not None:  # caregiver mode: name the thumbs
            self.thumbs.annotate(scene, analysis, mirrored=view.mirror,
                                 origin=(8, scene.shape[0] - round(205 * self._scale)))
        self.messages.annotate(scene, (*view.notices, *guide.guidance), analysis.hints)
        alert = tuple(w for w, on in (("PAUSED", view.paused), ("REC", view.recording)) if on)
        self.status.annotate(scene, view.status, alert)
        if view.show_help:
            self.help.annotate(scene)
        return scene


_DEFAULT: Overlay | None = None


def compose(scene: np.ndarray, result: Any, view: View | None = None, *,
            overlay: Overlay | None = None) -> np.ndarray:
    """Draw the full overlay of ``result`` on ``scene`` (see :meth:`Overlay.compose`).

    Uses ``overlay`` when given, else a shared default :class:`Overlay` with the bundled
    atlas when ``massagecam.atlas`` is available.
    """
    global _DEFAULT
    if overlay is None:
        if _DEFAULT is None:
            _DEFAULT = Overlay(atlas=default_atlas())
        overlay = _DEFAULT
    return overlay.compose(scene, result, view)


def default_atlas() -> Any:
    """The bundled atlas, or None while the atlas package is not installed."""
    try:
        from massagecam.atlas import load_atlas  # type: ignore[attr-defined]
    except ImportError:
        return None
    return load_atlas()
