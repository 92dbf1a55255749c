"""One Euro filter (Casiez, Roussel & Vogel, CHI 2012), vectorised and scale-aware.

Why this filter: a hand at rest must not shimmer (jitter makes a pressing thumb look like it
moves, and zones flicker), yet a moving thumb must not trail behind (circles shrink, strokes
shorten). A fixed low-pass cannot do both. The One Euro filter is a first-order low-pass whose
cutoff rises with the signal's speed: ``cutoff = min_cutoff + beta * |speed|``; slow signals get
a low cutoff (little jitter), fast ones a high cutoff (little lag).

Scale awareness: in the paper ``|speed|`` is in signal units per second, so ``beta`` depends on
how big the hand appears (a hand twice as large moves twice as many pixels per second for the
same gesture). Here the caller passes ``scale`` (the hand's palm length in pixels) and the speed
is measured in palm lengths per second, so one ``beta`` works at any distance from the camera.
``min_cutoff`` and ``d_cutoff`` are frequencies and need no rescaling.

The filter smooths arrays of points at once (e.g. 21x2 landmarks); the speed is the norm of each
point's (smoothed) velocity over the last axis, so each landmark gets its own cutoff: a pressing
thumb can be responsive while the wrist stays calm. Time is explicit (``t`` in seconds), so
irregular frame intervals and dropped frames are handled by the exact per-step smoothing factor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from massagecam.errors import ConfigError, check_range
from massagecam.hands import CONNECTIONS, NUM_LANDMARKS

#: Defaults chosen by the paper's tuning procedure on synthetic landmarks (docs/tracking.md).
DEFAULT_MIN_CUTOFF = 0.1
DEFAULT_BETA = 2.8
DEFAULT_D_CUTOFF = 1.0


def skeleton_pool() -> npt.NDArray[np.float64]:
    """(21, 21) row-stochastic matrix averaging each landmark with its skeleton neighbours.

    Used on velocities only (never on positions): averaging a joint's velocity with the joints it
    connects to cuts the noise of the speed estimate by about sqrt(3) at rest, which is what
    lets a low cutoff at rest coexist with a high one in motion, while a thumb circling on its
    own still raises its own cutoff (its neighbours move with it).
    """
    a = np.eye(NUM_LANDMARKS)
    for i, j in CONNECTIONS:
        a[int(i), int(j)] = a[int(j), int(i)] = 1.0
    return a / a.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class SmoothingConfig:
    """Validated One Euro parameters.

    Attributes:
        min_cutoff: cutoff frequency (Hz) at rest; lower = less jitter, more lag when slow.
        beta: speed coefficient, Hz per (palm length per second); higher = less lag at speed.
        d_cutoff: cutoff frequency (Hz) used to smooth the speed estimate itself.
    """

    min_cutoff: float = DEFAULT_MIN_CUTOFF
    beta: float = DEFAULT_BETA
    d_cutoff: float = DEFAULT_D_CUTOFF

    def __post_init__(self) -> None:
        object.__setattr__(self, "min_cutoff", check_range("min_cutoff", self.min_cutoff,
                                                            0.0, 1000.0, low_open=True))
        object.__setattr__(self, "beta", check_range("beta", self.beta, 0.0, 1000.0,
                                                      low_open=False))
        object.__setattr__(self, "d_cutoff", check_range("d_cutoff", self.d_cutoff,
                                                          0.0, 1000.0, low_open=True))


def _alpha(cutoff: npt.NDArray[np.float64] | float, dt: float) -> npt.NDArray[np.float64] | float:
    """Exact smoothing factor of a first-order low-pass for step ``dt`` (irregular dt safe)."""
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """Speed-adaptive low-pass filter over arrays of points.

    Example:
        >>> f = OneEuroFilter(min_cutoff=1.0, beta=0.0)
        >>> f(np.zeros((21, 2)), t=0.0).shape
        (21, 2)

    Args:
        min_cutoff: Hz, > 0. Cutoff at rest.
        beta: >= 0. Cutoff increase per unit of speed (speed in ``scale`` units per second).
        d_cutoff: Hz, > 0. Cutoff of the speed estimate.
        pool: optional (P, P) matrix applied to the (..., P, D) velocity before taking its
            norm (e.g. :func:`skeleton_pool`), to pool the speed estimate over neighbours.

    Raises:
        ConfigError: a parameter is out of range (the message names it and the range).
    """

    def __init__(self, min_cutoff: float = DEFAULT_MIN_CUTOFF, beta: float = DEFAULT_BETA,
                 d_cutoff: float = DEFAULT_D_CUTOFF,
                 pool: npt.ArrayLike | None = None) -> None:
        cfg = SmoothingConfig(min_cutoff, beta, d_cutoff)
        self.min_cutoff = cfg.min_cutoff
        self.beta = cfg.beta
        self.d_cutoff = cfg.d_cutoff
        self.pool = None if pool is None else np.asarray(pool, np.float64)
        self.reset()

    @classmethod
    def from_config(cls, config: SmoothingConfig,
                    pool: npt.ArrayLike | None = None) -> OneEuroFilter:
        """A filter with the parameters of ``config`` (and an optional speed pool)."""
        return cls(config.min_cutoff, config.beta, config.d_cutoff, pool=pool)

    def reset(self) -> None:
        """Forget the history: the next call returns its input unchanged."""
        self._x: npt.NDArray[np.float64] | None = None
        self._dx: npt.NDArray[np.float64] | None = None
        self._t = 0.0

    @property
    def value(self) -> npt.NDArray[np.float64] | None:
        """The last filtered value, or None before the first call / after reset."""
        return self._x

    def __call__(self, x: npt.ArrayLike, t: float, scale: float = 1.0) -> npt.NDArray[np.float64]:
        """Filter one sample.

        Args:
            x: array of points, shape (..., D); the last axis holds one point's coordinates.
            t: timestamp in seconds. A sample not later than the previous one is ignored
                (the previous output is returned) rather than dividing by zero.
            scale: the length unit for speed (e.g. palm length in pixels), > 0.

        Returns:
            The filtered array (float64, same shape as ``x``).
        """
        xa = np.asarray(x, dtype=np.float64)
        if self._x is None or self._x.shape != xa.shape:
            self._x = xa.copy()
            self._dx = np.zeros_like(self._x)
            self._t = float(t)
            return self._x.copy()
        dt = float(t) - self._t
        if not dt > 0.0:
            return self._x.copy()
        self._t = float(t)
        # Speed from the previous *filtered* value, as in the paper's pseudo-code.
        dx = (xa - self._x) / dt
        a_d = _alpha(self.d_cutoff, dt)
        self._dx = self._dx + a_d * (dx - self._dx)
        if xa.ndim:
            v = self._dx if self.pool is None else self.pool @ self._dx
            speed = np.sqrt(np.sum(v * v, axis=-1, keepdims=True))
        else:
            speed = np.abs(self._dx)
        s = float(scale) if scale and scale > 0 else 1.0
        cutoff = self.min_cutoff + self.beta * (speed / s)
        a = _alpha(cutoff, dt)
        self._x = self._x + a * (xa - self._x)
        return self._x.copy()


def smoothing_config(value: Any) -> SmoothingConfig | None:
    """Read the tracker's ``smoothing=`` argument, failing on unknown keys (ConfigError).

    None/False turn smoothing off, True gives the defaults; a dict of ``min_cutoff``/``beta``/
    ``d_cutoff`` or a ready :class:`SmoothingConfig` is used as given.
    """
    if value is None or value is False:
        return None
    if value is True:
        return SmoothingConfig()
    if isinstance(value, SmoothingConfig):
        return value
    if isinstance(value, dict):
        unknown = set(value) - {"min_cutoff", "beta", "d_cutoff"}
        if unknown:
            raise ConfigError(f"smoothing: unknown key(s) {sorted(unknown)}; expected "
                              "min_cutoff, beta, d_cutoff")
        return SmoothingConfig(**value)
    raise ConfigError(f"smoothing={value!r}: expected None, True, a dict or a SmoothingConfig")
