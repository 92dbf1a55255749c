"""The cohort summary read back from finished result.json files (no model, no video)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from massagecam import batch, cohort
from massagecam.batch import Job


def _result(folder: Path, total: float | None, *, partial: bool = False) -> None:
    score = None if total is None else {
        "total": total, "feedback": f"scored {total}",
        "steps": [{"index": 1, "title": "LI4", "score": total},
                  {"index": 2, "title": "hold", "score": total / 2}]}
    folder.mkdir(parents=True)
    doc = {"partial": partial, "routine": {"id": "li4-quick"} if score else None,
           "score": score, "video": {"frames_analysed": 30, "duration_s": 1.0}}
    (folder / "result.json").write_text(json.dumps(doc), encoding="utf-8")


def test_summary_rows_and_files_from_results(tmp_path: Path) -> None:
    jobs = [Job("/v/a1.mp4", "alice/week1", "alice", "week1"),
            Job("/v/a2.mp4", "alice/week2", "alice", "week2"),
            Job("/v/b1.mp4", "bob/week1", "bob", "week1"),
            Job("/v/b2.mp4", "bob/week2", "bob", "week2"),
            Job("/v/c1.mp4", "carol/week1", "carol", "week1")]
    _result(tmp_path / "alice/week1", 80.0)
    _result(tmp_path / "alice/week2", 40.0, partial=True)
    _result(tmp_path / "bob/week1", None)
    failures = [("bob/week2", "cannot decode")]
    rows = cohort.summary_rows(tmp_path, jobs, failures)
    assert [r["status"] for r in rows] == ["done", "partial", "done", "failed", "missing"]
    assert rows[0]["steps"] == {1: ("LI4", 80.0), 2: ("hold", 40.0)}
    assert rows[2]["score"] is None and rows[3]["reason"] == "cannot decode"

    csv_path, html_path = cohort.write_summary(tmp_path, jobs, failures)
    with csv_path.open(encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    assert [r["score"] for r in table] == ["80.0", "40.0", "", "", ""]
    assert table[1]["step_2"] == "20.0" and table[3]["reason"] == "cannot decode"
    html = html_path.read_text(encoding="utf-8")
    assert "5 videos: 2 analysed" in html and "40*" in html and "cannot decode" in html
    assert not list(tmp_path.glob(".summary*"))  # temporary files renamed away
    # the batch module still exposes the summary under its old names
    assert batch.write_summary is cohort.write_summary
    assert batch.summary_rows is cohort.summary_rows
