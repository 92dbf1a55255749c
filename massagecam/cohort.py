"""The cohort summary of a batch: ``summary.csv`` and a self-contained ``summary.html``.

Split from :mod:`massagecam.batch` because it only reads finished ``result.json`` files: it
knows nothing of engines or jobs' running, so a summary can be rebuilt from any output folder
(resumed batches summarise everything, not just the videos of the last run).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from massagecam.batch import Job


def summary_rows(out: Path, jobs: Sequence[Job],
                 failures: Sequence[tuple[str, str]] = ()) -> list[dict[str, Any]]:
    """One row per job: cohort labels, status, total and per-step scores (from result.json)."""
    why = dict(failures)
    rows = []
    for job in jobs:
        row: dict[str, Any] = {"person": job.person, "session": job.session, "folder": job.rel,
                               "video": job.video, "status": "missing", "routine": "",
                               "score": None, "frames": None, "duration_s": None,
                               "feedback": "", "reason": why.get(job.rel, ""), "steps": {}}
        path = out / job.rel / "result.json"
        if job.rel in why:
            row["status"] = "failed"
        elif path.is_file():
            with path.open(encoding="utf-8") as f:
                doc = json.load(f)
            s, r, v = doc.get("score"), doc.get("routine"), doc["video"]
            row.update(status="partial" if doc.get("partial") else "done",
                       routine=r["id"] if r else "", frames=v["frames_analysed"],
                       duration_s=v["duration_s"], score=s["total"] if s else None,
                       feedback=s["feedback"] if s else "",
                       steps={int(st["index"]): (st.get("title") or "", st["score"])
                              for st in (s["steps"] if s else [])})
        rows.append(row)
    return rows


def write_summary(out: Path, jobs: Sequence[Job],
                  failures: Sequence[tuple[str, str]] = ()) -> tuple[Path, Path]:
    """Write ``summary.csv`` and ``summary.html`` for the batch; returns their paths."""
    import csv

    rows = summary_rows(out, jobs, failures)
    steps = sorted({i for r in rows for i in r["steps"]})
    csv_path = out / "summary.csv"
    tmp = out / ".summary.csv.tmp"
    with tmp.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["person", "session", "folder", "status", "routine", "score", "frames",
                    "duration_s", *[f"step_{i}" for i in steps], "feedback", "reason",
                    "video"])
        for r in rows:
            w.writerow([r["person"], r["session"], r["folder"], r["status"], r["routine"],
                        _cell(r["score"]), _cell(r["frames"]), _cell(r["duration_s"]),
                        *[_cell(r["steps"].get(i, (None, None))[1]) for i in steps],
                        r["feedback"], r["reason"], r["video"]])
    tmp.replace(csv_path)
    html_path = out / "summary.html"
    tmp = out / ".summary.html.tmp"
    tmp.write_text(_html(rows, steps), encoding="utf-8")
    tmp.replace(html_path)
    return csv_path, html_path


def _cell(x: Any) -> str:
    return "" if x is None else str(x)


def _html(rows: list[dict[str, Any]], steps: list[int]) -> str:
    """A self-contained page: sessions per person, score distribution per step, failures."""
    from html import escape

    people = sorted({r["person"] for r in rows})
    sessions = sorted({r["session"] for r in rows})
    head = "".join(f"<th>{escape(s)}</th>" for s in sessions)
    body = []
    for p in people:
        cells = []
        for s in sessions:
            r = next((r for r in rows if r["person"] == p and r["session"] == s), None)
            if r is None:
                cells.append("<td></td>")
            elif r["status"] == "failed":
                cells.append(f'<td class="fail" title="{escape(r["reason"])}">failed</td>')
            elif r["score"] is None:
                cells.append(f"<td>{escape(r['status'] if r['status'] != 'done' else '–')}"
                             "</td>")
            else:
                mark = "*" if r["status"] == "partial" else ""
                cells.append(f'<td style="background:{_colour(r["score"])}" '
                             f'title="{escape(r["feedback"])}">{r["score"]:.0f}{mark}</td>')
        body.append(f"<tr><th>{escape(p or '–')}</th>{''.join(cells)}</tr>")
    dist = []
    for i in steps:
        vals = sorted(r["steps"][i][1] for r in rows if i in r["steps"]
                      and r["steps"][i][1] is not None)
        title = next((r["steps"][i][0] for r in rows if i in r["steps"]), "")
        if not vals:
            continue
        med = vals[len(vals) // 2] if len(vals) % 2 else \
            (vals[len(vals) // 2 - 1] + vals[len(vals) // 2]) / 2
        dist.append(f"<tr><th>{i}. {escape(title)}</th><td>{len(vals)}</td>"
                    f"<td>{vals[0]:.0f}</td><td>{med:.0f}</td><td>{vals[-1]:.0f}</td>"
                    f"<td>{_histogram(vals)}</td></tr>")
    fails = "".join(f"<li><b>{escape(r['folder'])}</b>: {escape(r['reason'])}</li>"
                    for r in rows if r["status"] == "failed")
    done = sum(r["status"] == "done" for r in rows)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>massagecam cohort summary</title><style>
body{{font-family:system-ui,sans-serif;margin:2em;color:#222}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:4px 8px;
text-align:center}}th{{background:#f4f4f4}}td.fail{{color:#a00}}</style></head><body>
<h1>Cohort summary</h1><p>{len(rows)} videos: {done} analysed,
{sum(r["status"] == "failed" for r in rows)} failed,
{sum(r["status"] == "partial" for r in rows)} partial (*).</p>
<h2>Session scores per person (0–100)</h2>
<table><tr><th>person \\ session</th>{head}</tr>{"".join(body)}</table>
<h2>Score distribution per step</h2>
<table><tr><th>step</th><th>n</th><th>min</th><th>median</th><th>max</th>
<th>histogram 0–100 (10-point bins)</th></tr>{"".join(dist)}</table>
{"<h2>Failures</h2><ul>" + fails + "</ul>" if fails else ""}
</body></html>
"""


def _colour(score: float) -> str:
    """Red (0) → yellow (50) → green (100), light enough to read text on."""
    x = max(0.0, min(100.0, float(score))) / 100.0
    hue = int(120 * x)
    return f"hsl({hue},70%,80%)"


def _histogram(vals: Sequence[float], w: int = 200, h: int = 40) -> str:
    counts = [0] * 10
    for v in vals:
        counts[min(9, max(0, int(v // 10)))] += 1
    top = max(counts) or 1
    bars = "".join(
        f'<rect x="{k * w / 10 + 1:.0f}" y="{h - c / top * h:.1f}" width="{w / 10 - 2:.0f}" '
        f'height="{c / top * h:.1f}" fill="#4a7"><title>{10 * k}–{10 * k + 10}: {c}'
        "</title></rect>" for k, c in enumerate(counts))
    return (f'<svg width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img">'
            f'<rect width="{w}" height="{h}" fill="#fafafa"/>{bars}</svg>')
