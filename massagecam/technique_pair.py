"""Two-handed techniques of a caregiver, from the paths of both giving thumbs.

In caregiver mode one person massages another's hand with both hands. The per-finger
:class:`~massagecam.technique.TechniqueClassifier` sees each thumb alone; the strokes taught in
care settings need both at once (issue 10):

* ``two_thumb_spread``: both thumbs press the palm and slide apart, away from the line between
  them (the palm's centre), usually from the wrist out towards the knuckles;
* ``support_press``: one hand holds still (it supports the receiving hand) while the other
  thumb presses, still or moving;
* ``wringing``: the two hands move in opposite directions across the hand or forearm, and turn
  back (a twist to and fro), in or out of thumb contact (the hands wrap the limb).

:class:`PairClassifier` keeps the last ``window_s`` of each giving thumb's point in the
receiver's own frame (``Contact.palm_xy``: palm lengths, x distal, y radial), which removes the
receiving hand's own motion, and applies rules to robust features of the two paths: how fast
each thumb moves (median speed), whether their separation grows, whether their velocities are
opposed (normalised correlation of the two velocity series) and whether the relative motion
turns back inside the window. A label is confirmed after ``confirm_s`` of agreement and kept
for ``hold_s`` without evidence, so the lifted return of a spreading stroke does not flicker.
The thresholds are this project's design values [D], checked on synthetic paths
(tests/caregiver), not fitted to real caregivers.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np

from massagecam.errors import ConfigError
from massagecam.hands import Hands, Role
from massagecam.results import Contact, FrameAnalysis, Side

#: A spread's return: over the last RETURN_S seconds the thumbs' separation shrinks faster than
#: RETURN_L_S palm lengths per second [D: design values; the rendered spreads open at about 1
#: L/s and come back at about 1.8 L/s].
RETURN_S, RETURN_L_S = 0.1, 0.3


class PairTechnique(StrEnum):
    """The two-handed strokes massagecam recognises."""

    TWO_THUMB_SPREAD = "two_thumb_spread"
    SUPPORT_PRESS = "support_press"
    WRINGING = "wringing"
    NONE = "none"


@dataclass(frozen=True)
class PairEstimate:
    """The two-handed technique over the recent paths of both giving thumbs.

    Attributes:
        name: the technique (NONE with fewer than two giving hands or no pattern).
        confidence: 0..1.
        tracks: giver track ids of the two thumbs judged (empty when fewer than two).
        active: the pressing hand's track (support_press), else None.
        support: the holding hand's track (support_press), else None.
        separation_rate_l_s: how fast the thumbs move apart (+) or together, palm lengths/s.
        opposition: normalised correlation of the two velocity series (-1 = exactly opposed).
        returning: during a two-thumb spread, the tracks whose thumbs are gliding back
            towards each other: the lifted return between strokes, no press (see
            :meth:`PairClassifier.returning`).
    """

    name: PairTechnique = PairTechnique.NONE
    confidence: float = 0.0
    tracks: tuple[int, ...] = ()
    active: int | None = None
    support: int | None = None
    separation_rate_l_s: float | None = None
    opposition: float | None = None
    returning: tuple[int, ...] = ()


@dataclass(frozen=True)
class PairAnalysis(FrameAnalysis):
    """A :class:`FrameAnalysis` that also carries the two-handed estimate (caregiver mode).

    A subclass, so every stage reading ``FrameAnalysis`` keeps working; readers that know
    about two-handed work use ``getattr(analysis, "pair", None)``.
    """

    pair: PairEstimate = field(default_factory=PairEstimate)


@dataclass
class _Path:
    t: deque[float] = field(default_factory=deque)
    p: deque[tuple[float, float]] = field(default_factory=deque)
    on: deque[bool] = field(default_factory=deque)
    conf: deque[float] = field(default_factory=deque)


def _aligned(pa: _Path, pb: _Path, since: float = -math.inf,
             ) -> tuple[np.ndarray, list[int], list[int]]:
    """The times both paths have (from ``since`` on), and each path's index at them."""
    common = sorted(v for v in set(pa.t) & set(pb.t) if v >= since)
    ia = {v: i for i, v in enumerate(pa.t)}
    ib = {v: i for i, v in enumerate(pb.t)}
    return np.asarray(common), [ia[v] for v in common], [ib[v] for v in common]


def _slope(t: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of y over t (0 when t has no spread)."""
    tc = t - t.mean()
    den = float(tc @ tc)
    return float(tc @ (y - y.mean()) / den) if den > 1e-12 else 0.0


def _velocity(t: np.ndarray, p: np.ndarray, span_s: float = 0.1) -> np.ndarray:
    """(n, 2) velocities: a ~2 span moving mean, then differences across +-``span_s``.

    Press points jitter by ~0.03 L per frame on real video; differencing neighbouring frames
    would turn that into ~1 L/s of false speed, so both steps average over ~0.2 s.
    """
    n = len(p)
    dt = float(np.median(np.diff(t))) if n > 1 else 1.0
    h = max(1, int(round(span_s / max(dt, 1e-6))))
    k = 2 * h + 1
    if n >= k:
        pad = np.pad(p, ((h, h), (0, 0)), mode="edge")
        ker = np.ones(k) / k
        p = np.stack([np.convolve(pad[:, i], ker, mode="valid") for i in range(2)], axis=1)
    lo = np.clip(np.arange(n) - h, 0, n - 1)
    hi = np.clip(np.arange(n) + h, 0, n - 1)
    span = np.maximum(t[hi] - t[lo], 1e-6)[:, None]
    return (p[hi] - p[lo]) / span


def _along(rel: np.ndarray, sep: np.ndarray) -> float:
    """Speed-weighted mean |cos| between relative velocity and separation (1 = stretching)."""
    speed = np.hypot(*rel.T)
    dist = np.hypot(*sep.T)
    ok = (speed > 1e-9) & (dist > 1e-9)
    if not ok.any():
        return 0.0
    cos = np.abs(np.einsum("ij,ij->i", rel[ok], sep[ok])) / (speed[ok] * dist[ok])
    return float((cos * speed[ok]).sum() / speed[ok].sum())


def _spread_l(p: np.ndarray) -> float:
    """RMS distance of points from their mean (palm lengths): how much a hand moved."""
    return float(np.sqrt(((p - p.mean(axis=0)) ** 2).sum(axis=1).mean()))


def _turns(t: np.ndarray, along: np.ndarray, state: np.ndarray, floor: float,
           min_s: float) -> int:
    """Reversals of ``along`` inside runs of constant ``state``, each way lasting >= ``min_s``.

    Samples slower than ``floor`` are ignored, so noise around a standstill does not count;
    runs of ``state`` shorter than ``min_s`` (a contact decision flickering) join the run
    before them.
    """
    state = np.asarray(state, bool).copy()
    start = 0
    for i in range(1, len(t) + 1):
        if i < len(t) and state[i] == state[start]:
            continue
        if start > 0 and t[i - 1] - t[start] < min_s:
            state[start:i] = state[start - 1]
        start = i
    turns = 0
    start = 0
    for i in range(1, len(t) + 1):
        if i < len(t) and state[i] == state[start]:
            continue
        segs: list[list[float]] = []  # [sign, first t, last t]
        for j in range(start, i):
            if abs(along[j]) <= floor:
                continue
            sgn = 1.0 if along[j] > 0 else -1.0
            if segs and segs[-1][0] == sgn:
                segs[-1][2] = float(t[j])
            else:
                segs.append([sgn, float(t[j]), float(t[j])])
        long = [s for s in segs if s[2] - s[1] >= min_s]
        turns += sum(1 for a, b in zip(long, long[1:], strict=False) if a[0] != b[0])
        start = i
    return turns


class PairClassifier:
    """Recognises two-handed techniques from the per-thumb contacts of two giving hands.

    Args:
        window_s: path kept per thumb (a wringing to-and-fro is ~1-2 s).
        recent_s: the part of the window that decides spread and support (one stroke).
        move_l_s: median speed above which a thumb moves.
        still_l: RMS wander (palm lengths) over ``recent_s`` below which a hand holds still.
        spread_rate_l_s: separation growth that counts as spreading.
        opposed: velocity correlation at or below which the hands move in opposite directions.
        stretch: speed-weighted |cos| between the thumbs' relative velocity and the line
            joining them; wringing moves across that line (below this), a spread along it.
        confirm_s: agreement needed before a new label is reported.
        hold_s: how long a label is kept without evidence.
    """

    def __init__(self, window_s: float = 2.0, recent_s: float = 0.6, *, move_l_s: float = 0.12,
                 still_l: float = 0.08, spread_rate_l_s: float = 0.15,
                 opposed: float = -0.3, stretch: float = 0.6, confirm_s: float = 0.15,
                 hold_s: float = 0.6) -> None:
        for name, value, lo, hi in (("window_s", window_s, 0.5, 10.0),
                                    ("recent_s", recent_s, 0.2, window_s),
                                    ("move_l_s", move_l_s, 0.0, 5.0),
                                    ("still_l", still_l, 0.0, 1.0),
                                    ("spread_rate_l_s", spread_rate_l_s, 0.0, 5.0),
                                    ("opposed", opposed, -1.0, 0.0),
                                    ("stretch", stretch, 0.0, 1.0),
                                    ("confirm_s", confirm_s, 0.0, 2.0),
                                    ("hold_s", hold_s, 0.0, 5.0)):
            if not lo <= value <= hi:
                raise ConfigError(f"{name}={value} is outside [{lo}, {hi}]")
        self.window_s, self.recent_s = window_s, recent_s
        self.move, self.still = move_l_s, still_l
        self.spread_rate, self.opposed, self.stretch = spread_rate_l_s, opposed, stretch
        self.confirm_s, self.hold_s = confirm_s, hold_s
        self._paths: dict[int, _Path] = {}
        self._shown = PairEstimate()
        self._shown_t = -math.inf
        self._cand: PairTechnique = PairTechnique.NONE
        self._cand_since = -math.inf

    def update(self, contacts: Sequence[Contact], t: float,
               side: Side = Side.UNKNOWN) -> PairEstimate:
        """Add this frame's thumb contacts and return the two-handed estimate at ``t``."""
        for c in contacts:
            if c.finger != "thumb" or not all(map(math.isfinite, c.palm_xy)):
                continue
            path = self._paths.setdefault(c.giver_track, _Path())
            if path.t and t <= path.t[-1]:
                continue
            path.t.append(t)
            path.p.append(c.palm_xy)
            path.on.append(bool(c.in_contact))
            path.conf.append(float(c.confidence))
        for key in list(self._paths):
            path = self._paths[key]
            while path.t and path.t[0] < t - self.window_s:
                path.t.popleft()
                path.p.popleft()
                path.on.popleft()
                path.conf.popleft()
            if not path.t or path.t[-1] < t - 0.5:
                del self._paths[key]
        raw = self.classify(t, side)
        shown = self._debounce(raw, t)
        back = self.returning(t) if shown.name is PairTechnique.TWO_THUMB_SPREAD else ()
        return replace(shown, returning=back) if back else shown

    def returning(self, t: float) -> tuple[int, ...]:
        """The two thumbs, when they glide towards each other now (a spread's return).

        A two-thumb palm spread presses while the thumbs slide apart and lifts them to come
        back; the landmarks show the lift poorly (on rendered caregiver scenes the contact
        detector called 99 % of the left thumb's return frames presses), but the path shows
        the return: over the last ``RETURN_S`` the separation shrinks faster than
        ``RETURN_L_S`` and each thumb moves towards the midpoint between them.
        """
        pair = self._pair(t)
        if pair is None:
            return ()
        pa, pb = self._paths[pair[0]], self._paths[pair[1]]
        tt, ja, jb = _aligned(pa, pb, t - RETURN_S)
        if len(tt) < 3 or tt[-1] - tt[0] < 0.5 * RETURN_S:
            return ()
        p1 = np.asarray([pa.p[i] for i in ja], np.float64)
        p2 = np.asarray([pb.p[i] for i in jb], np.float64)
        if _slope(tt, np.hypot(*(p1 - p2).T)) > -RETURN_L_S:
            return ()
        mid = 0.5 * (p1[-1] + p2[-1])
        towards = all(float(np.dot(p[-1] - p[0], mid - p[0])) > 0 for p in (p1, p2))
        return pair if towards else ()

    # -- decision ----------------------------------------------------------------------
    def _pair(self, t: float) -> tuple[int, int] | None:
        """The two thumbs with most recent contact frames."""
        live = [k for k, p in self._paths.items() if p.t and p.t[-1] >= t - 0.2]
        if len(live) < 2:
            return None
        live.sort(key=lambda k: (-sum(self._paths[k].on), k))
        a, b = sorted(live[:2])
        return a, b

    def classify(self, t: float, side: Side = Side.UNKNOWN) -> PairEstimate:
        """The undebounced estimate from the stored paths (see the module rules)."""
        pair = self._pair(t)
        if pair is None:
            return PairEstimate()
        pa, pb = self._paths[pair[0]], self._paths[pair[1]]
        tt, ja, jb = _aligned(pa, pb)
        if len(tt) < 6 or tt[-1] - tt[0] < 0.4:
            return PairEstimate(tracks=pair)
        p1 = np.asarray([pa.p[i] for i in ja], np.float64)
        p2 = np.asarray([pb.p[i] for i in jb], np.float64)
        on1 = np.asarray([pa.on[i] for i in ja])
        on2 = np.asarray([pb.on[i] for i in jb])
        c1 = np.asarray([pa.conf[i] for i in ja])
        c2 = np.asarray([pb.conf[i] for i in jb])
        v1, v2 = _velocity(tt, p1), _velocity(tt, p2)
        recent = tt >= t - self.recent_s
        if recent.sum() < 4:
            return PairEstimate(tracks=pair)
        s1 = float(np.median(np.hypot(*v1[recent].T)))
        s2 = float(np.median(np.hypot(*v2[recent].T)))
        n1 = float((v1 * v1).sum(axis=1).sum())
        n2 = float((v2 * v2).sum(axis=1).sum())
        opp = float((v1 * v2).sum() / math.sqrt(n1 * n2)) if n1 > 0 and n2 > 0 else 0.0
        sep = np.hypot(*(p1 - p2).T)
        both_on = on1 & on2 & recent
        rate = _slope(tt[both_on], sep[both_on]) if both_on.sum() >= 4 else 0.0
        base = {"tracks": pair, "separation_rate_l_s": rate, "opposition": opp}
        moving = s1 > self.move and s2 > self.move
        # wringing: opposed motion over the window, across the line between the hands (a
        # spread and its lifted return stretch and shrink along it), turning back at least
        # once; thumb contact is not required (the hands wrap the limb)
        w1 = float(np.median(np.hypot(*v1.T)))
        w2 = float(np.median(np.hypot(*v2.T)))
        rel = v1 - v2
        if w1 > self.move and w2 > self.move and opp <= self.opposed \
                and _along(rel, p1 - p2) < self.stretch:
            axis = np.linalg.svd(rel - rel.mean(axis=0), full_matrices=False)[2][0]
            if _turns(tt, rel @ axis, np.ones(len(tt), bool), 0.5 * self.move, 0.15) >= 1:
                return PairEstimate(PairTechnique.WRINGING, float(min(1.0, -opp)), **base)
        # spread: both press, both move, each away from the midpoint, separation grows
        if moving and both_on.sum() >= 0.6 * recent.sum() and side is not Side.BACK:
            mid = 0.5 * (p1 + p2)
            out1 = np.einsum("ij,ij->i", v1, p1 - mid)[both_on]
            out2 = np.einsum("ij,ij->i", v2, p2 - mid)[both_on]
            if rate > self.spread_rate and np.median(out1) > 0 and np.median(out2) > 0 \
                    and _along(rel[both_on], (p1 - p2)[both_on]) >= self.stretch:
                conf = min(1.0, 0.5 + rate / (4 * self.spread_rate)) * min(1.0, -opp + 0.5)
                return PairEstimate(PairTechnique.TWO_THUMB_SPREAD, float(max(conf, 0.3)), **base)
        # support: one hand still, the other's thumb pressing
        on1r, on2r = float(on1[recent].mean()), float(on2[recent].mean())
        still1, still2 = (_spread_l(p[recent]) < self.still and math.hypot(
            _slope(tt[recent], p[recent, 0]), _slope(tt[recent], p[recent, 1])) < self.move
            for p in (p1, p2))
        for act, sup in ((0, 1), (1, 0)):
            on_a, on_s = (on1r, on2r) if act == 0 else (on2r, on1r)
            still_a, still_s = (still1, still2) if act == 0 else (still2, still1)
            conf_a, conf_s = (c1, c2) if act == 0 else (c2, c1)
            if on_a < 0.6 or not still_s:
                continue
            if on_s >= 0.6 and still_a and float(np.mean(conf_a[recent])) < float(
                    np.mean(conf_s[recent])):
                continue  # both still and pressing: the surer one is the presser
            return PairEstimate(PairTechnique.SUPPORT_PRESS, float(min(1.0, on_a)),
                                active=pair[act], support=pair[sup], **base)
        return PairEstimate(**base)

    def _debounce(self, raw: PairEstimate, t: float) -> PairEstimate:
        """Confirm a new label after ``confirm_s``; keep the shown one ``hold_s`` without one."""
        if raw.name is not PairTechnique.NONE and raw.name == self._shown.name:
            self._shown, self._shown_t = raw, t
            self._cand = PairTechnique.NONE
            return raw
        if raw.name is not PairTechnique.NONE:
            if raw.name != self._cand:
                self._cand, self._cand_since = raw.name, t
            if t - self._cand_since >= self.confirm_s:
                self._shown, self._shown_t = raw, t
                self._cand = PairTechnique.NONE
                return raw
        else:
            self._cand = PairTechnique.NONE
        if self._shown.name is not PairTechnique.NONE and t - self._shown_t <= self.hold_s:
            return self._shown
        self._shown = PairEstimate(tracks=raw.tracks, separation_rate_l_s=raw.separation_rate_l_s,
                                   opposition=raw.opposition)
        return self._shown


def thumb_names(hands: Hands) -> dict[int, str]:
    """Giver track id -> "left thumb" / "right thumb", from the track's settled handedness.

    Handedness is anatomical (the caregiver's own left or right), as the tracker settles it
    over time, never the detector's flickering label of this frame. A track whose side is not
    known yet is named "thumb N" by its track id.
    """
    out: dict[int, str] = {}
    for i in np.flatnonzero(hands.role == int(Role.GIVER)):
        side = str(hands.handedness[i]).lower()
        track = int(hands.track_id[i])
        out[track] = f"{side} thumb" if side in ("left", "right") else f"thumb {track}"
    return out


def describe(pair: PairEstimate, names: dict[int, str], who: str = "caregiver's") -> str:
    """One line naming which thumb did what ("caregiver's left thumb presses, right hand ...")."""
    if pair.name is PairTechnique.NONE:
        return ""
    if pair.name is PairTechnique.SUPPORT_PRESS:
        act = names.get(pair.active, "one thumb") if pair.active is not None else "one thumb"
        sup = (names.get(pair.support, "other hand") if pair.support is not None
               else "other hand").replace(" thumb", " hand")
        return f"{who} {act} presses, {sup} supports"
    label = "both thumbs spread" if pair.name is PairTechnique.TWO_THUMB_SPREAD else \
        "both hands wring"
    return f"{who} {label}"


__all__ = ("PairAnalysis", "PairClassifier", "PairEstimate", "PairTechnique", "describe",
           "thumb_names")
