"""Routine files: built-ins load, malformed files give precise one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from massagecam.errors import ConfigError, RoutineError
from massagecam.routines import TECHNIQUES, builtin_routines, load_routine, parse_routine
from massagecam.routines.model import PAIR_TECHNIQUES
from massagecam.routines.targets import catalogue

MALFORMED = Path(__file__).parent / "malformed"

# file -> (line, field, fragments the message must contain)
EXPECTED = {
    "bad_technique": (14, "technique", ["'circle'", "hold, circles, stroke, thumb_walk, "
                                        "finger_pull", "did you mean 'circles'", "step 2"]),
    "unknown_target": (7, "target", ["'LI44' is not an atlas id", "did you mean 'LI4'",
                                     "Z1–Z20", "D1–D9"]),
    "duration_and_reps": (15, "duration_s", ["exactly one of duration_s", "reps"]),
    "rhythm_reversed": (10, "rhythm_hz", ["[1.5, 0.5]", "low < high", "Hz"]),
    "rhythm_on_hold": (10, "rhythm_hz", ["a hold has no rhythm"]),
    "bad_receiving": (4, "receiving", ["'both'", "left, right, either"]),
    "bad_id": (2, "id", ["'LI4 Headache'", "lowercase slug"]),
    "unknown_field": (15, "duraton_s", ["unknown field", "did you mean 'duration_s'"]),
    "toml_syntax": (7, None, ["not valid TOML"]),
    "step_not_array": (6, None, ["[[step]]", "not [step]"]),
    "bad_side": (20, "side", ["'front'", "palm, back, any", "step 3"]),
    "negative_duration": (9, "duration_s", ["-5", "(0, 3600]"]),
    "three_hands": (10, "hands", ["3", "[1, 2]"]),
    "heart_either": (7, "target", ["Z9 (Heart)", "left hand only", "right hand"]),
    "speed_on_circles": (10, "speed_cm_s", ["gliding technique", "stroke, thumb_walk"]),
    "bad_weight_key": (14, "weights.locaton", ["unknown component", "did you mean 'location'"]),
    "missing_instruction": (12, "instruction", ["missing", "step 2"]),
    "bad_pressure": (10, "pressure", ["'hard'", "light, moderate, firm"]),
    "tolerance_too_big": (10, "tolerance_l", ["2", "[0.03, 0.5]"]),
    "no_steps": (4, None, ["no steps", "[[step]]"]),
    "routine_weights_zero": (4, "weights", ["all weights are 0"]),
    "pair_one_hand": (8, "technique", ["'wringing' is done with both hands", "hands = 2"]),
    "pair_only": (9, "technique", ["'two_thumb_spread' needs a one-hand technique",
                                   "self mode"]),
}


def test_corpus_is_complete() -> None:
    files = {p.stem for p in MALFORMED.glob("*.toml")}
    assert files == set(EXPECTED)
    assert len(files) >= 10


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_routine_names_file_line_field(name: str) -> None:
    line, field, fragments = EXPECTED[name]
    path = MALFORMED / f"{name}.toml"
    with pytest.raises(RoutineError) as info:
        load_routine(path)
    err = info.value
    msg = str(err)
    assert err.line == line, msg
    assert err.field == field, msg
    assert msg.startswith(f"{path}:{line}: "), msg
    assert "\n" not in msg
    for frag in fragments:
        assert frag in msg, (frag, msg)


@pytest.mark.parametrize("rid", builtin_routines())
def test_builtin_loads_for_either_hand(rid: str) -> None:
    r = load_routine(rid)
    assert r.id == rid
    assert r.steps and r.title and r.sources and r.cautions
    ids = catalogue()[0]
    for hand in ("left", "right"):
        fixed = load_routine(rid, receiving=hand)
        assert fixed.receiving == hand
        for step in fixed.steps:
            targets = step.targets_for(step.expected_hand(fixed.first_hand))
            assert targets, (rid, step.index, hand)
            assert all(t in ids for t in targets)
            assert set(step.techniques) <= set(TECHNIQUES) | set(PAIR_TECHNIQUES)
            assert set(step.techniques_in("self")) <= set(TECHNIQUES)
            assert step.instruction


def test_builtins_cover_domain_routines() -> None:
    names = set(builtin_routines())
    assert {"relaxation-10min", "carpal-tunnel-field", "li4-headache", "wrist-sleep-pc6-ht7",
            "reflexology-tour", "li4-quick"} <= names
    li4 = load_routine("li4-headache")
    assert any("pregnan" in c.lower() for c in li4.cautions)
    assert [s.duration_s for s in li4.steps] == [300, 300]
    assert [s.hand for s in li4.steps] == ["first", "other"]
    r4 = load_routine("wrist-sleep-pc6-ht7", receiving="left")
    assert [(s.targets, s.expected_hand(r4.first_hand)) for s in r4.steps] == [
        (("PC6",), "Left"), (("PC6",), "Right"), (("HT7",), "Left"), (("HT7",), "Right")]
    quick = load_routine("li4-quick")
    assert sum(s.duration_s or 0 for s in quick.steps) <= 20
    r1 = load_routine("relaxation-10min")
    assert any(s.hands == 2 for s in r1.steps)  # "both thumbs spread the palm" (issue 10)
    r2 = load_routine("carpal-tunnel-field")
    assert sum(s.duration_s or 0 for s in r2.steps) == 900


def test_mirroring_drops_hand_only_zones_with_a_warning() -> None:
    tour = load_routine("reflexology-tour", receiving="right")
    digestive = next(s for s in tour.steps if "Z12" in s.targets and s.hand == "first")
    assert "Z12" in digestive.targets_for("Right")
    assert "Z13" not in digestive.targets_for("Right")
    assert any("Z13 (Spleen)" in w and "left hand only" in w for w in tour.warnings)
    left = load_routine("reflexology-tour", receiving="left")
    assert "Z12" not in left.steps[digestive.index].targets_for("Left")


def test_either_routine_with_side_specific_target_fixed_to_its_hand_is_valid() -> None:
    text = (MALFORMED / "heart_either.toml").read_text().replace('receiving = "either"',
                                                                 'receiving = "left"')
    r = parse_routine(text, "heart_left.toml")
    assert r.steps[0].targets_for("Left") == ("Z9",)


def test_defaults_and_derived_side() -> None:
    r = parse_routine('[routine]\nid = "x"\ntitle = "X"\n[[step]]\ntarget = ["PC6", "HT7"]\n'
                      'technique = "hold"\nduration_s = 10\ninstruction = "Hold."\n')
    s = r.steps[0]
    assert (r.receiving, s.side, s.pressure, s.hands, s.hand) == ("either", "palm", "moderate",
                                                                  1, "first")
    assert s.weights.as_dict() == {"location": 0.35, "completion": 0.25, "technique": 0.2,
                                   "rhythm": 0.1, "steadiness": 0.1}
    assert s.line == 4


def test_unknown_builtin_and_bad_receiving() -> None:
    with pytest.raises(RoutineError, match="no built-in routine 'li4-headach'.*did you mean"):
        load_routine("li4-headach")
    with pytest.raises(RoutineError, match="no such routine file"):
        load_routine("missing/routine.toml")
    with pytest.raises(ConfigError, match="receiving='both'"):
        load_routine("li4-headache", receiving="both")
