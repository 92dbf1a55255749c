"""The coach's per-frame output records (kept apart from the state machine in ``coach.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Phase(StrEnum):
    """Where the coach is within the current step."""

    WAITING_FOR_HANDS = "waiting_for_hands"
    FIND_TARGET = "find_target"
    PERFORM = "perform"
    STEP_COMPLETE = "step_complete"
    PAUSED = "paused"
    DONE = "done"


@dataclass(frozen=True)
class CoachState:
    """What the coach says after one frame (for the overlay and the report).

    Attributes:
        t: timestamp of the frame (s).
        frame_index: index of the frame.
        step_index: 0-based current step (== step_count when done).
        step_count: number of steps.
        step_title: short label of the current step.
        targets: target ids of the current step on the current hand.
        expected_hand: "Left"/"Right" the step is for, None until known.
        phase: see :class:`Phase`.
        guidance: a few words for the user ("move towards LI4 (towards the wrist)").
        on_target: the thumb presses inside the target this frame.
        pressing: any giving finger is in contact this frame.
        elapsed_s: on-target time counted so far in this step.
        required_s: required time (None for a repetitions step).
        reps: repetitions counted (whole).
        required_reps: required repetitions (None for a timed step).
        progress: 0..1 completion of this step.
        step_score: running 0–100 score of this step.
        hints: tracking hints passed on from the analysis.
        restated: on the frame the coach follows a user to the next step by themselves, the
            earlier frames since they moved there, as (frame index, on target for this step, None
            without a press):
            a recorder re-labels them as this step's (see :mod:`massagecam.routines.follow`).
    """

    t: float
    frame_index: int
    step_index: int
    step_count: int
    step_title: str
    targets: tuple[str, ...]
    expected_hand: str | None
    phase: Phase
    guidance: str
    on_target: bool
    pressing: bool
    elapsed_s: float
    required_s: float | None
    reps: int
    required_reps: int | None
    progress: float
    step_score: float
    hints: tuple[str, ...] = ()
    restated: tuple[tuple[int, bool | None], ...] = ()


@dataclass(frozen=True)
class FrameRecord:
    """One frame as the coach judged it (kept for timelines in reports)."""

    t: float
    frame_index: int
    step_index: int
    phase: str
    pressing: bool
    on_target: bool
    zone: str | None
    technique: str
    rate_hz: float | None
