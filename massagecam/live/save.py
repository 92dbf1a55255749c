"""Saving a finished live session: history row, ``result.json`` and ``report.html``.

The same writers as ``massagecam analyze`` are used (ANALYZE's result header, report and
history record), so a live session reads like an analysed video in ``massagecam history``.
The live loop's timing figures go with it: in the history row's settings and in the result's
``settings.live_stats``.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from massagecam import paths

if TYPE_CHECKING:
    from massagecam.live.config import LiveSummary
    from massagecam.live.loop import LiveSession


def live_out_dir() -> Path:
    """``<data dir>/live/<local time>/``, where live sessions' reports go."""
    base = paths.data_dir() / "live" / time.strftime("%Y%m%d-%H%M%S")
    out, n = base, 1
    while out.exists():
        n += 1
        out = base.with_name(f"{base.name}-{n}")
    return out


def save_live_session(session: LiveSession,
                      summary: LiveSummary) -> tuple[int | None, Path | None]:
    """Write the report files and the history row; returns (history id, report path).

    Args:
        session: the finished :class:`~massagecam.live.loop.LiveSession`.
        summary: its :class:`~massagecam.live.loop.LiveSummary`.
    """
    from massagecam.history import now_iso, record_session

    pipe = session.pipeline
    info = session.source_info
    if pipe is None or info is None:
        return None, None
    started = session.started_at or now_iso()
    try:
        return _save_with_report(session, summary, started)
    except ImportError:  # without ANALYZE's writers: keep the score at least
        pass
    except Exception as exc:  # a practice session must never be lost to a report problem
        warnings.warn(f"live session report not written ({type(exc).__name__}: {exc}); "
                      "the session is stored in the history without it", stacklevel=2)
    sid = record_session(summary.score, pipe.routine, kind="live", source=str(info.name),
                         started_at=started, duration_s=summary.duration_s,
                         frames=summary.frames, partial=summary.partial,
                         settings={"live_stats": summary.stats}, db=session.config.db)
    return sid, None


def _save_with_report(session: LiveSession, summary: LiveSummary,
                      started: str) -> tuple[int, Path]:
    from massagecam.analyze import result_header
    from massagecam.history import History, record_from_result
    from massagecam.report import html as report_html
    from massagecam.report.result import timeline_rows, write_atomic_json

    pipe, info = session.pipeline, session.source_info
    reason = None if not summary.partial else f"live session ended: {summary.ended_by}"
    header = result_header(info, session.recorder, pipe.routine, summary.score, pipe, reason,
                           bool(summary.recordings), summary.duration_s)
    header["video"]["duration_s"] = round(summary.duration_s, 3)
    header["settings"]["live_stats"] = summary.stats
    header["settings"]["display_mirrored"] = bool(session.view.mirror)
    out = live_out_dir()
    out.mkdir(parents=True, exist_ok=True)
    write_atomic_json(out / "result.json", header, timeline_rows(session.recorder))
    report = report_html.write(out / "report.html", header, session.recorder, pipe.routine)
    record = record_from_result(header, kind="live", source=str(info.name), started_at=started)
    with History(session.config.db) as h:
        sid = h.add(record)
    return sid, report
