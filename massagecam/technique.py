"""Which stroke a pressing finger makes, from its recent path on the receiving hand.

:class:`TechniqueClassifier` keeps, per giving finger, the last ``window_s`` seconds of its
press point in the receiver's own frame (``Contact.palm_xy``: palm lengths, distal x, radial y),
which removes the receiving hand's motion, rotation and size. Rules on robust features of that
path decide (each documented in docs/contact-technique.md).

The window is first cut to the current activity, because the contact detector misses some lifts
on real-model landmarks (helpers in :mod:`massagecam.technique_path`): a press elsewhere after a
long lift from a hold or circles starts a new window; a fast glide to another point followed by
a settled path keeps only what follows; a sawtooth (slow passes, quicker unseen-lift returns)
keeps only the slow passes.

* circles: a circle fitted to the window's path is 0.05-0.5 L in radius, fits well, the path
  visits >= 8 of 12 sectors around it and its median angular speed covers >= 0.5 turn,
  mostly one way (or the last second alone is a full-fledged circle). Frequency = median
  angular speed / 2 pi.
* progress: a robust (Theil-Sen) line through each press run gives its velocity; a path that
  advances >= ``min_speed_l_s`` is a stroke, a thumb walk or a finger pull.
* thumb walk: slow and straight, and the position along the path minus the fitted line has a
  step rhythm (a spectral peak at 0.5-4 Hz carrying enough variance); the peak is the step
  rate.
* finger pull: the path lies beyond the knuckles (on a digit) and runs away from the palm.
* hold: a press that neither circles nor advances.

Direction words, in the hand's own frame: "cw" turns from distal to radial (a clock face with
12 o'clock at the fingertips and 3 o'clock on the thumb side); that is clockwise on screen for a
right palm or left back facing the camera, counter-clockwise for a left palm or right back
(:func:`screen_turn`). Strokes are "distal", "proximal", "radial" or "ulnar".
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from massagecam.errors import ConfigError
from massagecam.results import Contact, TechniqueEstimate, TechniqueName
from massagecam.technique_path import (
    press_runs,
    run_fits,
    sawtooth_passes,
    settled_after_jump,
    smooth,
)

T = TechniqueName
#: A press that starts farther than this (palm lengths) from every point of the window, after
#: a lift of at least ``reset_s``, starts a new window (the hand moved to another point).
RESET_L = 0.15
#: The same for a finger that was stroking, walking or pulling, whose passes restart elsewhere
#: as part of the technique: only a press this far from all of its path is a new place (on the
#: rendered seed 3030, a finger pull's path kept in the window read the circles that followed on
#: LI4 as a thumb walk for 2 s; technique macro-F1 0.849 -> 0.875 with hindsight. 0.3 L cost
#: synthetic seed 777 thumb walks, 0.906 -> 0.904; 0.4 and 0.5 L left it at 0.906).
RESET_MOVING_L = 0.4
#: Circles need this much path (s), angular travel (turns) and sectors visited (of 12).
CIRCLE_MIN_S, CIRCLE_MIN_TURNS, CIRCLE_MIN_SECTORS = 0.6, 0.5, 8
#: When the whole window is no circle, its last RECENT_CIRCLE_S seconds (one press run) are
#: tried alone, with stricter travel (RECENT_CIRCLE_TURNS, 9 sectors: a U-turn at a stroke's
#: end is half a turn).
RECENT_CIRCLE_S, RECENT_CIRCLE_TURNS = 1.0, 0.75
#: Largest rms radial residual of a circle fit, as a share of its radius.
CIRCLE_MAX_RES = 0.5
# a slow advance is a thumb walk when its step rhythm carries this share of the along-path
# variance; the bar rises with speed (walks are slow, strokes from 1 cm/s) - fitted on
# development seeds 1, 2 and 5
WALK_SHARE_0, WALK_SHARE_PER_L_S = 0.025, 1.5
WALK_MAX_L_S = 0.3  # inchworm steps are small and slow: 4-10 % of L at <= 2.5 steps/s
WALK_SIDEWAYS_L = 0.07  # a walk runs straight: rms sideways wander (noise ~0.03 L)
_DIRS = (("distal", (1.0, 0.0)), ("proximal", (-1.0, 0.0)), ("radial", (0.0, 1.0)),
         ("ulnar", (0.0, -1.0)))


def screen_turn(direction: str, handedness: str, side: str) -> str:
    """Hand-frame "cw"/"ccw" as seen on an un-mirrored screen.

    The hand frame turns like the screen for a right palm or a left back facing the camera.
    """
    same = (handedness == "Right") == (side == "palm")
    if same or direction not in ("cw", "ccw"):
        return direction
    return "ccw" if direction == "cw" else "cw"


@dataclass
class _Track:
    t: deque[float] = field(default_factory=deque)
    p: deque[tuple[float, float]] = field(default_factory=deque)
    last: TechniqueEstimate = field(default_factory=TechniqueEstimate)
    last_eval: float = -math.inf
    off_since: float | None = None  # when the finger last lifted (None while pressing)


def _far_from(q: tuple[float, float], pts: deque[tuple[float, float]], dist: float) -> bool:
    """True when ``q`` is farther than ``dist`` from every point of ``pts``."""
    a = np.asarray(pts)
    return bool(np.min(np.hypot(a[:, 0] - q[0], a[:, 1] - q[1])) > dist)


def _circle(p: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Algebraic (Kasa) circle fit: centre, radius, rms radial residual."""
    a = np.column_stack([2 * p, np.ones(len(p))])
    b = (p ** 2).sum(axis=1)
    sol, *_ = np.linalg.lstsq(a, b, rcond=None)
    c = sol[:2]
    r2 = sol[2] + c @ c
    r = math.sqrt(r2) if r2 > 0 else 0.0
    res = float(np.sqrt(np.mean((np.linalg.norm(p - c, axis=1) - r) ** 2)))
    return c, r, res


def _power(t: np.ndarray, y: np.ndarray, freqs: np.ndarray) -> np.ndarray:
    ph = np.outer(freqs, t) * (2 * np.pi)
    return (np.cos(ph) @ y) ** 2 + (np.sin(ph) @ y) ** 2


def _peak(t: np.ndarray, y: np.ndarray, lo: float, hi: float) -> tuple[float, float]:
    """Strongest frequency of ``y(t)`` in [lo, hi] Hz and the share of variance it explains.

    A direct Fourier sum (uneven, gappy time stamps are fine) on a 0.1 Hz grid, refined to
    0.01 Hz around the best. A sinusoid gives a share near 1, a staircase (thumb walk) about
    0.6 of its own variance, white noise about 0.1 over a 3 s window.
    """
    y = y - y.mean()
    t = t - t[0]
    coarse = np.arange(lo, hi + 1e-9, 0.1)
    f0 = float(coarse[int(np.argmax(_power(t, y, coarse)))])
    fine = np.arange(max(lo, f0 - 0.06), min(hi, f0 + 0.06) + 1e-9, 0.01)
    power = _power(t, y, fine)
    k = int(np.argmax(power))
    total = float(y @ y) * len(y) / 2.0 or 1e-12
    return float(fine[k]), float(power[k] / total)


def _on_digit(p: np.ndarray) -> np.ndarray:
    """Points beyond the knuckles or on the thumb beyond its MCP (hand-frame approximation).

    From the synthetic template (a real measured palm): finger MCPs at x 0.79-1.0 L, thumb
    MCP at (0.52, 0.66); fingers fan out from there.
    """
    x, y = p[:, 0], p[:, 1]
    fingers = x > 1.02 - 0.35 * np.clip(-y - 0.3, 0.0, 1.0)  # the little finger starts lower
    thumb = (y > 0.7) & (x > 0.45)
    return fingers | thumb


class TechniqueClassifier:
    """Sliding-window technique recognition, one estimate per contact.

    Args:
        window_s: how much recent path to judge (>= one slow circle, 0.3 Hz, needs ~3 s).
        palm_mm: receiver palm length for cm/s (95 mm unless the user calibrated it).
        min_speed_l_s: slowest net advance that counts as a stroke/walk/pull.
        refresh_s: re-evaluate at most this often (the estimate in between is reused).
        min_confidence: contact frames less sure than this are left out of the path (a
            missed lift would otherwise add the glide back to a stroke), on a stream whose
            depth follows the press. 0.8: chosen on synthetic seed 777 (0.911 -> 0.906,
            stroke speed error 3.3 -> 3.9 %) and, before the floor below, on the 12 rendered
            sessions of seed 3030 (technique macro-F1 0.644 -> 0.668).
        depth_free_confidence: the same floor on a stream whose depth says nothing (the
            contact detector then weighs the shape cues alone, and its probabilities are less
            saturated); :meth:`update` moves between the two by the detector's depth share.
            0.5: on rendered seed 3030 with hindsight, 0.8 / 0.7 / 0.6 / 0.5 / 0.4 gave
            technique macro-F1 0.881 / 0.902 / 0.904 / 0.907 / 0.885. At 0.8 most of each
            turn of some circles was left out (contact probabilities of 0.5-0.7 while the
            detector held the press), and the arcs left read as strokes.
    """

    def __init__(self, window_s: float = 3.0, palm_mm: float = 95.0, *,
                 min_speed_l_s: float = 0.03, refresh_s: float = 0.1,
                 min_confidence: float = 0.8, depth_free_confidence: float = 0.5,
                 reset_s: float = 0.6) -> None:
        for name, value, lo, hi in (("window_s", window_s, 1.0, 20.0),
                                    ("palm_mm", palm_mm, 40.0, 200.0),
                                    ("min_speed_l_s", min_speed_l_s, 0.0, 1.0),
                                    ("refresh_s", refresh_s, 0.0, 1.0),
                                    ("min_confidence", min_confidence, 0.0, 1.0),
                                    ("depth_free_confidence", depth_free_confidence, 0.0, 1.0),
                                    ("reset_s", reset_s, 0.0, 60.0)):
            if not lo <= value <= hi:
                raise ConfigError(f"{name}={value} is outside [{lo}, {hi}]")
        self.window_s, self.palm_mm = window_s, palm_mm
        self.min_speed, self.refresh_s = min_speed_l_s, refresh_s
        self.min_confidence = min_confidence
        self.depth_free_confidence = depth_free_confidence
        self.reset_s = reset_s
        self._tracks: dict[tuple[int, str], _Track] = {}

    def update(self, contacts: Sequence[Contact], t: float,
               depth_share: float = 1.0) -> tuple[TechniqueEstimate, ...]:
        """The technique of each contact's finger at time ``t`` (NONE when not touching).

        ``depth_share``: how far the contact detector's probabilities rest on a depth that
        follows the press (its ``depth_share``; 1 when unknown), which sets how sure a
        frame must be to join the path.
        """
        k = min(max(float(depth_share), 0.0), 1.0)
        floor = self.depth_free_confidence + k * (self.min_confidence - self.depth_free_confidence)
        out = []
        live = set()
        for c in contacts:
            key = (c.giver_track, c.finger)
            live.add(key)
            tr = self._tracks.setdefault(key, _Track())
            while tr.t and tr.t[0] < t - self.window_s:
                tr.t.popleft()
                tr.p.popleft()
            if not c.in_contact or not all(map(math.isfinite, c.palm_xy)):
                if not c.in_contact and tr.off_since is None:
                    tr.off_since = t
                out.append(TechniqueEstimate())
                continue
            still = tr.last.name in (T.HOLD, T.CIRCLES)
            if (tr.off_since is not None and t - tr.off_since >= self.reset_s and tr.p
                    and _far_from(c.palm_xy, tr.p, RESET_L if still else RESET_MOVING_L)):
                # a long lift, then a press elsewhere: a new point, judged on its own path
                # (strokes, walks and pulls lift and restart a little way off as part of the
                # technique, so for them "elsewhere" is farther)
                tr.t.clear()
                tr.p.clear()
            tr.off_since = None
            if (not tr.t or t > tr.t[-1]) and c.confidence >= floor:
                tr.t.append(t)
                tr.p.append(c.palm_xy)
            if t - tr.last_eval >= self.refresh_s or tr.last.name == T.NONE:
                tr.last = self.classify(np.asarray(tr.t), np.asarray(tr.p))
                tr.last_eval = t
            out.append(tr.last)
        for key in [k for k, tr in self._tracks.items()
                    if k not in live and (not tr.t or tr.t[-1] < t - self.window_s)]:
            del self._tracks[key]
        return tuple(out)

    def classify(self, t: np.ndarray, p: np.ndarray) -> TechniqueEstimate:
        """Technique of a press path: times ``t`` (n,) s and points ``p`` (n, 2) in L."""
        if len(t) < 4 or t[-1] - t[0] < 0.4:
            return TechniqueEstimate(T.HOLD, 0.3)
        cut = settled_after_jump(t, p)
        if cut:
            t, p = t[cut:], p[cut:]
        runs = press_runs(t)
        if len(t) >= 8 and t[-1] - t[0] >= CIRCLE_MIN_S:
            est = self._circles(t, p)  # short gaps (a missed frame) do not break a circle
            if est is None and RECENT_CIRCLE_S > 0 and t[-1] - t[0] > RECENT_CIRCLE_S + 0.2:
                # circling may have just begun after something else (a glide the detector
                # kept as contact): the last RECENT_CIRCLE_S alone may already be a circle
                k = int(np.searchsorted(t, t[-1] - RECENT_CIRCLE_S))
                if len(t) - k >= 8 and len(press_runs(t[k:])) == 1:  # one run, no lift
                    est = self._circles(t[k:], p[k:], RECENT_CIRCLE_TURNS, 9)
            if est is not None:
                return est
        # pressed passes one way with quicker returns whose lifts were not seen (a sawtooth):
        # judge the slow passes alone
        passes = sawtooth_passes(t, p)
        if passes:
            p = np.concatenate([pp for _, pp in passes])
            runs = [slice(0, len(p))]
        fits = run_fits(passes or [(t[r], p[r]) for r in runs])
        if fits is None:
            return TechniqueEstimate(T.HOLD, 0.4)
        speed, mean_v, rt, rs, sideways = fits
        if speed < self.min_speed or np.hypot(*mean_v) < 0.6 * speed:
            spread = float(np.sqrt(np.mean(np.sum((p - np.median(p, axis=0)) ** 2, axis=1))))
            return TechniqueEstimate(T.HOLD, float(np.clip(1.0 - spread / 0.1, 0.3, 1.0)))
        direction = max(_DIRS, key=lambda d: d[1][0] * mean_v[0] + d[1][1] * mean_v[1])[0]
        cm = speed * self.palm_mm / 10.0
        if (rt[-1] - rt[0] >= 1.0 and len(rt) >= 12 and speed < WALK_MAX_L_S
                and sideways < WALK_SIDEWAYS_L):
            f, share = _peak(rt, rs, 0.5, 4.0)
            if share >= WALK_SHARE_0 + WALK_SHARE_PER_L_S * speed:
                return TechniqueEstimate(T.THUMB_WALK, float(min(1.0, share / 0.6)),
                                         direction=direction, speed_l_s=speed, speed_cm_s=cm,
                                         step_rate_hz=f)
        all_runs = np.concatenate([p[r] for r in runs])
        outward = all_runs - np.array([0.45, 0.0])
        out_dir = float(np.mean(outward @ mean_v / (np.linalg.norm(outward, axis=1) + 1e-9)))
        if np.mean(_on_digit(all_runs)) >= 0.6 and out_dir >= 0.6 * np.hypot(*mean_v):
            return TechniqueEstimate(T.FINGER_PULL, 0.7, direction="distal", speed_l_s=speed,
                                     speed_cm_s=cm)
        return TechniqueEstimate(T.STROKE, 0.8, direction=direction, speed_l_s=speed,
                                 speed_cm_s=cm)

    def _circles(self, t: np.ndarray, p: np.ndarray, min_turns: float = CIRCLE_MIN_TURNS,
                 min_sectors: int = CIRCLE_MIN_SECTORS) -> TechniqueEstimate | None:
        ps = smooth(p)
        c, r, res = _circle(ps)
        if not 0.05 <= r <= 0.5 or res > CIRCLE_MAX_RES * r:
            return None
        ang = np.arctan2(ps[:, 1] - c[1], ps[:, 0] - c[0])
        steps = (np.diff(ang) + np.pi) % (2 * np.pi) - np.pi
        # median angular speed: a few frames passing near the centre (angle jumps) or taken
        # against a stale receiver do not count
        omega = float(np.median(steps / np.maximum(np.diff(t), 1e-3)))
        one_way = float(np.mean(np.sign(steps) == np.sign(omega))) if omega else 0.0
        bins = np.unique(((ang + np.pi) / (2 * np.pi) * 12).astype(int) % 12).size
        turns = abs(omega) * (t[-1] - t[0]) / (2 * math.pi)
        if bins < min_sectors or turns < min_turns or one_way < 0.7:
            return None
        freq = abs(omega) / (2 * math.pi)
        turned = omega
        conf = float(np.clip(min(one_way, 1.0 - res / r), 0.0, 1.0))
        return TechniqueEstimate(T.CIRCLES, conf, frequency_hz=freq,
                                 direction="cw" if turned > 0 else "ccw")
