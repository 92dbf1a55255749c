"""The practice history: every analysed or live session, in one SQLite file.

Users want to see whether they improve week by week, so each session's scores, steps and
settings are stored (never video, never landmarks) in ``paths.data_dir()/history.sqlite``.

Durability matters more than speed here: the database runs in WAL mode with
``synchronous=FULL`` and every session is written in one transaction, so a process killed at
any instant (SIGKILL, power cut) leaves either the whole session or none of it, and never a
corrupt file. The schema version lives in SQLite's ``user_version``; a file written by a newer
massagecam is refused rather than misread.
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from massagecam import paths
from massagecam.errors import DataFileError

#: Version of the database layout (PRAGMA user_version).
SCHEMA_VERSION = 1
KINDS = ("analyze", "live", "demo", "batch")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS session (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT,
    routine_id TEXT,
    routine_title TEXT,
    score REAL,
    partial INTEGER NOT NULL DEFAULT 0,
    duration_s REAL,
    frames INTEGER,
    feedback TEXT,
    settings TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS step (
    session_id INTEGER NOT NULL REFERENCES session(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    target TEXT,
    technique TEXT,
    score REAL,
    components TEXT NOT NULL DEFAULT '{}',
    feedback TEXT,
    PRIMARY KEY (session_id, idx)
);
CREATE INDEX IF NOT EXISTS session_started ON session(started_at);
"""


def default_path() -> Path:
    """``history.sqlite`` in the user's data folder (``MASSAGECAM_HOME`` overrides)."""
    return paths.data_dir() / "history.sqlite"


def now_iso() -> str:
    """The current UTC time as an ISO-8601 string with seconds (what the table stores)."""
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class StepRecord:
    """One routine step's outcome as stored."""

    index: int
    target: str
    technique: str
    score: float | None
    components: dict[str, float] = field(default_factory=dict)
    feedback: str = ""


@dataclass(frozen=True)
class SessionRecord:
    """One practice session as stored (what ``analyze``, ``demo`` and live practice write).

    Attributes:
        started_at: ISO-8601 UTC time the session began (the analysis run for videos).
        kind: "analyze", "live", "demo" or "batch".
        source: the video path or camera spec.
        routine_id / routine_title: the routine followed, None for free practice.
        score: session score 0..100, None without a routine.
        partial: True when the session was interrupted before the end.
        settings: receiving hand, mode, mirroring... (JSON-serialisable).
        steps: per-step scores.
        id: row id once stored (None before).
    """

    started_at: str
    kind: str
    source: str = ""
    routine_id: str | None = None
    routine_title: str | None = None
    score: float | None = None
    partial: bool = False
    duration_s: float | None = None
    frames: int | None = None
    feedback: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    steps: tuple[StepRecord, ...] = ()
    id: int | None = None


class History:
    """The history database; use as a context manager or call :meth:`close`.

    Args:
        path: database file; default :func:`default_path`. Its folder is created.

    Raises:
        DataFileError: the file is not a massagecam history database or is from a newer
            version.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise DataFileError(self.path, f"not a readable history database ({exc})") from None

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise DataFileError(self.path, f"history schema version {version} is newer than "
                                f"this massagecam understands ({SCHEMA_VERSION}); upgrade it")
        if version < SCHEMA_VERSION:
            with self._transaction():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (committed sessions are already on disk)."""
        self._db.close()

    # -- writing ------------------------------------------------------------------------
    def add(self, record: SessionRecord) -> int:
        """Store a session and its steps atomically; returns its id."""
        if record.kind not in KINDS:
            raise ValueError(f"SessionRecord.kind: expected one of {KINDS}, got {record.kind!r}")
        with self._transaction():
            cur = self._db.execute(
                "INSERT INTO session (started_at, recorded_at, kind, source, routine_id, "
                "routine_title, score, partial, duration_s, frames, feedback, settings) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (record.started_at, now_iso(), record.kind, record.source, record.routine_id,
                 record.routine_title, record.score, int(record.partial), record.duration_s,
                 record.frames, record.feedback, json.dumps(record.settings, sort_keys=True)))
            sid = int(cur.lastrowid or 0)
            self._db.executemany(
                "INSERT INTO step (session_id, idx, target, technique, score, components, "
                "feedback) VALUES (?,?,?,?,?,?,?)",
                [(sid, s.index, s.target, s.technique, s.score,
                  json.dumps(s.components, sort_keys=True), s.feedback) for s in record.steps])
        return sid

    # -- reading ------------------------------------------------------------------------
    def sessions(self, routine_id: str | None = None) -> list[SessionRecord]:
        """All stored sessions, oldest first (optionally of one routine), with their steps."""
        sql = ("SELECT id, started_at, kind, source, routine_id, routine_title, score, partial, "
               "duration_s, frames, feedback, settings FROM session")
        args: Sequence[Any] = ()
        if routine_id is not None:
            sql += " WHERE routine_id = ?"
            args = (routine_id,)
        rows = self._db.execute(sql + " ORDER BY started_at, id", args).fetchall()
        steps: dict[int, list[StepRecord]] = {}
        for sid, idx, target, tech, score, comps, fb in self._db.execute(
                "SELECT session_id, idx, target, technique, score, components, feedback "
                "FROM step ORDER BY session_id, idx"):
            steps.setdefault(sid, []).append(
                StepRecord(idx, target or "", tech or "", score, json.loads(comps), fb or ""))
        return [SessionRecord(started_at=r[1], kind=r[2], source=r[3] or "", routine_id=r[4],
                              routine_title=r[5], score=r[6], partial=bool(r[7]),
                              duration_s=r[8], frames=r[9], feedback=r[10] or "",
                              settings=json.loads(r[11]), steps=tuple(steps.get(r[0], ())),
                              id=r[0]) for r in rows]

    def integrity(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` answer ("ok" when the file is sound)."""
        return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])


CSV_FIELDS = ("id", "started_at", "kind", "source", "routine_id", "score", "partial",
              "duration_s", "frames", "feedback", "step_scores")


def write_csv(sessions: Sequence[SessionRecord], path: str | Path) -> Path:
    """One row per session; ``step_scores`` is "index:score" pairs separated by spaces."""
    out = Path(path)
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_FIELDS)
        for s in sessions:
            steps = " ".join(f"{st.index}:{'' if st.score is None else round(st.score, 1)}"
                             for st in s.steps)
            w.writerow([s.id, s.started_at, s.kind, s.source, s.routine_id or "",
                        "" if s.score is None else round(s.score, 1), int(s.partial),
                        "" if s.duration_s is None else round(s.duration_s, 2),
                        s.frames if s.frames is not None else "", s.feedback, steps])
    tmp.replace(out)
    return out


def plot_progress(sessions: Sequence[SessionRecord], path: str | Path) -> Path:
    """A PNG of session scores over time, one line per routine."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4), dpi=100)
    by_routine: dict[str, list[tuple[_dt.datetime, float]]] = {}
    for s in sessions:
        if s.score is None:
            continue
        when = _dt.datetime.fromisoformat(s.started_at)
        by_routine.setdefault(s.routine_id or "free practice", []).append((when, s.score))
    for name, pts in sorted(by_routine.items()):
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=name)
    if not by_routine:
        ax.text(0.5, 0.5, "no scored sessions yet", ha="center", va="center",
                transform=ax.transAxes)
    ax.set_ylim(0, 100)
    ax.set_ylabel("session score")
    ax.set_title("massagecam: score progress")
    ax.grid(alpha=0.3)
    if by_routine:
        ax.legend(loc="lower right", fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    out = Path(path)
    tmp = out.with_name(out.stem + ".tmp" + out.suffix)
    fig.savefig(tmp, format="png")
    plt.close(fig)
    tmp.replace(out)
    return out


def _steps(score: dict[str, Any] | None) -> tuple[StepRecord, ...]:
    """StepRecords from the ``score`` section of result.json (components 0..100)."""
    return tuple(StepRecord(st["index"], ",".join(st["target"]), ",".join(st["technique"]),
                            st["score"], {k: x for k, x in st["components"].items()
                                          if x is not None}, st["feedback"])
                 for st in (score["steps"] if score else []))


def record_from_result(result: dict[str, Any], *, kind: str, source: str,
                       started_at: str | None = None) -> SessionRecord:
    """A :class:`SessionRecord` from a result.json document (``analyze``/``batch``)."""
    s, r, v = result["score"], result["routine"], result["video"]
    steps = _steps(s)
    return SessionRecord(
        started_at=started_at or now_iso(), kind=kind, source=source,
        routine_id=r["id"] if r else None, routine_title=r["title"] if r else None,
        score=s["total"] if s else None, partial=bool(result["partial"]),
        duration_s=v["duration_s"], frames=v["frames_analysed"],
        feedback=s["feedback"] if s else "", settings=dict(result["settings"]), steps=steps)


def record_session(score: Any, routine: Any, *, kind: str = "live", source: str = "",
                   started_at: str | None = None, settings: dict[str, Any] | None = None,
                   duration_s: float | None = None, frames: int | None = None,
                   partial: bool = False, db: str | Path | None = None) -> int:
    """Store a finished session from the coach's ``SessionScore``; returns its id.

    The one call live practice needs at the end of a session (``score`` None = free practice).
    """
    from massagecam.report.result import score_json

    sj = score_json(score, routine)
    steps = _steps(sj)
    record = SessionRecord(
        started_at=started_at or now_iso(), kind=kind, source=source,
        routine_id=getattr(routine, "id", None), routine_title=getattr(routine, "title", None),
        score=sj["total"] if sj else None, partial=partial, duration_s=duration_s,
        frames=frames, feedback=sj["feedback"] if sj else "", settings=settings or {},
        steps=steps)
    with History(db) as h:
        return h.add(record)
