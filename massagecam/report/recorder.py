"""Collects what the pipeline concluded, frame by frame, in memory that stays small.

A 10-minute video must not cost more memory than a 1-minute one beyond a few bytes per frame,
so nothing per-frame is kept as Python objects: the timeline lives in chunked numpy columns
(about 20 bytes a frame: 0.4 MB for 10 minutes at 30 fps), the atlas-zone lists are interned
(a session touches a few dozen distinct sets), and press events are closed as they end. No
image is ever retained. The report writer reads the timeline back column by column.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from massagecam.hands import Role
from massagecam.results import Side, TechniqueName
from massagecam.technique_pair import PairTechnique, thumb_names

TECHNIQUES: tuple[str, ...] = tuple(t.value for t in TechniqueName)
SIDES: tuple[str, ...] = tuple(s.value for s in Side)
FINGERS: tuple[str, ...] = ("", "thumb", "index", "middle", "ring", "pinky")
_CHUNK = 4096

#: Column name → dtype of the timeline store.
COLUMNS: dict[str, Any] = {
    "frame": np.int32, "t": np.float64, "step": np.int16, "contact": np.bool_,
    "zones": np.int32, "on_target": np.int8, "technique": np.int8, "side": np.int8,
    "finger": np.int8, "cx": np.float32, "cy": np.float32, "hands": np.int8,
    "receiver": np.int8, "giver": np.int8, "pair": np.int8,
}
#: Two-handed technique names by timeline code (-1: no pair estimate, i.e. self mode).
PAIRS: tuple[str, ...] = tuple(p.value for p in PairTechnique)


class Columns:
    """Append-only numpy columns grown in fixed chunks (no per-frame Python objects)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self._spec = spec
        self._chunks: dict[str, list[np.ndarray]] = {k: [] for k in spec}
        self._cur = {k: np.empty(_CHUNK, dt) for k, dt in spec.items()}
        self._fill = 0
        self._done = 0

    def __len__(self) -> int:
        return self._done + self._fill

    def append(self, **values: Any) -> None:
        """Add one row; every column must be given."""
        i = self._fill
        for k, arr in self._cur.items():
            arr[i] = values[k]
        self._fill += 1
        if self._fill == _CHUNK:
            for k, arr in self._cur.items():
                self._chunks[k].append(arr)
            self._cur = {k: np.empty(_CHUNK, dt) for k, dt in self._spec.items()}
            self._done += _CHUNK
            self._fill = 0

    def _at(self, row: int) -> tuple[dict[str, np.ndarray], int]:
        if not 0 <= row < len(self):
            raise IndexError(f"row {row} is not in 0..{len(self) - 1}")
        if row >= self._done:
            return self._cur, row - self._done
        return {k: v[row // _CHUNK] for k, v in self._chunks.items()}, row % _CHUNK

    def get(self, row: int, name: str) -> Any:
        """One value of an earlier row (0-based, in append order)."""
        where, i = self._at(row)
        return where[name][i]

    def put(self, row: int, **values: Any) -> None:
        """Overwrite some columns of an earlier row (0-based, in append order)."""
        where, i = self._at(row)
        for k, v in values.items():
            where[k][i] = v

    def column(self, name: str) -> np.ndarray:
        """The whole column as one array (a copy; call once per report, not per frame)."""
        return np.concatenate([*self._chunks[name], self._cur[name][: self._fill]])

    def chunks(self) -> Iterator[dict[str, np.ndarray]]:
        """The rows chunk by chunk, as dicts of column arrays (for streaming writers)."""
        for j in range(len(self._chunks[next(iter(self._spec))])):
            yield {k: v[j] for k, v in self._chunks.items()}
        if self._fill:
            yield {k: v[: self._fill] for k, v in self._cur.items()}


@dataclass
class PressEvent:
    """One continuous press of one giving finger (gaps up to ``merge_gap_s`` bridged).

    ``side``, ``zone`` and ``technique`` in the JSON are the ones seen longest during the press.
    """

    giver_track: int
    finger: str
    start: float
    end: float
    start_frame: int
    end_frame: int
    side: str
    step: int | None
    sides: Counter[str] = field(default_factory=Counter)
    zones: Counter[str] = field(default_factory=Counter)
    techniques: Counter[str] = field(default_factory=Counter)
    rhythm: list[float] = field(default_factory=list)
    frames: int = 0
    hands: Counter[str] = field(default_factory=Counter)
    pairs: Counter[str] = field(default_factory=Counter)

    def to_json(self) -> dict[str, Any]:
        """The ``contacts[]`` entry of result.json."""
        tech = [t for t, _ in self.techniques.most_common() if t != TechniqueName.NONE.value]
        zone = self.zones.most_common(1)[0][0] if self.zones else None
        hand = self.hands.most_common(1)[0][0] if self.hands else None
        pair = self.pairs.most_common(1)[0][0] if self.pairs else None
        return {
            "start": round(self.start, 3), "end": round(self.end, 3),
            "duration_s": round(self.end - self.start, 3),
            "start_frame": self.start_frame, "end_frame": self.end_frame,
            "giver_track": self.giver_track, "finger": self.finger,
            "side": self.sides.most_common(1)[0][0] if self.sides else self.side,
            "step": self.step, "zone": zone, "zones": [z for z, _ in self.zones.most_common(8)],
            "technique": tech[0] if tech else TechniqueName.NONE.value,
            "rhythm_hz": round(float(np.median(self.rhythm)), 3) if self.rhythm else None,
            # which of the giver's hands pressed (settled handedness), and the two-handed
            # technique it was part of (caregiver mode; "support_press:active" etc.)
            "hand": hand, "thumb": f"{hand} {self.finger}" if hand else None,
            "pair_technique": pair,
        }


@dataclass
class TrackingCounts:
    """Per-session counts behind the tracking-quality section."""

    frames: int = 0
    two_hands: int = 0
    receiver_seen: int = 0
    receiver_estimated: int = 0
    giver_seen: int = 0
    giver_estimated: int = 0
    third_hand: int = 0
    side_unknown: int = 0
    hints: Counter[str] = field(default_factory=Counter)


class Recorder:
    """Turns :class:`massagecam.session.FrameResult` s into the session's timeline and events.

    Args:
        merge_gap_s: a press interrupted for at most this long is one press (the contact
            detector's hysteresis already removes most flicker; this bridges dropouts).
        max_events: cap on stored press events (a pathological flickering video must not
            grow memory without bound); later ones are counted, not kept.
    """

    def __init__(self, merge_gap_s: float = 0.25, max_events: int = 20000) -> None:
        self.merge_gap_s = merge_gap_s
        self.max_events = max_events
        self.timeline = Columns(COLUMNS)
        self.zone_sets: list[tuple[str, ...]] = [()]
        self._zone_code: dict[tuple[str, ...], int] = {(): 0}
        self.events: list[PressEvent] = []
        self.events_dropped = 0
        self._open: dict[tuple[int, str], PressEvent] = {}
        self.tracking = TrackingCounts()

    def _intern(self, zones: tuple[str, ...]) -> int:
        code = self._zone_code.get(zones)
        if code is None:
            code = self._zone_code[zones] = len(self.zone_sets)
            self.zone_sets.append(zones)
        return code

    def add(self, result: Any) -> None:
        """Record one :class:`~massagecam.session.FrameResult`."""
        a = result.analysis
        hands = a.hands
        t = float(hands.t)
        primary = a.primary
        tech = a.technique
        loc = primary.location if primary is not None else None
        zones = tuple(loc.zones) if loc is not None else ()
        canon = loc.canonical if (loc is not None and primary.in_contact) else (np.nan, np.nan)
        step = result.step_index
        on_target = result.on_target
        roles = hands.role
        rec_rows = roles == int(Role.RECEIVER)
        giv_rows = roles == int(Role.GIVER)
        rec_state = 0 if not rec_rows.any() else (2 if hands.estimated[rec_rows].all() else 1)
        giv_state = 0 if not giv_rows.any() else (2 if hands.estimated[giv_rows].all() else 1)
        pair = getattr(a, "pair", None)
        self.timeline.append(
            frame=hands.frame_index, t=t, step=-1 if step is None else step,
            contact=bool(primary is not None and primary.in_contact), zones=self._intern(zones),
            on_target=-1 if on_target is None else int(on_target),
            technique=TECHNIQUES.index(tech.name.value), side=SIDES.index(Side(a.side).value),
            finger=FINGERS.index(primary.finger) if primary is not None else 0,
            cx=canon[0], cy=canon[1], hands=min(len(hands), 127), receiver=rec_state,
            giver=giv_state, pair=-1 if pair is None else PAIRS.index(pair.name.value))
        self._count(a, rec_state, giv_state)
        restated = getattr(result.coach, "restated", ())
        if restated and step is not None:
            self._restate(restated, step)
        self._events(a, step, hands.frame_index, t)

    def _restate(self, restated: tuple[tuple[int, bool | None], ...], step: int) -> None:
        """Re-label earlier frames as ``step``'s: the coach found the user had moved on then.

        They are the frames just before this one; only frames still recorded with their
        original index are touched, and presses that began among them move to the step too.
        """
        want = dict(restated)
        first = min(want)
        n = len(self.timeline)
        for row in range(n - 2, max(n - 2 - len(want), -1), -1):
            frame = int(self.timeline.get(row, "frame"))
            if frame in want:
                on = want[frame]
                self.timeline.put(row, step=step, on_target=-1 if on is None else int(on))
        for ev in self._open.values():
            if ev.start_frame >= first:
                ev.step = step
        for ev in reversed(self.events):  # closed in order: the recent ones are at the end
            if ev.end_frame < first:
                break
            if ev.start_frame >= first:
                ev.step = step

    def _count(self, a: Any, rec_state: int, giv_state: int) -> None:
        c = self.tracking
        c.frames += 1
        c.two_hands += int(a.hands.detected >= 2)
        c.receiver_seen += int(rec_state == 1)
        c.receiver_estimated += int(rec_state == 2)
        c.giver_seen += int(giv_state == 1)
        c.giver_estimated += int(giv_state == 2)
        c.third_hand += int(bool((a.hands.role == int(Role.IGNORED)).any()))
        c.side_unknown += int(a.side == Side.UNKNOWN)
        c.hints.update(a.hints)

    def _events(self, a: Any, step: int | None, frame: int, t: float) -> None:
        names: dict[int, str] | None = None
        pair = getattr(a, "pair", None)
        for contact, tech in zip(a.contacts, a.techniques or [None] * len(a.contacts),
                                 strict=False):
            key = (contact.giver_track, contact.finger)
            ev = self._open.get(key)
            if ev is not None and t - ev.end > self.merge_gap_s:
                self._close(key)
                ev = None
            if not contact.in_contact:
                continue
            if ev is None:
                ev = PressEvent(contact.giver_track, contact.finger, t, t, frame, frame,
                                Side(a.side).value, step)
                self._open[key] = ev
            ev.end, ev.end_frame = t, frame
            ev.frames += 1
            if names is None:
                names = thumb_names(a.hands)
            name = names.get(contact.giver_track, "")
            if name.split(" ")[0] in ("left", "right"):
                ev.hands[name.split(" ")[0]] += 1
            if pair is not None and contact.giver_track in pair.tracks and \
                    pair.name is not PairTechnique.NONE:
                role = ("" if pair.name is not PairTechnique.SUPPORT_PRESS else
                        ":active" if contact.giver_track == pair.active else ":support")
                ev.pairs[f"{pair.name.value}{role}"] += 1
            ev.sides[Side(a.side).value] += 1
            if contact.location is not None and contact.location.zone is not None:
                ev.zones[contact.location.zone] += 1
            elif contact.location is not None and contact.location.zones:
                ev.zones[contact.location.zones[0]] += 1
            if tech is not None:
                ev.techniques[tech.name.value] += 1
                if tech.frequency_hz is not None:
                    if len(ev.rhythm) < 4096:
                        ev.rhythm.append(float(tech.frequency_hz))

    def _close(self, key: tuple[int, str]) -> None:
        ev = self._open.pop(key)
        if len(self.events) < self.max_events:
            self.events.append(ev)
        else:
            self.events_dropped += 1

    def finish(self) -> list[PressEvent]:
        """Close the presses still open; returns all events in start order."""
        for key in list(self._open):
            self._close(key)
        self.events.sort(key=lambda e: (e.start, e.giver_track, e.finger))
        return self.events
