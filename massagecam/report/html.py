"""``report.html``: one self-contained page a user can open, keep or mail.

No network, no script, no external file: styles are inline and figures are base64 PNGs, so
the page renders the same offline, in a mail client or years later. Order follows what a user
asks first: the score and what cost points, then safety notes, where the presses landed, the
timeline against the plan, the per-step breakdown, then tracking quality and the small print.
"""

from __future__ import annotations

import base64
import html
import os
from collections import Counter
from pathlib import Path
from typing import Any

from massagecam.report import plots
from massagecam.report.recorder import Recorder
from massagecam.report.result import canonical_points

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f6f6f4;
color:#222;line-height:1.45}
main{max-width:980px;margin:0 auto;padding:24px}
h1{font-size:1.5em;margin:0 0 4px}h2{font-size:1.15em;margin:28px 0 8px;border-bottom:1px solid
#ccc;padding-bottom:4px}
.hero{display:flex;gap:24px;align-items:center;background:#fff;border-radius:10px;padding:18px;
box-shadow:0 1px 3px rgba(0,0,0,.12)}
.score{font-size:3.2em;font-weight:700;min-width:120px;text-align:center}
.good{color:#007a55}.fair{color:#b37400}.poor{color:#c0392b}.muted{color:#666}
.partial{background:#fff3cd;border:1px solid #e0c060;padding:8px 12px;border-radius:6px;
margin:12px 0}
.caution{background:#fdecea;border-left:4px solid #c0392b;padding:8px 12px;margin:12px 0}
.warn{background:#fff8e1;border-left:4px solid #e69f00;padding:6px 12px;margin:6px 0}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.9em}
th,td{border-bottom:1px solid #e2e2e2;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eee}img{max-width:100%;background:#fff;border-radius:6px}
footer{font-size:.8em;color:#666;margin-top:32px}
"""


def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x))


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{data}">'


def _grade(score: float) -> str:
    return "good" if score >= 75 else ("fair" if score >= 50 else "poor")


def render(result: dict[str, Any], rec: Recorder, routine: Any = None) -> str:
    """The report page as a string, from result.json's header and the recorder."""
    video, score, tracking = result["video"], result["score"], result["tracking"]
    title = f"massagecam report: {video['name']}"
    out: list[str] = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{_e(title)}</h1>",
        f'<div class="muted">{_e(video["duration_s"])} s analysed, {video["frames_analysed"]} '
        f"frames, {_e(video['width'])}×{_e(video['height'])} at {video['fps']:.1f} fps</div>",
    ]
    if result.get("partial"):
        out.append(f'<div class="partial"><b>Partial result:</b> '
                   f'{_e(result.get("partial_reason") or "analysis stopped early")}. Only the '
                   "frames analysed before the stop are included.</div>")
    out.append(_hero(result))
    r = result["routine"]
    cautions = list(r["cautions"]) if r else []
    if r:
        for s in r["steps"]:
            cautions += [c for c in s.get("cautions", []) if c not in cautions]
    if cautions:
        out.append("<h2>Cautions</h2>")
        out += [f'<div class="caution">{_e(c)}</div>' for c in cautions]
    out.append("<h2>Where you pressed</h2>")
    out.append(_img(plots.coverage_heatmap(canonical_points(rec)), "coverage heatmap"))
    out.append("<h2>Timeline</h2>")
    out.append('<p class="muted">Top: the routine step the coach was on. Then press (green on '
               "target, orange off target), the recognised stroke, and the zone under the "
               "thumb.</p>")
    out.append(_img(plots.timeline(rec, routine), "timeline"))
    if score is not None:
        out.append("<h2>Step by step</h2>")
        out.append(_steps_table(score, r))
        if score["steps"]:
            out.append(_img(plots.step_breakdown(score), "per-step score components"))
    out.append("<h2>Tracking quality</h2>")
    if tracking["warnings"]:
        out += [f'<div class="warn">{_e(w)}</div>' for w in tracking["warnings"]]
    else:
        out.append("<p>Both hands were tracked well throughout.</p>")
    out.append(_tracking_table(tracking))
    out.append(_contacts_table(result["contacts"]))
    if r and r.get("sources"):
        out.append("<h2>Sources of the routine</h2><ul>")
        out += [f"<li>{_e(s)}</li>" for s in r["sources"]]
        out.append("</ul>")
    out.append(f"<footer>massagecam {_e(result['massagecam_version'])}, result schema "
               f"{_e(result['schema_version'])}, created {_e(result['created_at'])}. Feedback "
               "is on technique only; reflexology zone claims lack mechanistic evidence and "
               "charts vary. Stop on sharp pain, dizziness or distress.</footer>")
    out.append("</main></body></html>")
    return "\n".join(out)


def _hero(result: dict[str, Any]) -> str:
    score, r = result["score"], result["routine"]
    if score is None:
        n = len(result["contacts"])
        press_s = sum(c["end"] - c["start"] for c in result["contacts"])
        return (f'<div class="hero"><div class="score muted">–</div><div><b>Free practice</b> '
                f"(no routine chosen, so no score).<br>{n} presses, {press_s:.1f} s of pressing."
                " Run with <code>--routine ID</code> to be scored.</div></div>")
    total = float(score["total"])
    return (f'<div class="hero"><div class="score {_grade(total)}">{total:.0f}</div><div>'
            f"<b>{_e(r['title'] if r else '')}</b><br>{_e(score['feedback'])}</div></div>")


def _steps_table(score: dict[str, Any], routine: dict[str, Any] | None) -> str:
    comps = sorted({k for s in score["steps"] for k in s["components"]})
    plan = {s["index"]: s for s in routine["steps"]} if routine else {}
    rows = ["<table><tr><th>#</th><th>step</th><th>score</th>"
            + "".join(f"<th>{_e(c)}</th>" for c in comps) + "<th>feedback</th></tr>"]
    for s in score["steps"]:
        p = plan.get(s["index"], {})
        name = p.get("title") or f"{'/'.join(s['technique'])} on {', '.join(s['target'])}"
        cells = "".join("<td>–</td>" if s["components"].get(c) is None
                        else f"<td>{s['components'][c]:.0f}</td>" for c in comps)
        rows.append(f"<tr><td>{s['index'] + 1}</td><td>{_e(name)}</td>"
                    f'<td class="{_grade(s["score"])}"><b>{s["score"]:.0f}</b></td>{cells}'
                    f"<td>{_e(s['feedback'])}</td></tr>")
    rows.append("</table>")
    return "\n".join(rows)


def _tracking_table(t: dict[str, Any]) -> str:
    labels = [("share_two_hands", "two hands detected"),
              ("share_receiver_seen", "receiving hand detected"),
              ("share_receiver_estimated", "receiving hand held (estimated)"),
              ("share_receiver_reshaped", "receiving hand's wrist or thumb placed from its shape"),
              ("share_giver_seen", "giving hand detected"),
              ("share_third_hand", "a third hand in view"),
              ("share_side_unknown", "palm/back unknown")]
    rows = [f"<tr><td>{_e(label)}</td><td>{100 * t.get(k, 0):.0f}%</td></tr>"
            for k, label in labels]
    hints = "".join(f"<tr><td>hint “{_e(h)}”</td><td>{n} frames</td></tr>"
                    for h, n in t["hints"].items())
    return f"<table><tr><th>of {t['frames']} frames</th><th>share</th></tr>{''.join(rows)}" \
           f"{hints}</table>"


def _thumbs_summary(contacts: list[dict[str, Any]]) -> str:
    """One line per giving thumb ("left thumb: 12 presses, 34.0 s, mostly stroke").

    Shown when presses of more than one hand were recorded (caregiver mode), so the report
    says which of the caregiver's thumbs did what.
    """
    by: dict[str, list[dict[str, Any]]] = {}
    for c in contacts:
        if c.get("thumb"):
            by.setdefault(str(c["thumb"]), []).append(c)
    if len(by) < 2:
        return ""
    items = []
    for thumb, cs in sorted(by.items()):
        total = sum(float(c.get("duration_s", c["end"] - c["start"])) for c in cs)
        techs = Counter(c["technique"] for c in cs if c["technique"] != "none")
        pairs = Counter(c["pair_technique"] for c in cs if c.get("pair_technique"))
        words = f"mostly {techs.most_common(1)[0][0].replace('_', ' ')}" if techs else "no stroke"
        if pairs:
            words += f"; two-handed: {pairs.most_common(1)[0][0].replace('_', ' ')}"
        items.append(f"<li>Caregiver's {_e(thumb)}: {len(cs)} presses, {total:.1f} s, "
                     f"{_e(words)}</li>")
    return "<h3>Which thumb did what</h3><ul>" + "".join(items) + "</ul>"


def _contacts_table(contacts: list[dict[str, Any]], limit: int = 200) -> str:
    if not contacts:
        return "<h2>Presses</h2><p>No press was detected.</p>"
    pair_col = any(c.get("pair_technique") for c in contacts)
    rows = ["<h2>Presses</h2>", _thumbs_summary(contacts),
            "<table><tr><th>start (s)</th><th>end (s)</th><th>finger</th>"
            "<th>side</th><th>zone</th><th>stroke</th><th>rhythm (Hz)</th>"
            + ("<th>two-handed</th>" if pair_col else "") + "</tr>"]
    for c in contacts[:limit]:
        hz = "" if c["rhythm_hz"] is None else f"{c['rhythm_hz']:.2f}"
        extra = f"<td>{_e((c.get('pair_technique') or '–').replace('_', ' '))}</td>" \
            if pair_col else ""
        rows.append(f"<tr><td>{c['start']:.2f}</td><td>{c['end']:.2f}</td>"
                    f"<td>{_e(c.get('thumb') or c['finger'])}</td><td>{_e(c.get('side'))}</td>"
                    f"<td>{_e(c['zone'] or '–')}</td><td>{_e(c['technique'])}</td>"
                    f"<td>{hz}</td>{extra}</tr>")
    rows.append("</table>")
    if len(contacts) > limit:
        rows.append(f'<p class="muted">… and {len(contacts) - limit} more in result.json.</p>')
    return "\n".join(rows)


def write(path: Path, result: dict[str, Any], rec: Recorder, routine: Any = None) -> Path:
    """Render and write the report atomically (temporary name, then rename)."""
    text = render(result, rec, routine)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
