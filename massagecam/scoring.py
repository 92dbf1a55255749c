"""Score a coached routine 0–100 per step and per session, and say what cost the points.

The coach feeds one :class:`StepTally` per step with time-weighted sums (seconds pressing,
seconds on target, seconds per technique, sums of log-frequency …), so a running score costs
O(1) per frame and the final score is a pure function of the analysis stream. Components, each
0..1 (see ``docs/routine-format.md`` for the formulas):

- location: share of pressing time inside the target (right hand, right face, tolerance);
- completion: on-target time (or repetitions) achieved against required, capped at 1;
- technique: share of pressing time with an asked technique;
- rhythm: measured circle/step/stroke rate (and glide speed) against the asked range;
- steadiness: position spread in holds, or rate variability in rhythmic techniques.

The step score is the weighted mean over the applicable components; the largest deduction is
explained in one sentence that names the mistake. Output is deterministic: the same stream
gives byte-identical JSON (fixed summation order, fixed rounding, sorted keys).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from typing import Any

from massagecam.routines.model import COMPONENTS, Routine, Step
from massagecam.routines.spread import HoldSpread
from massagecam.routines.targets import target_info

#: Outside the rhythm range, the component falls linearly in log2 and reaches 0 at a factor 2.
RHYTHM_ZERO_FACTOR = 2.0
#: Hold steadiness: spread (palm lengths, RMS radius) that costs nothing / everything.
HOLD_SD_FREE, HOLD_SD_ZERO = 0.02, 0.10
#: Rhythm steadiness: coefficient of variation that costs nothing / everything.
CV_FREE, CV_ZERO = 0.15, 0.60
#: Steps scoring at least this get a "well done" sentence instead of a deduction.
GOOD_ENOUGH = 95.0

_TECH_WORDS = {"hold": "holding", "circles": "circles", "stroke": "stroking",
               "thumb_walk": "thumb-walking", "finger_pull": "finger pulls",
               "two_thumb_spread": "two-thumb spreading", "support_press": "support and press",
               "wringing": "wringing", "none": "no recognisable stroke"}
_UNIT_WORDS = {"circles": "circles", "stroke": "strokes", "thumb_walk": "passes",
               "finger_pull": "pulls", "hold": "presses", "two_thumb_spread": "spreads",
               "support_press": "presses", "wringing": "wrings"}


def _clamp01(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


def _name(ident: str) -> str:
    info = target_info(ident)
    return f"{ident} ({info.name})" if info and info.name != ident else ident


@dataclass
class _Moments:
    """Time-weighted sums of a measure, for its mean, geometric mean and variability."""

    w: float = 0.0
    s: float = 0.0
    s2: float = 0.0
    slog: float = 0.0

    def add(self, value: float, dt: float) -> None:
        if value > 0.0 and dt > 0.0:
            self.w += dt
            self.s += value * dt
            self.s2 += value * value * dt
            self.slog += math.log(value) * dt

    def geomean(self) -> float | None:
        return math.exp(self.slog / self.w) if self.w > 0 else None

    def cv(self) -> float | None:
        if self.w <= 0:
            return None
        mean = self.s / self.w
        var = max(0.0, self.s2 / self.w - mean * mean)
        return math.sqrt(var) / mean if mean > 0 else None


@dataclass
class StepTally:
    """What the coach accumulated for one step (seconds unless named otherwise)."""

    active_s: float = 0.0
    hands_s: float = 0.0
    press_s: float = 0.0
    on_target_s: float = 0.0
    hover_s: float = 0.0
    wrong_hand_s: float = 0.0
    wrong_side_s: float = 0.0
    wrong_hands_n_s: float = 0.0
    elapsed_s: float = 0.0
    reps: float = 0.0
    off_zone_s: dict[str, float] = field(default_factory=dict)
    side_s: dict[str, float] = field(default_factory=dict)
    hand_s: dict[str, float] = field(default_factory=dict)
    technique_s: dict[str, float] = field(default_factory=dict)
    matched_s: float = 0.0
    rate: _Moments = field(default_factory=_Moments)
    speed: _Moments = field(default_factory=_Moments)
    hold: HoldSpread = field(default_factory=HoldSpread)

    def copy(self) -> StepTally:
        """An independent copy (the coach keeps one per frame while a user may be moving on)."""
        return replace(self, off_zone_s=dict(self.off_zone_s), side_s=dict(self.side_s),
                       hand_s=dict(self.hand_s), technique_s=dict(self.technique_s),
                       rate=replace(self.rate), speed=replace(self.speed),
                       hold=self.hold.copy())

    def add_position(self, xy: tuple[float, float], dt: float) -> None:
        """Add a hold position (palm frame, palm lengths) weighted by its duration."""
        self.hold.add(xy, dt)

    def position_sd(self) -> float | None:
        """How far the hold wandered, palm lengths (robust: :mod:`massagecam.routines.spread`)."""
        return self.hold.sd()


@dataclass(frozen=True)
class StepScore:
    """The score of one step, its components and the sentence explaining the largest loss."""

    index: int
    title: str
    targets: tuple[str, ...]
    score: float
    components: dict[str, float]
    weights: dict[str, float]
    deductions: dict[str, float]
    feedback: str
    measured: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``result.json``."""
        return {"index": self.index, "step": self.index + 1, "title": self.title,
                "targets": list(self.targets), "score": self.score,
                "components": self.components, "weights": self.weights,
                "deductions": self.deductions, "feedback": self.feedback,
                "measured": self.measured}


@dataclass(frozen=True)
class SessionScore:
    """Per-step scores, the session score and the one-sentence summary."""

    routine_id: str
    title: str
    receiving_hand: str | None
    score: float
    steps: tuple[StepScore, ...]
    feedback: str

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``result.json`` (rounded, stable)."""
        return {"routine": self.routine_id, "title": self.title,
                "receiving_hand": self.receiving_hand, "score": self.score,
                "feedback": self.feedback, "steps": [s.to_dict() for s in self.steps]}

    def to_json(self) -> str:
        """Deterministic JSON: sorted keys, fixed indentation."""
        return json.dumps(self.to_dict(), sort_keys=True, indent=2, ensure_ascii=False)


def _rhythm_component(measured: float | None, rng: tuple[float, float] | None) -> float | None:
    if rng is None:
        return None
    if measured is None:
        return 0.0
    lo, hi = rng
    if lo <= measured <= hi:
        return 1.0
    bound = lo if measured < lo else hi
    return _clamp01(1.0 - abs(math.log(measured / bound)) / math.log(RHYTHM_ZERO_FACTOR))


def components(step: Step, tally: StepTally) -> dict[str, float]:
    """The applicable components of ``step`` (0..1); rhythm/steadiness only when they apply."""
    press = tally.press_s
    out = {
        "location": tally.on_target_s / press if press > 0 else 0.0,
        "completion": _clamp01(tally.reps / step.reps if step.reps
                               else tally.elapsed_s / (step.duration_s or 1.0)),
        "technique": tally.matched_s / press if press > 0 else 0.0,
    }
    parts = [c for c in (_rhythm_component(tally.rate.geomean(), step.rhythm_hz),
                         _rhythm_component(tally.speed.geomean(), step.speed_cm_s))
             if c is not None]
    if parts:
        out["rhythm"] = sum(parts) / len(parts)
    if "hold" in step.techniques or parts:
        sd = tally.position_sd() if "hold" in step.techniques else None
        if sd is not None:
            out["steadiness"] = 1.0 - _clamp01((sd - HOLD_SD_FREE) / (HOLD_SD_ZERO - HOLD_SD_FREE))
        else:
            cv = tally.rate.cv() if step.rhythm_hz or not step.speed_cm_s else tally.speed.cv()
            out["steadiness"] = (0.0 if cv is None
                                 else 1.0 - _clamp01((cv - CV_FREE) / (CV_ZERO - CV_FREE)))
    return {c: out[c] for c in COMPONENTS if c in out}


def _top(d: dict[str, float]) -> tuple[str, float] | None:
    if not d:
        return None
    key = min(d, key=lambda k: (-d[k], k))
    return key, d[key]


def _explain(step: Step, tally: StepTally, comp: str, hand: str | None) -> str:
    """One sentence naming the mistake behind component ``comp``'s deduction."""
    tgt = " / ".join(_name(t) for t in step.targets_for(hand))
    press = tally.press_s
    tech = "/".join(_TECH_WORDS[t] for t in step.techniques)
    if comp in ("location", "completion") and press <= 0:
        if tally.hover_s > 0:
            return (f"The thumb hovered over {tgt} for {tally.hover_s:.0f} s without touching: "
                    "no contact was detected, so nothing counted.")
        if tally.hands_s <= 0:
            return "The hands were not in view during this step: show both hands to the camera."
        return f"No pressing was detected during this step on {tgt}."
    if comp == "location":
        share = round(100 * tally.on_target_s / press)
        if tally.wrong_hand_s >= 0.5 * (press - tally.on_target_s) and tally.wrong_hand_s > 0:
            used = _top(tally.hand_s)
            return (f"{round(100 * tally.wrong_hand_s / press)}% of pressing time was on the "
                    f"{used[0].lower() if used else 'other'} hand, but this step is for the "
                    f"{(hand or 'other').lower()} hand.")
        if tally.wrong_side_s >= 0.5 * (press - tally.on_target_s) and tally.wrong_side_s > 0:
            face = "back of the hand" if step.side == "back" else "palm"
            other = "palm" if step.side == "back" else "back of the hand"
            return (f"{round(100 * tally.wrong_side_s / press)}% of pressing time was on the "
                    f"{other}, but {tgt} is on the {face}: turn the hand over.")
        if tally.wrong_hands_n_s >= 0.5 * (press - tally.on_target_s) and tally.wrong_hands_n_s:
            return (f"{round(100 * tally.wrong_hands_n_s / press)}% of pressing time used one "
                    "giving hand, but this step needs both hands.")
        elsewhere = _top(tally.off_zone_s)
        rest = ""
        if elsewhere and elsewhere[0].startswith("near "):
            near = elsewhere[0][5:]
            rest = (f" — most of the rest was just outside {_name(near)}"
                    if near in step.targets else
                    f" — most of the rest was off every zone, nearest {_name(near)}")
        elif elsewhere:
            rest = f" — most of it was on {_name(elsewhere[0])}"
        return f"Only {share}% of pressing time was on {tgt}{rest}."
    if comp == "completion":
        if step.reps:
            unit = _UNIT_WORDS.get(step.techniques[0], "repetitions")
            return f"Only {math.floor(tally.reps)} of the required {step.reps} {unit} were done."
        return (f"Only {tally.elapsed_s:.0f} s of the required {step.duration_s:.0f} s were "
                f"pressed on {tgt}.")
    if comp == "technique":
        share = round(100 * tally.matched_s / press) if press > 0 else 0
        other = _top({k: v for k, v in tally.technique_s.items() if k not in step.techniques})
        mostly = f" — mostly {_TECH_WORDS.get(other[0], other[0])}" if other else ""
        return f"Only {share}% of pressing time was {tech}{mostly}."
    if comp == "rhythm":
        for mom, rng, unit, what in ((tally.rate, step.rhythm_hz, "Hz", "rate"),
                                     (tally.speed, step.speed_cm_s, "cm/s", "speed")):
            if rng is None:
                continue
            m = mom.geomean()
            if m is None:
                return f"No {what} of {tech} could be measured on the target."
            if m > rng[1]:
                return (f"The {tech} ran at {m:.1f} {unit}, faster than the asked "
                        f"{rng[0]:g}–{rng[1]:g} {unit}: slow down.")
            if m < rng[0]:
                return (f"The {tech} ran at {m:.1f} {unit}, slower than the asked "
                        f"{rng[0]:g}–{rng[1]:g} {unit}: speed up.")
        return f"The {tech} rhythm was off."
    sd = tally.position_sd() if "hold" in step.techniques else None
    if sd is not None:
        return (f"The hold was unsteady: the thumb wandered {sd:.2f} palm lengths "
                f"(about {sd * 95:.0f} mm) around the point.")
    cv = tally.rate.cv() if step.rhythm_hz or not step.speed_cm_s else tally.speed.cv()
    if cv is None:
        return f"The steadiness of the {tech} could not be measured."
    return f"The {tech} were uneven: their rate varied by {100 * cv:.0f}%."


def _measured(step: Step, tally: StepTally) -> dict[str, Any]:
    def r(x: float | None, nd: int = 2) -> float | None:
        return None if x is None else round(x, nd)

    return {
        "active_s": r(tally.active_s), "press_s": r(tally.press_s),
        "on_target_s": r(tally.on_target_s), "hover_s": r(tally.hover_s),
        "wrong_hand_s": r(tally.wrong_hand_s), "wrong_side_s": r(tally.wrong_side_s),
        "elapsed_s": r(tally.elapsed_s), "required_s": step.duration_s,
        "reps": math.floor(tally.reps), "required_reps": step.reps,
        "rate_hz": r(tally.rate.geomean()), "speed_cm_s": r(tally.speed.geomean(), 1),
        "position_sd_l": r(tally.position_sd(), 3),
        "technique_s": {k: r(v) for k, v in sorted(tally.technique_s.items())},
        "off_target_zones_s": {k: r(v) for k, v in sorted(tally.off_zone_s.items())},
    }


def step_value(step: Step, tally: StepTally) -> float:
    """The step score alone (0–100, rounded to 0.1): the coach's cheap running score."""
    comps = components(step, tally)
    w = step.weights.as_dict()
    total_w = sum(w[c] for c in comps) or 1.0
    return round(100.0 * sum(w[c] / total_w * comps[c] for c in comps), 1)


def score_step(step: Step, tally: StepTally | None, hand: str | None = None) -> StepScore:
    """Score one step from its tally (None = the step was never reached)."""
    tally = tally or StepTally()
    comps = components(step, tally)
    w = step.weights.as_dict()
    total_w = sum(w[c] for c in comps) or 1.0
    norm = {c: w[c] / total_w for c in comps}
    score = 100.0 * sum(norm[c] * comps[c] for c in comps)
    deductions = {c: round(100.0 * norm[c] * (1.0 - comps[c]), 1) for c in comps}
    if tally.active_s <= 0:
        feedback = "This step was not done."
    elif score >= GOOD_ENOUGH:
        feedback = f"Well done: {step.label} was done as asked."
    else:
        worst = min(comps, key=lambda c: (-norm[c] * (1.0 - comps[c]), COMPONENTS.index(c)))
        feedback = _explain(step, tally, worst, hand)
    return StepScore(
        index=step.index, title=step.label, targets=step.targets_for(hand),
        score=round(score, 1), components={c: round(v, 3) for c, v in comps.items()},
        weights={c: round(v, 3) for c, v in norm.items()}, deductions=deductions,
        feedback=feedback, measured=_measured(step, tally),
    )


def _stalled(routine: Routine, tallies: dict[int, StepTally], steps: tuple[StepScore, ...],
             last: int, first_hand: str | None) -> str:
    """Why the steps after ``last`` were never reached (the usual cause of a low session)."""
    rest = len(steps) - last - 1
    later = (f"step {last + 2} was" if rest == 1 else f"steps {last + 2}–{len(steps)} were")
    step = routine.steps[last]
    if steps[last].components.get("completion", 0.0) >= 1.0:
        return f"The session ended after step {last + 1}: {later} not done."
    why = _explain(step, tallies[last], "completion", step.expected_hand(first_hand))
    return f"Step {last + 1} ({steps[last].title}) was not completed, so {later} not reached: {why}"


def score_session(routine: Routine, tallies: dict[int, StepTally],
                  first_hand: str | None = None) -> SessionScore:
    """Score every step and the session (mean weighted by each step's ``score_weight``)."""
    steps = tuple(score_step(s, tallies.get(s.index), s.expected_hand(first_hand))
                  for s in routine.steps)
    weights = [s.score_weight for s in routine.steps]
    total = sum(weights) or 1.0
    score = sum(w * s.score for w, s in zip(weights, steps, strict=True)) / total
    losses = [(w / total * (100.0 - s.score), -s.index) for w, s in zip(weights, steps,
                                                                        strict=True)]
    if not steps:
        feedback = "The routine has no steps."
    elif score >= GOOD_ENOUGH:
        feedback = "Well done: every step was done as asked."
    else:
        worst = steps[-max(losses)[1]]
        feedback = f"Step {worst.index + 1} ({worst.title}): {worst.feedback}"
        reached = [i for i in tallies if tallies[i].active_s > 0]
        if reached and worst.index > max(reached):
            feedback = _stalled(routine, tallies, steps, max(reached), first_hand)
    return SessionScore(routine_id=routine.id, title=routine.title, receiving_hand=first_hand,
                        score=round(score, 1), steps=steps, feedback=feedback)
