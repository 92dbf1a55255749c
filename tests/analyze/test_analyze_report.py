from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from conftest import frame_results

from massagecam.report import html as report_html
from massagecam.report.recorder import Recorder
from massagecam.report.result import (
    load_schema,
    timeline_rows,
    tracking_json,
    write_atomic_json,
)

REPO = Path(__file__).resolve().parents[2]


def _header(rec: Recorder, partial: bool = False) -> dict:
    events = rec.finish()
    n = len(rec.timeline)
    return {
        "schema": "massagecam-result", "schema_version": "1.0", "massagecam_version": "0.1.0",
        "created_at": "2026-11-25T12:00:00+00:00", "partial": partial,
        "partial_reason": "interrupted" if partial else None,
        "video": {"name": "s.mp4", "path": "/v/s.mp4", "fps": 30.0, "width": 640,
                  "height": 480, "frame_count": n, "frames_analysed": n,
                  "duration_s": n / 30},
        "settings": {"receiving": "auto", "mode": "self", "mirrored": False},
        "routine": {"id": "li4-headache", "title": "LI4", "receiving": "either",
                    "cautions": ["Avoid LI4 in pregnancy."], "sources": ["MSKCC"],
                    "steps": [{"index": 0, "target": ["LI4"], "side": "back",
                               "technique": ["circles"], "instruction": "circle",
                               "duration_s": 5.0, "rhythm_hz": [0.8, 1.2]},
                              {"index": 1, "target": ["PC8"], "side": "palm",
                               "technique": ["hold"], "instruction": "hold",
                               "duration_s": 5.0, "rhythm_hz": None}]},
        "score": {"total": 71.5, "feedback": "Stay on the point: a third of the press was off.",
                  "steps": [{"index": 0, "target": ["LI4"], "technique": ["circles"],
                             "score": 80.0, "components": {"location": 66.7, "rhythm": 100.0},
                             "feedback": "good"},
                            {"index": 1, "target": ["PC8"], "technique": ["hold"],
                             "score": 63.0, "components": {"location": 66.7, "rhythm": None},
                             "feedback": "short"}]},
        "contacts": [e.to_json() for e in events],
        "tracking": tracking_json(rec.tracking, rec.events_dropped),
    }


def _record(n=300, **kw) -> Recorder:
    rec = Recorder()
    for r in frame_results(n, **kw):
        rec.add(r)
    return rec


def test_timeline_and_events_follow_the_frames():
    rec = _record(300, third_hand_from=250)
    rows = list(timeline_rows(rec))
    assert [r["frame"] for r in rows] == list(range(300))
    assert rows[0]["contact"] is False and rows[0]["on_target"] is None
    assert rows[31]["contact"] is True and rows[31]["zones"] == ["LI4", "D5"]
    assert rows[30]["on_target"] is False and rows[30]["zones"] == ["D6"]
    assert rows[200]["technique"] == "hold" and rows[200]["step"] == 1
    assert rows[105]["receiver"] == "estimated"
    events = [e.to_json() for e in rec.finish()]
    # presses 30..149 and 160..279: a 10-frame (0.33 s) gap splits them (merge gap 0.25 s)
    assert [(e["start_frame"], e["end_frame"]) for e in events] == [(30, 149), (160, 279)]
    assert events[0]["technique"] == "circles" and events[0]["rhythm_hz"] == 1.0
    assert events[1]["technique"] == "hold" and events[1]["rhythm_hz"] is None
    t = tracking_json(rec.tracking)
    assert t["share_receiver_estimated"] == pytest.approx(10 / 300, abs=1e-3)
    assert t["share_third_hand"] == pytest.approx(50 / 300, abs=1e-3)
    assert any("third hand" in w for w in t["warnings"])
    assert t["share_receiver_reshaped"] == 0.0 and not any("shape" in w for w in t["warnings"])
    t = tracking_json(rec.tracking, reshaped=60)  # the receiver's wrist placed in 60 frames
    assert t["share_receiver_reshaped"] == pytest.approx(0.2)
    assert any("placed from the hand's shape seen before" in w for w in t["warnings"])


def test_result_json_validates_against_schema(tmp_path):
    rec = _record(5000)  # more than one 4096-row chunk
    path = write_atomic_json(tmp_path / "result.json", _header(rec), timeline_rows(rec))
    data = json.loads(path.read_text())
    jsonschema.validate(data, load_schema())
    assert len(data["timeline"]) == 5000 and data["timeline"][-1]["frame"] == 4999
    assert not list(tmp_path.glob(".*tmp"))
    bad = dict(data, timeline=[dict(data["timeline"][0], technique="kneading")])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, load_schema())


def test_failed_write_leaves_no_result(tmp_path):
    rec = _record(60)

    def broken():
        yield from timeline_rows(rec)
        raise RuntimeError("decoder died")

    with pytest.raises(RuntimeError):
        write_atomic_json(tmp_path / "result.json", _header(rec), broken())
    assert list(tmp_path.iterdir()) == []


def _report(tmp_path: Path, partial: bool = False) -> Path:
    rec = _record(300, third_hand_from=250)
    return report_html.write(tmp_path / "report.html", _header(rec, partial), rec)


def test_report_is_self_contained(tmp_path):
    text = _report(tmp_path, partial=True).read_text()
    assert text.index(">72<") < text.index("Where you pressed") < text.index("Timeline")
    assert "Avoid LI4 in pregnancy." in text and "Partial result" in text
    assert "a third hand was in view" in text.lower()
    assert text.count("data:image/png;base64,") >= 3
    # nothing fetched from anywhere: no external src/href, no script
    assert not re.search(r'(src|href)\s*=\s*"(?!data:)', text)
    assert "<script" not in text


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed "
                    "(apt-get install -y chromium)")
def test_report_opens_in_headless_chromium(tmp_path):
    page = _report(tmp_path)
    shot = tmp_path / "shot.png"
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--enable-logging=stderr", "--v=0", f"--user-data-dir={tmp_path / 'profile'}",
         "--window-size=1100,1600", "--hide-scrollbars", f"--screenshot={shot}",
         page.as_uri()], capture_output=True, text=True, timeout=120)
    log = proc.stderr
    assert proc.returncode == 0, log[-2000:]
    console = [ln for ln in log.splitlines() if "CONSOLE" in ln or "Uncaught" in ln
               or "Failed to load resource" in ln]
    assert console == [], console
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("MASSAGECAM_UPDATE_SCREENSHOT"):  # refresh the docs picture on demand
        shutil.copyfile(shot, REPO / "docs" / "report-screenshot.png")


def test_plot_cost_does_not_grow_with_length():
    import numpy as np

    from massagecam.report.plots import majority_bins

    flicker = np.tile(np.array([0, 0, 1], np.int8), 6000)  # 18000 frames
    binned = majority_bins(flicker, 1500)
    assert binned.size == 1500 and set(binned.tolist()) == {0}
    steps = np.repeat(np.array([-1, 0, 1, 2], np.int16), [100, 3000, 3000, 2900])
    b = majority_bins(steps, 1000)
    assert b[0] == -1 and b[-1] == 2 and abs(int(np.sum(b == 1)) - 333) <= 2
    short = np.array([3, 1, 2], np.int8)
    assert majority_bins(short, 10).tolist() == [3, 1, 2]
