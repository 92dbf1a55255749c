"""Giver/receiver roles held by continuity, through crossings, contact and brief occlusion.

:class:`RoleTracker` turns the detector's per-frame hands (roles UNKNOWN, labels unreliable
while hands touch) into tracked hands: every row gets a stable ``track_id``, a ``role``, the
track's *settled* handedness and smoothed landmarks; a participating hand that vanished less
than ``hold_s`` ago is appended as a held row flagged ``estimated``. See docs/tracking.md.

Design for several hands: hands are *participants* (up to 2 in self mode: receiver and giver;
up to 3 in caregiver mode: one receiver and one or two givers) or IGNORED extras. Roles come
from one rule for every mode: exactly one participant is the receiver and the others give.
Nothing assumes an upright hand, so a receiver seen upside down (caregiver facing the camera)
is tracked the same way.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from massagecam.errors import ConfigError, check_range
from massagecam.hands import Hands, Landmark, Role
from massagecam.tracking.caregiver import FarSide
from massagecam.tracking.flow import FlowCarrier
from massagecam.tracking.smoothing import (
    OneEuroFilter,
    skeleton_pool,
    smoothing_config,
)
from massagecam.tracking.tracks import (
    SURFACE,
    Track,
    assign,
    boxes_touch,
    duplicates,
    pose_distance,
)

L = Landmark
RECEIVING = ("auto", "left", "right")
MODES = ("self", "caregiver")

#: Label mismatch cost while associating (palm lengths): a weak prior, weaker than a hand's
#: half-width, so geometry always wins when the two disagree clearly.
LABEL_PRIOR = 0.15
#: Weight of a label in the side vote while the hand touches another (labels flip then).
CONTACT_VOTE_WEIGHT = 0.3
#: Receiver evidence saturates at +-EVIDENCE_LIMIT (seconds of clear evidence).
EVIDENCE_LIMIT = 6.0
#: Side votes (confident frames) to receiver score: 10 clear frames ~ 1 s of touch evidence.
VOTE_TO_SCORE = 0.1
#: Self mode, left/right: weight of the touch/stillness evidence next to the side vote
#: (evidence can move the score by at most +-1.5, side votes by +-3).
SIDED_EVIDENCE_WEIGHT = 0.25
#: An unexplained detection within this mean landmark distance (palm lengths) of a matched
#: hand is a ghost of it, not a new or returning hand (a real second hand that close would
#: have been matched by continuity).
GHOST_DISTANCE = 0.8
#: Side vote (see ``tracks.VOTE_LIMIT``) from which a held hand's side is trusted to tell it
#: from a newcomer with the other label, while a participant slot is still open.
NEWCOMER_VOTE = 8.0
#: An ignored hand seen this long while a participant is lost takes its place (self mode).
TAKEOVER_S = 0.5


class RoleTracker:
    """Keeps hand identities and giver/receiver roles across frames.

    Args:
        receiving: "left"/"right" = the receiver is the track whose settled handedness is that
            side; "auto" = the stiller hand that the other touches, decided from accumulated
            evidence with hysteresis.
        mode: "self" (one person: receiver + giver, a third hand is IGNORED) or "caregiver"
            (one receiver + up to two givers, a fourth hand is IGNORED).
        hold_s: how long (s) a lost participant is still reported, held, as ``estimated``.
        smoothing: One Euro parameters (SmoothingConfig, dict, True for defaults, None/False
            for raw landmarks).
        flow: carry held poses by sparse optical flow of their visible part (needs ``image``).
        gate: largest mean landmark distance (palm lengths) for frame-to-frame association.
        decide_s: auto mode: seconds-worth of evidence needed to name the receiver.
        swap_s: auto mode: evidence margin needed to ever change the receiver afterwards.
        caregiver_at: caregiver mode: image edge the caregiver's hands enter from ("bottom",
            "top", "left", "right"; None: learnt from the scene only). tracking/caregiver.py.

    Attributes:
        swaps: role swaps so far (the receiver role moved from one existing track to another).
        last_swaps: ``(old_id, new_id)`` receiver changes of the last update.
        last_duplicates: duplicate detections dropped in the last update.
        last_ghosts: ghost detections (a covered hand "found" on top of the covering one)
            dropped in the last update.
        last_ignored: hands IGNORED in the last update (for the pipeline's hint).
    """

    def __init__(self, receiving: str = "auto", mode: str = "self", hold_s: float = 0.7,
                 smoothing: Any = True, flow: bool = False, *, gate: float = 0.6,
                 decide_s: float = 0.5, swap_s: float = 5.0,
                 caregiver_at: str | None = "bottom") -> None:
        if receiving not in RECEIVING:
            raise ConfigError(f"receiving={receiving!r}: expected one of {', '.join(RECEIVING)}")
        if mode not in MODES:
            raise ConfigError(f"mode={mode!r}: expected one of {', '.join(MODES)}")
        FarSide(caregiver_at)  # checks it
        self.receiving = receiving
        self.mode = mode
        self.caregiver_at = caregiver_at
        self.hold_s = check_range("hold_s", hold_s, 0.0, 10.0)
        self.gate = check_range("gate", gate, 0.0, 5.0)
        self.decide_s = check_range("decide_s", decide_s, 0.0, EVIDENCE_LIMIT)
        self.swap_s = check_range("swap_s", swap_s, 0.0, 2 * EVIDENCE_LIMIT)
        self.smoothing = smoothing_config(smoothing)
        self.max_participants = 2 if mode == "self" else 3
        self._flow = FlowCarrier() if flow else None
        self._pool = skeleton_pool()
        self.reset()

    def reset(self) -> None:
        """Forget all tracks and roles (a new stream)."""
        self._tracks: list[Track] = []
        self._next_id = 0
        self._receiver: int | None = None
        self._far = FarSide(self.caregiver_at)
        self._t: float | None = None
        self._frame_dt = 1.0 / 30.0
        self.swaps = 0
        self.last_swaps: list[tuple[int, int]] = []
        self.last_duplicates = 0
        self.last_ghosts = 0
        self.last_ignored = 0

    @property
    def hint(self) -> str | None:
        """A short message for the screen about the last frame, or None."""
        if self.last_ignored:
            extra = "a third hand" if self.mode == "self" else "an extra hand"
            return f"{extra} is in view and is ignored"
        return None

    # -- per frame ----------------------------------------------------------------------
    def update(self, hands: Hands, image: np.ndarray | None = None) -> Hands:
        """Associate this frame's detections with tracks; return them with ids and roles.

        Args:
            hands: the detector's output for one frame (roles ignored, labels used as a prior).
            image: the analysed BGR frame; only used when ``flow=True``.

        Returns:
            One row per distinct detected hand (smoothed xy, settled handedness, track_id,
            role) followed by held rows (``estimated=True``) of participants lost less than
            ``hold_s`` ago.
        """
        t = float(hands.t)
        if self._t is not None and t < self._t - 1e-6:
            swaps = self.swaps
            self.reset()  # the clock went backwards: a new stream (swap count kept)
            self.swaps = swaps
        dt = 0.0 if self._t is None else min(max(t - self._t, 0.0), 0.1)
        if dt > 0:
            self._frame_dt += 0.1 * (dt - self._frame_dt)
        self._t = t
        self.last_swaps = []
        xy = hands.xy.astype(np.float64)
        keep = duplicates(xy, hands.score, 0.2) if len(hands) > 1 else np.ones(len(hands), bool)
        self.last_duplicates = int((~keep).sum())
        rows = np.flatnonzero(keep)
        self._tracks = [tr for tr in self._tracks
                        if tr.participant or t - tr.last_seen <= self.hold_s + 1e-6]
        match, ghosts = self._associate(xy[rows], hands.handedness[rows], t)
        self.last_ghosts = len(ghosts)
        if ghosts:
            keep_k = [k for k in range(len(rows)) if k not in ghosts]
            match = {keep_k.index(k): tr for k, tr in match.items()}
            rows = rows[keep_k]
        contact = boxes_touch(xy[rows])
        matched: dict[int, Track] = {}
        for k, r in enumerate(rows):
            tr = match.get(k)
            if tr is None:
                tr = self._new_track(xy[r], hands, int(r), t)
            else:
                if self.mode == "caregiver" and t - tr.last_seen > self.hold_s + 1e-6:
                    tr.forget_side()  # back after a while: maybe the receiver's other hand
                tr.update(xy[r], hands.z[r].astype(np.float64), hands.world[r].astype(np.float64),
                          float(hands.score[r]), str(hands.handedness[r]), t,
                          CONTACT_VOTE_WEIGHT if contact[k] else 1.0, reset_after=0.25)
            matched[int(r)] = tr
        if self.mode == "self":
            self._take_over(matched, t)
        visible = [tr for tr in matched.values() if tr.participant]
        if len(visible) >= 2 and dt > 0:
            self._accumulate(visible, dt)
        if self.mode == "caregiver":
            self._far.update(visible, self._receiver, dt)
        self._decide()
        sides = self._sides()
        held = [tr for tr in self._tracks if tr.participant and tr.last_seen < t
                and t - tr.last_seen <= self.hold_s + 1e-6]
        if self._flow is not None:
            self._flow.carry(image, held, [tr.xy for tr in matched.values()], t)
        self.last_ignored = sum(1 for tr in matched.values() if not tr.participant)
        return self._output(hands, matched, held, sides)

    # -- association --------------------------------------------------------------------
    def _associate(self, xy: np.ndarray, labels: np.ndarray,
                   t: float) -> tuple[dict[int, Track], set[int]]:
        """Detection index -> existing track, by pose continuity then by free participant slot.

        Also returns the detections judged ghosts: unexplained and lying within
        GHOST_DISTANCE of a hand already matched (the detector fitting the covered hand onto
        the covering one); they are dropped like duplicates.
        """
        out: dict[int, Track] = {}
        if not len(xy) or not self._tracks:
            return out, set()
        # Stage 1, continuity: tracks seen in the last couple of frames.
        recent = max(0.12, 2.5 * self._frame_dt)
        active = [tr for tr in self._tracks if t - tr.last_seen <= recent]
        if active:
            pred = np.stack([tr.predict(t) for tr in active])
            palm = np.array([tr.palm for tr in active])
            cost = pose_distance(xy, pred) / palm[None, :]
            sides = np.array([tr.side for tr in active])
            cost += LABEL_PRIOR * (labels[:, None] != sides[None, :])
            gaps = np.array([t - tr.last_seen for tr in active])
            gate = self.gate + 2.0 * gaps
            for i, j in assign(cost, gate):
                out[i] = active[j]
        free = [i for i in range(len(xy)) if i not in out]
        if not free:
            return out, set()
        # How close each unexplained detection lies to a hand already matched this frame.
        near_vis = np.full(len(free), np.inf)
        if out:
            seen = list(out)
            palm_seen = np.array([out[i].palm for i in seen])
            near_vis = (pose_distance(xy[free], xy[seen]) / palm_seen[None, :]).min(axis=1)
        taken = {id(tr) for tr in out.values()}
        slots = [tr for tr in self._tracks if tr.participant and id(tr) not in taken]
        if slots:
            # Stage 2, a returning participant: near where it vanished while held; once lost,
            # anywhere if no participant slot is free (it must be this hand), else nearby.
            # Position counts for less the longer the hand has been gone.
            pred = np.stack([tr.held_pose(t) for tr in slots])
            palm = np.array([tr.palm for tr in slots])
            gaps = np.array([t - tr.last_seen for tr in slots])
            lost = gaps > self.hold_s + 1e-6
            dist = pose_distance(xy[free], pred) / palm[None, :]
            cost = dist / (1.0 + 0.5 * gaps[None, :])
            sides = np.array([tr.side for tr in slots])
            cost += LABEL_PRIOR * (labels[free][:, None] != sides[None, :])
            # A held hand comes back where it was, not on top of another visible hand: a
            # detection nearer a visible hand than the held pose is the detector's ghost.
            cost[(~lost[None, :]) & (dist >= near_vis[:, None])] = np.inf
            gate = np.where(lost, np.inf, 1.5 + 3.0 * gaps)
            if len(self._participants()) < self.max_participants:
                gate = np.where(lost, 1.0 + 3.0 * gaps, gate)
                # A participant is still to come. A hand appearing where a held hand vanished,
                # with the other label while no hand is in contact (labels are reliable when
                # hands are apart), is that newcomer, not the held hand coming back.
                if not out:
                    settled = np.array([abs(tr.vote) >= NEWCOMER_VOTE for tr in slots])
                    other = labels[free][:, None] != sides[None, :]
                    cost[other & settled[None, :]] = np.inf
            for i, j in assign(cost, gate):
                out[free[i]] = slots[j]
        ghosts = {free[k] for k in range(len(free))
                  if free[k] not in out and near_vis[k] < GHOST_DISTANCE}
        return out, ghosts

    def _new_track(self, xy: np.ndarray, hands: Hands, r: int, t: float) -> Track:
        participant = len(self._participants()) < self.max_participants
        smoother = None
        if self.smoothing is not None:
            smoother = OneEuroFilter.from_config(self.smoothing, pool=self._pool)
        tr = Track(self._next_id, xy, hands.z[r].astype(np.float64),
                   hands.world[r].astype(np.float64), float(hands.score[r]),
                   str(hands.handedness[r]), t, smoother, participant)
        tr.vote = float(hands.score[r]) * (1.0 if tr.side == "Right" else -1.0)
        self._next_id += 1
        self._tracks.append(tr)
        return tr

    @property
    def uses_images(self) -> bool:
        """Whether :meth:`update` reads the frame's picture (optical-flow carrying is on)."""
        return self._flow is not None

    def _participants(self) -> list[Track]:
        return [tr for tr in self._tracks if tr.participant]

    def _take_over(self, matched: dict[int, Track], t: float) -> None:
        """An ignored hand in view while a participant is lost becomes that participant.

        Self mode has two hands. When the detector loses one and finds it again with another
        label and a mirrored skeleton (a single-hand model instance re-searching the frame
        does this), association sees a third hand: ignored, while the real participant's slot
        waits for a hand that never returns (rendered seed-2026 session 19 with per-hand
        landmarks: no press found in the whole session). Once the participant has been gone
        longer than ``hold_s`` and the ignored hand has been in view for ``TAKEOVER_S``, the
        ignored hand inherits the lost participant's track id, side vote and role evidence.
        """
        lost = [tr for tr in self._tracks
                if tr.participant and t - tr.last_seen > self.hold_s + 1e-6]
        if not lost:
            return
        extra = sorted((tr for tr in matched.values()
                        if not tr.participant and t - tr.first_seen >= TAKEOVER_S),
                       key=lambda tr: tr.first_seen)
        for tr in extra[:len(lost)]:
            gone = min(lost, key=lambda g: float(np.linalg.norm(
                g.xy[L.WRIST] - tr.xy[L.WRIST])))
            lost.remove(gone)
            self._tracks.remove(gone)
            tr.participant = True
            tr.id, tr.vote, tr.side = gone.id, gone.vote, gone.side
            tr.evidence, tr.role = gone.evidence, gone.role

    # -- roles --------------------------------------------------------------------------
    def _accumulate(self, visible: list[Track], dt: float) -> None:
        """Receiver evidence: being touched by another's thumb tip, and being the stiller."""
        n = len(visible)
        surfaces = SURFACE @ np.stack([tr.xy for tr in visible])          # (n, k, 2)
        thumbs = np.stack([tr.xy[L.THUMB_TIP] for tr in visible])         # (n, 2)
        diff = surfaces[None, :, :, :] - thumbs[:, None, None, :]         # (i thumb, j hand)
        d = np.sqrt((diff * diff).sum(-1)).min(-1)
        d /= np.array([tr.palm for tr in visible])[None, :]
        touch = np.clip((0.4 - d) / 0.25, 0.0, 1.0)
        np.fill_diagonal(touch, 0.0)
        motion = np.array([tr.motion for tr in visible])
        for j, tr in enumerate(visible):
            others = (motion.sum() - motion[j]) / (n - 1)
            ev = touch[:, j].sum() - touch[j, :].sum() + 0.5 * math.tanh((others - motion[j]) / 0.3)
            tr.evidence = min(max(tr.evidence + dt * ev, -EVIDENCE_LIMIT), EVIDENCE_LIMIT)

    def _sides(self) -> dict[int, str]:
        """Settled side per track; two hands of one person cannot share a side.

        In self mode the two participants, in caregiver mode the two givers, are one person's
        left and right hands: if their own settled sides agree, the one whose vote is the
        more Right-leaning is Right. (A vote *difference* is immune to duplicated labels,
        which add the same to both.) In left/right mode the decided receiver has the asked
        side by definition, and in self mode its partner the other.
        """
        sides = {tr.id: tr.side for tr in self._tracks}
        want = {"left": "Left", "right": "Right"}.get(self.receiving)
        if want is not None and self._receiver is not None:
            sides[self._receiver] = want
        group = [tr for tr in self._participants()
                 if self.mode == "self" or tr.id != self._receiver]
        if len(group) == 2:
            a, b = group
            if want is not None and self.mode == "self" and self._receiver in (a.id, b.id):
                other = b if a.id == self._receiver else a
                sides[other.id] = "Left" if want == "Right" else "Right"
            elif sides[a.id] == sides[b.id]:
                right, left = (a, b) if a.vote >= b.vote else (b, a)
                sides[right.id], sides[left.id] = "Right", "Left"
        return sides

    def _score(self, tr: Track) -> float:
        """How much a track looks like the receiver (decided on with hysteresis).

        auto: touch/stillness evidence. Self mode left/right: the side vote, plus a quarter
        of the evidence to break ties (on real footage the detector can label *both* touching
        hands "Right" for seconds; then the votes say nothing and the touch decides).
        Caregiver mode adds the far-side lead, the opposition lead and the partner-pair term
        (``tracking/caregiver.py``); with left/right also a bounded side prior (one of the
        caregiver's hands has the asked side too).
        """
        if self.mode == "caregiver":
            return self._far.score(tr, self.receiving)
        if self.receiving == "auto":
            return tr.evidence
        side = VOTE_TO_SCORE * (tr.vote if self.receiving == "right" else -tr.vote)
        return side + SIDED_EVIDENCE_WEIGHT * tr.evidence

    def _decide(self) -> None:
        """Name (or very reluctantly change) the receiver from the accumulated scores."""
        parts = cands = self._participants()
        care = self.mode == "caregiver"
        if care:
            self._far.refresh(parts)
        cur = next((tr for tr in cands if tr.id == self._receiver), None)
        ranked = sorted(cands, key=self._score, reverse=True)
        if cur is None and ranked and (
                not care or self._far.may_receive(ranked[0], alone=len(ranked) == 1)):
            runner_up = self._score(ranked[1]) if len(ranked) > 1 else None
            if runner_up is None and self.receiving != "auto":  # alone: a clear side vote
                runner_up = -self._score(ranked[0])
            if runner_up is not None and self._score(ranked[0]) - runner_up >= self.decide_s:
                self._set_receiver(ranked[0].id)
        elif cur is not None and len(ranked) > 1:
            best = ranked[0] if ranked[0] is not cur else ranked[1]
            if self._score(best) - self._score(cur) >= self.swap_s:
                self._set_receiver(best.id)
        self._apply_roles(parts)

    def _set_receiver(self, new: int) -> None:
        old = self._receiver
        if old is not None and old != new and any(tr.id == old for tr in self._tracks):
            self.swaps += 1
            self.last_swaps.append((old, new))
        self._receiver = new

    def _apply_roles(self, parts: list[Track]) -> None:
        sided = self.mode == "self" and self.receiving != "auto" and len(parts) == 1
        for tr in parts:
            if self._receiver is None:
                # Self mode, left/right: a lone hand clearly of the other side gives.
                giver = sided and self._score(tr) <= -self.decide_s / 2
                tr.role = Role.GIVER if giver else Role.UNKNOWN
            else:
                tr.role = Role.RECEIVER if tr.id == self._receiver else Role.GIVER

    # -- output -------------------------------------------------------------------------
    def _output(self, hands: Hands, matched: dict[int, Track], held: list[Track],
                sides: dict[int, str]) -> Hands:
        order = list(matched.items())
        trs = [tr for _, tr in order] + held
        n = len(trs)
        if n == 0:
            return Hands.empty(hands.frame_index, hands.t, hands.image_wh, hands.detected)
        rows = [r for r, _ in order]
        xy = np.stack([tr.xy for tr in trs[:len(rows)]] +
                      [tr.held_pose(hands.t) for tr in held]).astype(np.float32)
        z = np.concatenate([hands.z[rows].reshape(-1, 21),
                            np.array([tr.z for tr in held]).reshape(-1, 21)]).astype(np.float32)
        world = np.concatenate([hands.world[rows].reshape(-1, 21, 3),
                                np.array([tr.world for tr in held]).reshape(-1, 21, 3)])
        score = np.concatenate([hands.score[rows], [tr.score for tr in held]])
        return Hands(
            xy=xy, z=z, world=world.astype(np.float32),
            handedness=np.array([sides.get(tr.id, tr.side) for tr in trs], dtype="<U5"),
            score=score.astype(np.float32),
            track_id=np.array([tr.id for tr in trs], np.int32),
            role=np.array([int(tr.role) for tr in trs], np.int8),
            estimated=np.arange(n) >= len(rows),
            frame_index=hands.frame_index, t=hands.t, image_wh=hands.image_wh,
            detected=hands.detected,
        )
