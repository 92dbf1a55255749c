"""A guided routine as plain frozen data: the routine, its steps and the scoring weights.

The loader (:mod:`massagecam.routines.loader`) builds these from TOML and checks every value;
the coach and the scorer only read them. Targets are anatomical atlas ids, so the same routine
serves a left or a right receiving hand: "mirroring" resolves which hand each step is for and
drops the few zones that exist on one hand only (see :meth:`Step.targets_for`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from massagecam.results import Location, TechniqueName

#: Allowed values, in the order they are listed in error messages and docs.
TECHNIQUES: tuple[str, ...] = tuple(t.value for t in TechniqueName if t is not TechniqueName.NONE)
#: Two-handed strokes of caregiver mode (``massagecam.technique_pair``): a step may ask for one
#: with ``hands = 2``, next to a one-hand technique that self mode does instead.
PAIR_TECHNIQUES: tuple[str, ...] = ("two_thumb_spread", "support_press", "wringing")
SIDES: tuple[str, ...] = ("palm", "back", "any")
RECEIVING: tuple[str, ...] = ("left", "right", "either")
PRESSURES: tuple[str, ...] = ("light", "moderate", "firm")
STEP_HANDS: tuple[str, ...] = ("first", "other")
COMPONENTS: tuple[str, ...] = ("location", "completion", "technique", "rhythm", "steadiness")

#: Default component weights (sum 1). Location and completion dominate because a press in the
#: wrong place or for too short a time defeats the purpose whatever the technique.
DEFAULT_WEIGHTS: dict[str, float] = {
    "location": 0.35, "completion": 0.25, "technique": 0.20, "rhythm": 0.10, "steadiness": 0.10,
}


@dataclass(frozen=True)
class Weights:
    """Relative weight of each score component (normalised over the applicable ones)."""

    location: float = DEFAULT_WEIGHTS["location"]
    completion: float = DEFAULT_WEIGHTS["completion"]
    technique: float = DEFAULT_WEIGHTS["technique"]
    rhythm: float = DEFAULT_WEIGHTS["rhythm"]
    steadiness: float = DEFAULT_WEIGHTS["steadiness"]

    def as_dict(self) -> dict[str, float]:
        """Component name -> weight, in the fixed component order."""
        return {c: float(getattr(self, c)) for c in COMPONENTS}


@dataclass(frozen=True)
class Step:
    """One step of a routine.

    Attributes:
        index: 0-based position in the routine.
        targets: atlas ids; the press counts as on target inside any of them.
        side: face of the receiving hand the step is done on ("palm", "back" or "any").
        techniques: accepted strokes (usually one).
        duration_s: required on-target press time, or None when ``reps`` is set.
        reps: required repetitions (strokes, circles, steps or presses), or None.
        rhythm_hz: accepted (low, high) frequency of circles / thumb-walk steps / strokes.
        speed_cm_s: accepted (low, high) glide speed for strokes and finger pulls.
        tolerance_l: on-target radius override in palm lengths (points), None = atlas radius.
        pressure: asked pressure level (shown; not measurable by a webcam, so not scored).
        hands: giving hands the step needs (2 = caregiver two-hand techniques).
        hand: "first" = the routine's receiving hand, "other" = the opposite one.
        instruction: what the user is told to do.
        title: short name of the step.
        notes: honest remarks (e.g. how a forearm stroke is mapped onto hand zones).
        cautions: safety notes shown with this step.
        weights: component weights for this step's score.
        score_weight: weight of this step in the session score.
        line: line of the step's ``[[step]]`` header in its file (for messages).
    """

    index: int
    targets: tuple[str, ...]
    side: str
    techniques: tuple[str, ...]
    instruction: str
    duration_s: float | None = None
    reps: int | None = None
    rhythm_hz: tuple[float, float] | None = None
    speed_cm_s: tuple[float, float] | None = None
    tolerance_l: float | None = None
    pressure: str = "moderate"
    hands: int = 1
    hand: str = "first"
    title: str = ""
    notes: str = ""
    cautions: tuple[str, ...] = ()
    weights: Weights = field(default_factory=Weights)
    score_weight: float = 1.0
    line: int = 0
    hand_only: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        """Short human label: title, else technique on targets."""
        return self.title or f"{'/'.join(self.techniques)} on {', '.join(self.targets)}"

    def techniques_in(self, mode: str) -> tuple[str, ...]:
        """The strokes that count in ``mode`` ("self" or "caregiver").

        A two-handed step in caregiver mode asks for its two-handed techniques (when it lists
        any); otherwise the one-hand ones count.
        """
        pair = tuple(t for t in self.techniques if t in PAIR_TECHNIQUES)
        single = tuple(t for t in self.techniques if t not in PAIR_TECHNIQUES)
        if mode == "caregiver" and self.hands == 2 and pair:
            return pair
        return single or self.techniques

    def targets_for(self, hand: str | None) -> tuple[str, ...]:
        """Targets that exist on ``hand`` ("Left"/"Right"); all of them when the hand is unknown."""
        if hand is None:
            return self.targets
        only = dict(self.hand_only)
        return tuple(t for t in self.targets if only.get(t, hand) == hand)

    def hits(self, targets: tuple[str, ...], loc: Location) -> bool:
        """A press at ``loc`` is on one of ``targets``.

        Within the step's point tolerance when it sets one and the nearest point is a target,
        else inside a target zone.
        """
        if self.tolerance_l is not None and loc.nearest_point in targets:
            return bool(loc.point_distance_l <= self.tolerance_l)
        return any(t in loc.zones for t in targets) or loc.zone in targets

    def expected_hand(self, first: str | None) -> str | None:
        """The receiving hand of this step, given the routine's first hand ("Left"/"Right")."""
        if first is None:
            return None
        if self.hand == "first":
            return first
        return "Right" if first == "Left" else "Left"


@dataclass(frozen=True)
class Routine:
    """A validated routine.

    Attributes:
        id: lowercase slug.
        title: human title.
        receiving: "left", "right" or "either" (the user picks; the coach latches the first hand
            it sees as receiver).
        steps: the steps in order.
        sources: citations.
        cautions: shown before starting.
        description: longer text.
        path: file it was loaded from ("builtin:<id>" for built-ins).
        warnings: non-fatal remarks from loading (e.g. a hand-only zone dropped on one hand).
    """

    id: str
    title: str
    receiving: str
    steps: tuple[Step, ...]
    sources: tuple[str, ...] = ()
    cautions: tuple[str, ...] = ()
    description: str = ""
    path: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def first_hand(self) -> str | None:
        """"Left"/"Right" when fixed, None for "either" (decided by the coach)."""
        return {"left": "Left", "right": "Right"}.get(self.receiving)

    def for_hand(self, hand: str) -> Routine:
        """The routine fixed to start on ``hand`` ("left"/"right"): the automatic mirror."""
        hand = hand.lower()
        if hand not in ("left", "right"):
            raise ValueError(f"hand must be 'left' or 'right', got {hand!r}")
        return replace(self, receiving=hand)

    @property
    def total_duration_s(self) -> float:
        """Sum of the timed steps' durations (reps steps not included)."""
        return float(sum(s.duration_s or 0.0 for s in self.steps))
