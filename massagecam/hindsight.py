"""Hindsight for recorded analysis: each frame judged with the seconds that follow it.

Live coaching must decide from the frames so far. A recording has no such limit: the analysis
can wait and look ahead. :class:`Hindsight` sits between the technique classifier and the coach,
holds the frames of the last ``lag_s`` seconds, and releases the oldest revised five ways
(and before any of that, :func:`learn_depth_trust` reads the first seconds of the recording to
learn how far its pad depth follows the press):

1. **Technique.** At the start of a press the path is short and still holds the glide that
   brought the thumb there, so a hold's first second reads as a stroke and a circle's first
   half turn as a stroke or a hold. Each finger's technique becomes the one its classifier named
   most often from that frame to ``lag_s`` later, while the same finger stayed in contact (a
   lift ends the look-ahead; ties go to the later label).
2. **A press kept for a hand not seen** stands only if the hand, once seen again, is still
   pressing (:meth:`Hindsight._comes_back`).
3. **A short lift inside a hold or circles** (at most ``bridge_s``, the same technique before
   and after) is a press the detector lost (:meth:`Hindsight._bridge`).
4. **A transit is no press** (with a :class:`~massagecam.transit.TransitFinder`, as
   :class:`~massagecam.session.Pipeline` builds it): the quick straight glide from one place
   of work to the next is lifted, and its labels do not vote (the look-ahead goes on past it:
   a finger pull's return glides back to the same work).
5. **A spread's return is no press** (caregiver mode): in a two-thumb palm spread the thumbs
   press sliding apart and lift to come back together, a lift the landmarks barely show. The
   two-handed estimate names the thumbs gliding back over the last
   :data:`~massagecam.technique_pair.RETURN_S`; the estimate made half that later, its window
   centred on the frame, lifts them (live practice applies the estimate of the frame itself,
   0.05 s late). Per-thumb contact F1 on the caregiver benchmark's clean seeds 400-411
   0.823 / 0.881 -> 0.887 / 0.914, on-target judgement 62.7 / 89.4 -> 61.9 / 88.9 % (the
   first frames of a stroke go with the return); chosen on seeds 100-111 (window 0.1 / 0.2 s:
   0.881 / 0.911 and 0.873 / 0.904; the same frame's estimate instead of the centred one,
   0.859 / 0.894).

Measured with the replayed landmarks of rendered sessions (benchmarks/analyze_accuracy.py),
chosen on the development seed 3030 and checked on seeds 2026 and 4040, which were not used to
choose. Technique macro-F1 over truth press frames:

=========================================  ==========  ==========  ==========
technique rule                              seed 3030   seed 2026   seed 4040
=========================================  ==========  ==========  ==========
no hindsight (live)                           0.668       0.629       0.656
the estimate 1.5 s later                      0.810       0.797         -
most frequent over the next 2 s               0.834       0.813       0.810
most frequent over the next 3 s (default)     0.850       0.852       0.834
most frequent over the next 4 s               0.843         -           -
=========================================  ==========  ==========  ==========

(Figures before the technique window's reset was widened to strokes, walks and pulls; see
docs/contact-technique.md for the current ones.)

Rule 2 has no parameter to choose; it was found by looking at seed 2026's false presses, 270 of
1344 frames of which were the giving hand leaving at the end (the detector keeps a vanished
finger's press for 0.5 s). Contact F1 0.842 -> 0.862 on seed 2026, 0.859 -> 0.871 on 3030,
0.860 -> 0.878 on 4040. Rule 3 was found on seed 2026 too (session 10); its one parameter
was chosen on seed 3030 (see BRIDGE_S): with the pre-roll in place, on-target judgement 91.0 ->
92.3 % on 3030, 88.7 -> 89.0 % on 2026, 90.8 -> 94.7 % on 4040, contact F1 0.892 -> 0.903,
0.883 -> 0.885, 0.896 -> 0.914. Places and hands are the frame's own. A first glide rule, "a
path point travelling more than 0.4 L within 0.5 s is gliding, not pressing", raised contact
F1 on seed 3030 (0.871 -> 0.877) but lowered its on-target judgement (86.5 -> 85.8 %) and
technique (0.849 -> 0.845), so it was not kept; rule 4 asks more of a glide (fast, straight,
alone, its ends trimmed; :mod:`massagecam.transit`): contact F1 0.904 -> 0.914 on 3030, 0.890
-> 0.908 on 2026, 0.907 -> 0.914 on 4040, on-target 92.3 -> 92.7, 90.4 -> 90.3, 93.7 ->
93.5 %. Had the look-ahead ended at a glide as at a lift, technique on seed 2026 would have
fallen 0.890 -> 0.838 (each finger pull's pass voted alone).
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import math
from collections import Counter, deque
from collections.abc import Sequence
from typing import Any

from massagecam.errors import ConfigError, check_range
from massagecam.hands import Hands
from massagecam.results import Contact, FrameAnalysis, TechniqueEstimate, TechniqueName
from massagecam.technique_pair import RETURN_S
from massagecam.transit import TransitFinder

#: Look-ahead of recorded analysis (s); see the module docstring for how it was chosen.
ANALYSIS_LAG_S = 3.0
#: Seconds of a recording read first to learn how its pad depth behaves (see
#: :func:`learn_depth_trust`).
PREROLL_S = 5.0

#: The pre-roll counts a frame as a clear press or hover from this depth-free logit on (the
#: live detector from 1.0): seed-5050 session 6 held LI4 for 5 s with logits of 0.4-1, so its
#: depth trust never fell and depth vetoed every press (scored 3 against the truth's 96). Only
#: the pre-roll is less strict: a lower live margin cost the synthetic gate set 0.012 accuracy.
PREROLL_MARGIN = 0.5
#: Longest lift inside a hold or circles that is taken for a press the detector lost: the
#: coach's own timers bridge dropouts this long (chosen on seed 3030 from 0.3 / 0.5 / 0.8 s:
#: on-target 92.2 / 92.3 / 91.9 %, none 91.0 %).
BRIDGE_S = 0.5
#: Techniques that stay on one place: they do not lift mid-way.
STATIONARY = frozenset({TechniqueName.HOLD, TechniqueName.CIRCLES})

_Key = tuple[int, str]


class Hindsight:
    """A fixed-lag smoother of per-finger contact and technique.

    Args:
        lag_s: how far ahead each frame's technique is judged (0..10 s). Frames come out this
            much later than they go in; :meth:`flush` releases the rest at the end.
        bridge_s: longest lift inside a hold or circles taken for a lost press (0..2 s; 0:
            none).
        transits: finds the glides between places of work, which are then no press (None:
            glides stay as the detector called them). Its :attr:`~massagecam.transit.
            TransitFinder.delay_s` must not exceed ``lag_s`` (checked).
    """

    def __init__(self, lag_s: float = ANALYSIS_LAG_S, bridge_s: float = BRIDGE_S,
                 transits: TransitFinder | None = None) -> None:
        self.lag_s = check_range("lag_s", lag_s, 0.0, 10.0, low_open=False)
        if transits is not None and transits.delay_s > self.lag_s:
            raise ConfigError(f"lag_s={lag_s}: a transit finder needs a look-ahead of at least "
                              f"{transits.delay_s:.2f} s")
        self.transits = transits
        # held frames: (analysis, payload, track ids of the hands detected in it)
        self._buf: deque[tuple[FrameAnalysis, Any, frozenset[int]]] = deque()
        self.bridge_s = check_range("bridge_s", bridge_s, 0.0, 2.0, low_open=False)
        # per finger: time and technique of its last released frame in contact
        self._last_on: dict[_Key, tuple[float, TechniqueEstimate]] = {}
        self._fingers: set[_Key] = set()  # every finger seen, for the transit finder

    def __len__(self) -> int:
        """Frames held, not released yet."""
        return len(self._buf)

    def update(self, analysis: FrameAnalysis,
               payload: Any = None) -> list[tuple[FrameAnalysis, Any]]:
        """Add one frame; return the frames now ``lag_s`` old, revised, with their payloads.

        ``payload`` travels with its frame unchanged (the analyser passes the image to draw).
        """
        h = analysis.hands
        seen = frozenset(int(i) for i in h.track_id[~h.estimated])
        if self.transits is not None:
            self._feed_transits(analysis, seen)
        self._buf.append((analysis, payload, seen))
        newest = analysis.t
        out = []
        while self._buf and newest - self._buf[0][0].t >= self.lag_s:
            out.append(self._release())
        return out

    def flush(self) -> list[tuple[FrameAnalysis, Any]]:
        """Release every held frame (end of the video, or an interrupted analysis)."""
        if self.transits is not None:
            self.transits.flush()
        return [self._release() for _ in range(len(self._buf))]

    def _release(self) -> tuple[FrameAnalysis, Any]:
        analysis, payload, _ = self._buf[0]
        contacts = list(analysis.contacts)
        techniques = [self._ahead(analysis, j) for j in range(len(contacts))]
        for j, c in enumerate(contacts):
            key = (c.giver_track, c.finger)
            if c.in_contact and (self._in_transit(analysis, key) or self._returning(analysis, key)
                                 or not self._comes_back(analysis, c)):
                contacts[j] = dataclasses.replace(c, in_contact=False)
                techniques[j] = TechniqueEstimate()
            elif not c.in_contact and (est := self._bridge(analysis, c)) is not None:
                contacts[j] = dataclasses.replace(c, in_contact=True)
                techniques[j] = est
            if contacts[j].in_contact:
                self._last_on[key] = (analysis.t, techniques[j])
        self._buf.popleft()
        if tuple(contacts) == analysis.contacts and tuple(techniques) == analysis.techniques:
            return analysis, payload
        return dataclasses.replace(analysis, contacts=tuple(contacts),
                                   techniques=tuple(techniques)), payload

    def _returning(self, analysis: FrameAnalysis, key: _Key) -> bool:
        """Rule 5: in a two-thumb spread, a thumb gliding back is lifted (caregiver mode).

        The two-handed estimate names the returning thumbs from the last ``RETURN_S`` of
        their paths (:meth:`~massagecam.technique_pair.PairClassifier.returning`); the one
        made ``RETURN_S / 2`` later has its window centred on this frame.
        """
        if key[1] != "thumb":
            return False
        at, later = analysis.t + 0.5 * RETURN_S - 1e-6, analysis
        for a, _, _ in self._buf:  # the buffer's oldest frame is this one
            later = a
            if a.t >= at:
                break
        pair = getattr(later, "pair", None)
        return pair is not None and key[0] in pair.returning

    def _ahead(self, analysis: FrameAnalysis, j: int) -> TechniqueEstimate:
        """The most frequent technique of contact ``j``'s finger over the look-ahead window."""
        own = analysis.techniques[j] if j < len(analysis.techniques) else TechniqueEstimate()
        contact = analysis.contacts[j]
        if not contact.in_contact or own.name == TechniqueName.NONE:
            return own
        key = (contact.giver_track, contact.finger)
        end = analysis.t + self.lag_s
        counts: Counter[TechniqueName] = Counter()
        latest: dict[TechniqueName, tuple[int, TechniqueEstimate]] = {}
        for i, (a, _, seen) in enumerate(self._buf):
            if a.t > end:
                break
            est = self._estimate_of(a, key, transit_lifts=False)
            if est is None:  # the finger lifted (or its hand was lost): look no further
                break
            if contact.giver_track not in seen or self._in_transit(a, key):
                # a kept label while the hand is not seen is no new evidence; a glide is no
                # work (it does not end the look-ahead: a pull's lifted return glides back)
                continue
            if est.name != TechniqueName.NONE:
                counts[est.name] += 1
                latest[est.name] = (i, est)
        if not counts:
            return own
        best = max(counts.values())
        # ties go to the label seen last: the classifier's later view has more path behind it
        return max((v for n, v in latest.items() if counts[n] == best), key=lambda v: v[0])[1]

    def _bridge(self, analysis: FrameAnalysis, contact: Contact) -> TechniqueEstimate | None:
        """The technique to give a lift of at most ``bridge_s`` inside a hold or circles.

        A hold or a circle does not lift mid-way; the detector sometimes loses it for part of a
        turn (rendered seed-2026 session 10: circles on Z10 found in about half of each turn).
        Such a gap, between frames of the same finger pressing with the same stationary
        technique before and after, is a press. Strokes, walks and pulls do lift between
        passes, so their gaps stand.
        """
        if self.bridge_s <= 0 or not all(map(math.isfinite, contact.palm_xy)):
            return None
        key = (contact.giver_track, contact.finger)
        before = self._last_on.get(key)
        if before is None or before[1].name not in STATIONARY or \
                analysis.t - before[0] > self.bridge_s:
            return None
        for a, _, seen in itertools.islice(self._buf, 1, None):
            if a.t - before[0] > self.bridge_s:
                return None
            est = self._estimate_of(a, key)
            if est is not None and contact.giver_track in seen:
                return before[1] if est.name == before[1].name else None
        return None

    def _estimate_of(self, a: FrameAnalysis, key: _Key,
                     transit_lifts: bool = True) -> TechniqueEstimate | None:
        """The technique of finger ``key`` in frame ``a`` while it touches, else None."""
        for c, est in zip(a.contacts, a.techniques, strict=False):
            if (c.giver_track, c.finger) == key:
                lifted = not c.in_contact or (transit_lifts and self._in_transit(a, key))
                return None if lifted else est
        return None

    def _in_transit(self, a: FrameAnalysis, key: _Key) -> bool:
        return self.transits is not None and self.transits.covers(key, a.t)

    def _feed_transits(self, analysis: FrameAnalysis, seen: frozenset[int]) -> None:
        """Give the transit finder every known finger's press point (None: not pressing)."""
        assert self.transits is not None
        now: dict[_Key, tuple[float, float] | None] = dict.fromkeys(self._fingers)
        for c in analysis.contacts:
            key = (c.giver_track, c.finger)
            now[key] = c.palm_xy if c.in_contact and c.giver_track in seen else None
        for key, xy in now.items():
            self._fingers.add(key)
            self.transits.update(key, analysis.t, xy)

    def _comes_back(self, analysis: FrameAnalysis, contact: Contact) -> bool:
        """Whether a press kept while its hand is not seen is still a press when it is again.

        The contact detector keeps a vanished finger's last decision for a moment (``hold_s``),
        which bridges a hand lost for a few frames mid-press; live it cannot know better. But
        when the hand leaves the picture, or is next seen lifted, those kept frames were no
        press. A seen hand's decision stands.
        """
        if contact.giver_track in self._buf[0][2]:
            return True
        key = (contact.giver_track, contact.finger)
        for a, _, seen in itertools.islice(self._buf, 1, None):
            if contact.giver_track in seen:
                return self._estimate_of(a, key) is not None
        return False


def learn_depth_trust(frames: Sequence[Hands], tracker: Any, side_detector: Any,
                      contact: Any) -> float | None:
    """Set ``contact``'s depth-trust ceiling from what the first frames of a recording show.

    Live, the contact detector starts trusting the pad's depth and learns otherwise once it has
    seen about 2 s of clear presses (:class:`~massagecam.contact_weights.DepthTrust`); until
    then a stream whose depth says nothing about pressing loses its presses. On rendered
    seed-3030 session 11 the first 2.6 s of circles on LI4 were missed so. A recording can
    learn first: copies of the tracker, side detector and contact detector (still fresh) run
    over ``frames``, and the trust they reach becomes the real detector's ``prior`` (the
    ceiling its own evidence can only lower). Returns that trust, or None when the detector
    has no depth trust to learn.
    """
    trust = getattr(contact, "depth_trust", None)
    if trust is None or getattr(contact, "depth_weights", None) is None or not frames:
        return None
    tracker, side_detector, contact_copy = copy.deepcopy((tracker, side_detector, contact))
    contact_copy.depth_trust.margin = min(contact_copy.depth_trust.margin, PREROLL_MARGIN)
    for hands in frames:
        tracked = tracker.update(hands, None)
        contact_copy.update(tracked, side_detector.update_hands(tracked), None)
    learned = float(contact_copy.depth_trust.value)
    trust.prior = min(trust.prior, learned)
    return learned
