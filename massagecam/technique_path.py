"""Shape of a press path over time: press runs, robust lines, sawtooth passes and jumps.

Helpers of :mod:`massagecam.technique` (documented in docs/contact-technique.md). A *press
run* is a stretch of in-contact samples without a pause longer than :data:`GAP_S`. Paths are
(n, 2) points in the receiver's palm frame (palm lengths) with their times (n,) in seconds.

On rendered video the contact detector misses some lifts, so a path can hold the thumb's quick
return after a stroke (a *sawtooth*) or its glide to the next point (a *jump*); these helpers
find both so the classifier judges only the pressed part.
"""

from __future__ import annotations

import functools

import numpy as np

TRIM = 2  # samples dropped at both ends of a press run before fitting its line
GAP_S = 0.25  # a pause longer than this splits the path into separate press runs
#: Sawtooth strokes (returns not seen as lifts): at least SAW_MIN_S of path spanning SAW_MIN_L
#: palm lengths, the slow way taking SAW_SLOW_SHARE of the moving time, returns
#: SAW_SPEED_RATIO times quicker.
SAW_MIN_S, SAW_MIN_L, SAW_SLOW_SHARE, SAW_SPEED_RATIO = 1.0, 0.15, 0.55, 1.4
SAW_RETURN_SHARE = 0.6  # one return covers at least this share of the path's extent
#: A jump to another place (``settled_after_jump``): > JUMP_L palm lengths within JUMP_S; the path
#: after it counts alone once it lasts SETTLE_S and stays within SETTLE_L of its centre.
JUMP_L, JUMP_S, SETTLE_S, SETTLE_L = 0.3, 0.5, 0.5, 0.25


def press_runs(t: np.ndarray) -> list[slice]:
    """Slices of ``t`` between pauses longer than :data:`GAP_S` (lifts, long dropouts)."""
    cuts = np.flatnonzero(np.diff(t) > GAP_S) + 1
    edges = [0, *cuts.tolist(), len(t)]
    return [slice(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]


@functools.lru_cache(maxsize=128)
def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(n, 1)


def line_fit(t: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Velocity (2,) and residuals of a robust (Theil-Sen-like) line through a press run.

    The velocity is the median of the velocities between sample pairs >= 0.2 s apart, so
    a few half-lifted frames at a run's ends, or a short glide back merged into the run, do
    not bend it.
    """
    step = max(len(t) // 40, 1)  # at most ~800 pairs
    ts, ps = t[::step], p[::step]
    i, j = _pairs(len(ts))
    dt = ts[j] - ts[i]
    ok = dt >= 0.2
    if ok.sum() < 3:
        ok = dt > 0
    v = np.median((ps[j[ok]] - ps[i[ok]]) / dt[ok, None], axis=0)
    fit = np.median(p - t[:, None] * v, axis=0) + t[:, None] * v
    return v, p - fit


def run_fits(runs: list[tuple[np.ndarray, np.ndarray]]
              ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, float] | None:
    """A robust line through each press run, summarised; None when no run is long enough.

    Returns (speed, mean velocity, times, along-path residuals, rms sideways residual).
    Speed is the duration-weighted median of the runs' speeds (one run off by a stale
    receiver is outvoted); the mean velocity is their duration-weighted mean.
    """
    vel, weight, resid_t, resid_s, resid_n = [], [], [], [], []
    for tr_, pr_ in runs:
        if len(tr_) >= 9:  # the first and last frames of a run are half lifted
            tr_, pr_ = tr_[TRIM:-TRIM], pr_[TRIM:-TRIM]
        if len(tr_) < 4 or tr_[-1] - tr_[0] < 0.15:
            continue
        v, res = line_fit(tr_, pr_)
        vel.append(v)
        weight.append(tr_[-1] - tr_[0])
        u = v / (np.hypot(*v) or 1.0)
        resid_t.append(tr_)
        resid_s.append(res @ u)
        resid_n.append(res @ np.array([-u[1], u[0]]))
    if not vel:
        return None
    w = np.asarray(weight)
    vmat = np.asarray(vel)
    speeds = np.hypot(vmat[:, 0], vmat[:, 1])
    order = np.argsort(speeds)
    cum = np.cumsum(w[order])
    speed = float(speeds[order][np.searchsorted(cum, 0.5 * cum[-1])])
    mean_v = np.average(vmat, axis=0, weights=w)
    sideways = float(np.sqrt(np.mean(np.concatenate(resid_n) ** 2)))
    return speed, mean_v, np.concatenate(resid_t), np.concatenate(resid_s), sideways


def sawtooth_passes(t: np.ndarray, p: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """The slow passes of a back-and-forth path whose returns are quicker, or None.

    A stroke (or pull, or walk) presses along one way and glides back lifted, usually faster.
    When the lift is not seen, the path is a sawtooth along one axis: long slow passes one way,
    short quick ones back that cover most of the way. A symmetric back-and-forth (friction)
    is not one, nor is a path whose only backward moves are jitter.
    """
    if len(t) < 20 or t[-1] - t[0] < SAW_MIN_S:
        return None
    ps = smooth(p, 5)
    c = ps - ps.mean(axis=0)
    axis = np.linalg.svd(c, full_matrices=False)[2][0]
    s = c @ axis
    if np.ptp(s) < SAW_MIN_L:
        return None
    v = np.gradient(s, t)
    gap = np.diff(t) > GAP_S
    seen_lift = np.r_[False, gap] | np.r_[gap, False]  # moves across a seen lift do not count
    moving = (np.abs(v) > 0.05) & ~seen_lift
    if moving.sum() < 10:
        return None
    dt = np.gradient(t)
    fwd = 1.0 if dt[moving & (v > 0)].sum() >= dt[moving & (v < 0)].sum() else -1.0
    slow, quick = moving & (v * fwd > 0), moving & (v * fwd < 0)
    if quick.sum() < 3 or dt[slow].sum() < SAW_SLOW_SHARE * dt[moving].sum():
        return None
    if np.median(np.abs(v[quick])) < SAW_SPEED_RATIO * np.median(np.abs(v[slow])):
        return None
    qcuts = np.flatnonzero(np.diff(quick.astype(int)) != 0) + 1
    qedges = [0, *qcuts.tolist(), len(t)]
    back = max((abs(s[b - 1] - s[a]) for a, b in zip(qedges[:-1], qedges[1:], strict=True)
                if quick[a]), default=0.0)
    if back < SAW_RETURN_SHARE * np.ptp(s):
        return None  # no return covers the way back: the backward moves are jitter
    cuts = np.flatnonzero(np.diff(slow.astype(int)) != 0) + 1
    edges = [0, *cuts.tolist(), len(t)]
    passes = [(t[a:b], p[a:b]) for a, b in zip(edges[:-1], edges[1:], strict=True)
              if slow[a] and t[b - 1] - t[a] >= 0.3]
    return passes or None


def settled_after_jump(t: np.ndarray, p: np.ndarray) -> int:
    """Index where the path settled after its last jump to another place, or 0.

    A jump moves more than ``JUMP_L`` within ``JUMP_S`` inside one press run (faster and
    farther than a circle or a pressed pass: the thumb gliding to the next point, its lift
    not seen). When the path since then lasts at least ``SETTLE_S`` and stays within
    ``SETTLE_L`` of its centre, only that part is the current technique.
    """
    lag = np.searchsorted(t, t - JUMP_S)
    d = np.hypot(*(p - p[lag]).T)
    run = np.concatenate([[0], np.cumsum(np.diff(t) > GAP_S)])
    # within one press run only: a lift (gap) is the reset rule's business
    jumps = np.flatnonzero((d > JUMP_L) & (run == run[lag]))
    if not len(jumps):
        return 0
    j = int(jumps[-1])
    if t[-1] - t[j] < SETTLE_S or run[-1] != run[j]:
        return 0
    tail = p[j:]
    if np.max(np.hypot(*(tail - tail.mean(axis=0)).T)) > SETTLE_L:
        return 0
    return j


def smooth(p: np.ndarray, k: int = 3) -> np.ndarray:
    """Moving average of ``k`` samples along a path (edges padded with the end points)."""
    if len(p) < k:
        return p
    ker = np.ones(k) / k
    pad = np.pad(p, ((k // 2, k // 2), (0, 0)), mode="edge")
    return np.stack([np.convolve(pad[:, j], ker, mode="valid") for j in range(2)], axis=1)
