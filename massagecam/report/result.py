"""``result.json``: the versioned, documented record of one analysed session.

The layout is fixed by ``result.schema.json`` (next to this file) and explained field by field
in ``docs/result-schema.md``. The timeline is streamed from the recorder's columns straight to
the file, so writing a long session needs no more memory than a short one. Files are written
under a temporary name and renamed, so a reader never sees half a result.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np

from massagecam.report.recorder import (
    FINGERS,
    PAIRS,
    SIDES,
    TECHNIQUES,
    Recorder,
    TrackingCounts,
)

SCHEMA_NAME = "massagecam-result"
SCHEMA_VERSION = "1.1"
SCHEMA_PATH = Path(__file__).with_name("result.schema.json")
RECEIVER_STATE = ("absent", "seen", "estimated")

#: Share of frames above which a tracking problem earns a warning in the report.
WARN_SHARE = 0.15


def load_schema() -> dict[str, Any]:
    """The JSON Schema of result.json (draft 2020-12)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None else round(float(x), nd)


def routine_json(routine: Any) -> dict[str, Any] | None:
    """The ``routine`` section: the plan the session was measured against."""
    if routine is None:
        return None
    steps = []
    for s in routine.steps:
        steps.append({
            "index": int(s.index), "title": s.title or s.label, "target": list(s.targets),
            "side": s.side, "technique": list(s.techniques), "duration_s": _r(s.duration_s),
            "reps": s.reps, "rhythm_hz": list(s.rhythm_hz) if s.rhythm_hz else None,
            "instruction": s.instruction, "cautions": list(s.cautions),
        })
    return {"id": routine.id, "title": routine.title, "receiving": routine.receiving,
            "path": str(routine.path), "cautions": list(routine.cautions),
            "sources": list(routine.sources), "steps": steps}


def score_json(score: Any, routine: Any) -> dict[str, Any] | None:
    """The ``score`` section from the coach's ``SessionScore`` (None without a routine).

    Components are reported 0..100 like the scores (the scorer computes them 0..1).
    """
    if score is None:
        return None
    plan = {s.index: s for s in routine.steps} if routine is not None else {}
    steps = []
    for st in score.steps:
        idx = int(st.index)
        step = plan.get(idx)
        steps.append({
            "index": idx, "title": str(st.title),
            "target": list(st.targets) if st.targets else
            (list(step.targets) if step is not None else []),
            "technique": list(step.techniques) if step is not None else [],
            "score": _r(st.score, 1),
            "components": {str(k): _r(100.0 * v, 1) for k, v in sorted(st.components.items())},
            "weights": {str(k): _r(v, 3) for k, v in sorted(st.weights.items())},
            "deductions": {str(k): _r(v, 1) for k, v in sorted(st.deductions.items())},
            "feedback": str(st.feedback), "measured": _plain(st.measured),
        })
    return {"total": _r(score.score, 1), "feedback": str(score.feedback),
            "receiving_hand": score.receiving_hand, "steps": steps}


def _plain(value: Any) -> Any:
    """JSON-safe copy (tuples to lists, numpy scalars to floats, NaN to None)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def tracking_json(c: TrackingCounts, events_dropped: int = 0,
                  reshaped: int = 0) -> dict[str, Any]:
    """The ``tracking`` section: shares of frames and plain-language warnings.

    ``reshaped``: frames whose receiving hand's wrist or thumb the tracker placed from the
    hand's own shape seen earlier (:class:`massagecam.tracking.receiver_shape.ReceiverShape`).
    """
    n = max(c.frames, 1)

    def share(k: int) -> float:
        return round(k / n, 4)

    warnings = []
    if c.frames == 0:
        warnings.append("No frame was analysed.")
    elif share(c.two_hands) < 1 - WARN_SHARE:
        warnings.append(f"Both hands were detected together in only "
                        f"{100 * share(c.two_hands):.0f}% of frames: keep both hands in view "
                        "(the giving hand may hide part of the receiving one, not all of it).")
    if c.frames and share(c.receiver_seen) < 1 - WARN_SHARE:
        warnings.append(f"The receiving hand was not detected in "
                        f"{100 * (1 - share(c.receiver_seen)):.0f}% of frames "
                        f"(held from its last pose in {100 * share(c.receiver_estimated):.0f}%): "
                        "locations there are estimates or missing.")
    if c.frames and share(c.giver_seen + c.giver_estimated) < 1 - WARN_SHARE:
        warnings.append(f"The giving hand was not identified in "
                        f"{100 * (1 - share(c.giver_seen + c.giver_estimated)):.0f}% of frames.")
    if share(c.third_hand) > 0.02:
        warnings.append(f"A third hand was in view in {100 * share(c.third_hand):.0f}% of "
                        "frames; it was ignored.")
    if c.frames and share(reshaped) > WARN_SHARE:
        warnings.append(f"The receiving hand's wrist or thumb was hidden or pulled along in "
                        f"{100 * share(reshaped):.0f}% of frames; there they were placed "
                        "from the hand's shape seen before.")
    if share(c.side_unknown) > WARN_SHARE:
        warnings.append(f"Palm or back could not be told apart in "
                        f"{100 * share(c.side_unknown):.0f}% of frames.")
    for hint, k in sorted(c.hints.items()):
        if hint in ("move closer", "more light") and share(k) > WARN_SHARE:
            warnings.append(f"'{hint}' was shown in {100 * share(k):.0f}% of frames.")
    return {
        "frames": c.frames, "share_two_hands": share(c.two_hands),
        "share_receiver_seen": share(c.receiver_seen),
        "share_receiver_estimated": share(c.receiver_estimated),
        "share_giver_seen": share(c.giver_seen),
        "share_giver_estimated": share(c.giver_estimated),
        "share_receiver_reshaped": share(reshaped),
        "share_third_hand": share(c.third_hand), "share_side_unknown": share(c.side_unknown),
        "hints": {k: int(v) for k, v in sorted(c.hints.items())}, "warnings": warnings,
        "contacts_dropped": int(events_dropped),
    }


def timeline_rows(rec: Recorder) -> Iterator[dict[str, Any]]:
    """The per-frame timeline entries, generated chunk by chunk from the recorder."""
    zone_sets = rec.zone_sets
    for ch in rec.timeline.chunks():
        for i in range(len(ch["frame"])):
            step = int(ch["step"][i])
            on = int(ch["on_target"][i])
            finger = FINGERS[int(ch["finger"][i])]
            pair = int(ch["pair"][i])
            row = {
                "frame": int(ch["frame"][i]), "t": round(float(ch["t"][i]), 4),
                "step": None if step < 0 else step, "contact": bool(ch["contact"][i]),
                "zones": list(zone_sets[int(ch["zones"][i])]),
                "on_target": None if on < 0 else bool(on),
                "technique": TECHNIQUES[int(ch["technique"][i])],
                "side": SIDES[int(ch["side"][i])], "finger": finger or None,
                "hands": int(ch["hands"][i]),
                "receiver": RECEIVER_STATE[int(ch["receiver"][i])],
            }
            if pair >= 0:  # caregiver mode: the two-handed technique of this frame
                row["pair"] = PAIRS[pair]
            yield row


def _dump_stream(fh: IO[str], header: dict[str, Any], rows: Iterator[dict[str, Any]]) -> None:
    # The header is a non-empty object: drop its closing brace and continue with the timeline.
    head = json.dumps(header, indent=1, ensure_ascii=False)
    fh.write(head[:-1].rstrip())
    fh.write(',\n "timeline": [')
    first = True
    for row in rows:
        fh.write("\n  " if first else ",\n  ")
        fh.write(json.dumps(row, separators=(",", ":"), ensure_ascii=False))
        first = False
    fh.write("\n ]\n}\n")


def write_atomic_json(path: Path, header: dict[str, Any],
                      rows: Iterator[dict[str, Any]] | None = None) -> Path:
    """Write ``header`` (plus a streamed ``timeline``) to ``path`` via a temporary name."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            if rows is None:
                json.dump(header, fh, indent=1, ensure_ascii=False)
            else:
                _dump_stream(fh, header, rows)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def canonical_points(rec: Recorder) -> dict[str, np.ndarray]:
    """Press points on the canonical diagrams, per side: {"palm": (n,2), "back": (n,2)}."""
    cx, cy = rec.timeline.column("cx"), rec.timeline.column("cy")
    side = rec.timeline.column("side")
    contact = rec.timeline.column("contact")
    ok = contact & np.isfinite(cx) & np.isfinite(cy)
    return {s: np.stack([cx[ok & (side == SIDES.index(s))], cy[ok & (side == SIDES.index(s))]],
                        axis=1) for s in ("palm", "back")}
