"""Seeded synthetic clips of one hand pressing the other, with per-frame truth.

Used by the contact and technique tests and benchmark; the renderer and the routine coach may
reuse it. A clip alternates hovering segments (no contact) with technique segments (hold,
circles, stroke, thumb walk, finger pull; strokes, walks and pulls lift and glide back between
passes). Each frame is a :class:`massagecam.hands.Hands` with a RECEIVER row (track 0) and a
GIVER row (track 1), the noise the benchmark asks for (landmark jitter, dropped frames, a
covered receiver held stale as a tracker would), and a :class:`FrameTruth`.

Example:
    >>> clip = generate_clip(7, ["circles"], config=GeneratorConfig(fps=15))
    >>> len(clip.frames) == len(clip.truth)
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from massagecam.errors import ConfigError
from massagecam.hands import Hands, Role
from massagecam.results import TechniqueName
from massagecam.synthetic import TEMPLATE_Z
from massagecam.trajectories import motions
from massagecam.trajectories.scene import (
    giver_pose,
    lift_scale,
    palm_to_image,
    pose_tracks,
    receiver_poses,
)

__all__ = ["TECHNIQUES", "Clip", "FrameTruth", "GeneratorConfig", "generate_clip", "generate_set"]

#: Technique segments the generator can make (TechniqueName values).
TECHNIQUES: tuple[str, ...] = ("hold", "circles", "stroke", "thumb_walk", "finger_pull")


@dataclass(frozen=True)
class GeneratorConfig:
    """Noise and timing of generated clips.

    Attributes:
        fps: frame rate.
        jitter_l: landmark jitter (standard deviation per coordinate, also on z) in receiver
            palm lengths; the issue's target condition is 0.02.
        drop_rate: fraction of frames where the detector lost both hands (an empty ``Hands``).
        cover_rate: chance that a contact run starts with the receiver covered: its row is
            then held stale and flagged ``estimated`` for 0.3-0.7 s (what the tracker does,
            up to its default ``hold_s`` of 0.7 s).
        drift: receiver wander in palm lengths (position), with proportional turning.
        image_wh: image size in pixels.
        segment_s: (min, max) duration of a technique segment in seconds.
        hover_s: (min, max) duration of the hovering between segments.
    """

    fps: float = 30.0
    jitter_l: float = 0.02
    drop_rate: float = 0.10
    cover_rate: float = 0.3
    drift: float = 0.3
    image_wh: tuple[int, int] = (1280, 720)
    segment_s: tuple[float, float] = (6.0, 10.0)
    hover_s: tuple[float, float] = (1.0, 2.5)

    def __post_init__(self) -> None:
        checks = [("fps", self.fps, 5.0, 240.0), ("jitter_l", self.jitter_l, 0.0, 0.2),
                  ("drop_rate", self.drop_rate, 0.0, 0.9), ("cover_rate", self.cover_rate, 0, 1),
                  ("drift", self.drift, 0.0, 2.0)]
        for name, value, lo, hi in checks:
            if not lo <= value <= hi:
                raise ConfigError(f"GeneratorConfig.{name}={value} is outside [{lo}, {hi}]")


@dataclass(frozen=True)
class FrameTruth:
    """What really happens in one generated frame.

    Attributes:
        contact: the thumb pad touches the receiver.
        technique: the segment's technique while touching, NONE otherwise.
        frequency_hz: circle frequency (circles only).
        speed_l_s: pass speed in palm lengths/s (stroke, finger pull; mean speed of a walk).
        step_rate_hz: steps per second (thumb walk only).
        direction: "cw"/"ccw" for circles, a stroke direction word, "distal" for pulls.
        palm_xy: true press point in the receiver's palm frame.
        segment_t: seconds since the technique segment began (settling time for scoring).
        dropped: the frame carries no hands.
        pressure: 0 (light) .. 1 (firm) of the segment's press pose.
    """

    contact: bool
    technique: TechniqueName
    frequency_hz: float | None
    speed_l_s: float | None
    step_rate_hz: float | None
    direction: str | None
    palm_xy: tuple[float, float]
    segment_t: float
    dropped: bool
    pressure: float


@dataclass(frozen=True)
class Clip:
    """A generated clip: frames and truth, index for index."""

    seed: int
    fps: float
    frames: tuple[Hands, ...]
    truth: tuple[FrameTruth, ...]


def _segment(rng: np.random.Generator, name: str, t: np.ndarray, spread: float,
             curl: float) -> motions.Motion:
    if name == "finger_pull":
        return motions.finger_pull(rng, t, spread, curl)
    if name not in TECHNIQUES:
        raise ConfigError(f"technique {name!r} is not one of {', '.join(TECHNIQUES)}")
    return getattr(motions, name)(rng, t)


def generate_clip(seed: int, techniques: Sequence[str], *,
                  config: GeneratorConfig | None = None,
                  pressures: Sequence[float] | None = None) -> Clip:
    """One clip: hover, then each technique in turn with a hover after it.

    Args:
        seed: makes the clip reproducible (same seed, same frames).
        techniques: technique names from :data:`TECHNIQUES`, in order.
        config: noise and timing; defaults to the benchmark condition.
        pressures: press strength 0 (light) .. 1 (firm) per technique segment; random when
            omitted. It shapes the press pose (more flexion, deeper pad).
    """
    if pressures is not None and len(pressures) != len(techniques):
        raise ConfigError(f"pressures has {len(pressures)} values for {len(techniques)} "
                          "techniques")
    cfg = config or GeneratorConfig()
    rng = np.random.default_rng(seed)
    dt = 1.0 / cfg.fps
    spread, curl = rng.uniform(0.0, 0.15), rng.uniform(0.0, 0.15)
    pieces: list[tuple[motions.Motion, float]] = []
    for k, name in enumerate(techniques):
        dur = rng.uniform(*cfg.segment_s)
        seg = _segment(rng, name, np.arange(0.0, dur, dt), spread, curl)
        strength = rng.uniform(0, 1)
        pieces.append((seg, float(pressures[k]) if pressures is not None else strength))
    # hovers join the pieces: from off the hand to the first start, between, and off again
    far = np.array([0.6, 0.0]) + 1.3 * np.array([np.cos(rng.uniform(0, 6.3)), 1.0])
    ps, cs, names, params, seg_t, press = [], [], [], [], [], []
    prev_end = far
    for seg, pr in [*pieces, (None, 0.0)]:
        nxt = seg.p[0] if seg is not None else far
        hdur = rng.uniform(*cfg.hover_s)
        hov = motions.hover(rng, np.arange(0.0, hdur, dt), prev_end, nxt)
        for m, prs in ((hov, 0.0), (seg, pr)):
            if m is None:
                continue
            ps.append(m.p)
            cs.append(m.contact)
            names += [m.technique] * len(m.p)
            params += [m.params] * len(m.p)
            seg_t.append(np.arange(len(m.p)) * dt if m.technique != "hover" else
                         np.full(len(m.p), -1.0))
            press.append(np.full(len(m.p), prs))
        if seg is not None:
            prev_end = seg.p[-1]
    p, contact = np.concatenate(ps), np.concatenate(cs)
    segment_t, pressure = np.concatenate(seg_t), np.concatenate(press)
    n = len(p)
    t = np.arange(n) * dt
    return _assemble(rng, cfg, seed, t, p, contact, names, params, segment_t, pressure,
                     (spread, curl))


def _assemble(rng: np.random.Generator, cfg: GeneratorConfig, seed: int, t: np.ndarray,
              p: np.ndarray, contact: np.ndarray, names: list[str], params: list[dict],
              segment_t: np.ndarray, pressure: np.ndarray,
              shape: tuple[float, float]) -> Clip:
    n = len(t)
    recv_hand = str(rng.choice(["Left", "Right"]))
    give_hand = "Right" if recv_hand == "Left" else "Left"
    recv_side = str(rng.choice(["palm", "back"]))
    give_side = "back" if rng.random() < 0.7 else "palm"
    spread, curl = shape
    recv, palm = receiver_poses(rng, t, cfg.image_wh, recv_hand, recv_side, spread, curl,
                                cfg.drift)
    pad = palm_to_image(p, recv)
    flex, distal, depth = pose_tracks(rng, contact, cfg.fps, pressure)
    size = lift_scale(contact, cfg.fps)  # a lifted hand is nearer the camera
    offset = rng.uniform(60, 150) * rng.choice([-1, 1])
    wobble = 8.0 * np.sin(2 * np.pi * t / rng.uniform(3, 8) + rng.uniform(0, 6))
    giver_scale = rng.uniform(0.9, 1.1)
    distal_vec = recv[:, 9] - recv[:, 0]
    recv_angle = np.degrees(np.arctan2(distal_vec[:, 0], -distal_vec[:, 1]))
    # covered receiver: held stale at the start of some contact runs (tracker behaviour, whose
    # default hold_s is 0.7 s)
    held = np.zeros(n, bool)
    starts = np.flatnonzero(np.diff(contact.astype(int), prepend=0) == 1)
    for s in starts:
        if rng.random() < cfg.cover_rate:
            held[s:s + int(rng.uniform(0.3, 0.7) * cfg.fps)] = True
    dropped = rng.random(n) < cfg.drop_rate
    rows = [0, 1] if rng.random() < 0.5 else [1, 0]
    frames, truth = [], []
    last_clear = recv[0]
    for i in range(n):
        ti = float(t[i])
        lp = float(palm[i])
        gxy, gz = giver_pose(pad[i], float(recv_angle[i] + offset + wobble[i]),
                             lp * giver_scale * float(size[i]), give_hand, give_side,
                             float(flex[i]), float(distal[i]), float(depth[i]))
        if not held[i]:
            last_clear = recv[i]
        rxy = last_clear
        rz = TEMPLATE_Z.astype(np.float64) * lp
        xy = np.stack([rxy, gxy]) + rng.normal(0, cfg.jitter_l * lp, (2, 21, 2))
        z = np.stack([rz, gz]) + rng.normal(0, cfg.jitter_l * lp, (2, 21))
        if dropped[i]:
            frames.append(Hands.empty(frame_index=i, t=ti, image_wh=cfg.image_wh))
        else:
            frames.append(Hands.from_arrays(
                xy[rows], z=z[rows], handedness=[[recv_hand, give_hand][r] for r in rows],
                track_id=rows, role=[[Role.RECEIVER, Role.GIVER][r] for r in rows],
                estimated=[[bool(held[i]), False][r] for r in rows], frame_index=i, t=ti,
                image_wh=cfg.image_wh))
        name, prm = names[i], params[i]
        on = bool(contact[i])
        truth.append(FrameTruth(
            contact=on, technique=TechniqueName(name) if on else TechniqueName.NONE,
            frequency_hz=prm.get("frequency_hz"), speed_l_s=prm.get("speed_l_s"),
            step_rate_hz=prm.get("step_rate_hz"), direction=prm.get("direction"),
            palm_xy=(float(p[i, 0]), float(p[i, 1])), segment_t=float(segment_t[i]),
            dropped=bool(dropped[i]), pressure=float(pressure[i])))
    return Clip(seed=seed, fps=cfg.fps, frames=tuple(frames), truth=tuple(truth))


def generate_set(seed: int, n_clips: int, *, techniques_per_clip: int = 3,
                 config: GeneratorConfig | None = None) -> list[Clip]:
    """``n_clips`` clips whose technique segments cycle through :data:`TECHNIQUES` evenly.

    Clip ``k`` uses seed ``seed * 100003 + k``, so sets from different seeds never share a clip.
    """
    if n_clips < 1 or techniques_per_clip < 1:
        raise ConfigError(f"n_clips={n_clips} and techniques_per_clip={techniques_per_clip} "
                          "must be >= 1")
    rng = np.random.default_rng(seed)
    order = [TECHNIQUES[i % len(TECHNIQUES)] for i in range(n_clips * techniques_per_clip)]
    rng.shuffle(order)
    return [generate_clip(seed * 100003 + k,
                          order[k * techniques_per_clip:(k + 1) * techniques_per_clip],
                          config=config) for k in range(n_clips)]
