"""The shared per-frame pipeline on synthetic landmarks (real stages, no model)."""

from __future__ import annotations

import numpy as np
import pytest

from massagecam.errors import ConfigError
from massagecam.hands import Hands, Role
from massagecam.hints import HINT_BOTH_HANDS, HINT_CLOSER, HINT_LIGHT, HINT_THIRD_HAND
from massagecam.report.recorder import Recorder
from massagecam.report.result import timeline_rows
from massagecam.session import Pipeline
from massagecam.synthetic import make_hand, make_hands

NO_MODEL = object()  # update_hands never touches the landmarker


def _pipe(**kw) -> Pipeline:
    return Pipeline(landmarker=NO_MODEL, **kw)


@pytest.mark.parametrize("kw, word", [({"receiving": "both"}, "receiving"),
                                      ({"mode": "group"}, "mode"),
                                      ({"min_palm_frac": 1.5}, "min_palm_frac"),
                                      ({"dark_level": -1}, "dark_level")])
def test_bad_config_names_the_value(kw, word):
    with pytest.raises(ConfigError, match=word):
        _pipe(**kw)


def _two(t: float, i: int, palm: float = 130.0, third: bool = False) -> Hands:
    rows = [make_hand((260, 280), palm, 0, "Left", "back"),
            make_hand((420, 200), palm, -30, "Right", "palm")]
    hd = ["Left", "Right"]
    if third:
        rows.append(make_hand((560, 90), palm * 0.8, 20, "Right", "palm"))
        hd.append("Right")
    return make_hands(*rows, handedness=hd, frame_index=i, t=t)


def _run(p: Pipeline, frames, image=None):
    res = None
    for r in frames:
        res = p.update_hands(r, image)
    return res


def test_hints_appear_and_clear_with_debounce():
    p = _pipe(receiving="left")
    img = np.full((480, 640, 3), 128, np.uint8)
    r = _run(p, [Hands.empty(i, i / 30, (640, 480)) for i in range(5)], img)
    assert HINT_BOTH_HANDS not in r.analysis.hints  # not before 0.3 s
    r = _run(p, [Hands.empty(i, i / 30, (640, 480)) for i in range(5, 30)], img)
    assert HINT_BOTH_HANDS in r.analysis.hints
    r = _run(p, [_two(i / 30, i) for i in range(30, 60)], img)
    roles = sorted(r.analysis.hands.role.tolist())
    assert roles == [int(Role.RECEIVER), int(Role.GIVER)]
    assert r.analysis.hints == ()


def test_third_hand_is_ignored_with_a_hint():
    p = _pipe(receiving="left", mode="self")
    r = _run(p, [_two(i / 30, i, third=i >= 10) for i in range(40)])
    assert int(Role.IGNORED) in r.analysis.hands.role.tolist()
    assert HINT_THIRD_HAND in r.analysis.hints


def test_small_hands_and_dark_image_hints():
    p = _pipe(receiving="left")
    dark = np.full((480, 640, 3), 20, np.uint8)
    r = _run(p, [_two(i / 30, i, palm=25.0) for i in range(40)], dark)
    assert HINT_CLOSER in r.analysis.hints and HINT_LIGHT in r.analysis.hints
    p = _pipe(receiving="left")
    bright = np.full((480, 640, 3), 140, np.uint8)
    r = _run(p, [_two(i / 30, i, palm=130.0) for i in range(40)], bright)
    assert HINT_CLOSER not in r.analysis.hints and HINT_LIGHT not in r.analysis.hints


def test_routine_runs_the_coach_and_the_timeline_follows_it():
    from massagecam.trajectories import GeneratorConfig, generate_clip

    clip = generate_clip(5, ["circles", "hold"], config=GeneratorConfig(fps=30))
    p = _pipe(routine="li4-quick", receiving="auto", profile=True)
    rec = Recorder()
    for h in clip.frames:
        res = p.update_hands(h)
        rec.add(res)
    assert res.coach is not None and res.step_index is not None
    score = p.finish()
    assert 0 <= score.score <= 100 and len(score.steps) == 2
    rows = list(timeline_rows(rec))
    assert len(rows) == len(clip.frames)
    pressed = [r for r, t in zip(rows, clip.truth, strict=True) if t.contact]
    agree = np.mean([r["contact"] for r in pressed])
    assert agree > 0.5  # the stages are wired: most true presses are seen as presses
    assert any(r["zones"] for r in pressed) and all(r["on_target"] is not None for r in pressed
                                                    if r["contact"] and r["step"] is not None)
    assert set(p.timings) >= {"tracker", "side", "contact", "technique", "hints", "coach"}
