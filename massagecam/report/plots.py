"""The report's figures, drawn with matplotlib (Agg) and returned as PNG bytes.

PNG bytes, not files: the HTML report embeds them as base64 so it is one self-contained file
that opens offline. Every figure is drawn from the recorder's compact columns in one pass.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from massagecam.report.recorder import TECHNIQUES, Recorder

#: Okabe-Ito colours (colour-blind safe), as used by the overlay.
COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
          "#000000")
TECH_COLORS = {"hold": "#0072B2", "circles": "#E69F00", "stroke": "#009E73",
               "thumb_walk": "#CC79A7", "finger_pull": "#56B4E9", "none": "#DDDDDD"}


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    _plt().close(fig)
    return buf.getvalue()


def runs(values: np.ndarray) -> list[tuple[int, int, Any]]:
    """Run-length encoding: (start, stop, value) for each stretch of equal values."""
    if values.size == 0:
        return []
    cut = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.concatenate([[0], cut])
    stops = np.concatenate([cut, [values.size]])
    return [(int(a), int(b), values[a]) for a, b in zip(starts, stops, strict=True)]


def coverage_heatmap(points: dict[str, np.ndarray], size: tuple[int, int] = (360, 432)) -> bytes:
    """Where the presses landed, on the canonical palm and back diagrams, side by side.

    ``points`` are canonical coordinates (palm lengths, see ``massagecam.atlas.canonical``),
    one per press frame, so colour is press time. Uses the atlas's canonical diagrams when the
    atlas provides them; otherwise the density is drawn on plain axes in canonical units.
    """
    import cv2

    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(9, 5.4))
    for ax, side in zip(axes, ("palm", "back"), strict=True):
        pts = np.asarray(points.get(side, np.zeros((0, 2))), dtype=np.float64).reshape(-1, 2)
        background, mapper = _canonical(side, size)
        if background is not None:
            ax.imshow(background[:, :, ::-1])
            px = mapper(pts)
            w, h = background.shape[1], background.shape[0]
            xr, yr = (0.0, float(w)), (0.0, float(h))
        else:
            px = pts
            xr, yr = (-1.35, 1.35), (-1.95, 0.8)
            ax.set_xlim(*xr)
            ax.set_ylim(yr[1], yr[0])
            ax.set_aspect("equal")
        if len(px):
            bins = 120
            hist, xe, ye = np.histogram2d(px[:, 0], px[:, 1], bins=bins, range=[xr, yr])
            hist = cv2.GaussianBlur(hist.T.astype(np.float32), (0, 0), 2.0)
            hist = np.ma.masked_less(hist, 0.02 * float(hist.max()))
            ax.pcolormesh(xe, ye, hist, cmap="magma_r", alpha=0.6, shading="flat")
        else:
            ax.text(0.5, 0.04, "no presses", transform=ax.transAxes, ha="center", va="bottom",
                    color="#555555")
        ax.set_title(f"{side}: {len(pts)} press frames")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("Where the thumb pressed (darker = longer)")
    fig.tight_layout()
    return _png(fig)


def _canonical(side: str, size: tuple[int, int]) -> tuple[np.ndarray | None, Any]:
    """(diagram BGR, canonical→pixel mapper) from the atlas, or (None, None) if unavailable."""
    try:
        from massagecam.atlas import canonical_to_image, draw_canonical
    except ImportError:
        return None, None
    img = draw_canonical(side, size, zones=True, labels=False)

    def mapper(pts: np.ndarray) -> np.ndarray:
        if not len(pts):
            return np.zeros((0, 2))
        return np.asarray(canonical_to_image(pts, size), dtype=np.float64).reshape(-1, 2)

    return img, mapper


def majority_bins(values: np.ndarray, nbins: int) -> np.ndarray:
    """Downsample a small-int categorical series to at most ``nbins`` values (mode per bin).

    The report's figures then cost the same for a 10-minute video as for a 1-minute one:
    flicker in a long video would otherwise become tens of thousands of patches.
    """
    n = values.size
    if n <= nbins:
        return values
    v = values.astype(np.int64)
    lo = int(v.min())
    b = (np.arange(n) * nbins) // n
    counts = np.zeros((nbins, int(v.max()) - lo + 1), np.int32)
    np.add.at(counts, (b, v - lo), 1)
    return (np.argmax(counts, axis=1) + lo).astype(values.dtype)


def _bars(ax: Any, edges: np.ndarray, values: np.ndarray, colors: dict[int, str],
          labels: dict[int, str] | None = None, y: tuple[float, float] = (0.0, 1.0),
          alpha: float = 1.0) -> None:
    """One ``broken_barh`` collection per value: few artists whatever the run count."""
    by_value: dict[int, list[tuple[float, float]]] = {}
    for a, b, v in runs(values):
        if int(v) in colors:
            by_value.setdefault(int(v), []).append((edges[a], edges[b] - edges[a]))
    for v, xr in sorted(by_value.items()):
        ax.broken_barh(xr, y, facecolors=colors[v], alpha=alpha, lw=0,
                       label=None if labels is None else labels.get(v))


def timeline(rec: Recorder, routine: Any = None, max_zones: int = 10,
             max_bins: int = 1500) -> bytes:
    """Contact, zone and technique over time, against the routine step the coach was on."""
    plt = _plt()
    t = rec.timeline.column("t")
    fig, axes = plt.subplots(4, 1, figsize=(10, 6.2), sharex=True,
                             gridspec_kw={"height_ratios": [1, 1, 1, 2.4]})
    if t.size == 0:
        axes[0].text(0.5, 0.5, "no frames", transform=axes[0].transAxes, ha="center")
        return _png(fig)
    contact = rec.timeline.column("contact")
    on = rec.timeline.column("on_target")
    nb = min(t.size, max_bins)
    dt = float(np.median(np.diff(t))) if t.size > 1 else 1 / 30
    edges = np.linspace(float(t[0]), float(t[-1]) + dt, nb + 1)
    step = majority_bins(rec.timeline.column("step"), nb)
    state = majority_bins(np.where(~contact, 0, np.where(on == 1, 2, np.where(on == 0, 3, 1))),
                          nb)
    none = TECHNIQUES.index("none")
    shown = majority_bins(np.where(contact, rec.timeline.column("technique"), none), nb)
    for ax in axes[:3]:
        ax.set_yticks([])
        ax.set_ylim(0, 1)
    # 1. the plan: which step the coach was on
    ax = axes[0]
    plan = {s.index: s for s in routine.steps} if routine is not None else {}
    steps_seen = sorted(int(v) for v in set(step.tolist()) if v >= 0)
    _bars(ax, edges, step, {v: COLORS[v % len(COLORS)] for v in steps_seen}, alpha=0.35)
    for a, b, v in runs(step):
        if v >= 0 and edges[b] - edges[a] > 0.03 * (edges[-1] - edges[0]):
            s = plan.get(int(v))
            label = f"{int(v) + 1}" + (f" {'/'.join(s.techniques)}" if s is not None else "")
            ax.text((edges[a] + edges[b]) / 2, 0.5, label, ha="center", va="center",
                    fontsize=7, clip_on=True)
    ax.set_ylabel("step", rotation=0, ha="right", va="center")
    # 2. contact and on-target
    _bars(axes[1], edges, state, {1: "#777777", 2: "#009E73", 3: "#D55E00"},
          {1: "press", 2: "on target", 3: "off target"})
    axes[1].set_ylabel("press", rotation=0, ha="right", va="center")
    if (state > 0).any():
        axes[1].legend(loc="upper right", fontsize=7, ncol=3, framealpha=0.8)
    # 3. technique while pressing
    _bars(axes[2], edges, shown, {i: TECH_COLORS[n] for i, n in enumerate(TECHNIQUES)
                                  if n != "none"}, dict(enumerate(TECHNIQUES)))
    axes[2].set_ylabel("stroke", rotation=0, ha="right", va="center")
    if (shown != none).any():
        axes[2].legend(loc="upper right", fontsize=7, ncol=5, framealpha=0.8)
    # 4. zone of the press (most frequent zones get a row each)
    # one name per zone set: a routine target when the set holds one, else the smallest zone
    wanted = {t for st in routine.steps for t in st.targets} if routine is not None else set()
    first = np.array([next((z for z in zs if z in wanted), zs[0]) if zs else ""
                      for zs in rec.zone_sets], dtype=object)
    zname = first[rec.timeline.column("zones")]
    pressed = contact & (zname != "")
    names, counts = np.unique(zname[pressed].astype(str), return_counts=True)
    top = [str(n) for n in names[np.argsort(-counts, kind="stable")][:max_zones]]
    ax = axes[3]
    for row, name in enumerate(top):
        m = majority_bins((pressed & (zname == name)).astype(np.int8), nb)
        _bars(ax, edges, m, {1: COLORS[row % len(COLORS)]}, y=(row - 0.3, 0.6))
    ax.set_yticks(range(len(top)), top, fontsize=7)
    ax.set_ylim(-0.7, max(len(top), 1) - 0.3)
    ax.set_ylabel("zone")
    ax.set_xlabel("time (s)")
    ax.set_xlim(edges[0], edges[-1])
    fig.tight_layout()
    return _png(fig)


def step_breakdown(score: dict[str, Any]) -> bytes:
    """Each step's score components as grouped horizontal bars."""
    plt = _plt()
    steps = score["steps"]
    comps = sorted({k for s in steps for k, v in s["components"].items() if v is not None})
    fig, ax = plt.subplots(figsize=(9, 0.55 * max(len(steps), 1) * max(len(comps), 1) / 2 + 1.2))
    height = 0.8 / max(len(comps), 1)
    for j, comp in enumerate(comps):
        vals = [s["components"].get(comp) or 0.0 for s in steps]
        ys = np.arange(len(steps)) + j * height
        ax.barh(ys, vals, height=height, color=COLORS[j % len(COLORS)], label=comp)
    ax.set_yticks(np.arange(len(steps)) + 0.4 - height / 2,
                  [f"step {s['index'] + 1}: {s['score']:.0f}" for s in steps], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("component score (0-100)")
    ax.legend(loc="lower right", fontsize=7, ncol=len(comps) or 1)
    fig.tight_layout()
    return _png(fig)
