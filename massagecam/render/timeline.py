"""From a script to per-frame hand poses: receiver pose, thumb-pad path, contact and giver pose.

Technique paths are generated in image pixels around the target, using the receiving hand's
current frame (distal/radial axes), so a stroke "distal" runs along the receiver's fingers and a
circle "cw" turns clockwise on screen whatever the hand's orientation. Everything random is drawn
once from the script's seed, so the same script gives the same frames.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from massagecam.hands import FINGERS, Landmark, palm_frame
from massagecam.render.pose import (
    GiverShape,
    giver_pose,
    pad_of,
    pose_local,
    solve_giver_angle,
)
from massagecam.render.script import Segment, SessionScript
from massagecam.render.targets import target_side, target_xy
from massagecam.synthetic import REAL_OPEN_HAND, make_hand
from massagecam.trajectories.scene import (
    HOVER_L,
    LIFT_GROWTH,
    bend_thumb,
    hover_pose,
    press_pose,
)

L = Landmark

#: Palm-frame direction (distal, radial) of each stroke direction word.
_DIRS = {"distal": (1.0, 0.0), "proximal": (-1.0, 0.0), "radial": (0.0, 1.0),
         "ulnar": (0.0, -1.0)}
#: Where (palm frame, palm lengths) a thumb entering or leaving the scene comes from or goes.
ENTRY_L = np.array([-0.2, 0.9], np.float32)
#: How the giver's thumb changes while pressing (the press model shared with the synthetic
#: trajectories, massagecam.trajectories.scene): relative press strength of the rendered
#: presses, and the half width (s) of the window over which the pose eases in and out.
PRESSURE = 0.5
EASE_S = 0.06


@dataclass(frozen=True)
class FrameState:
    """Everything about one frame that the drawing and the truth file need."""

    frame: int
    t: float
    segment: Segment
    side: str
    receiver: np.ndarray | None
    giver: np.ndarray | None
    pad: np.ndarray | None
    contact: bool
    lift: float
    target: str | None
    technique: str | None
    press: float = 0.0  # 0 hovering .. 1 pressing, eased over ~0.1 s around contact switches


def _smooth(x: float) -> float:
    x = min(max(x, 0.0), 1.0)
    return x * x * (3 - 2 * x)


class Timeline:
    """Poses of both hands at any frame of a script."""

    def __init__(self, script: SessionScript, receiver_template: np.ndarray | None = None,
                 giver_template: np.ndarray | None = None) -> None:
        self.script = script
        rs = script.render
        rng = np.random.default_rng(rs.seed)
        self.wh = rs.size
        w, h = rs.size
        self.fps = rs.fps
        self.palm_px = 0.21 * min(w, h) * rs.hand_size * float(rng.uniform(0.93, 1.07))
        self.center = np.array([w * (0.5 + rng.uniform(-0.08, 0.08)),
                                h * (0.56 + rng.uniform(-0.04, 0.04))], np.float32)
        self.angle = (rs.receiver_angle_deg if rs.receiver_angle_deg is not None
                      else float(rng.uniform(-35, 35)))
        self.spread = float(rng.uniform(0.02, 0.1))
        self.phase = rng.uniform(0, 2 * np.pi, 4)
        self.handedness = "Left" if script.receiving == "left" else "Right"
        self.giver_shape = GiverShape(script.giving, self.palm_px * float(rng.uniform(0.95, 1.08)),
                                      curl=float(rng.uniform(0.35, 0.55)),
                                      template=giver_template)
        self.receiver_template = receiver_template
        self.tilt = np.deg2rad(rs.tilt_deg)
        self.n_frames = int(round(script.duration_s * self.fps))
        # thumb pose (flex deg, distal scale): one hover pose for the session, one press pose
        # per segment, drawn from the same model as massagecam.trajectories (depth is unused:
        # the picture is 2D)
        prng = np.random.default_rng([rs.seed, 4099])
        self.hover_pose = np.array(hover_pose(prng)[:2])
        self.press_poses = [np.array(press_pose(prng, PRESSURE)[:2])
                            for _ in script.segments]
        self._cache: dict[int, FrameState] = {}
        self._plan()

    # -- receiver ---------------------------------------------------------------------------
    def receiver_at(self, t: float, side: str) -> np.ndarray:
        """Receiver landmarks at time t (a slow natural drift around its resting pose)."""
        p = self.phase
        c = self.center + 0.04 * self.palm_px * np.array(
            [np.sin(2 * np.pi * 0.11 * t + p[0]), np.sin(2 * np.pi * 0.08 * t + p[1])])
        ang = self.angle + 3.0 * np.sin(2 * np.pi * 0.06 * t + p[2])
        if self.receiver_template is not None:
            xy = pose_local(self.receiver_template, tuple(c), self.palm_px, ang,
                            self.handedness, side)
        elif self.script.render.receiver_shape == "real":
            xy = pose_local(REAL_OPEN_HAND, tuple(c), self.palm_px, ang, self.handedness, side)
        else:
            xy = make_hand(tuple(c), self.palm_px, ang, self.handedness, side,
                           spread=self.spread)
        return self._tilt(xy)

    def _tilt(self, xy: np.ndarray) -> np.ndarray:
        if not self.tilt:
            return xy
        c, s = np.cos(self.tilt), np.sin(self.tilt)
        mid = np.array(self.wh, np.float32) / 2
        return ((xy - mid) @ np.array([[c, s], [-s, c]], np.float32) + mid).astype(np.float32)

    @staticmethod
    def _local(point: np.ndarray, rxy: np.ndarray) -> np.ndarray:
        origin, axes, lp = palm_frame(rxy)
        return axes @ (point - origin) / lp

    @staticmethod
    def _image(local: np.ndarray, rxy: np.ndarray) -> np.ndarray:
        origin, axes, lp = palm_frame(rxy)
        return (origin + axes.T @ local * lp).astype(np.float32)

    # -- plan -------------------------------------------------------------------------------
    def replan(self) -> None:
        """Solve the giver orientations again (after the giver's shape changed)."""
        self._plan()

    def _plan(self) -> None:
        """Per segment: start time, receiver side, target (palm frame) and giver angle."""
        segs = self.script.segments
        # a massage segment shows the face its target lies on (or its own "side"); other
        # segments keep the face of the previous massage, or of the next one at the start
        own: list[str | None] = []
        for s in segs:
            tside = target_side(s.target) if s.target and s.action == "massage" else None
            own.append(s.side or tside)
        sides: list[str] = []
        for i, s in enumerate(segs):
            side = own[i]
            if side is None and s.action == "move":
                side = next((own[j] for j in range(i + 1, len(segs))
                             if segs[j].action == "massage" and own[j]), None)
            if side is None:
                side = sides[-1] if sides else next((x for x in own if x), "palm")
            sides.append(side)
        self.sides = sides
        self.starts = np.cumsum([0.0] + [s.duration_s for s in segs])
        self.local: list[np.ndarray | None] = []
        self.angles: list[float | None] = []
        prev_angle: float | None = None
        for i, s in enumerate(segs):
            mid_t = 0.5 * (self.starts[i] + self.starts[i + 1])
            rxy = self.receiver_at(mid_t, sides[i])
            loc = None
            if s.action == "massage" and s.target:
                loc = self._local(target_xy(s.target, rxy, self.handedness, sides[i]), rxy)
            elif s.action == "pause":
                loc = np.array([0.55, 1.25], np.float32)  # resting beside the radial edge
            self.local.append(loc)
            ang = None
            if loc is not None:
                thumb = self.press_poses[i] if s.action == "massage" else self.hover_pose
                ang = solve_giver_angle(self.giver_shape, rxy, self._image(loc, rxy), self.wh,
                                        prefer_deg=prev_angle,
                                        thumb=(float(thumb[0]), float(thumb[1])))
                prev_angle = ang
            self.angles.append(ang)
        # moves take their start and end from the neighbouring segments
        self._move: dict[int, tuple[int | None, int | None]] = {}
        for i, s in enumerate(segs):
            if s.action in ("move", "pause"):
                prev = next((j for j in range(i - 1, -1, -1) if self.local[j] is not None), None)
                nxt = next((j for j in range(i + 1, len(segs)) if self.local[j] is not None), None)
                self._move[i] = (prev, nxt)

    # -- per frame --------------------------------------------------------------------------
    def state(self, frame: int) -> FrameState:
        """The state of frame ``frame`` (0-based), the giver's thumb posed for press or hover.

        The thumb pose is a weighted mean, over a ~0.12 s window centred on the frame, of the
        press pose (frames in contact) and the hover pose (frames not): a press eases in and
        out over about 0.1 s, centred on the truth switch, as in the synthetic trajectories.
        """
        base = self._base(frame)
        if base.giver is None or base.pad is None:
            return base
        half = max(1, int(round(EASE_S * self.fps)))
        acc = np.zeros(2)
        total = press = 0.0
        for d in range(-half, half + 1):
            w = float(half + 1 - abs(d))
            other = self._base(min(max(frame + d, 0), max(self.n_frames - 1, 0)))
            i = next((j for j, sg in enumerate(self.script.segments) if sg is other.segment),
                     -1) if other.contact else -1
            pose = self.press_poses[i] if i >= 0 else self.hover_pose
            acc += w * pose
            press += w * float(other.contact)
            total += w
        flex, scale = acc / total
        k = press / total
        gxy = bend_thumb(base.giver, float(flex), float(scale))
        gxy = gxy + (base.pad - pad_of(gxy))
        # lowered onto the skin while pressing, lifted (nearer the camera) while hovering
        lift = (HOVER_L if base.segment.action == "massage" else base.lift) * (1.0 - k)
        if lift > 0:  # a lifted hand is nearer the camera: slightly larger around the pad
            gxy = base.pad + (gxy - base.pad) * (1.0 + LIFT_GROWTH * lift)
        return replace(base, giver=gxy.astype(np.float32), lift=float(lift), press=float(k))

    def _base(self, frame: int) -> FrameState:
        """The state of a frame before the thumb pose (cached: neighbours are asked again)."""
        st = self._cache.get(frame)
        if st is None:
            if len(self._cache) > 16:
                self._cache.clear()
            st = self._cache[frame] = self._state(frame)
        return st

    def _state(self, frame: int) -> FrameState:
        t = frame / self.fps
        i = int(np.searchsorted(self.starts, t, side="right") - 1)
        i = min(max(i, 0), len(self.script.segments) - 1)
        seg = self.script.segments[i]
        tau = t - self.starts[i]
        side = self.sides[i]
        if seg.action == "hidden":
            return FrameState(frame, t, seg, side, None, None, None, False, 0.0, None, None)
        rxy = self.receiver_at(t, side)
        if seg.action == "away":
            return FrameState(frame, t, seg, side, rxy, None, None, False, 0.0, None, None)
        _, axes, lp = palm_frame(rxy)
        contact, lift = seg.contact, 0.0 if seg.contact else HOVER_L
        if seg.action == "massage":
            base = self._image(self.local[i], rxy)
            offset, c_ok = self._technique(seg, tau, rxy, base, axes, lp)
            pad = base + offset
            contact = contact and c_ok
            lift = 0.0 if contact else HOVER_L
            angle = self.angles[i]
        elif seg.action == "pause":  # glide from where the thumb was to the resting place
            contact, lift = False, HOVER_L
            prev = self._move.get(i, (None, None))[0]
            k = 1.0 if prev is None else _smooth(tau / min(0.6, 0.5 * seg.duration_s))
            start = self.local[i] if prev is None else self.local[prev]
            pad = self._image((1 - k) * start + k * self.local[i], rxy)
            a0 = self.angles[i] if prev is None else self.angles[prev]
            angle = a0 + k * ((self.angles[i] - a0 + 180.0) % 360.0 - 180.0)
        else:  # move
            prev, nxt = self._move.get(i, (None, None))
            a = prev if prev is not None else nxt
            b = nxt if nxt is not None else prev
            if a is None:
                return FrameState(frame, t, seg, side, rxy, None, None, False, 0.0, None, None)
            k = _smooth(tau / seg.duration_s)
            start, end = self.local[a], self.local[b]
            if prev is None:  # the thumb comes in from beside the hand's thumb side
                start = end + ENTRY_L
            if nxt is None:  # ... and leaves that way
                end = start + ENTRY_L
            pad = self._image((1 - k) * start + k * end, rxy)
            da = (self.angles[b] - self.angles[a] + 180.0) % 360.0 - 180.0
            angle = self.angles[a] + k * da
            contact, lift = False, HOVER_L * (0.5 + 0.5 * np.sin(np.pi * k))
        gxy = giver_pose(self.giver_shape, float(angle), pad)
        return FrameState(frame, t, seg, side, rxy, gxy.astype(np.float32), pad, contact,
                          float(lift), seg.target if seg.action == "massage" else None,
                          seg.technique if seg.action == "massage" else None)

    def _technique(self, seg: Segment, tau: float, rxy: np.ndarray, base: np.ndarray,
                   axes: np.ndarray, lp: float) -> tuple[np.ndarray, bool]:
        """Thumb-pad offset (pixels) from the target and whether it touches, at segment time tau."""
        p = self.phase[3]
        tech = seg.technique
        if tech == "hold":
            off = 0.008 * lp * np.array([np.sin(2 * np.pi * 0.7 * tau + p),
                                         np.sin(2 * np.pi * 1.1 * tau)])
            return off.astype(np.float32), True
        if tech == "circles":
            r = (seg.amplitude if seg.amplitude is not None else 0.1) * lp
            f = seg.rhythm_hz or 1.0
            sgn = -1.0 if seg.direction == "ccw" else 1.0
            th = 2 * np.pi * f * tau
            return np.array([r * np.cos(th), sgn * r * np.sin(th)], np.float32), True
        direction = _DIRS.get(seg.direction or "distal", _DIRS["distal"])
        u = axes.T @ np.array(direction, np.float32)
        if tech == "stroke":
            length = (seg.amplitude if seg.amplitude is not None else 0.4) * lp
            speed = (seg.speed or 0.35) * lp
            t_fwd, t_back = length / speed, length / (2 * speed)
            ph = tau % (t_fwd + t_back)
            if ph < t_fwd:
                return (u * length * (ph / t_fwd - 0.5)).astype(np.float32), True
            k = _smooth((ph - t_fwd) / t_back)
            return (u * length * (0.5 - k)).astype(np.float32), False
        if tech == "thumb_walk":
            step = (seg.amplitude if seg.amplitude is not None else 0.06) * lp
            rate = seg.rhythm_hz or 1.5
            n_steps = max(int(0.45 * lp / step), 1)
            k = tau * rate
            cycle = k % (n_steps + 1)
            if cycle >= n_steps:  # lift and go back to the start
                back = _smooth(cycle - n_steps)
                return (u * step * n_steps * (1 - back - 0.5)).astype(np.float32), False
            pos = np.floor(cycle) + _smooth((cycle % 1.0) * 1.6)
            return (u * (step * pos - 0.5 * step * n_steps)).astype(np.float32), True
        # finger_pull: slide from the finger's base to its tip, lift, come back
        finger = seg.target if seg.target in FINGERS else "index"
        chain = [rxy[j] for j in FINGERS[finger]]
        speed = (seg.speed or 0.5) * lp
        seglens = [float(np.linalg.norm(b - a)) for a, b in zip(chain, chain[1:], strict=False)]
        total = sum(seglens) or 1.0
        t_fwd, t_back = total / speed, total / (2 * speed)
        ph = tau % (t_fwd + t_back)
        frac = ph / t_fwd if ph < t_fwd else 1.0 - _smooth((ph - t_fwd) / t_back)
        dist = frac * total
        pt = chain[-1]
        for k, (a, b, sl) in enumerate(zip(chain, chain[1:], seglens, strict=False)):
            if dist <= sl or k == len(seglens) - 1:
                pt = a + (b - a) * min(dist / (sl or 1.0), 1.0)
                break
            dist -= sl
        return (pt - base).astype(np.float32), ph < t_fwd
