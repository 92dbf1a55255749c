"""Guide a routine step by step from the per-frame analysis, and record what scoring needs.

The coach is a pure function of the stream of :class:`~massagecam.results.FrameAnalysis` and
their timestamps: no wall clock, so a live camera and a recorded video of the same session give
the same states and the same score. Phases per step::

    waiting_for_hands -> find_target -> perform -> step_complete -> (next step) ... -> done

Timers count only while the thumb presses inside the target, on the right hand and face; a
dropout (tracking lost, contact flicker, slip out of the zone) of up to ``dropout_s`` is bridged
and counted, a longer one is not. ``next()``, ``previous()``, ``pause()`` and ``resume()`` are
for the user's keys; the coach also follows a user who moves on by themselves (pressing the next
step's target for ``follow_s``), so recorded sessions that skip or shorten a step stay in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from massagecam.errors import ConfigError
from massagecam.hands import Role
from massagecam.results import Contact, FrameAnalysis, Side, TechniqueEstimate
from massagecam.routines.direction import direction_words
from massagecam.routines.model import Routine, Step
from massagecam.routines.state import CoachState, FrameRecord, Phase
from massagecam.scoring import SessionScore, StepTally, score_session, step_value

#: Techniques whose repetitions are counted as separate glides/presses (circles count cycles).
_SEGMENTED = ("stroke", "thumb_walk", "finger_pull", "hold")
_DO_WORDS = {"hold": "hold still", "circles": "make small circles", "stroke": "stroke",
             "thumb_walk": "walk the thumb", "finger_pull": "pull along the finger"}


@dataclass
class _Look:
    """The coach's reading of one frame for the current step."""

    hands_ok: bool = False
    receiver_hand: str | None = None
    pressing: bool = False
    hit: bool = False
    hover: bool = False
    hand_ok: bool = True
    side_ok: bool = True
    two_ok: bool = True
    on_target: bool = False
    face: str | None = None
    zone: str | None = None
    off_key: str | None = None
    contact: Contact | None = None
    tech: TechniqueEstimate = field(default_factory=TechniqueEstimate)
    tech_ok: bool = False
    missing: str = ""


class Coach:
    """Walk a routine over a stream of frame analyses.

    Args:
        routine: the routine (``load_routine(...)``); "either" routines latch the first
            receiving hand seen.
        mode: "self" (one giving hand: two-hand steps are done with one thumb) or "caregiver"
            (a ``hands = 2`` step needs two giving hands in contact).
        atlas: optional atlas; with it guidance says which way to move towards the target.
        dropout_s: longest off-target/lost gap bridged by the timer (domain notes: 0.5 s).
        complete_hold_s: how long "step complete" shows before the next step.
        follow_s: pressing the next step's target this long moves the coach on (0 = never).
        min_rep_s: shortest glide/press counted as one repetition.
        latch_s: an "either" routine takes the receiving hand seen this long as its first hand
            (guards against a wrong label on the first frames).
    """

    def __init__(self, routine: Routine, *, mode: str = "self", atlas: Any = None,
                 dropout_s: float = 0.5, complete_hold_s: float = 1.5, follow_s: float = 3.0,
                 min_rep_s: float = 0.3, latch_s: float = 0.5) -> None:
        if mode not in ("self", "caregiver"):
            raise ConfigError(f"mode={mode!r}; allowed: self, caregiver")
        for name, v, hi in (("dropout_s", dropout_s, 5.0), ("complete_hold_s", complete_hold_s,
                            30.0), ("follow_s", follow_s, 60.0), ("min_rep_s", min_rep_s, 10.0),
                            ("latch_s", latch_s, 10.0)):
            if not 0.0 <= v <= hi:
                raise ConfigError(f"{name}={v!r} is out of range; allowed: [0, {hi:g}] s")
        if not routine.steps:
            raise ConfigError(f"routine {routine.id!r} has no steps")
        self.routine, self.mode, self.atlas = routine, mode, atlas
        self.dropout_s, self.complete_hold_s = dropout_s, complete_hold_s
        self.follow_s, self.min_rep_s, self.latch_s = follow_s, min_rep_s, latch_s
        self.first_hand = routine.first_hand
        self.step_index = 0
        self.phase = Phase.WAITING_FOR_HANDS
        self.records: list[FrameRecord] = []
        self.tallies: dict[int, StepTally] = {0: StepTally()}
        self._paused_phase: Phase | None = None
        self._prev_t: float | None = None
        self._gap = 0.0
        self._lost = 0.0
        self._complete_t = 0.0
        self._follow = 0.0
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
            return self._emit(analysis, _Look(), "paused" if step else "routine complete")
        if self.phase is Phase.STEP_COMPLETE:
            if t - self._complete_t >= self.complete_hold_s:
                self._go(self.step_index + 1)
                step = self.step
                if step is None:
                    return self._emit(analysis, _Look(), "routine complete")
            else:
                return self._emit(analysis, _Look(), "step complete")
        look = self._look(analysis, step)
        tally = self.tallies[self.step_index]
        self._tally(step, tally, look, analysis, dt)
        self._phase_and_timer(step, tally, look, dt)
        if self.phase is Phase.STEP_COMPLETE:
            self._complete_t = t
            return self._emit(analysis, look, "step complete")
        if self._follows_on(analysis, step, look, dt):
            self._go(self.step_index + 1)
            return self._emit(analysis, look, "next step")
        return self._emit(analysis, look, self._guidance(step, look, analysis))

    def finish(self) -> SessionScore:
        """Score the session so far (deterministic; call at the end of the stream)."""
        self._close_segment()
        return score_session(self.routine, self.tallies, self.first_hand)

    @property
    def state(self) -> CoachState | None:
        """The last state returned by :meth:`update`."""
        return self._state

    # -- reading a frame ---------------------------------------------------------------
    def _look(self, a: FrameAnalysis, step: Step) -> _Look:
        hands = a.hands
        look = _Look()
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
            look.hit = self._hits(step, targets, loc)
            face = loc.side if loc.side is not Side.UNKNOWN else a.side
            look.face = None if face is Side.UNKNOWN else str(face)
        elif a.side is not Side.UNKNOWN:
            look.face = str(a.side)
        look.pressing = p is not None and p.in_contact
        look.hover = p is not None and not p.in_contact and look.hit
        look.hand_ok = expected is None or look.receiver_hand in (None, expected)
        look.side_ok = step.side == "any" or look.face is None or look.face == step.side
        if step.hands == 2 and self.mode == "caregiver":
            touching = {c.giver_track for c in a.contacts if c.in_contact}
            look.two_ok = len(touching) >= 2
        if p is not None and len(a.techniques) == len(a.contacts):
            look.tech = a.techniques[a.contacts.index(p)]
        look.tech_ok = str(look.tech.name) in step.techniques
        look.on_target = (look.pressing and look.hit and look.hand_ok and look.side_ok
                          and look.two_ok)
        return look

    def _follow_contact(self, a: FrameAnalysis, step: Step,
                        targets: tuple[str, ...]) -> Contact | None:
        """The finger to judge: a touching one on the target, else the primary contact.

        A second giving thumb elsewhere (caregiver mode) must not hide the one on the target.
        """
        on = [c for c in a.contacts if c.in_contact and c.location is not None
              and self._hits(step, targets, c.location)]
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

    @staticmethod
    def _hits(step: Step, targets: tuple[str, ...], loc: Any) -> bool:
        if step.tolerance_l is not None and loc.nearest_point in targets:
            return bool(loc.point_distance_l <= step.tolerance_l)
        return any(t in loc.zones for t in targets) or loc.zone in targets

    # -- bookkeeping -------------------------------------------------------------------
    def _tally(self, step: Step, tally: StepTally, look: _Look, a: FrameAnalysis,
               dt: float) -> None:
        tally.active_s += dt
        if look.hands_ok:
            tally.hands_s += dt
        if look.hover:
            tally.hover_s += dt
        if not look.pressing:
            return
        tally.press_s += dt
        tech = str(look.tech.name)
        tally.technique_s[tech] = tally.technique_s.get(tech, 0.0) + dt
        if look.receiver_hand:
            tally.hand_s[look.receiver_hand] = tally.hand_s.get(look.receiver_hand, 0.0) + dt
        if look.face:
            tally.side_s[look.face] = tally.side_s.get(look.face, 0.0) + dt
        if look.tech_ok:
            tally.matched_s += dt
            if str(look.tech.name) == "thumb_walk" and look.tech.step_rate_hz:
                tally.rate.add(look.tech.step_rate_hz, dt)
            elif look.tech.frequency_hz:
                tally.rate.add(look.tech.frequency_hz, dt)
            if look.tech.speed_cm_s:
                tally.speed.add(look.tech.speed_cm_s, dt)
        if look.tech_ok and str(look.tech.name) == "hold" and look.contact is not None:
            tally.add_position(look.contact.palm_xy, dt)
        if look.on_target:
            tally.on_target_s += dt
        elif not look.hand_ok:
            tally.wrong_hand_s += dt
        elif not look.side_ok:
            tally.wrong_side_s += dt
        elif not look.two_ok:
            tally.wrong_hands_n_s += dt
        elif not look.hit:
            key = look.off_key or "off the atlas"
            tally.off_zone_s[key] = tally.off_zone_s.get(key, 0.0) + dt

    def _phase_and_timer(self, step: Step, tally: StepTally, look: _Look, dt: float) -> None:
        if look.on_target:
            tally.elapsed_s += dt + (self._gap if self._gap <= self.dropout_s else 0.0)
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

    def _count_reps(self, step: Step, tally: StepTally, look: _Look, dt: float) -> None:
        if not step.reps:
            return
        unit = step.techniques[0]
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

    def _follows_on(self, a: FrameAnalysis, step: Step, look: _Look, dt: float) -> bool:
        if not self.follow_s or self.step_index + 1 >= len(self.routine.steps):
            self._follow = 0.0
            return False
        nxt = self.routine.steps[self.step_index + 1]
        nlook = self._look(a, nxt)
        by_place = nlook.on_target and not look.on_target
        # Same place, next technique (e.g. circles then hold on LI4): slower to trust, since a
        # misread stroke looks the same; needs the next step's technique, not this one's.
        by_technique = (nlook.on_target and nlook.tech_ok and not look.tech_ok)
        self._follow = self._follow + dt if (by_place or by_technique) else 0.0
        return self._follow >= (self.follow_s if by_place else 2.0 * self.follow_s)

    # -- words -------------------------------------------------------------------------
    def _guidance(self, step: Step, look: _Look, a: FrameAnalysis) -> str:
        if self.phase is Phase.WAITING_FOR_HANDS:
            return f"show {look.missing}"
        expected = step.expected_hand(self.first_hand)
        if not look.hand_ok and expected:
            return f"switch hands: massage the {expected.lower()} hand"
        if not look.side_ok:
            return "turn the hand over: " + ("back up" if step.side == "back" else "palm up")
        if look.hover:
            return "press"
        targets = step.targets_for(expected)
        if not look.on_target:
            if look.pressing and look.hit and not look.two_ok:
                return "use both hands"
            where = direction_words(self.atlas, targets, a)
            name = " / ".join(targets) if len(targets) <= 2 else "the target area"
            head = ("back into the zone" if self.phase is Phase.PERFORM
                    else f"move towards {name}")
            return f"{head} ({where})" if where else head
        if not look.tech_ok:
            return _DO_WORDS[step.techniques[0]]
        rate = (look.tech.step_rate_hz if str(look.tech.name) == "thumb_walk"
                else look.tech.frequency_hz)
        for value, rng in ((rate, step.rhythm_hz), (look.tech.speed_cm_s, step.speed_cm_s)):
            if value and rng and value > rng[1]:
                return "slower"
            if value and rng and value < rng[0]:
                return "faster"
        return "good: keep going" if str(look.tech.name) != "hold" else "good: hold still"

    def _emit(self, a: FrameAnalysis, look: _Look, guidance: str) -> CoachState:
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
            progress = (min(1.0, tally.reps / step.reps) if step.reps
                        else min(1.0, tally.elapsed_s / (step.duration_s or 1.0)))
            running = step_value(step, tally)
        self.records.append(FrameRecord(
            t=a.t, frame_index=a.frame_index, step_index=self.step_index, phase=str(self.phase),
            pressing=look.pressing, on_target=look.on_target, zone=look.zone,
            technique=str(look.tech.name), rate_hz=look.tech.frequency_hz))
        self._state = CoachState(
            t=a.t, frame_index=a.frame_index, step_index=self.step_index,
            step_count=len(self.routine.steps), step_title=step.label if step else "done",
            targets=step.targets_for(expected) if step else (), expected_hand=expected,
            phase=self.phase, guidance=guidance, on_target=look.on_target,
            pressing=look.pressing, elapsed_s=round(tally.elapsed_s, 3),
            required_s=step.duration_s if step else None, reps=int(tally.reps),
            required_reps=step.reps if step else None, progress=round(progress, 4),
            step_score=running, hints=tuple(a.hints))
        return self._state
