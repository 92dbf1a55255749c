"""Measure a One Euro setting on synthetic landmarks, and tune it by the authors' procedure.

Casiez et al. (2012, section "Tuning"): first set ``beta = 0`` and lower ``min_cutoff`` until
jitter at rest is acceptable (keeping slow movements from lagging too much); then raise
``beta`` until the lag at speed is acceptable. :func:`tune` runs exactly that on seeded
synthetic hands (palm 120-200 px, 30 fps, Gaussian jitter per coordinate) and the tests and
``benchmarks/tune_one_euro.py`` use the same measurements, so the documented figures are
reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from massagecam.hands import Landmark
from massagecam.synthetic import make_hand
from massagecam.tracking.smoothing import OneEuroFilter, SmoothingConfig, skeleton_pool

L = Landmark


def _filter(cfg: SmoothingConfig) -> OneEuroFilter:
    return OneEuroFilter.from_config(cfg, pool=skeleton_pool())


def jitter_reduction(cfg: SmoothingConfig, *, palm_px: float = 150.0, fps: float = 30.0,
                     noise: float = 0.01, seconds: float = 20.0, seed: int = 0) -> float:
    """Std of raw jitter / std of filtered error for a hand at rest (after 2 s of warm-up).

    ``noise`` is the per-coordinate standard deviation as a fraction of the palm length.
    """
    rng = np.random.default_rng(seed)
    truth = make_hand((320.0, 240.0), palm_px).astype(np.float64)
    f = _filter(cfg)
    raw, out = [], []
    for i in range(int(seconds * fps)):
        x = truth + rng.normal(0.0, noise * palm_px, truth.shape)
        y = f(x, i / fps, palm_px)
        if i >= 2 * fps:
            raw.append(x - truth)
            out.append(y - truth)
    return float(np.std(raw) / np.std(out))


def lag_frames(cfg: SmoothingConfig, *, speed: float = 1.0, palm_px: float = 150.0,
               fps: float = 30.0, noise: float = 0.01, seed: int = 1) -> tuple[float, float]:
    """Lag, in frames, of a hand that rests 1 s then translates at ``speed`` palm lengths/s.

    Returns ``(steady, onset)``: the mean lag over the 4th second of motion (the settled
    tracking lag the criterion is about) and the worst lag in the first 0.5 s of motion (how
    long the filter needs to notice the start). Lag = how far the mean filtered landmark trails
    the truth along the motion, divided by the distance moved per frame.
    """
    rng = np.random.default_rng(seed)
    f = _filter(cfg)
    steady, onset = [], []
    for i in range(int(fps * 5.0)):
        t = i / fps
        shift = max(0.0, t - 1.0) * speed * palm_px
        truth = make_hand((200.0 + shift, 240.0), palm_px).astype(np.float64)
        y = f(truth + rng.normal(0.0, noise * palm_px, truth.shape), t, palm_px)
        lag = float(np.mean(truth[:, 0] - y[:, 0])) / (speed * palm_px) * fps
        if t >= 4.0:
            steady.append(lag)
        elif 1.0 < t <= 1.5:
            onset.append(lag)
    return float(np.mean(steady)), float(np.max(onset))


def circle_gain(cfg: SmoothingConfig, *, hz: float = 1.5, radius: float = 0.1,
                palm_px: float = 150.0, fps: float = 30.0, noise: float = 0.01,
                seed: int = 2) -> float:
    """Mean filtered/true radius of a thumb tip circling on a still hand (1 = no shrinking).

    Not a criterion of the issue, but what technique detection feels: a too-calm filter
    shrinks the thumb circles it should count.
    """
    rng = np.random.default_rng(seed)
    still = make_hand((320.0, 240.0), palm_px).astype(np.float64)
    f = _filter(cfg)
    radii = []
    for i in range(int(fps * 6.0)):
        t = i / fps
        off = radius * palm_px * np.array([np.cos(2 * np.pi * hz * t), np.sin(2 * np.pi * hz * t)])
        truth = still.copy()
        truth[L.THUMB_TIP] += off
        truth[L.THUMB_IP] += 0.6 * off
        y = f(truth + rng.normal(0.0, noise * palm_px, truth.shape), t, palm_px)
        if t > 2.0:
            radii.append(float(np.linalg.norm(y[L.THUMB_TIP] - still[L.THUMB_TIP])))
    return float(np.mean(radii) / (radius * palm_px))


@dataclass(frozen=True)
class TuningStep:
    """One measured setting during :func:`tune`."""

    config: SmoothingConfig
    jitter_reduction: float
    lag_steady: float


def tune(*, jitter_target: float = 5.0, rest_margin: float = 1.5, lag_target: float = 0.9,
         d_cutoff: float = 1.0,
         min_cutoffs: tuple[float, ...] = (1.0, 0.5, 0.3, 0.2, 0.1, 0.05),
         betas: tuple[float, ...] = tuple(round(0.2 * k, 1) for k in range(1, 41)),
         ) -> tuple[SmoothingConfig, list[TuningStep]]:
    """The authors' two-step procedure, automated.

    1. ``beta = 0``: take the largest ``min_cutoff`` (least lag when moving slowly) whose jitter
       reduction reaches ``rest_margin * jitter_target`` (headroom, because a positive beta lets
       the noise raise the cutoff a little at rest).
    2. Raise ``beta`` until the steady lag at 1 palm length/s is at most ``lag_target`` frames.
    3. Check the jitter target with that beta; if missed, lower ``min_cutoff`` one step, repeat.

    Returns the chosen config and every measured step (for the docs).
    """
    log: list[TuningStep] = []
    for k, mc in enumerate(min_cutoffs):
        rest = SmoothingConfig(mc, 0.0, d_cutoff)
        j0 = jitter_reduction(rest)
        log.append(TuningStep(rest, j0, lag_frames(rest)[0]))
        if j0 < rest_margin * jitter_target and k < len(min_cutoffs) - 1:
            continue
        for beta in betas:
            cfg = SmoothingConfig(mc, beta, d_cutoff)
            lag = lag_frames(cfg)[0]
            if lag <= lag_target:
                j = jitter_reduction(cfg)
                log.append(TuningStep(cfg, j, lag))
                if j >= jitter_target:
                    return cfg, log
                break
    raise RuntimeError("no setting met both targets; widen the grids")
