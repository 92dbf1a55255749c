"""Synthetic FrameAnalysis streams for coach and scoring tests (no model, no video)."""

from __future__ import annotations

from dataclasses import dataclass

from massagecam.coach import Coach
from massagecam.hands import Role
from massagecam.results import (
    Contact,
    FrameAnalysis,
    Location,
    Side,
    TechniqueEstimate,
    TechniqueName,
)
from massagecam.synthetic import make_hand, make_hands


@dataclass(frozen=True)
class Seg:
    """A stretch of session with constant behaviour."""

    seconds: float
    receiver: str = "Left"
    side: str = "back"
    hands: bool = True
    contact: bool = True
    touching: bool = True
    zones: tuple[str, ...] = ("LI4",)
    nearest: str | None = "LI4"
    dist: float = 0.04
    tech: str = "circles"
    freq: float | None = 1.0
    speed: float | None = None
    step_rate: float | None = None
    direction: str | None = None
    palm_xy: tuple[float, float] = (0.6, 0.35)
    wobble: float = 0.0
    givers: int = 1
    second_zones: tuple[str, ...] | None = None


def _hands(seg: Seg):
    if not seg.hands:
        return make_hands()
    giver_hand = "Right" if seg.receiver == "Left" else "Left"
    rec = make_hand((320, 260), 120, 0, seg.receiver, seg.side)
    givers = [make_hand((330 + 60 * k, 200), 110, 180, giver_hand, "palm")
              for k in range(seg.givers)]
    hands = make_hands(rec, *givers, handedness=[seg.receiver] + [giver_hand] * seg.givers,
                       roles=[Role.RECEIVER] + [Role.GIVER] * seg.givers)
    return hands.replace(track_id=hands.track_id * 0 + list(range(len(hands))))


def frame(seg: Seg, i: int, t: float, base=None) -> FrameAnalysis:
    side = Side(seg.side)
    hands = (base if base is not None else _hands(seg)).replace(frame_index=i, t=t)
    if not seg.hands:
        return FrameAnalysis(hands=hands, side=Side.UNKNOWN)
    if not seg.contact:
        return FrameAnalysis(hands=hands, side=side)
    dx = seg.wobble * (1 if i % 2 else -1)
    loc = Location(zones=seg.zones, zone=seg.zones[0] if seg.zones else None,
                   nearest_point=seg.nearest, point_distance_l=seg.dist,
                   point_distance_mm=seg.dist * 95, canonical=(0.0, 0.0), side=side)
    locs = [loc] * seg.givers
    if seg.second_zones is not None and seg.givers > 1:
        locs[1] = Location(zones=seg.second_zones, zone=seg.second_zones[0],
                           nearest_point=None, point_distance_l=1.0, point_distance_mm=95.0,
                           canonical=(0.0, 0.0), side=side)
    contacts = tuple(
        Contact(giver_track=1 + k, finger="thumb", in_contact=seg.touching,
                confidence=0.8 + 0.1 * k, xy=(320.0, 250.0),
                palm_xy=(seg.palm_xy[0] + dx, seg.palm_xy[1]), location=locs[k])
        for k in range(seg.givers))
    est = TechniqueEstimate(name=TechniqueName(seg.tech), confidence=0.9,
                            frequency_hz=seg.freq, direction=seg.direction,
                            speed_cm_s=seg.speed, step_rate_hz=seg.step_rate)
    return FrameAnalysis(hands=hands, side=side, contacts=contacts,
                         techniques=(est,) * len(contacts))


def stream(*segs: Seg, fps: float = 30.0, t0: float = 0.0) -> list[FrameAnalysis]:
    out = []
    i = 0
    for seg in segs:
        base = _hands(seg)
        for _ in range(round(seg.seconds * fps)):
            out.append(frame(seg, i, t0 + i / fps, base))
            i += 1
    return out


def run(routine, frames, **kw):
    coach = Coach(routine, **kw)
    states = [coach.update(f) for f in frames]
    return coach, states, coach.finish()
