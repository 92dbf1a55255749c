"""Scores of synthetic sessions with deliberate mistakes, and their explanations.

Expected values follow the documented formula with the default weights (location 0.35,
completion 0.25, technique 0.20, rhythm 0.10, steadiness 0.10; weights renormalised over the
components that apply) — see docs/routine-format.md.
"""

from __future__ import annotations

import json
import math

import pytest
from routine_synth import Seg, run, stream

from massagecam.routines import load_routine, parse_routine

LI4_60 = parse_routine('[routine]\nid = "li4-test"\ntitle = "LI4 test"\nreceiving = "left"\n'
                       '[[step]]\ntarget = "LI4"\nside = "back"\ntechnique = "circles"\n'
                       'duration_s = 60\nrhythm_hz = [0.8, 1.2]\ninstruction = "Circles."\n',
                       "li4-test.toml")
HOLD_30 = parse_routine('[routine]\nid = "pc8-test"\ntitle = "PC8 hold"\n'
                        '[[step]]\ntarget = "PC8"\ntechnique = "hold"\nduration_s = 30\n'
                        'instruction = "Hold."\n', "pc8-test.toml")
PC8 = {"zones": ("PC8", "Z10"), "nearest": "PC8", "side": "palm", "tech": "hold", "freq": None}

CASES = {
    # name: (segments, expected step score, fragments of the explanation)
    "perfect": ([Seg(62)], 100.0, ["Well done"]),
    "wrong zone": ([Seg(62, zones=("LI3",), nearest="LI3")], 100 * (0.20 + 0.10 + 0.10),
                   ["0% of pressing time was on LI4 (Hegu)", "most of it was on LI3"]),
    "half the duration": ([Seg(30), Seg(32, contact=False)], 100 - 25 * 0.5,
                          ["30 s of the required 60 s"]),
    "double the rhythm": ([Seg(62, freq=2.0)], 100 - 10 * math.log2(2.0 / 1.2),
                          ["2.0 Hz", "faster than the asked 0.8–1.2 Hz"]),
    "hovering": ([Seg(62, touching=False)], 0.0, ["hovered over LI4", "without touching"]),
    "wrong hand": ([Seg(62, receiver="Right")], 100 * (0.20 + 0.10 + 0.10),
                   ["100% of pressing time was on the right hand", "for the left hand"]),
    "wrong face": ([Seg(62, side="palm")], 100 * (0.20 + 0.10 + 0.10),
                   ["100% of pressing time was on the palm",
                                          "is on the back of the hand", "turn the hand over"]),
    "holding instead of circles": ([Seg(62, tech="hold", freq=None)], 35 + 25,
                                   ["0% of pressing time was circles", "mostly holding"]),
    "just outside the point": ([Seg(62, zones=("D6",), nearest="LI4", dist=0.2)],
                               100 * (0.20 + 0.10 + 0.10), ["most of it was on D6"]),
    "off every zone": ([Seg(62, zones=(), nearest="LI4", dist=0.2)], 100 * (0.20 + 0.10 + 0.10),
                       ["0% of pressing time was on LI4", "just outside LI4 (Hegu)"]),
    "no hands": ([Seg(62, hands=False)], 0.0, ["hands were not in view"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_step_score_names_the_mistake(name: str) -> None:
    segs, expected, fragments = CASES[name]
    _, _, score = run(LI4_60, stream(*segs, fps=10))
    step = score.steps[0]
    assert step.score == pytest.approx(expected, abs=5), (name, step.components)
    assert score.score == step.score
    for frag in fragments:
        assert frag in step.feedback, (frag, step.feedback)
    if expected < 95:
        assert score.feedback == f"Step 1 (circles on LI4): {step.feedback}"


def test_unsteady_hold() -> None:
    _, _, score = run(HOLD_30, stream(Seg(32, wobble=0.06, **PC8), fps=10))
    step = score.steps[0]
    # steadiness = 1 - (0.06 - 0.02) / 0.08 = 0.5, weight 0.10 / 0.90 of the applicable
    assert step.score == pytest.approx(100 - 100 * 0.1 / 0.9 * 0.5, abs=5)
    assert "unsteady" in step.feedback and "0.06 palm lengths" in step.feedback
    _, _, still = run(HOLD_30, stream(Seg(32, **PC8), fps=10))
    assert still.steps[0].score == 100.0


def test_session_score_names_the_worst_step() -> None:
    r = load_routine("li4-quick", receiving="left")
    segs = [Seg(9), Seg(2, contact=False), Seg(7, tech="hold", freq=None, zones=("LI3",),
                                               nearest="LI3")]
    _, _, score = run(r, stream(*segs, fps=10))
    first, second = score.steps
    # hold step: location and completion lost; technique and steadiness (0.30 of 0.90) kept
    assert first.score >= 95 and second.score == pytest.approx(100 * 0.3 / 0.9, abs=5)
    assert score.score == pytest.approx((first.score + second.score) / 2, abs=0.1)
    assert score.feedback.startswith("Step 2 (LI4 hold): ")
    assert "LI3" in score.feedback


def test_unreached_steps_score_zero_and_the_stall_is_named() -> None:
    r = load_routine("wrist-sleep-pc6-ht7")
    _, _, score = run(r, stream(Seg(10, zones=("PC6",), nearest="PC6", side="palm"), fps=5))
    assert [s.feedback for s in score.steps[1:]] == ["This step was not done."] * 3
    assert [s.score for s in score.steps[1:]] == [0.0] * 3
    assert score.feedback == ("Step 1 (PC6, first wrist) was not completed, so steps 2–4 were "
                              "not reached: Only 10 s of the required 120 s were pressed on "
                              "PC6 (Neiguan).")
    quick = load_routine("li4-quick")
    _, _, score = run(quick, stream(Seg(9), fps=10))
    assert score.feedback == "The session ended after step 1: step 2 was not done."


def test_same_input_gives_identical_bytes() -> None:
    segs = [Seg(5, hands=False), Seg(20, freq=1.7), Seg(3, touching=False),
            Seg(20, zones=("LI3",), nearest="LI3", freq=0.9), Seg(15, wobble=0.03)]
    outs = [run(LI4_60, stream(*segs, fps=15))[2].to_json() for _ in range(2)]
    assert outs[0] == outs[1]
    data = json.loads(outs[0])
    assert list(data) == sorted(data)
    assert data["steps"][0]["score"] == round(data["steps"][0]["score"], 1)
    assert set(data["steps"][0]["components"]) == {"location", "completion", "technique",
                                                   "rhythm", "steadiness"}


_SCRIPT = """
import sys
sys.path.insert(0, {here!r})
from routine_synth import Seg, run, stream
from massagecam.routines import load_routine
r = load_routine("reflexology-tour", receiving="right")
segs = [Seg(4, hands=False), Seg(30, side="back", zones=("D4", "D2"), nearest="SI3",
        tech="stroke", freq=None, speed=5.0, direction="distal"),
        Seg(20, side="palm", zones=("Z1",), nearest="LU10", tech="hold", freq=None, wobble=0.02)]
sys.stdout.write(run(r, stream(*segs, fps=10))[2].to_json())
"""


def test_identical_bytes_across_processes() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = _SCRIPT.format(here=str(Path(__file__).parent))
    outs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=env, check=True)
        outs.append(res.stdout)
    assert outs[0] == outs[1]
    data = json.loads(outs[0])
    assert len(data["steps"]) == 20 and data["receiving_hand"] == "Right"


def test_bounded_frame_records_do_not_change_the_score() -> None:
    """Coach.records is a ring (or off): the score bytes are the same, memory is bounded."""
    segs = [Seg(5, hands=False), Seg(20, freq=1.7), Seg(3, touching=False),
            Seg(20, zones=("LI3",), nearest="LI3", freq=0.9)]
    frames = stream(*segs, fps=15)
    runs = {k: run(LI4_60, frames, keep_records=k) for k in (None, 0, 50)}
    outs = {k: r[2].to_json() for k, r in runs.items()}
    assert outs[None] == outs[0] == outs[50]
    everything = list(runs[None][0].records)
    assert len(everything) == len(frames)
    assert len(runs[0][0].records) == 0
    assert list(runs[50][0].records) == everything[-50:]
