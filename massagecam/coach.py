"""Guide a routine step by step from the per-frame analysis, and record what scoring needs.

The coach is a pure function of the stream of :class:`~massagecam.results.FrameAnalysis` and
their timestamps: no wall clock, so a live camera and a recorded video of the same session give
the same states and the same score. Phases per step::

    waiting_for_hands -> find_target -> perform -> step_complete -> (next step) ... -> done

Timers count only while the thumb presses inside the target, on the right hand and face; a
dropout (tracking lost, contact flicker, slip out of the zone) of up to ``dropout_s`` is bridged
and counted, a longer one is not (in a step of strokes, walks or pulls, up to ``return_s``: the
lifted return for the next pass). ``next()``, ``previous()``, ``pause()`` and ``resume()`` are
for the user's keys; the coach also follows a user who moves on by themselves (pressing the next
step's target for ``follow_s``), so recorded sessions that skip or shorten a step stay in step.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from massagecam.errors import ConfigError
from massagecam.hands import Role
from massagecam.results import Contact, FrameAnalysis, Side
from massagecam.routines.follow import FollowMixin, FollowWindow
from massagecam.routines.look import Look, guidance_words, step_progress, tally_frame
from massagecam.routines.model import PAIR_TECHNIQUES, Routine, Step
from massagecam.routines.state import CoachState, FrameRecord, Phase
from massagecam.routines.workpoint import STATIONARY, TRAVELLING, PassTracker, WorkPoint
from massagecam.scoring import SessionScore, StepTally, score_session, step_value

if TYPE_CHECKING:
    from massagecam.atlas import Atlas

#: Per-frame records a coach keeps by default: the last 30 s at 30 fps (about 0.2 MB).
DEFAULT_KEEP_RECORDS = 900


class Coach(FollowMixin):
    """Walk a routine over a stream of frame analyses.

    Args:
        routine: the routine (``load_routine(...)``); "either" routines latch the first
            receiving hand seen.
        mode: "self" (one giving hand: two-hand steps are done with one thumb) or "caregiver"
            (a ``hands = 2`` step needs two giving hands in contact).
        atlas: optional atlas; with it guidance says which way to move towards the target.
        dropout_s: longest off-target/lost gap bridged by the timer (domain notes: 0.5 s).
        return_s: in a step of strokes, walks or pulls, longest gap between two passes that
            the timer bridges (the lifted return for the next pass is part of the work).
        complete_hold_s: how long "step complete" shows before the next step.
        follow_s: pressing the next step's target this long moves the coach on (0 = never).
        min_rep_s: shortest glide/press counted as one repetition.
        latch_s: an "either" routine takes the receiving hand seen this long as its first hand
            (guards against a wrong label on the first frames).
        keep_records: how many of the latest per-frame :class:`FrameRecord` to keep in
            :attr:`records` (a ring: memory stays flat however long the session; 0 keeps none,
            None keeps all). Scoring never reads them (it reads the step tallies), so the
            score is the same whatever this is; they are for debugging and tests.
    """

    def __init__(self, routine: Routine, *, mode: str = "self", atlas: Atlas | None = None,
                 dropout_s: float = 0.5, complete_hold_s: float = 1.5, follow_s: float = 3.0,
                 min_rep_s: float = 0.3, latch_s: float = 0.5,
                 return_s: float = 1.5,
                 keep_records: int | None = DEFAULT_KEEP_RECORDS) -> None:
        if mode not in ("self", "caregiver"):
            raise ConfigError(f"mode={mode!r}; allowed: self, caregiver")
        for name, v, hi in (("dropout_s", dropout_s, 5.0), ("complete_hold_s", complete_hold_s,
                            30.0), ("follow_s", follow_s, 60.0), ("min_rep_s", min_rep_s, 10.0),
                            ("latch_s", latch_s, 10.0), ("return_s", return_s, 10.0)):
            if not 0.0 <= v <= hi:
                raise ConfigError(f"{name}={v!r} is out of range; allowed: [0, {hi:g}] s")
        if keep_records is not None and not 0 <= keep_records <= 10_000_000:
            raise ConfigError(f"keep_records={keep_records!r} is out of range; allowed: "
                              "None or [0, 10000000] frames")
        if not routine.steps:
            raise ConfigError(f"routine {routine.id!r} has no steps")
        self.routine, self.mode, self.atlas = routine, mode, atlas
        self.dropout_s, self.complete_hold_s = dropout_s, complete_hold_s
        self.return_s = return_s
        self.follow_s, self.min_rep_s, self.latch_s = follow_s, min_rep_s, latch_s
        self.first_hand = routine.first_hand
        self.step_index = 0
        self.phase = Phase.WAITING_FOR_HANDS
        self.records: deque[FrameRecord] = deque(maxlen=keep_records)
        self.tallies: dict[int, StepTally] = {0: StepTally()}
        self._paused_phase: Phase | None = None
        self._prev_t: float | None = None
        self._gap = 0.0
        self._lost = 0.0
        self._complete_t = 0.0
        self._follow = 0.0
        self._follow_window = FollowWindow(follow_s)
        self._work = WorkPoint()
        self._passes = PassTracker()
        self._pass_hit = False
        # the next step's passes, for following a user who moved on (travelling strokes)
        self._next_passes = PassTracker()
        self._next_pass_hit = False
        self._seg = 0.0
        self._seg_dir: str | None = None
        self._seg_off = 0.0
        self._state: CoachState | None = None
        self._latch_hand: str | None = None
        self._latch_t = 0.0
        self._done_score: float | None = None

    # -- user controls -----------------------------------------------------------------
    @property
    def step(self) -> Step | None:
        """The current step (None when done)."""
        if self.step_index >= len(self.routine.steps):
            return None
        return self.routine.steps[self.step_index]

    def next(self) -> None:
        """Skip to the next step; the current one is scored with what was done."""
        self._go(self.step_index + 1)

    def previous(self) -> None:
        """Go back one step and redo it (its tally starts again)."""
        target = max(0, self.step_index - 1)
        self.tallies[target] = StepTally()
        self._go(target)

    def pause(self) -> None:
        """Freeze timers and scoring until :meth:`resume`."""
        if self.phase is not Phase.PAUSED and self.phase is not Phase.DONE:
            self._paused_phase, self.phase = self.phase, Phase.PAUSED

    def resume(self) -> None:
        """Continue after :meth:`pause`."""
        if self.phase is Phase.PAUSED:
            self.phase = self._paused_phase or Phase.WAITING_FOR_HANDS
            self._paused_phase = None

    def _go(self, index: int) -> None:
        self._close_segment()
        self.step_index = min(index, len(self.routine.steps))
        self._gap = self._lost = self._follow = 0.0
        self._follow_window.clear()
        self._work.reset()
        self._passes.reset()
        self._pass_hit = False
        self._next_passes.reset()
        self._next_pass_hit = False
        self._paused_phase = None
        self._done_score = None
        if self.step is None:
            self.phase = Phase.DONE
            return
        self.tallies.setdefault(self.step_index, StepTally())
        self.phase = Phase.FIND_TARGET

    # -- per frame ---------------------------------------------------------------------
    def update(self, analysis: FrameAnalysis) -> CoachState:
        """Advance on one frame's analysis and return what to tell the user."""
        t = analysis.t
        dt = 0.0 if self._prev_t is None else min(max(t - self._prev_t, 0.0), self.dropout_s)
        self._prev_t = t if self._prev_t is None else max(t, self._prev_t)
        step = self.step
        if step is None or self.phase is Phase.PAUSED:
            return self._emit(analysis, Look(), "paused" if step else "routine complete")
        if self.phase is Phase.STEP_COMPLETE:
            if t - self._complete_t >= self.complete_hold_s:
                self._go(self.step_index + 1)
                step = self.step
                if step is None:
                    return self._emit(analysis, Look(), "routine complete")
            else:
                # "step complete" shows for a moment while the user usually goes on pressing:
                # that press is still judged against the step just done (nothing is tallied)
                return self._emit(analysis, self._read(analysis, step, t), "step complete")
        look = self._read(analysis, step, t)
        tally = self.tallies[self.step_index]
        before = tally.copy() if self._may_follow() else None
        tally_frame(tally, look, dt)
        self._phase_and_timer(step, tally, look, dt)
        if self.phase is Phase.STEP_COMPLETE:
            self._complete_t = t
            return self._emit(analysis, look, "step complete")
        nlook = self._follows_on(analysis, step, look, dt, before)
        if nlook is not None:
            restated = self._move_on()
            return self._emit(analysis, nlook, "next step", restated)
        return self._emit(analysis, look, guidance_words(
            step, look, self.phase, step.expected_hand(self.first_hand), self.atlas, analysis))

    def _read(self, analysis: FrameAnalysis, step: Step, t: float) -> Look:
        """This frame's look for ``step``, after feeding the work point and the passes."""
        targets = step.targets_for(step.expected_hand(self.first_hand))
        lead = self._follow_contact(analysis, step, targets)
        self._work.update(lead, t)
        self._pass_hit = False
        if TRAVELLING & set(step.techniques):
            here = (lead is not None and lead.location is not None
                    and step.hits(targets, lead.location))
            self._pass_hit = self._passes.update(lead is not None and lead.in_contact, here, t,
                                                 lead.palm_xy if lead is not None else None)
        return self._look(analysis, step)

    def finish(self) -> SessionScore:
        """Score the session so far (deterministic; call at the end of the stream)."""
        self._close_segment()
        return score_session(self.routine, self.tallies, self.first_hand)

    @property
    def state(self) -> CoachState | None:
        """The last state returned by :meth:`update`."""
        return self._state

    # -- reading a frame ---------------------------------------------------------------
    def _look(self, a: FrameAnalysis, step: Step) -> Look:
        hands = a.hands
        look = Look()
        r = hands.index_of(Role.RECEIVER)
        g = hands.index_of(Role.GIVER)
        look.hands_ok = r is not None and (g is not None or bool(a.contacts))
        look.missing = ("both hands" if r is None and g is None else
                        "the receiving hand" if r is None else "the giving hand")
        if r is not None:
            look.receiver_hand = str(hands.handedness[r])
            self._latch(look.receiver_hand, a.t)
        expected = step.expected_hand(self.first_hand)
        targets = step.targets_for(expected)
        p = self._follow_contact(a, step, targets)
        look.contact = p
        loc = p.location if p is not None else None
        if loc is not None:
            look.zone = loc.zone or loc.nearest_point
            look.off_key = (loc.zones[0] if loc.zones else
                            f"near {loc.nearest_point}" if loc.nearest_point else None)
            face = loc.side if loc.side is not Side.UNKNOWN else a.side
            look.face = None if face is Side.UNKNOWN else str(face)
            # a stationary stroke is on target by its recent centre, a travelling one by its
            # passes: the current step's, or the next one's when following a user on
            passed = self._pass_hit if step is self.step else self._next_pass_hit
            look.hit = step.hits(targets, loc) or passed or self._centre_hits(
                a, step, targets, r, face)
        elif a.side is not Side.UNKNOWN:
            look.face = str(a.side)
        look.pressing = p is not None and p.in_contact
        look.hover = p is not None and not p.in_contact and look.hit
        look.hand_ok = expected is None or look.receiver_hand in (None, expected)
        look.side_ok = step.side == "any" or look.face is None or look.face == step.side
        look.asked = step.techniques_in(self.mode)
        pair = getattr(a, "pair", None)
        pair_name = str(getattr(pair, "name", "none")) if pair is not None else "none"
        if step.hands == 2 and self.mode == "caregiver":
            touching = {c.giver_track for c in a.contacts if c.in_contact}
            # a wringing wraps the limb: both hands work it while the thumbs may not press
            look.two_ok = len(touching) >= 2 or pair_name != "none"
        if p is not None and len(a.techniques) == len(a.contacts):
            look.tech = a.techniques[a.contacts.index(p)]
        if set(look.asked) & set(PAIR_TECHNIQUES):
            look.pair = pair_name
            look.tech_ok = pair_name in look.asked
            if look.tech_ok and p is not None and not look.pressing:
                # both hands are at work (a wringing grips rather than presses with a thumb)
                look.pressing, look.hover = True, False
        else:
            look.tech_ok = str(look.tech.name) in look.asked
        look.on_target = (look.pressing and look.hit and look.hand_ok and look.side_ok
                          and look.two_ok)
        return look

    def _follow_contact(self, a: FrameAnalysis, step: Step,
                        targets: tuple[str, ...]) -> Contact | None:
        """The finger to judge: a touching one on the target, else the primary contact.

        A second giving thumb elsewhere (caregiver mode) must not hide the one on the target;
        in a support press the pressing hand's thumb is judged, not the supporting one's.
        """
        on = [c for c in a.contacts if c.in_contact and c.location is not None
              and step.hits(targets, c.location)]
        active = getattr(getattr(a, "pair", None), "active", None)
        if active is not None:
            pressing = [c for c in (on or a.contacts) if c.giver_track == active]
            if pressing:
                return pressing[0]
        if on:
            return max(on, key=lambda c: c.confidence)
        return a.primary

    def _latch(self, hand: str, t: float) -> None:
        """Fix the first hand of an "either" routine once one hand was seen for ``latch_s``."""
        if self.first_hand is not None:
            return
        if self._latch_hand != hand:
            self._latch_hand, self._latch_t = hand, t
        if t - self._latch_t >= self.latch_s:
            self.first_hand = hand

    def _centre_hits(self, a: FrameAnalysis, step: Step, targets: tuple[str, ...],
                     r: int | None, face: Side) -> bool:
        """A hold or circles whose recent centre is on the target (see :mod:`workpoint`)."""
        if self.atlas is None or r is None or not STATIONARY & set(step.techniques):
            return False
        rec = a.hands.xy[r]
        c = self._work.centre_xy(rec)
        if c is None:
            return False
        loc = self.atlas.locate(c, rec, str(a.hands.handedness[r]), face)
        return step.hits(targets, loc)

    # -- bookkeeping -------------------------------------------------------------------
    def _phase_and_timer(self, step: Step, tally: StepTally, look: Look, dt: float) -> None:
        if look.on_target:
            bridge = max(self.return_s, self.dropout_s) if TRAVELLING.issuperset(
                step.techniques) else self.dropout_s
            tally.elapsed_s += dt + (self._gap if self._gap <= bridge else 0.0)
            self._gap = 0.0
        elif tally.elapsed_s > 0:
            self._gap += dt
        self._count_reps(step, tally, look, dt)
        self._lost = 0.0 if look.hands_ok else self._lost + dt
        started = tally.elapsed_s > 0 or tally.reps > 0
        if self._lost > self.dropout_s or (not look.hands_ok and not started):
            self.phase = Phase.WAITING_FOR_HANDS
        elif look.on_target or started:
            self.phase = Phase.PERFORM
        else:
            self.phase = Phase.FIND_TARGET
        done = (tally.reps >= step.reps) if step.reps else tally.elapsed_s >= (step.duration_s
                                                                               or 0.0)
        if done:
            self._close_segment()
            self.phase = Phase.STEP_COMPLETE

    def _count_reps(self, step: Step, tally: StepTally, look: Look, dt: float) -> None:
        if not step.reps:
            return
        unit = step.techniques_in(self.mode)[0]
        active = look.on_target and look.tech_ok
        if unit == "circles":
            if active and look.tech.frequency_hz:
                tally.reps += look.tech.frequency_hz * dt
            return
        direction = look.tech.direction if active else None
        if active and self._seg_dir and direction and direction != self._seg_dir:
            self._close_segment()
        if active:
            self._seg += dt
            self._seg_off = 0.0
            self._seg_dir = direction or self._seg_dir
        else:
            self._seg_off += dt
            if self._seg_off > min(0.2, self.dropout_s):
                self._close_segment()

    def _close_segment(self) -> None:
        step = self.step
        if step is not None and step.reps and self._seg >= self.min_rep_s:
            self.tallies[self.step_index].reps = float(int(self.tallies[self.step_index].reps)
                                                       + 1)
        self._seg, self._seg_dir, self._seg_off = 0.0, None, 0.0

    # -- state out ---------------------------------------------------------------------
    def _emit(self, a: FrameAnalysis, look: Look, guidance: str,
              restated: tuple[tuple[int, bool | None], ...] = ()) -> CoachState:
        step = self.step
        tally = self.tallies.get(self.step_index, StepTally())
        expected = step.expected_hand(self.first_hand) if step else None
        if step is None:  # done: the running score is the session's
            progress = 1.0
            if self._done_score is None:
                self._done_score = score_session(self.routine, self.tallies,
                                                 self.first_hand).score
            running = self._done_score
        else:
            progress = step_progress(step, tally)
            running = step_value(step, tally)
        if self.records.maxlen != 0:
            self.records.append(FrameRecord(
                t=a.t, frame_index=a.frame_index, step_index=self.step_index,
                phase=str(self.phase), pressing=look.pressing, on_target=look.on_target,
                zone=look.zone, technique=str(look.tech.name),
                rate_hz=look.tech.frequency_hz))
        self._state = CoachState(
            t=a.t, frame_index=a.frame_index, step_index=self.step_index,
            step_count=len(self.routine.steps), step_title=step.label if step else "done",
            targets=step.targets_for(expected) if step else (), expected_hand=expected,
            phase=self.phase, guidance=guidance, on_target=look.on_target,
            pressing=look.pressing, elapsed_s=round(tally.elapsed_s, 3),
            required_s=step.duration_s if step else None, reps=int(tally.reps),
            required_reps=step.reps if step else None, progress=round(progress, 4),
            step_score=running, hints=tuple(a.hints), restated=restated)
        return self._state
