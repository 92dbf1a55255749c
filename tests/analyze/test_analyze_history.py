from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from massagecam.errors import DataFileError
from massagecam.history import (
    SCHEMA_VERSION,
    History,
    SessionRecord,
    StepRecord,
    plot_progress,
    write_csv,
)


def _record(i: int, score: float = 50.0, routine: str = "li4-headache") -> SessionRecord:
    return SessionRecord(
        started_at=f"2026-11-{1 + i % 28:02d}T10:00:00+00:00", kind="analyze",
        source=f"/videos/s{i}.mp4", routine_id=routine, routine_title="LI4", score=score,
        duration_s=60.0, frames=1800, feedback="ok", settings={"receiving": "left"},
        steps=(StepRecord(0, "LI4", "circles", score, {"location": 80.0}, "good"),
               StepRecord(1, "LI4", "hold", score - 10, {"completion": 40.0}, "short")))


def test_roundtrip_wal_and_version(tmp_path):
    db = tmp_path / "h.sqlite"
    with History(db) as h:
        ids = [h.add(_record(i, 40 + i)) for i in range(3)]
        h.add(_record(9, 70, routine="r1-relax"))
        got = h.sessions("li4-headache")
    assert [s.id for s in got] == ids
    assert got[2].score == 42 and got[2].steps[1].components == {"completion": 40.0}
    assert got[0].settings == {"receiving": "left"}
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    con.close()


def test_csv_and_plot(tmp_path):
    with History(tmp_path / "h.sqlite") as h:
        for i in range(4):
            h.add(_record(i, 30 + 10 * i))
        sessions = h.sessions()
    csv_path = write_csv(sessions, tmp_path / "s.csv")
    lines = csv_path.read_text().splitlines()
    assert len(lines) == 5 and lines[1].split(",")[5] == "30.0"
    png = plot_progress(sessions, tmp_path / "p.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_newer_schema_and_garbage_refused(tmp_path):
    db = tmp_path / "new.sqlite"
    con = sqlite3.connect(db)
    con.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(DataFileError, match="newer"):
        History(db)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(DataFileError, match="junk.sqlite"):
        History(junk)


WRITER = textwrap.dedent("""
    import sys
    from massagecam.history import History, SessionRecord, StepRecord
    steps = tuple(StepRecord(k, "LI4", "circles", 50.0, {"location": 1.0}, "x" * 200)
                  for k in range(20))
    with History(sys.argv[1]) as h:
        i = 0
        while True:
            sid = h.add(SessionRecord(started_at="2026-11-25T10:00:00+00:00", kind="live",
                                      score=float(i % 100), steps=steps))
            print(sid, flush=True)
            i += 1
""")


def test_survives_sigkill_mid_write(tmp_path):
    db = tmp_path / "kill.sqlite"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE,
                            text=True)
    committed = 0
    deadline = time.monotonic() + 30
    assert proc.stdout is not None
    while committed < 40 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        committed = int(line)
    # the writer is in its loop, most likely inside the next transaction: kill it hard
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert committed >= 40, "writer did not get going"
    with History(db) as h:
        assert h.integrity() == "ok"
        sessions = h.sessions()
    assert len(sessions) >= committed
    # atomic: every stored session has all its steps, none half-written
    assert all(len(s.steps) == 20 for s in sessions)


def test_record_session_from_a_real_coach_score(tmp_path):
    """What live practice calls at the end: a SessionScore straight into the history."""
    from massagecam.coach import Coach
    from massagecam.history import record_session
    from massagecam.routines import load_routine
    from massagecam.synthetic import make_hand, make_hands

    routine = load_routine("li4-quick")
    coach = Coach(routine)
    for i in range(30):
        coach.update(_analysis(make_hands(make_hand(), t=i / 30, frame_index=i)))
    score = coach.finish()
    sid = record_session(score, routine, kind="live", source="camera 0",
                         settings={"mirrored": True}, frames=30, db=tmp_path / "h.sqlite")
    with History(tmp_path / "h.sqlite") as h:
        (s,) = h.sessions()
    assert s.id == sid and s.kind == "live" and s.routine_id == "li4-quick"
    assert s.score == score.score and [st.index for st in s.steps] == [0, 1]
    assert s.steps[0].feedback == score.steps[0].feedback


def _analysis(hands):
    from massagecam.results import FrameAnalysis

    return FrameAnalysis(hands=hands)
