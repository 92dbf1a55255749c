"""The coach's reading of one frame for one step, what it adds to the step's tally, and its words.

Split from :mod:`massagecam.coach` so the three pure parts of a coach frame can be read (and
tested) apart from the coach's state machine: :class:`Look` is what the coach saw,
:func:`tally_frame` what scoring gets from it, :func:`guidance_words` what the user is told.
None of them keeps state; the coach owns timers, phases and the step index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from massagecam.results import Contact, FrameAnalysis, TechniqueEstimate
from massagecam.routines.direction import direction_words
from massagecam.routines.model import Step
from massagecam.routines.state import Phase
from massagecam.scoring import StepTally

if TYPE_CHECKING:
    from massagecam.atlas import Atlas

#: What to say when the thumb is on target with the wrong technique.
DO_WORDS = {"hold": "hold still", "circles": "make small circles", "stroke": "stroke",
            "thumb_walk": "walk the thumb", "finger_pull": "pull along the finger",
            "two_thumb_spread": "spread with both thumbs",
            "support_press": "hold with one hand, press with the other",
            "wringing": "wring with both hands"}


@dataclass
class Look:
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
    #: Two-handed technique seen (caregiver mode, a step asking for one), else None.
    pair: str | None = None
    #: The strokes that count for this step in this mode (``Step.techniques_in``).
    asked: tuple[str, ...] = ()


def step_progress(step: Step, tally: StepTally) -> float:
    """Share of the step done: repetitions or on-target time against what it asks."""
    if step.reps:
        return min(1.0, tally.reps / step.reps)
    return min(1.0, tally.elapsed_s / (step.duration_s or 1.0))


def tally_frame(tally: StepTally, look: Look, dt: float) -> None:
    """Add one frame of ``dt`` seconds, as read in ``look``, to the step's ``tally``.

    Every second of the step lands in exactly one "why not on target" bucket (wrong hand, wrong
    face, one hand short, off zone) so the score's feedback can name the main miss.
    """
    tally.active_s += dt
    if look.hands_ok:
        tally.hands_s += dt
    if look.hover:
        tally.hover_s += dt
    if not look.pressing:
        return
    tally.press_s += dt
    tech = look.pair if look.pair is not None else str(look.tech.name)
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


def guidance_words(step: Step, look: Look, phase: Phase, expected: str | None,
                   atlas: Atlas | None,
                   a: FrameAnalysis) -> str:
    """The one short instruction for this frame, most blocking problem first.

    Args:
        step: the current step.
        look: the coach's reading of the frame.
        phase: the coach's phase after this frame.
        expected: the hand the step expects ("Left"/"Right"), None for either.
        atlas: optional atlas, for "which way to move" words.
        a: the frame's analysis.
    """
    if phase is Phase.WAITING_FOR_HANDS:
        return f"show {look.missing}"
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
        where = direction_words(atlas, targets, a)
        name = " / ".join(targets) if len(targets) <= 2 else "the target area"
        head = "back into the zone" if phase is Phase.PERFORM else f"move towards {name}"
        return f"{head} ({where})" if where else head
    if not look.tech_ok:
        return DO_WORDS[(look.asked or step.techniques)[0]]
    rate = (look.tech.step_rate_hz if str(look.tech.name) == "thumb_walk"
            else look.tech.frequency_hz)
    for value, rng in ((rate, step.rhythm_hz), (look.tech.speed_cm_s, step.speed_cm_s)):
        if value and rng and value > rng[1]:
            return "slower"
        if value and rng and value < rng[0]:
            return "faster"
    return "good: keep going" if str(look.tech.name) != "hold" else "good: hold still"
