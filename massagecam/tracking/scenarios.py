"""Seeded synthetic two-to-four-hand sequences with ground truth, and a role-tracking scorer.

Each scenario is what a detector would return frame by frame (landmark jitter, detection order
shuffled, the covered hand missed, handedness labels flipped or duplicated while hands touch,
the same hand occasionally returned twice) together with the truth: every physical hand's pose,
role and side. Tests, benchmarks and the renderer team can replay them; :func:`evaluate`
(:mod:`massagecam.tracking.evaluate`, re-exported here) runs a tracker over one and counts role
swaps, wrong-role frames and held-pose error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from massagecam.hands import Hands, Landmark, Role
from massagecam.synthetic import TEMPLATE_Z, make_hand
from massagecam.tracking.evaluate import Evaluation, evaluate

__all__ = ["APPROACH_S", "Evaluation", "FPS", "PALM", "Pose", "REC", "SCENARIOS", "Scenario",
           "appear", "approach", "assemble", "caregiver", "circling", "crossing", "ease",
           "evaluate", "ghosts", "giver_on", "hidden", "labels", "massage", "mirror",
           "palm_centre", "receiver_pose", "third_hand", "timeline"]

L = Landmark
Pose = npt.NDArray[np.float64]
PALM = 150.0
FPS = 30.0


@dataclass
class Scenario:
    """Detector-like frames plus the truth behind them.

    Attributes:
        name: scenario name.
        frames: per-frame :class:`Hands` as a detector returns them (roles UNKNOWN).
        truth: (T, K, 21, 2) true pose of each physical hand, NaN while out of view.
        detected: (T, K) whether the detector returned that hand.
        roles: true role of each hand (IGNORED for an extra hand).
        sides: true anatomical side of each hand.
        palm_px: palm length used.
    """

    name: str
    frames: list[Hands]
    truth: npt.NDArray[np.float64]
    detected: npt.NDArray[np.bool_]
    roles: tuple[Role, ...]
    sides: tuple[str, ...]
    palm_px: float = PALM


def _overlap(a: Pose, b: Pose) -> bool:
    lo_a, hi_a, lo_b, hi_b = a.min(0), a.max(0), b.min(0), b.max(0)
    return bool(np.all(lo_a <= hi_b) and np.all(lo_b <= hi_a))


def _reflect(pose: Pose) -> Pose:
    """The pose mirrored about its wrist-to-middle-MCP axis (a left hand fitted on a right)."""
    origin = pose[L.WRIST]
    d = pose[L.MIDDLE_FINGER_MCP] - origin
    d = d / (np.linalg.norm(d) or 1.0)
    rel = pose - origin
    return origin + 2.0 * (rel @ d)[:, None] * d[None, :] - rel


def assemble(name: str, truth: npt.NDArray[np.float64], detected: npt.NDArray[np.bool_],
             roles: tuple[Role, ...], sides: tuple[str, ...], *, seed: int, noise: float = 0.01,
             flip_p: float = 0.3, dup_label_p: float = 0.2, dup_pose_p: float = 0.0,
             ghost_p: float = 0.0, palm_px: float = PALM) -> Scenario:
    """Turn true poses into detector output: jitter, shuffled order, label flips, duplicates.

    Labels are corrupted only while the hand's box overlaps another hand's (that is when the
    real detector errs): flipped with ``flip_p``, copied from the other hand with
    ``dup_label_p``, and the hand returned a second time (slightly offset) with ``dup_pose_p``.
    With ``ghost_p``, while a hand is covered and missed, the detector may instead "find" it on
    top of the covering hand: the coverer's pose mirrored about its own axis, with the covered
    hand's label.
    """
    rng = np.random.default_rng(seed)
    frames = []
    n_t, n_k = truth.shape[:2]
    for f in range(n_t):
        present = [k for k in range(n_k) if not np.isnan(truth[f, k, 0, 0])]
        rows: list[tuple[Pose, str, float]] = []
        for k in present:
            if not detected[f, k]:
                continue
            xy = truth[f, k] + rng.normal(0.0, noise * palm_px, (21, 2))
            label, score = sides[k], float(rng.uniform(0.85, 0.99))
            touching = [j for j in present if j != k and _overlap(truth[f, k], truth[f, j])]
            if touching:
                u = rng.random()
                if u < flip_p:
                    label = "Left" if label == "Right" else "Right"
                elif u < flip_p + dup_label_p:
                    label = sides[touching[0]]
                if rng.random() < dup_pose_p:
                    dup = xy + rng.normal(0.0, 0.02 * palm_px, 2)
                    rows.append((dup, sides[touching[0]], score * 0.9))
            rows.append((xy, label, score))
        if ghost_p > 0:
            for k in present:
                over = [j for j in present if j != k and detected[f, j]
                        and _overlap(truth[f, k], truth[f, j])]
                if not detected[f, k] and over and rng.random() < ghost_p:
                    ghost = _reflect(truth[f, over[0]]) + rng.normal(0.0, noise * palm_px, (21, 2))
                    rows.append((ghost, sides[k], 0.7))
        order = rng.permutation(len(rows))
        rows = [rows[i] for i in order]
        xy = np.array([r[0] for r in rows], np.float32).reshape(-1, 21, 2)
        frames.append(Hands.from_arrays(
            xy, z=np.array([TEMPLATE_Z * palm_px for _ in rows], np.float32).reshape(-1, 21),
            handedness=[r[1] for r in rows], score=[r[2] for r in rows],
            frame_index=f, t=f / FPS, image_wh=(960, 720), detected=len(rows)))
    return Scenario(name, frames, truth, detected, roles, sides, palm_px)


# -- hand motions ---------------------------------------------------------------------------
def receiver_pose(centre: tuple[float, float], angle: float = 0.0, side: str = "Left") -> Pose:
    """A still receiving hand, palm up."""
    return make_hand(centre, PALM, angle, side, "palm").astype(np.float64)


def giver_on(target: npt.ArrayLike, angle: float = -70.0, side: str = "Right") -> Pose:
    """A giving hand (back to the camera) placed so that its thumb tip is on ``target``."""
    h = make_hand((0.0, 0.0), PALM, angle, side, "back", curl=0.3).astype(np.float64)
    return h + (np.asarray(target, np.float64) - h[L.THUMB_TIP])


def palm_centre(receiver: Pose) -> Pose:
    """Centre of the receiver's palm (between wrist, index and pinky MCPs)."""
    return (receiver[L.WRIST] + receiver[L.INDEX_FINGER_MCP] + receiver[L.PINKY_MCP]) / 3.0


def circling(t: float, hz: float = 1.0, radius: float = 0.15) -> Pose:
    """Offset (px) of a thumb making circles."""
    w = 2 * np.pi * hz * t
    return radius * PALM * np.array([np.cos(w), np.sin(w)])


def timeline(seconds: float, pose_fn: Callable[[float], list[Pose | None]],
              detect_fn: Callable[[float, list[Pose | None]], list[bool]],
              n_k: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Sample ``pose_fn(t)`` (K poses, None = out of view) and ``detect_fn`` at 30 fps.

    Returns (T, K, 21, 2) truth with NaN for absent hands and the (T, K) detected mask.
    """
    n_t = int(round(seconds * FPS))
    truth = np.full((n_t, n_k, 21, 2), np.nan)
    det = np.zeros((n_t, n_k), bool)
    for f in range(n_t):
        t = f / FPS
        poses = pose_fn(t)
        for k, p in enumerate(poses):
            if p is not None:
                truth[f, k] = p
        det[f] = [p is not None and d for p, d in zip(poses, detect_fn(t, poses), strict=True)]
    return truth, det


def ease(x: float) -> float:
    """0..1 ease for 0 <= x <= 1 (clamped)."""
    x = min(max(x, 0.0), 1.0)
    return x * x * (3 - 2 * x)


# -- scenarios ------------------------------------------------------------------------------
REC = (250.0, 300.0)
#: The giver comes in from the side during the first APPROACH_S seconds (hands apart: the
#: detector's labels are right then, as in real use when hands enter the view).
APPROACH_S = 0.8


def approach(t: float, pose: Pose) -> Pose:
    """``pose`` shifted away to the right/up before and during the approach."""
    k = 1.0 - ease(t / APPROACH_S)
    return pose + k * np.array([2.4 * PALM, -0.6 * PALM])


def massage(seed: int = 0, seconds: float = 4.0, **kw: float) -> Scenario:
    """Receiver still (left palm up), giver's right thumb circling on its palm."""
    rec = receiver_pose(REC)

    def poses(t: float) -> list[Pose | None]:
        return [rec, approach(t, giver_on(palm_centre(rec) + circling(t)))]

    kw = {"flip_p": 0.15, "dup_label_p": 0.15, **kw}
    truth, det = timeline(seconds, poses, lambda t, p: [True, True], 2)
    return assemble("massage", truth, det, (Role.RECEIVER, Role.GIVER), ("Left", "Right"),
                    seed=seed, **kw)


def crossing(seed: int = 0) -> Scenario:
    """Massage, then the hands swap places passing over each other, then massage again."""
    def poses(t: float) -> list[Pose | None]:
        s = ease((t - 1.5) / 1.5)
        rec = receiver_pose((REC[0] + 2.6 * PALM * s, REC[1] - 0.3 * PALM * np.sin(np.pi * s)))
        if t < 1.5 or t > 3.5:
            giver = approach(t, giver_on(palm_centre(rec) + circling(t)))
        else:
            start = palm_centre(receiver_pose(REC)) + circling(1.5)
            end_rec = receiver_pose((REC[0] + 2.6 * PALM, REC[1]))
            end = palm_centre(end_rec) + circling(3.5)
            path = ease((t - 1.5) / 1.5)
            lift = -2.2 * PALM * np.sin(np.pi * path)  # the giver goes back across above
            giver = giver_on(start + (end - start) * path + np.array([-2.6 * PALM * np.sin(
                np.pi * path), lift]))
        return [rec, giver]

    def detect(t: float, p: list[Pose | None]) -> list[bool]:
        # While they overlap, the lower hand (receiver) is missed every other frame.
        covered = _overlap(p[0], p[1]) and 1.7 < t < 3.3
        return [not (covered and int(t * FPS) % 2 == 0), True]

    truth, det = timeline(5.0, poses, detect, 2)
    return assemble("crossing", truth, det, (Role.RECEIVER, Role.GIVER), ("Left", "Right"),
                    seed=seed, flip_p=0.3, dup_label_p=0.3)


def hidden(seed: int = 0, hide_s: float = 0.5, ghost_p: float = 0.0) -> Scenario:
    """Massage, then the giver lies over the receiver, which is not detected for ``hide_s``.

    With ``ghost_p`` the detector sometimes "finds" the covered receiver on top of the giver.
    """
    rec = receiver_pose(REC)
    cover = palm_centre(rec) + np.array([0.25 * PALM, -0.6 * PALM])
    t0, t1 = 1.5, 1.5 + 0.3 + hide_s + 0.3

    def poses(t: float) -> list[Pose | None]:
        if t0 <= t <= t1:
            a = ease((t - t0) / 0.3) * ease((t1 - t) / 0.3)
            start = palm_centre(rec) + circling(t0)
            return [rec, giver_on(start + (cover - start) * a)]
        return [rec, approach(t, giver_on(palm_centre(rec) + circling(t)))]

    def detect(t: float, p: list[Pose | None]) -> list[bool]:
        return [not (t0 + 0.3 <= t < t0 + 0.3 + hide_s), True]

    truth, det = timeline(t1 + 1.5, poses, detect, 2)
    return assemble("hidden" if not ghost_p else "ghosts", truth, det,
                    (Role.RECEIVER, Role.GIVER), ("Left", "Right"), seed=seed, flip_p=0.3,
                    dup_label_p=0.3, dup_pose_p=0.2, ghost_p=ghost_p)


def ghosts(seed: int = 0) -> Scenario:
    """:func:`hidden` where half the hidden frames bring a ghost receiver on the giver."""
    return hidden(seed, ghost_p=0.5)


def labels(seed: int = 0) -> Scenario:
    """Massage with labels flipped half the time, duplicated, and duplicate detections."""
    sc = massage(seed, 5.0, flip_p=0.35, dup_label_p=0.35, dup_pose_p=0.2)
    sc.name = "labels"
    return sc


def appear(seed: int = 0) -> Scenario:
    """Hands leave and come back: giver alone, receiver alone, then both at once."""
    def poses(t: float) -> list[Pose | None]:
        rec = receiver_pose((REC[0] + (0.5 * PALM if t > 5.0 else 0.0), REC[1]))
        giver = approach(t, giver_on(palm_centre(rec) + circling(t),
                                     angle=-70.0 if t < 3.0 else -40.0))
        out: list[Pose | None] = [rec, giver]
        if 1.5 <= t < 3.0 or 6.5 <= t < 7.5:
            out[1] = None
        if 4.0 <= t < 5.0 or 6.5 <= t < 7.5:
            out[0] = None
        return out

    truth, det = timeline(9.0, poses, lambda t, p: [True, True], 2)
    return assemble("appear", truth, det, (Role.RECEIVER, Role.GIVER), ("Left", "Right"),
                    seed=seed)


def third_hand(seed: int = 0) -> Scenario:
    """Massage while a third hand wanders in, passes close to the giver and leaves."""
    rec = receiver_pose(REC)

    def poses(t: float) -> list[Pose | None]:
        out: list[Pose | None] = [rec, approach(t, giver_on(palm_centre(rec) + circling(t))),
                                  None]
        if 1.0 <= t < 3.5:
            s = (t - 1.0) / 2.5
            centre = (820.0 - 330.0 * np.sin(np.pi * s), 150.0 + 300.0 * s)
            out[2] = make_hand(centre, PALM * 0.9, 20.0, "Right", "palm").astype(np.float64)
        return out

    truth, det = timeline(4.5, poses, lambda t, p: [True, True, True], 3)
    return assemble("third_hand", truth, det, (Role.RECEIVER, Role.GIVER, Role.IGNORED),
                    ("Left", "Right", "Right"), seed=seed)


def caregiver(seed: int = 0, fourth: bool = True) -> Scenario:
    """Caregiver: receiver upside down (far side), two givers' thumbs spreading its palm.

    The givers cross over each other once; with ``fourth`` the receiver's other hand rests
    in view from t = 2 s (it should be IGNORED).
    """
    rec = receiver_pose((480.0, 260.0), angle=180.0, side="Right")
    c = palm_centre(rec)

    def poses(t: float) -> list[Pose | None]:
        spread = 0.25 * PALM * (0.5 + 0.5 * np.sin(2 * np.pi * 0.8 * t))
        cross = np.sin(np.pi * ease((t - 2.5) / 1.0)) if 2.5 <= t <= 3.5 else 0.0
        left = giver_on(c + np.array([-spread + 0.5 * PALM * cross, 0.1 * PALM]), angle=40.0,
                        side="Left")
        right = giver_on(c + np.array([spread - 0.5 * PALM * cross, -0.1 * PALM]),
                         angle=-40.0, side="Right")
        k = 1.0 - ease(t / APPROACH_S)  # the givers come in from below, apart
        left = left + k * np.array([-1.5 * PALM, 3.5 * PALM])
        right = right + k * np.array([1.5 * PALM, 3.5 * PALM])
        other = receiver_pose((150.0, 250.0), angle=160.0, side="Left") if fourth and t >= 2.0 \
            else None
        return [rec, left, right, other]

    truth, det = timeline(5.0, poses, lambda t, p: [True, True, True, True], 4)
    return assemble("caregiver", truth, det,
                    (Role.RECEIVER, Role.GIVER, Role.GIVER, Role.IGNORED),
                    ("Right", "Left", "Right", "Left"), seed=seed)


def mirror(sc: Scenario, width: float = 960.0) -> Scenario:
    """The same scene seen in a mirror: x flipped, so every left hand looks like a right one.

    Lets one scenario test both ``receiving="left"`` and ``receiving="right"``.
    """
    def swap(side: str) -> str:
        return "Left" if side == "Right" else "Right"

    truth = sc.truth.copy()
    truth[..., 0] = width - truth[..., 0]
    frames = []
    for f in sc.frames:
        xy = f.xy.copy()
        xy[..., 0] = width - xy[..., 0]
        frames.append(f.replace(xy=xy, handedness=np.array([swap(h) for h in f.handedness],
                                                           dtype="<U5")))
    return Scenario(sc.name + "_mirrored", frames, truth, sc.detected, sc.roles,
                    tuple(swap(s) for s in sc.sides), sc.palm_px)


SCENARIOS: dict[str, Callable[..., Scenario]] = {
    "massage": massage, "crossing": crossing, "hidden": hidden, "ghosts": ghosts,
    "labels": labels,
    "appear": appear, "third_hand": third_hand, "caregiver": caregiver,
}
