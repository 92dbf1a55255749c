"""The hold spread: how far a hold wanders, forgiving the moment it took to arrive."""

from __future__ import annotations

import math

import numpy as np
import pytest

from massagecam.routines.spread import HoldSpread
from massagecam.scoring import HOLD_SD_FREE


def _glide_then_hold(glide_share: float, n: int = 300) -> HoldSpread:
    """A thumb that slides in from 0.6 L away, then holds still with 0.005 L jitter."""
    rng = np.random.default_rng(1)
    s = HoldSpread()
    m = int(n * glide_share)
    for i in range(n):
        far = 0.6 * (1 - i / m) if i < m else 0.0
        s.add((0.5 + far + rng.normal(0, 0.005), 0.3 + rng.normal(0, 0.005)), 1 / 30)
    return s


def test_the_arrival_glide_is_forgiven_but_not_a_long_slide() -> None:
    assert _glide_then_hold(0.06).sd() < HOLD_SD_FREE  # steady after arriving
    # the plain RMS spread of the same positions would call it unsteady
    a = np.asarray(_glide_then_hold(0.06).samples)
    assert float(np.sqrt(np.mean(np.sum((a[:, :2] - a[:, :2].mean(0)) ** 2, 1)))) > 0.05
    assert _glide_then_hold(0.4).sd() > 0.1  # sliding for 40 % of the hold is wandering


def test_wandering_throughout_is_measured() -> None:
    s = HoldSpread()
    for i in range(600):
        a = 2 * math.pi * i / 60
        s.add((0.5 + 0.08 * math.cos(a), 0.3 + 0.08 * math.sin(a)), 1 / 30)
    assert s.sd() == pytest.approx(0.08, abs=0.01)


def test_memory_is_bounded_and_time_kept() -> None:
    rng = np.random.default_rng(2)
    s, full = HoldSpread(cap=64), HoldSpread(cap=100_000)
    for _ in range(10_000):
        xy = (0.5 + rng.normal(0, 0.01), 0.3 + rng.normal(0, 0.01))
        s.add(xy, 0.01)
        full.add(xy, 0.01)
    assert len(s.samples) < 64 and len(full.samples) == 10_000
    assert s.seconds == pytest.approx(100.0)
    assert s.sd() == pytest.approx(full.sd(), rel=0.2)  # thinning keeps the measure
    c, before = s.copy(), s.sd()
    for _ in range(5000):
        c.add((9.0, 9.0), 0.01)
    assert c.sd() > 1.0 and s.sd() == before  # the copy is independent
    assert HoldSpread().sd() is None
