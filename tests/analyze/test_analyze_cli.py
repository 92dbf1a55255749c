from __future__ import annotations

from click.testing import CliRunner

from massagecam.cli import cli
from massagecam.history import History, SessionRecord, StepRecord


def test_analyze_missing_video_is_one_line(tmp_path):
    r = CliRunner().invoke(cli, ["analyze", str(tmp_path / "nope.mp4"), "--no-history",
                                 "--out", str(tmp_path / "o"), "-q"])
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and "nope.mp4" in lines[0] and "Traceback" not in r.output


def test_analyze_bad_receiving_rejected(tmp_path):
    r = CliRunner().invoke(cli, ["analyze", str(tmp_path / "x.mp4"), "--receiving", "both"])
    assert r.exit_code == 2 and "both" in r.output


def test_history_lists_exports_and_plots(tmp_path):
    db = tmp_path / "h.sqlite"
    with History(db) as h:
        for i, score in enumerate((40.0, 55.5, 71.0)):
            h.add(SessionRecord(started_at=f"2026-11-0{i + 1}T09:00:00+00:00", kind="analyze",
                                source=f"/v/week{i}.mp4", routine_id="li4-headache",
                                score=score, steps=(StepRecord(0, "LI4", "circles", score),)))
    r = CliRunner().invoke(cli, ["history", "--db", str(db), "--csv", str(tmp_path / "a.csv"),
                                 "--plot", str(tmp_path / "p.png")])
    assert r.exit_code == 0, r.output
    assert "3 session(s)" in r.output and "week2.mp4" in r.output and "   71" in r.output
    assert (tmp_path / "a.csv").read_text().count("\n") == 4
    assert (tmp_path / "p.png").stat().st_size > 1000


def test_history_missing_db_is_an_error(tmp_path):
    r = CliRunner().invoke(cli, ["history", "--db", str(tmp_path / "none.sqlite")])
    assert r.exit_code == 2 and "none.sqlite" in r.output


def test_demo_without_samples_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("MASSAGECAM_SAMPLES", str(tmp_path / "empty"))
    r = CliRunner().invoke(cli, ["demo"])
    assert r.exit_code == 2 and "no bundled sample" in r.output
    r = CliRunner().invoke(cli, ["demo", "--list"])
    assert r.exit_code == 0 and "no samples" in r.output
