"""Caregiver-mode receiver evidence: the hand from the far side, and the caregiver's pair.

In caregiver mode (issue 10) the side vote cannot name the receiver on its own: one of the
caregiver's two hands always has the receiver's side (a stated left receiver competes with
the caregiver's left hand, whose label is just as confident), and touch/stillness evidence
does not separate them when the caregiver's other hand rests as a support or when the
detector's landmarks of the upside-down receiver jitter. Two facts of the setting do:

* **far side**: the receiver's hand comes in from the far side of the table, so its axis
  (wrist to middle knuckle) points *against* the caregiver's hands, which come in from the
  near side (the receiver is seen upside down when the camera faces the caregiver). Per
  frame each visible participant's ``opp`` is the weighted mean of ``-cos`` between its axis
  and the others' axes plus, with weight ``NEAR_WEIGHT`` (half a hand), the *near
  direction*: the way the caregiver's fingers point. That starts from where the caregiver
  sits in the image (``caregiver_at``; "bottom" by default: the camera faces the caregiver,
  whose hands enter from the bottom edge) and is then learnt from the givers once the
  receiver is named. With ``caregiver_at=None`` there is no such prior: the near direction
  counts only once learnt from two seconds of givers opposing a named receiver (three hands
  in view name one without it), and a lone hand is never named.
  The *relative* lead (``opp`` minus the visible hands' mean) accumulates into
  ``Track.facing``; ``Track.opposed`` follows ``opp`` itself (0.3 s time constant, starting
  from its first value) and its lead over the participants' mean is a static score term, so
  a receiver is named within a few frames of two or three hands showing. A hand that points
  the same way as the others (two givers, the receiver unseen) may not be *named* receiver;
  a lone hand may, with a stated side, once it clearly points against the near direction.
* **the caregiver's pair**: the two giving hands are one person's left and right hands, so
  with three participants the receiver is a track whose two partners have opposite sides
  (from the settled side votes; a static term).

The weights are design values [D], set on rendered caregiver sessions of seeds 100-111 and
reported on seeds 200-211 (benchmarks/caregiver.py; docs/tracking.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from massagecam.errors import ConfigError
from massagecam.hands import Landmark
from massagecam.tracking.tracks import Track

L = Landmark
#: Receiver score per second-worth of far-side lead (receiver vs givers: ~+0.5 vs ~-0.3 /s).
FACING_WEIGHT = 3.0
#: The far-side lead saturates here (s), so its score (+-4.5) stays below the swap margin
#: (5): alone it names a receiver but does not overturn one on its own.
FACING_LIMIT = 1.5
#: Receiver score per unit of current opposition lead.
OPPOSED_WEIGHT = 1.0
#: Score of a clean left+right partner pair (side votes of +-5 confident frames or more).
PAIR_WEIGHT = 1.0
#: Time constant (s) of ``Track.opposed``.
OPPOSED_TAU = 0.3
#: Weight of the near direction among the other hands' axes (a hand counts 1).
NEAR_WEIGHT = 0.5
#: A lone hand (stated side) is named receiver only when its ``opposed`` reaches this.
ALONE_OPPOSED = 0.5
#: Time constant (s) over which the near direction follows the givers.
NEAR_TAU = 2.0
#: Where the caregiver may sit in the image -> the direction their fingers point.
CAREGIVER_AT = {"bottom": (0.0, -1.0), "top": (0.0, 1.0), "left": (1.0, 0.0),
                "right": (-1.0, 0.0)}
#: Stated side: receiver score per side vote (+-30 confident frames -> +-1.5): a bounded prior,
#: since one of the caregiver's hands always has the receiver's side too.
SIDE_PRIOR = 0.05


def _axis(tr: Track) -> tuple[float, float]:
    """Unit wrist -> middle knuckle direction of a track's smoothed pose.

    Plain floats: this runs for every hand of every frame, where numpy's per-call overhead on
    2-vectors dominates.
    """
    (wx, wy), (mx, my) = tr.xy[_WM].tolist()
    n = math.hypot(mx - wx, my - wy) or 1.0
    return (mx - wx) / n, (my - wy) / n


_WM = [int(L.WRIST), int(L.MIDDLE_FINGER_MCP)]


class FarSide:
    """The far-side and partner-pair evidence of one caregiver-mode stream.

    State: ``near``, the unit direction the caregiver's fingers point in the image, and the
    participants' static score terms of the current frame.
    """

    def __init__(self, caregiver_at: str | None = "bottom") -> None:
        if caregiver_at is not None and caregiver_at not in CAREGIVER_AT:
            raise ConfigError(f"caregiver_at={caregiver_at!r}: expected one of "
                              f"{', '.join(CAREGIVER_AT)} or None")
        self.prior = caregiver_at is not None
        self.near = np.array(CAREGIVER_AT[caregiver_at] if caregiver_at else (0.0, -1.0))
        self.learnt = 0.0  # seconds of giver evidence behind ``near``
        self._terms: dict[int, float] = {}

    def update(self, visible: Sequence[Track], receiver: int | None, dt: float) -> None:
        """One frame: accumulate the visible hands' evidence, follow the givers' direction."""
        self.accumulate(visible, dt)
        rec = next((tr for tr in visible if tr.id == receiver), None)
        self.learn(rec, [tr for tr in visible if tr is not rec], dt)

    def refresh(self, parts: Sequence[Track]) -> None:
        """Recompute the static terms of all participants (before scoring them)."""
        self._terms = self.terms(parts)

    def score(self, tr: Track, receiving: str) -> float:
        """Receiver score in caregiver mode (the tracker decides on it with hysteresis).

        Touch/stillness evidence + far-side lead + static terms, and with a stated side
        (``receiving`` "left"/"right") the bounded side prior.
        """
        s = tr.evidence + FACING_WEIGHT * tr.facing + self._terms.get(tr.id, 0.0)
        if receiving == "auto":
            return s
        return s + SIDE_PRIOR * (tr.vote if receiving == "right" else -tr.vote)

    def accumulate(self, visible: Sequence[Track], dt: float) -> None:
        """Update every visible participant's far-side lead and opposition."""
        n = len(visible)
        if n == 0 or dt <= 0:
            return
        w = NEAR_WEIGHT if self.prior or self.learnt >= NEAR_TAU else 0.0
        if n == 1 and w == 0.0:
            return
        u = [_axis(tr) for tr in visible]
        nx, ny = float(self.near[0]), float(self.near[1])
        opp = []
        for i, (ux, uy) in enumerate(u):
            others = sum(ux * vx + uy * vy for j, (vx, vy) in enumerate(u) if j != i)
            opp.append(-(others + w * (ux * nx + uy * ny)) / (n - 1 + w))
        mean = sum(opp) / n
        a = min(1.0, dt / OPPOSED_TAU)
        for tr, o in zip(visible, opp, strict=True):
            tr.facing = min(max(tr.facing + dt * (o - mean), -FACING_LIMIT), FACING_LIMIT)
            tr.opposed = o if math.isnan(tr.opposed) else tr.opposed + a * (o - tr.opposed)

    def learn(self, receiver: Track | None, givers: Sequence[Track], dt: float) -> None:
        """Follow the visible givers' mean axis while it opposes the named receiver's."""
        if receiver is None or not givers or dt <= 0:
            return
        axes = [_axis(tr) for tr in givers]
        gx = sum(x for x, _ in axes) / len(axes)
        gy = sum(y for _, y in axes) / len(axes)
        norm = math.hypot(gx, gy)
        rx, ry = _axis(receiver)
        if norm < 0.5 or (gx * rx + gy * ry) / norm > -0.3:
            return
        a = min(1.0, dt / NEAR_TAU) if self.prior or self.learnt > 0 else 1.0
        self.learnt += dt
        near = self.near + a * (np.array([gx, gy]) / norm - self.near)
        self.near = near / max(float(np.linalg.norm(near)), 1e-9)

    @staticmethod
    def terms(parts: Sequence[Track]) -> dict[int, float]:
        """Per participant: the score terms read from its current state (not accumulated).

        * opposition lead: ``OPPOSED_WEIGHT`` x (its ``opposed`` - the participants' mean);
        * partner pair: with exactly three participants, ``PAIR_WEIGHT`` x how clearly the
          *other two* are a left+right pair (-1..1): side votes (``Track.vote``, + Right,
          saturating at +-30) of 5 confident frames each give ~0.76.
        """
        seen = [tr.opposed for tr in parts if not math.isnan(tr.opposed)]
        mean = sum(seen) / len(seen) if seen else 0.0
        out = {tr.id: 0.0 if math.isnan(tr.opposed) else OPPOSED_WEIGHT * (tr.opposed - mean)
               for tr in parts}
        if len(parts) == 3:
            for i, tr in enumerate(parts):
                a, b = (p for j, p in enumerate(parts) if j != i)
                out[tr.id] -= PAIR_WEIGHT * math.tanh(a.vote * b.vote / 25.0)
        return out

    @staticmethod
    def may_receive(tr: Track, alone: bool = False) -> bool:
        """May this track be *named* receiver (not while it points the others' way)?"""
        if math.isnan(tr.opposed):
            return not alone
        return tr.opposed >= (ALONE_OPPOSED if alone else 0.0)


__all__ = ("CAREGIVER_AT", "FACING_LIMIT", "FACING_WEIGHT", "NEAR_WEIGHT", "OPPOSED_WEIGHT",
           "PAIR_WEIGHT", "SIDE_PRIOR", "FarSide")
