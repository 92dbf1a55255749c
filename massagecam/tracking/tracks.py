"""Per-hand track state and the frame-to-frame association helpers of the role tracker.

A track is one physical hand followed by continuity. Association compares whole poses: the mean
distance between corresponding landmarks, divided by the track's palm length. That single number
covers position (a hand does not jump), shape (a left and a right hand at the same place are
mirror images, so their thumbs sit a palm-width apart) and orientation, at any hand size. The
detector's handedness label is only a weak prior, because it flips and duplicates exactly when
hands touch, which is when association is hardest.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import numpy.typing as npt

from massagecam.hands import Landmark, Role
from massagecam.tracking.smoothing import OneEuroFilter

L = Landmark
F64 = npt.NDArray[np.float64]

#: A track's handedness vote saturates here (in frames of confident, uncontested labels), so a
#: long history outweighs the flips of a contact but a wrong start can still be corrected.
VOTE_LIMIT = 30.0
#: The settled side changes only when the vote crosses this far to the other side.
VOTE_HYSTERESIS = 4.0
#: Time constant (s) over which a lost moving hand's reported pose slows to a stop.
COAST_S = 0.15


class Track:
    """One hand followed over time (mutable, private to the tracker)."""

    __slots__ = ("id", "raw", "xy", "z", "world", "score", "palm", "vel", "svel", "filter",
                 "vote", "side", "last_seen", "first_seen", "participant", "role", "motion",
                 "evidence", "thumb_local", "seen", "flow_shift", "facing", "opposed")

    def __init__(self, track_id: int, xy: F64, z: F64, world: F64, score: float, label: str,
                 t: float, smoother: OneEuroFilter | None, participant: bool) -> None:
        self.id = track_id
        self.raw = xy
        self.palm = max(float(np.linalg.norm(xy[L.MIDDLE_FINGER_MCP] - xy[L.WRIST])), 1.0)
        self.filter = smoother
        self.xy = xy if smoother is None else smoother(xy, t, self.palm)
        self.z, self.world, self.score = z, world, score
        self.vel = np.zeros(2)
        self.svel = np.zeros(2)
        self.vote = 0.0
        self.side = label
        self.last_seen = self.first_seen = t
        self.participant = participant
        self.role = Role.UNKNOWN if participant else Role.IGNORED
        self.motion = 0.0
        self.evidence = 0.0
        self.facing = 0.0  # caregiver mode: accumulated "points against the others" lead
        self.opposed = math.nan  # caregiver mode: recent mean -cos to the other hands' axes
        self.thumb_local = _thumb_local(xy[_WMT].tolist())
        self.seen = 1
        self.flow_shift = np.zeros(2)

    def predict(self, t: float) -> F64:
        """Expected raw pose at ``t``: last pose moved on by the recent velocity (capped)."""
        gap = min(max(t - self.last_seen, 0.0), 0.3)
        return self.raw + self.vel * gap

    def held_pose(self, t: float) -> F64:
        """Pose reported while undetected: the last smoothed pose, coasting briefly.

        A hand lost while moving (e.g. the lower one while hands cross) keeps going for a
        moment: it moves on with its smoothed velocity decaying over ``COAST_S``, so it stops
        within about one coast time. A still hand has near-zero smoothed velocity and stays
        put. Plus any optical-flow shift measured since it was lost.
        """
        gap = max(t - self.last_seen, 0.0)
        coast = COAST_S * (1.0 - np.exp(-gap / COAST_S))
        return self.xy + self.svel * coast + self.flow_shift

    def forget_side(self) -> None:
        """Settle the side afresh from the next labels.

        A participant back after a long gap may be another hand (caregiver mode: the receiver
        switching hands, which revives the receiver's track).
        """
        self.vote = 0.0
        self.seen = 1

    def update(self, xy: F64, z: F64, world: F64, score: float, label: str, t: float,
               vote_weight: float, reset_after: float) -> None:
        """Take a matched detection: smooth, and update velocity, motion and the side vote.

        Per-hand scalars are computed with plain floats: this runs for every hand of every
        frame of a >= 60 fps loop, where numpy's per-call overhead on 2-vectors dominates.
        """
        dt = t - self.last_seen
        if self.filter is not None and dt > reset_after:
            self.filter.reset()
        (wx, wy), (mx, my) = xy[_WM].tolist()
        palm = math.hypot(mx - wx, my - wy)
        if palm > 1.0:
            self.palm += 0.1 * (palm - self.palm)
        prev_xy = self.xy
        self.xy = xy if self.filter is None else self.filter(xy, t, self.palm)
        key = self.xy[_WMT].tolist()
        if 0.0 < dt <= reset_after:
            # Velocity for prediction from raw poses (no filter lag); motion, the receiver
            # evidence, from smoothed ones (raw jitter would make a still hand look busy).
            a = min(1.0, dt / 0.1)
            (rwx, rwy), (rmx, rmy) = self.raw[_WM].tolist()
            self.vel += a * (np.array([(wx + mx - rwx - rmx) * 0.5 / dt,
                                       (wy + my - rwy - rmy) * 0.5 / dt]) - self.vel)
            (pwx, pwy), (pmx, pmy) = prev_xy[_WM].tolist()
            (swx, swy), (smx, smy), _ = key
            vx = (swx + smx - pwx - pmx) * 0.5 / dt
            vy = (swy + smy - pwy - pmy) * 0.5 / dt
            self.svel += a * (np.array([vx, vy]) - self.svel)
            thumb = _thumb_local(key)
            articulation = math.hypot(thumb[0] - self.thumb_local[0],
                                      thumb[1] - self.thumb_local[1]) / dt
            self.thumb_local = thumb
            speed = math.hypot(vx, vy) / self.palm
            self.motion += min(1.0, dt / 0.4) * (speed + 0.5 * articulation - self.motion)
        else:
            self.vel = np.zeros(2)
            self.svel = np.zeros(2)
            self.thumb_local = _thumb_local(key)
        self.raw = xy
        self.z, self.world, self.score = z, world, score
        sign = 1.0 if label == "Right" else -1.0
        self.vote = min(max(self.vote + vote_weight * score * sign, -VOTE_LIMIT), VOTE_LIMIT)
        if self.seen == 1 or (self.side == "Right" and self.vote < -VOTE_HYSTERESIS) or (
                self.side == "Left" and self.vote > VOTE_HYSTERESIS):
            self.side = "Right" if self.vote > 0 else "Left" if self.vote < 0 else label
        self.last_seen = t
        self.seen += 1
        if self.flow_shift.any():
            self.flow_shift = np.zeros(2)


_WM = [int(L.WRIST), int(L.MIDDLE_FINGER_MCP)]
_WMT = [int(L.WRIST), int(L.MIDDLE_FINGER_MCP), int(L.THUMB_TIP)]


def _surface_matrix() -> F64:
    """(k, 21) weights giving the landmarks plus points inside the palm and along the fingers.

    Landmarks alone leave the middle of the palm (where a thumb presses most) half a palm
    length from any point; these extra points make "distance to the hand" mean distance to
    its surface.
    """
    rows = [np.eye(21)[i] for i in range(21)]
    palm = [L.WRIST, L.INDEX_FINGER_MCP, L.MIDDLE_FINGER_MCP, L.RING_FINGER_MCP, L.PINKY_MCP]
    centre = np.zeros(21)
    centre[[int(i) for i in palm]] = 1.0 / len(palm)
    rows.append(centre)
    for i in palm[1:]:
        for w in (0.33, 0.67):
            r = np.zeros(21)
            r[int(L.WRIST)] += 1 - w
            r[int(i)] += w
            rows.append(r)
        r = 0.5 * centre
        r[int(i)] += 0.5
        rows.append(r)
    return np.array(rows)


SURFACE = _surface_matrix()


def _thumb_local(key: list[list[float]]) -> tuple[float, float]:
    """Thumb tip in the hand's own frame (palm lengths), from [wrist, middle MCP, thumb tip].

    Its motion is articulation only: moving or turning the whole hand leaves it unchanged.
    """
    (wx, wy), (mx, my), (tx, ty) = key
    dx, dy = mx - wx, my - wy
    n2 = dx * dx + dy * dy or 1.0
    px, py = tx - wx, ty - wy
    return ((px * dx + py * dy) / n2, (px * dy - py * dx) / n2)


def pose_distance(a: F64, b: F64) -> F64:
    """(n, m) mean landmark distance between poses a (n, 21, 2) and b (m, 21, 2), in pixels."""
    diff = a[:, None, :, :] - b[None, :, :, :]
    return np.sqrt((diff * diff).sum(-1)).mean(-1)


def assign(cost: F64, gate: F64) -> list[tuple[int, int]]:
    """Minimum-cost matching of rows to columns, pairs above ``gate`` (per column) excluded.

    Exhaustive over permutations for the handful of hands a camera sees (at most 4 x 4: 24
    cases, exact and deterministic, no SciPy needed); greedy beyond that.
    """
    n, m = cost.shape
    ok = cost <= gate[None, :]
    if n == 0 or m == 0:
        return []
    if n * m > 25:
        pairs: list[tuple[int, int]] = []
        used_r: set[int] = set()
        used_c: set[int] = set()
        for flat in np.argsort(cost, axis=None):
            i, j = divmod(int(flat), m)
            if ok[i, j] and i not in used_r and j not in used_c:
                pairs.append((i, j))
                used_r.add(i)
                used_c.add(j)
        return pairs
    best_key: tuple[int, float] | None = None
    best_pairs: list[tuple[int, int]] = []
    if n <= m:
        cands = (list(zip(range(n), p, strict=True)) for p in itertools.permutations(range(m), n))
    else:
        cands = (list(zip(p, range(m), strict=True)) for p in itertools.permutations(range(n), m))
    for cand in cands:
        kept = [(i, j) for i, j in cand if ok[i, j]]
        key = (len(kept), -sum(float(cost[i, j]) for i, j in kept))
        if best_key is None or key > best_key:
            best_key, best_pairs = key, kept
    return best_pairs


def duplicates(xy: F64, score: F64, threshold: float) -> npt.NDArray[np.bool_]:
    """Mask of detections to keep: of two near-identical poses, keep the higher score.

    The detector sometimes returns the same hand twice while two hands touch; a duplicate
    would otherwise be taken for the hidden hand and drag its held pose onto the other one.
    """
    n = len(xy)
    keep = np.ones(n, bool)
    if n < 2:
        return keep
    # Cheap screen first (plain floats): mean positions closer than the threshold in palm
    # lengths of the larger hand are necessary for a small mean landmark distance.
    mean = xy.mean(axis=1).tolist()
    ends = xy[:, _WM].tolist()
    palms = [max(math.hypot(m[0] - w[0], m[1] - w[1]), 1.0) for w, m in ends]
    limit = threshold * max(palms)
    if not any(math.hypot(mean[i][0] - mean[j][0], mean[i][1] - mean[j][1]) < limit
               for i in range(n) for j in range(i + 1, n)):
        return keep
    palm = np.array(palms)
    d = pose_distance(xy, xy) / palm[:, None]
    for i in range(n):
        for j in range(i + 1, n):
            if keep[i] and keep[j] and d[i, j] < threshold:
                keep[j if score[i] >= score[j] else i] = False
    return keep


def boxes_touch(xy: np.ndarray) -> np.ndarray:
    """Per detection: does its (slightly grown) bounding box overlap another's?"""
    n = len(xy)
    out = np.zeros(n, bool)
    if n < 2:
        return out
    boxes = []
    for (x0, y0), (x1, y1) in zip(xy.min(axis=1).tolist(), xy.max(axis=1).tolist(),
                                  strict=True):
        pad = 0.15 * max(x1 - x0, y1 - y0)
        boxes.append((x0 - pad, y0 - pad, x1 + pad, y1 + pad))
    for i in range(n):
        a = boxes[i]
        for j in range(i + 1, n):
            b = boxes[j]
            if a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]:
                out[i] = out[j] = True
    return out
