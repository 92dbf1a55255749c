"""Contact and technique figures must not fall below the committed baseline.

The gate set (5 generated clips, seed 4242, 2 % jitter, 10 % dropped frames) is re-measured and
compared with ``benchmarks/contact_technique_baseline.json`` (written by
``python benchmarks/contact_technique.py --write-baseline``). Tolerances absorb platform
differences in floating point, not regressions: accuracy -0.01, false presses +0.01,
macro-F1 -0.03, circle frequency error +0.02 Hz, stroke speed error +0.02 (relative).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from massagecam.trajectories import GeneratorConfig, generate_set
from massagecam.trajectories.evaluate import LABELS, evaluate

BASELINE = Path(__file__).resolve().parents[1] / "benchmarks" / "contact_technique_baseline.json"


@pytest.fixture(scope="module")
def measured_and_baseline():
    if not BASELINE.exists():
        pytest.fail(f"{BASELINE} is missing: run benchmarks/contact_technique.py "
                    "--write-baseline")
    base = json.loads(BASELINE.read_text())
    gate, cfg = base["gate"], base["config"]
    clips = generate_set(gate["seed"], gate["clips"], config=GeneratorConfig(**cfg))
    return evaluate(clips), gate


def test_contact_figures_hold(measured_and_baseline):
    m, base = measured_and_baseline
    assert m.frames == base["frames"]  # same generated set
    assert m.contact_accuracy >= base["contact_accuracy"] - 0.01
    assert m.false_press_rate <= base["false_press_rate"] + 0.01


def test_technique_figures_hold(measured_and_baseline):
    m, base = measured_and_baseline
    assert m.macro_f1 >= base["macro_f1"] - 0.03
    assert m.circle_freq_mae_hz <= base["circle_freq_mae_hz"] + 0.02
    assert m.stroke_speed_mare <= base["stroke_speed_mare"] + 0.02
    # every technique of the set is recognised on most of its counted frames
    for name, row in zip(LABELS, m.confusion, strict=True):
        if sum(row) >= 30:
            assert row[LABELS.index(name)] / sum(row) >= 0.5, (name, row)
