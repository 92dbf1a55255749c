"""Does a giving finger press on the receiving hand, where, and how sure are we.

Landmarks from one camera cannot see touch; they show signs of it. :class:`ContactDetector`
reads seven cues per giving finger and frame (each documented in docs/contact-technique.md):

1. *inside*: signed distance of the pad to the receiver's outline (hull of the palm landmarks
   plus finger capsules, grown by the capsule radius, plus the wrist and the start of the
   forearm); outside by more than ``gate_l`` rules contact out;
2. *flexion*: how much the pad's joint (thumb IP) bends in the image;
3. *distal ratio*: image length of the last phalanx against the one before it, relative to
   an open hand: a pressing tip points into the other hand and looks shorter;
4. *depth*: the pad's z behind the finger's own knuckle (MediaPipe z is relative to each hand's
   wrist, so only depth inside the giving hand is compared, never across hands);
5. *covered*: the receiver row is held by the tracker (the giver hides it);
6. *dwell* and *relative speed*: time the pad has stayed over the hand, and its speed in the
   receiver's frame (a pad sweeping faster than 3 L/s is travelling; a slow one is at work);
7. *size*: the giving hand's palm length against its recent median (a lifted hand is nearer
   the camera).

The first four are smoothed over ~0.1 s and folded into a logistic score, mixed from two weight
sets by how far the stream's depth follows the press (:mod:`massagecam.contact_weights`), and
a decision with enter/exit hysteresis follows. A finger that vanishes for a moment keeps its
last decision for ``hold_s`` (the domain's 0.5 s dropout tolerance). No force is claimed; a
relative pressure level appears only with a per-user calibration
(:mod:`massagecam.calibration`).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import cv2
import numpy as np

from massagecam import calibration as calib
from massagecam.contact_weights import (
    DEPTH_WEIGHTS,
    SELF_WEIGHTS,
    SIZE_WINDOW_S,
    ContactWeights,
    DepthTrust,
    cue_score,
    logistic,
)
from massagecam.errors import ConfigError
from massagecam.hands import FINGERS, Hands, Landmark, Role, palm_length
from massagecam.results import Contact, Location, Pressure, Side

L = Landmark
NAN2 = (math.nan, math.nan)
PAD_T = 0.7  # press point = lerp(joint before tip, tip, 0.7): the pad, not the tip
#: Where the pad is located on the model's landmarks: MediaPipe puts a pressing thumb's tip
#: short of the drawn one, so the drawn pad (PAD_T) lies nearer 0.85 of its IP→tip (rendered
#: seed 3030, press frames: median error 0.050 L read at 0.7, 0.041 L at 0.85). The path that
#: technique follows stays at PAD_T, where the landmarks are steadier.
READ_T = 0.85

#: Resting image ratio |last phalanx| / |phalanx before| on an open hand (synthetic template).
REST_RATIO = {"thumb": 0.79, "index": 0.91, "middle": 0.89}
#: Resting signed turn (deg, + towards the palm) of the pad's joint on an open hand (template).
REST_FLEX = {"thumb": -22.0, "index": 0.0, "middle": 0.0}
#: Confidence factor while the receiver row is held by the tracker: its pose may be stale, so
#: the press point in its frame is less sure (the technique classifier skips such samples).
HELD_CONFIDENCE = 0.8
_HULL = (L.WRIST, L.THUMB_CMC, L.THUMB_MCP, L.INDEX_FINGER_MCP, L.MIDDLE_FINGER_MCP,
         L.RING_FINGER_MCP, L.PINKY_MCP)
#: The forearm part of the outline: length (palm lengths) and half width (x knuckle span).
FOREARM_L, FOREARM_HALF_WIDTH = 0.7, 0.4
_SEGS = np.array([(c[i], c[i + 1]) for c in FINGERS.values() for i in range(3)], np.intp)

class AtlasLike(Protocol):
    """What the detector needs of ``massagecam.atlas.Atlas``."""

    def locate(self, point_xy: Any, receiver_xy: Any, handedness: str, side: Side,
               palm_mm: float = 95.0) -> Location:
        """Where an image point lies on the receiver's atlas."""


_FRAME_PTS = [L.WRIST, L.THUMB_CMC, L.INDEX_FINGER_MCP, L.MIDDLE_FINGER_MCP, L.RING_FINGER_MCP,
              L.PINKY_MCP]


class StableFrame:
    """The receiver's palm frame fitted to six palm landmarks instead of two.

    ``hands.palm_frame`` uses the wrist and the middle MCP only, so their jitter moves the
    whole frame. Here a running mean shape of six palm landmarks, in that frame, is fitted to
    each new frame by least squares (a similarity transform): the same frame on average,
    with the jitter of six points averaged. The shape resets when the receiver changes.
    """

    def __init__(self, tau_s: float = 2.0) -> None:
        self.tau_s = tau_s
        self.shape: np.ndarray | None = None  # (6,) complex, palm-frame coordinates
        self.track = -2
        self.t = -math.inf

    def to_palm(self, point: np.ndarray, hand_xy: np.ndarray, track: int, t: float) -> np.ndarray:
        """``point`` (2,) pixels in the receiver's palm frame (palm lengths)."""
        h = hand_xy[_FRAME_PTS].astype(np.float64)
        z = h[:, 0] + 1j * h[:, 1]
        # hands.palm_frame's radial axis may be a mirror image of the screen's; fit in the
        # frame's handedness so the similarity needs no reflection
        d = z[3] - z[0]
        rad = z[2] - z[5]
        mirror = (d.real * rad.imag - d.imag * rad.real) < 0
        if mirror:
            z = z.conjugate()
        z0 = z[0]
        unit = (z[3] - z0) / (abs(z[3] - z0) or 1e-9)
        length = abs(z[3] - z0) or 1e-9
        now = (z - z0) / unit / length  # the six points in this frame's palm coordinates
        if self.shape is None or track != self.track or t - self.t > 1.0:
            self.shape, self.track = now, track
        else:
            a = 1.0 - math.exp(-max(t - self.t, 0.0) / self.tau_s)
            self.shape = self.shape + a * (now - self.shape)
        self.t = t
        w = self.shape
        wm, zm = w.mean(), z.mean()
        wc = w - wm
        k = complex(np.vdot(wc, z - zm)) / (float(np.vdot(wc, wc).real) or 1e-12)
        q = complex(point[0], point[1])
        if mirror:
            q = q.conjugate()
        q = (q - (zm - k * wm)) / k
        return np.array([q.real, q.imag])


@dataclass(frozen=True)
class Cues:
    """The raw cues of one giving finger in one frame (units in the field names)."""

    inside_l: float      # signed distance to the receiver outline, receiver palm lengths (<0 in)
    flex_deg: float      # flexion of the pad's joint in the image
    distal_ratio: float  # last phalanx image length / the one before, 1 = as on an open hand
    depth_l: float       # pad z minus knuckle z, giver palm lengths (+ = farther from camera)
    covered: bool        # receiver row held by the tracker
    pad_xy: tuple[float, float]    # the pad at PAD_T: outline distance, path, speed
    place_xy: tuple[float, float]  # the pad at READ_T: where the press is located


@dataclass
class _State:
    feats: np.ndarray | None = None  # smoothed flex, ratio, depth, inside
    prob: float = 0.0
    on: bool = False
    inside_since: float | None = None
    last_t: float = -math.inf
    last_palm: np.ndarray | None = None
    speed: float = 0.0
    last: Contact | None = None
    raw_prob: float = 1.0  # this frame's probability before smoothing
    sizes: deque[tuple[float, float]] = field(default_factory=deque)  # (t, giver palm px)
    size_rel: float = 1.0  # giver palm length / its median over SIZE_WINDOW_S


def outline_distance(point: np.ndarray, hand_xy: np.ndarray, radius_l: float = 0.09) -> float:
    """Signed distance (palm lengths, negative inside) of ``point`` to a hand's outline.

    The outline is the convex hull of the palm landmarks and the capsules of all phalanges,
    both grown by ``radius_l``: landmarks sit at joint centres, skin extends about a finger's
    half width (0.09 L, the domain's capsule radius) beyond them. The wrist and the first
    ``FOREARM_L`` of the forearm are part of it too (a capsule ``FOREARM_HALF_WIDTH`` x the
    knuckle span wide on each side): wrist-crease points such as HT7 lie below the wrist
    landmark, and without it a press there was ruled out as "outside the hand".
    """
    length = float(np.linalg.norm(hand_xy[L.MIDDLE_FINGER_MCP] - hand_xy[L.WRIST])) or 1.0
    a = hand_xy[_SEGS[:, 0]]
    ab = hand_xy[_SEGS[:, 1]] - a
    ap = point - a
    u = np.clip(np.einsum("ij,ij->i", ap, ab) / np.maximum(np.einsum("ij,ij->i", ab, ab), 1e-9),
                0.0, 1.0)
    d_caps = float(np.min(np.linalg.norm(ap - u[:, None] * ab, axis=1)))
    hull = cv2.convexHull(hand_xy[list(_HULL)].astype(np.float32))
    d_poly = -cv2.pointPolygonTest(hull, (float(point[0]), float(point[1])), True)
    # the wrist and the start of the forearm (wrist-crease and forearm points such as HT7 and
    # PC6 lie there): a capsule from the wrist landmark back along the hand's axis, as wide as
    # FOREARM_HALF_WIDTH of the knuckle span on each side
    wrist = hand_xy[L.WRIST]
    axis = (hand_xy[L.MIDDLE_FINGER_MCP] - wrist) / length
    back = -FOREARM_L * length * axis
    k = float(np.clip(np.dot(point - wrist, back) / max(float(np.dot(back, back)), 1e-9), 0, 1))
    span = float(np.linalg.norm(hand_xy[L.INDEX_FINGER_MCP] - hand_xy[L.PINKY_MCP]))
    d_arm = (float(np.linalg.norm(point - wrist - k * back)) - FOREARM_HALF_WIDTH * span) / length
    return min(min(d_caps, d_poly) / length - radius_l, d_arm)


def finger_cues(hands: Hands, giver: int, finger: str, receiver: int | None,
                radius_l: float = 0.09) -> Cues:
    """Measure the cues of ``finger`` of row ``giver`` against row ``receiver``."""
    chain = FINGERS[finger]
    g = hands.xy[giver]
    (bx, by), (mx, my), (tx, ty) = (g[chain[1]].tolist(), g[chain[2]].tolist(),
                                    g[chain[3]].tolist())
    (wx, wy), (cx, cy) = g[L.WRIST].tolist(), g[L.MIDDLE_FINGER_MCP].tolist()
    pad = (mx + PAD_T * (tx - mx), my + PAD_T * (ty - my))
    place = (mx + READ_T * (tx - mx), my + READ_T * (ty - my))
    v1x, v1y, v2x, v2y = mx - bx, my - by, tx - mx, ty - my
    n1, n2 = math.hypot(v1x, v1y) or 1e-9, math.hypot(v2x, v2y)
    # signed turn from the middle phalanx to the last one, positive towards the giver's palm
    turn = math.degrees(math.atan2(v1x * v2y - v1y * v2x, v1x * v2x + v1y * v2y))
    if v1x * (0.5 * (wy + cy) - my) - v1y * (0.5 * (wx + cx) - mx) < 0:
        turn = -turn
    flex = turn - REST_FLEX.get(finger, 0.0)
    ratio = n2 / n1 / REST_RATIO.get(finger, 0.9)
    gl = math.hypot(cx - wx, cy - wy) or 1.0
    zb, zm, zt = hands.z[giver, [chain[1], chain[2], chain[3]]].tolist()
    depth = (zm + PAD_T * (zt - zm) - zb) / gl
    if receiver is None:
        inside, covered = math.inf, False
    else:
        inside = outline_distance(np.array(pad), hands.xy[receiver].astype(np.float64), radius_l)
        covered = bool(hands.estimated[receiver])
    return Cues(inside, flex, ratio, depth, covered, pad, place)


def _relative_size(st: _State, size_px: float, t: float) -> float:
    """``size_px`` against its median over the last :data:`SIZE_WINDOW_S` (1 = as usual)."""
    sizes = st.sizes
    if sizes and t < sizes[-1][0]:
        sizes.clear()  # time went back: a new stream
    sizes.append((t, size_px))
    while sizes and sizes[0][0] < t - SIZE_WINDOW_S:
        sizes.popleft()
    med = float(np.median([v for _, v in sizes]))
    return size_px / med if med > 0 else 1.0


class ContactDetector:
    """Per-frame contact decision for each giving finger, with hysteresis and hold.

    Args:
        fingers: giving fingers to watch ("thumb", "index", "middle").
        enter: probability at or above which a finger enters contact.
        exit: probability at or below which it leaves contact (< enter).
        smoothing_s: time constant of the cue smoothing.
        hold_s: how long a vanished finger keeps its last decision.
        gate_l: a pad outside the receiver outline by more than this (palm lengths) is off.
        radius_l: finger capsule radius in receiver palm lengths.
        palm_mm: receiver palm length for the atlas.
        calibration: a pressure calibration; ``"auto"`` loads the user's stored one if any.
        weights: the cue weights (:data:`SELF_WEIGHTS`; caregiver mode uses
            ``contact_weights.CAREGIVER_WEIGHTS``).
        depth_weights: weights for a stream whose pad depth follows the press; the score is
            mixed from both sets by :class:`~massagecam.contact_weights.DepthTrust`
            (:data:`DEPTH_WEIGHTS` in self mode; None: ``weights`` alone).
        depth_trust: the trust estimator (default ``DepthTrust()``: depth trusted until the
            stream shows otherwise).
    """

    def __init__(self, fingers: tuple[str, ...] = ("thumb",), *, enter: float = 0.6,
                 exit: float = 0.4, smoothing_s: float = 0.05, hold_s: float = 0.5,
                 gate_l: float = 0.05, radius_l: float = 0.09, palm_mm: float = 95.0,
                 calibration: calib.Calibration | str | None = None,
                 weights: ContactWeights = SELF_WEIGHTS,
                 depth_weights: ContactWeights | None = DEPTH_WEIGHTS,
                 depth_trust: DepthTrust | None = None) -> None:
        for f in fingers:
            if f not in REST_RATIO:
                raise ConfigError(f"finger {f!r} is not one of {', '.join(REST_RATIO)}")
        if not fingers:
            raise ConfigError("fingers must name at least one finger")
        if not 0.0 < exit < enter < 1.0:
            raise ConfigError(f"need 0 < exit ({exit}) < enter ({enter}) < 1")
        for name, value, lo, hi in (("smoothing_s", smoothing_s, 0.0, 2.0),
                                    ("hold_s", hold_s, 0.0, 5.0), ("gate_l", gate_l, 0.0, 1.0),
                                    ("radius_l", radius_l, 0.0, 0.5),
                                    ("palm_mm", palm_mm, 40.0, 200.0)):
            if not lo <= value <= hi:
                raise ConfigError(f"{name}={value} is outside [{lo}, {hi}]")
        self.fingers = tuple(fingers)
        self.enter, self.exit, self.smoothing_s, self.hold_s = enter, exit, smoothing_s, hold_s
        self.gate_l, self.radius_l, self.palm_mm = gate_l, radius_l, palm_mm
        self.calibration = calib.load() if calibration == "auto" else calibration
        self.weights = weights
        self.depth_weights = depth_weights
        #: How far this stream's pad depth follows the press (with ``depth_weights``).
        self.depth_trust = depth_trust if depth_trust is not None else DepthTrust()
        self._states: dict[tuple[int, str], _State] = {}
        self._frames: dict[int, StableFrame] = {}

    @property
    def depth_share(self) -> float:
        """How far the probabilities rest on depth-following weights (0..1).

        The depth trust when two weight sets are mixed, else 1 (the one set is taken as such).
        """
        return float(self.depth_trust.value) if self.depth_weights is not None else 1.0

    def probability(self, st: _State, cues: Cues, dt: float, t: float) -> float:
        """Fold the cues into a contact probability (updates the smoothed cues in ``st``)."""
        raw = np.array([cues.flex_deg, cues.distal_ratio, cues.depth_l, cues.inside_l])
        if st.feats is None or dt > 0.5:
            st.feats = raw
        else:
            a = 1.0 - math.exp(-dt / self.smoothing_s) if self.smoothing_s > 0 else 1.0
            st.feats = st.feats + a * (raw - st.feats)
        if cues.inside_l > self.gate_l:
            st.inside_since = None
            st.raw_prob = 0.0
            return 0.0
        if st.inside_since is None:
            st.inside_since = t
        dwell = min(t - st.inside_since, 0.3) / 0.3
        args = (cues.covered, dwell, st.speed, st.size_rel)
        raw_s = cue_score(self.weights, raw, *args)
        s = cue_score(self.weights, st.feats, *args)
        if self.depth_weights is not None:
            self.depth_trust.update(raw_s, cues.depth_l, min(dt, 0.1))
            k = self.depth_trust.value
            if k > 0:
                raw_s = (1 - k) * raw_s + k * cue_score(self.depth_weights, raw, *args)
                s = (1 - k) * s + k * cue_score(self.depth_weights, st.feats, *args)
        st.raw_prob = logistic(raw_s)
        return logistic(s)

    def update(self, hands: Hands, side: Side = Side.UNKNOWN,
               atlas: AtlasLike | None = None) -> tuple[Contact, ...]:
        """One :class:`Contact` per watched finger of every giving hand (and held ones)."""
        t = hands.t
        r = hands.index_of(Role.RECEIVER)
        out: list[Contact] = []
        seen: set[tuple[int, str]] = set()
        for g in np.flatnonzero(hands.role == int(Role.GIVER)):
            if bool(hands.estimated[g]):
                # a giver the tracker only holds (not seen this frame) is treated as vanished:
                # its last decision is kept for hold_s from when it was last seen, not renewed
                continue
            track = int(hands.track_id[g])
            for finger in self.fingers:
                key = (track, finger)
                seen.add(key)
                st = self._states.setdefault(key, _State())
                out.append(self._one(hands, int(g), finger, r, st, side, atlas, track))
        for key, st in list(self._states.items()):
            if key in seen:
                continue
            if st.last is None or t - st.last_t > self.hold_s:
                del self._states[key]
                continue
            fade = max(0.0, 1.0 - (t - st.last_t) / max(self.hold_s, 1e-9))
            out.append(replace(st.last, confidence=st.last.confidence * fade))
        return tuple(out)

    def _one(self, hands: Hands, g: int, finger: str, r: int | None, st: _State, side: Side,
             atlas: AtlasLike | None, track: int) -> Contact:
        t = hands.t
        if r is not None and not float(palm_length(hands.xy[r])) >= 1.0:
            r = None  # a collapsed receiver (under a pixel) has no frame to measure in
        cues = finger_cues(hands, g, finger, r, self.radius_l)
        dt = max(t - st.last_t, 0.0) if math.isfinite(st.last_t) else 1.0
        if r is None:
            # receiver unknown: keep the last decision for hold_s, then let go
            if st.last is not None and dt <= self.hold_s:
                return replace(st.last, xy=cues.pad_xy)
            st.on, st.prob, st.last_palm = False, 0.0, None
            c = Contact(track, finger, False, 1.0, cues.pad_xy, NAN2)
            st.last, st.last_t = c, t
            return c
        recv = hands.xy[r]
        frame = self._frames.setdefault(int(hands.track_id[r]), StableFrame())
        palm = frame.to_palm(np.asarray(cues.pad_xy), recv, int(hands.track_id[r]), t)
        if st.last_palm is not None and 0 < dt <= 0.5:
            v = float(np.hypot(*(palm - st.last_palm))) / dt
            st.speed += (1.0 - math.exp(-dt / 0.15)) * (v - st.speed)
        st.last_palm = palm
        place = frame.to_palm(np.asarray(cues.place_xy), recv, int(hands.track_id[r]), t)
        st.size_rel = _relative_size(st, float(palm_length(hands.xy[g])), t)
        p = self.probability(st, cues, dt, t)
        st.prob = p
        if st.on and (p <= self.exit or st.raw_prob < self.exit / 4):
            st.on = False
        elif not st.on and p >= self.enter:
            st.on = True
        pressure = Pressure.UNKNOWN
        if st.on and isinstance(self.calibration, calib.Calibration) and st.feats is not None:
            flex, ratio, depth, _ = st.feats
            pressure = self.calibration.level(calib.press_index(flex, ratio, depth))
        location = None
        if atlas is not None:
            location = atlas.locate(np.asarray(cues.place_xy, np.float32), recv,
                                    str(hands.handedness[r]), side, palm_mm=self.palm_mm)
        conf = p if st.on else 1.0 - p
        if cues.covered:
            conf *= HELD_CONFIDENCE  # palm_xy is measured against a held, possibly stale pose
        c = Contact(track, finger, st.on, float(conf), cues.pad_xy,
                    (float(palm[0]), float(palm[1])), location, pressure,
                    (float(place[0]), float(place[1])))
        st.last, st.last_t = c, t
        return c

    def press_features(self, track: int, finger: str = "thumb") -> tuple[float, float, float]:
        """Smoothed (flex_deg, distal_ratio, depth_l) of a finger, for calibration."""
        st = self._states.get((track, finger))
        if st is None or st.feats is None:
            return (math.nan, math.nan, math.nan)
        return (float(st.feats[0]), float(st.feats[1]), float(st.feats[2]))
