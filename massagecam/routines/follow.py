"""Has the user moved on to the next step by themselves? The evidence window of the coach.

Where the thumb is reads steadily from the landmarks; whether it presses flickers on model
landmarks. So the coach follows a user to the next step when, over a recent window, the thumb
was over the next step's target (and not the current one's) most of the time and pressed there
part of the time. A rule that needed an unbroken press never fired on rendered video, and a
stalled coach judged every later step against the wrong target.

Evidence takes time to gather: by the time the coach follows, the user has been on the next
step for one to three seconds, and those frames were judged against the old target. So the
window also keeps, per frame, how that frame reads for the next step and the old step's tally
before it; on following, :meth:`FollowWindow.moved` gives the frames since the user moved, and
the coach restates them: the old step gets back the tally it had before them, the next step is
credited with them, and the recorded timeline re-labels them (``CoachState.restated``).
On the rendered sessions of ``benchmarks/analyze_accuracy.py`` (seed 2026), 7 % of the press
frames had been judged against the step the user had just left.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from massagecam.routines.look import Look, step_progress, tally_frame
from massagecam.routines.state import Phase
from massagecam.routines.workpoint import TRAVELLING

if TYPE_CHECKING:
    from massagecam.coach import Coach
    from massagecam.results import FrameAnalysis
    from massagecam.routines.model import Step
    from massagecam.scoring import StepTally

#: Share of the window the thumb must spend over the next step's target, and share of the
#: window's frames it must press there, for the coach to move on.
FOLLOW_PLACE_SHARE, FOLLOW_PRESS_SHARE = 0.8, 0.3


@dataclass(frozen=True)
class Seen:
    """One frame of the window: over the next target, pressing there, and what to restate.

    ``look`` is the frame as read for the next step, ``before`` the current step's tally just
    before this frame (both None when the coach does not restate).
    """

    t: float
    dt: float
    there: bool
    pressing_there: bool
    frame_index: int = -1
    look: Look | None = None
    before: StepTally | None = None


class FollowWindow:
    """The last ``length_s`` of (over the next target, pressing on it) frame by frame."""

    def __init__(self, length_s: float) -> None:
        self.length_s = length_s
        self._win: deque[Seen] = deque()

    def clear(self) -> None:
        """Forget the evidence (a new step)."""
        self._win.clear()

    def update(self, t: float, dt: float, there: bool, pressing_there: bool,
               need_s: float, *, frame_index: int = -1, look: Look | None = None,
               before: StepTally | None = None) -> bool:
        """Add one frame; True when the last ``need_s`` (<= ``length_s``) says "moved on".

        ``dt`` is the time since the previous frame (each frame stands for it);
        ``frame_index``, ``look`` and ``before`` are kept for :meth:`moved`.
        """
        win = self._win
        win.append(Seen(t, dt, there, there and pressing_there, frame_index, look, before))
        while win and win[0].t <= t - self.length_s:
            win.popleft()
        recent = [w for w in win if w.t > t - need_s]
        span = sum(w.dt for w in recent)
        return (bool(recent) and recent[-1].there
                and sum(w.dt for w in recent if w.there) >= FOLLOW_PLACE_SHARE * need_s
                and sum(w.dt for w in recent if w.pressing_there) >= FOLLOW_PRESS_SHARE * span)

    def moved(self, gap_s: float) -> list[Seen]:
        """The frames since the user moved: the window's trailing run over the next target.

        The run starts at its first frame over the next target; stretches elsewhere of up to
        ``gap_s`` inside it are bridged (landmark jitter, a lift between strokes).
        """
        win = list(self._win)
        start, gap = None, 0.0
        for i in range(len(win) - 1, -1, -1):
            if win[i].there:
                start, gap = i, 0.0
            else:
                gap += win[i].dt
                if gap > gap_s:
                    break
        return [] if start is None else win[start:]


#: Once this share of a step is done, following needs only ``FOLLOW_DONE_FACTOR`` x follow_s.
FOLLOW_DONE_PROGRESS, FOLLOW_DONE_FACTOR = 0.6, 0.5


class FollowMixin:
    """The coach's following of a user who moves on by themselves, and the restating.

    Mixed into :class:`massagecam.coach.Coach`, whose state it reads and moves (hence the
    ``self: Coach`` annotations).
    """

    def _may_follow(self: Coach) -> bool:
        return bool(self.follow_s) and self.step_index + 1 < len(self.routine.steps)

    def _move_on(self: Coach) -> tuple[tuple[int, bool | None], ...]:
        """Go to the next step, crediting it with the frames since the user moved there.

        Returns the earlier frames restated as the new step's, with their on-target verdict
        for it (None: no press; the current frame is emitted with it anyway).
        """
        moved = self._follow_window.moved(self.dropout_s)
        if moved and moved[0].before is not None:
            self.tallies[self.step_index] = moved[0].before
        self._go(self.step_index + 1)
        step, tally = self.step, self.tallies[self.step_index]
        assert step is not None
        for w in moved:
            tally_frame(tally, w.look, w.dt)
            self._phase_and_timer(step, tally, w.look, w.dt)
            if self.phase is Phase.STEP_COMPLETE:
                self._complete_t = w.t
                break
        return tuple((w.frame_index, bool(w.look.on_target) if w.look.pressing else None)
                     for w in moved[:-1])

    def _follows_on(self: Coach, a: FrameAnalysis, step: Step, look: Look, dt: float,
                    before: StepTally | None) -> Look | None:
        """Has the user moved on to the next step by themselves?

        By place (:class:`~massagecam.routines.follow.FollowWindow`): over the last
        ``follow_s`` the thumb was mostly over the next step's target (and not this one's)
        and pressed there part of the time; once :data:`FOLLOW_DONE_PROGRESS` of this step is
        done, over half of it (the user who has done most of a step and moves to the next
        target is expected to go on; each second of lag judges their presses against the old
        target).
        By technique (same place, next technique, e.g. circles then hold on LI4): slower to
        trust, since a misread stroke looks the same: the next step's technique, pressing, for
        2 x ``follow_s`` without a break.
        """
        if not self._may_follow():
            self._follow = 0.0
            self._follow_window.clear()
            return None
        nxt = self.routine.steps[self.step_index + 1]
        if TRAVELLING & set(nxt.techniques):
            lead = self._follow_contact(a, nxt, nxt.targets_for(nxt.expected_hand(
                self.first_hand)))
            here = (lead is not None and lead.location is not None
                    and nxt.hits(nxt.targets_for(nxt.expected_hand(self.first_hand)),
                                 lead.location))
            self._next_pass_hit = self._next_passes.update(
                lead is not None and lead.in_contact, here, a.t,
                lead.palm_xy if lead is not None else None)
        nlook = self._look(a, nxt)
        def placed(lk: Look) -> bool:
            return lk.hit and lk.hand_ok and lk.side_ok

        # most of this step done: moving on is expected, so trust it sooner
        need = self.follow_s * (FOLLOW_DONE_FACTOR if step_progress(
            step, self.tallies[self.step_index]) >= FOLLOW_DONE_PROGRESS else 1.0)
        by_place = self._follow_window.update(a.t, dt, placed(nlook) and not placed(look),
                                              nlook.on_target, need,
                                              frame_index=a.frame_index, look=nlook,
                                              before=before)
        by_technique = (nlook.on_target and nlook.tech_ok and not look.tech_ok)
        self._follow = self._follow + dt if by_technique else 0.0
        return nlook if by_place or self._follow >= 2.0 * self.follow_s else None

