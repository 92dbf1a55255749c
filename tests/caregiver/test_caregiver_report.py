"""The report names which of the caregiver's thumbs pressed, and in which two-handed stroke."""

from __future__ import annotations

import jsonschema
import pytest

from massagecam.render.caregiver import CaregiverScene, caregiver_poses
from massagecam.report.html import _contacts_table
from massagecam.report.recorder import Recorder
from massagecam.report.result import load_schema
from massagecam.session import Pipeline


@pytest.fixture(autouse=True)
def _no_user_calibration(tmp_path, monkeypatch):
    monkeypatch.setenv("MASSAGECAM_HOME", str(tmp_path))


def _events(technique: str, seconds: float = 4.0) -> list[dict]:
    frames = caregiver_poses(CaregiverScene(technique=technique, seconds=seconds, seed=1))
    pipe = Pipeline(mode="caregiver", landmarker=object())
    rec = Recorder()
    for f in frames:
        rec.add(pipe.update_hands(f.hands()))
    return [e.to_json() for e in rec.finish()]


def test_spread_presses_named_per_thumb():
    events = _events("two_thumb_spread")
    hands = {e["hand"] for e in events}
    assert hands == {"left", "right"}
    assert all(e["thumb"] == f"{e['hand']} thumb" for e in events)
    late = [e for e in events if e["start"] >= 1.5]
    assert late and sum(e["pair_technique"] == "two_thumb_spread" for e in late) >= \
        0.8 * len(late)
    full = load_schema()
    jsonschema.validate(events, {**full["properties"]["contacts"], "$defs": full["$defs"]})
    page = _contacts_table(events)
    assert "Which thumb did what" in page
    assert "Caregiver&#x27;s left thumb" in page or "Caregiver's left thumb" in page
    assert "two thumb spread" in page


def test_support_press_marks_the_active_thumb():
    events = _events("support_press")
    active = [e for e in events if e["pair_technique"] == "support_press:active"]
    assert active and all(e["hand"] == "right" for e in active)


def test_timeline_rows_carry_the_pair_in_caregiver_mode_only():
    from massagecam.report.result import timeline_rows

    frames = caregiver_poses(CaregiverScene(technique="wringing", seconds=3.0, seed=0))
    full = load_schema()
    row_schema = {**full["properties"]["timeline"], "$defs": full["$defs"]}
    for mode in ("caregiver", "self"):
        pipe = Pipeline(mode=mode, landmarker=object())
        rec = Recorder()
        for f in frames:
            rec.add(pipe.update_hands(f.hands()))
        rows = list(timeline_rows(rec))
        jsonschema.validate(rows, row_schema)
        if mode == "caregiver":
            assert sum(r["pair"] == "wringing" for r in rows) >= 0.5 * len(rows)
        else:
            assert all("pair" not in r for r in rows)
