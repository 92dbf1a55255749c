"""Caregiver scenes: one person's receiving hand, another person's two giving hands.

Issue 10's camera faces the caregiver: the receiver's hand comes in from the far side of the
table, so it is seen upside down (fingers towards the camera's bottom edge), and the
caregiver's two hands come in from the bottom, backs to the camera, thumbs on the receiving
hand. This module builds such a scene in three layers, reusing the existing renderer pieces
(it edits none of them):

1. *paths*: both thumbs' press points in the receiver's own frame (palm lengths, x distal,
   y radial) and their contact truth, per two-handed technique (:func:`pair_paths`);
2. *poses*: 21 landmarks per hand per frame (:func:`caregiver_poses`): the receiver from
   ``synthetic.make_hand`` turned 180 deg with a slow drift, each giving hand from
   ``trajectories.scene.giver_pose`` with the thumb flexed while pressing
   (``trajectories.scene.pose_tracks``), so the contact cues read as in the one-giver data;
3. *pictures*: :class:`CaregiverRenderer` draws the three hands with ``render.hand.rasterize``
   (another skin tone allowed for the caregiver), background, light and noise from
   ``render.scene``.

Every frame carries truth for both thumbs (pad pixel, contact, palm-frame point), so the
landmark model's recall per hand and per pressing thumb can be measured, and the same poses
can drive the analysis pipeline without pictures (:meth:`CaregiverFrame.hands`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from massagecam.errors import ConfigError
from massagecam.hands import Hands, Landmark, palm_frame
from massagecam.render import scene
from massagecam.render.hand import PART_FINGERS, PART_PALM, HandStyle, composite, rasterize, shadow
from massagecam.render.skin import TONES, skin
from massagecam.synthetic import TEMPLATE_Z, make_hand
from massagecam.trajectories.scene import giver_pose, pose_tracks, smooth_noise

L = Landmark
TECHNIQUES = ("two_thumb_spread", "support_press", "wringing")
#: Caregiver's hands in drawing order: (name, handedness); left is on the image's left.
GIVERS = (("left", "Left"), ("right", "Right"))


def pair_paths(technique: str, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Press points (2, n, 2) in the receiver frame and contact truth (2, n) of both thumbs.

    Index 0 is the caregiver's left thumb, 1 the right one.

    * two_thumb_spread: both thumbs from the palm centre out to the sides and towards the
      knuckles in 0.7 s, lifted for a 0.4 s return;
    * support_press: the left hand holds the ulnar edge of the wrist still, not pressing; the
      right thumb presses the thenar in small circles for 1.2 s, lifts for 0.5 s;
    * wringing: both hands across the wrist and palm (the atlas has no forearm), to and fro
      in opposite directions at 0.8 Hz, drifting slowly along the hand, thumbs on the skin.
    """
    n = len(t)
    p = np.zeros((2, n, 2))
    on = np.zeros((2, n), bool)
    if technique == "two_thumb_spread":
        u = (t % 1.1) / 0.7
        w = np.where(u <= 1.0, u, 1.0 - (u - 1.0) * 0.7 / 0.4)
        y, x = 0.08 + 0.37 * w, 0.4 + 0.35 * w
        p[0] = np.stack([x, -y], 1)
        p[1] = np.stack([x, y], 1)
        on[:] = u <= 1.0
    elif technique == "support_press":
        p[0] = (-0.05, -0.55)
        a = 2 * np.pi * 1.0 * t
        p[1] = np.stack([0.45 + 0.07 * np.cos(a), 0.3 + 0.07 * np.sin(a)], 1)
        on[1] = (t % 1.7) < 1.2
    elif technique == "wringing":
        y = 0.3 * np.sin(2 * np.pi * 0.8 * t)
        x = 0.3 + 0.1 * np.sin(2 * np.pi * 0.12 * t)
        p[0] = np.stack([x - 0.35, -y], 1)  # the two hands a palm width apart along the limb
        p[1] = np.stack([x + 0.35, y], 1)
        on[:] = True
    else:
        raise ConfigError(f"technique={technique!r}: expected one of {', '.join(TECHNIQUES)}")
    return p, on


@dataclass(frozen=True)
class CaregiverScene:
    """What to render; checked at construction.

    Attributes:
        technique: one of :data:`TECHNIQUES`.
        seconds, fps, size: duration, frame rate, (width, height) in pixels.
        seed: drives drift, hand sizes, thumb poses, background and noise.
        receiving: the receiver's hand, "Left" or "Right".
        receiver_side: "palm" or "back" towards the camera.
        skin_receiver, skin_giver: Fitzpatrick types ("I".."VI"); two people may differ.
        background: a ``render.scene.background`` kind.
        under: what of each caregiver hand is drawn under the receiving hand: "fingers"
            (the palm lies on top of it) or "hand" (palm and fingers hold it from below;
            only thumb and forearm are on top).
        givers: 2, or 1 to draw only the caregiver's right hand (a two-hand scene, the
            baseline of the 2 vs 3 hands timing in benchmarks/caregiver.py).
        lead_in: seconds before the technique (0..10, added to ``seconds``): the receiving
            hand lies alone in view while the caregiver's hands wait at the bottom edge, then
            they come in over the last half of it (at most 0.6 s), thumbs lifted. A real
            session starts so: the receiver is seen whole before anyone covers it.
    """

    technique: str = "two_thumb_spread"
    seconds: float = 4.0
    fps: float = 30.0
    size: tuple[int, int] = (960, 720)
    seed: int = 0
    receiving: str = "Right"
    receiver_side: str = "palm"
    skin_receiver: str = "II"
    skin_giver: str = "V"
    background: str = "textured"
    under: str = "fingers"
    givers: int = 2
    lead_in: float = 0.0

    def __post_init__(self) -> None:
        if self.technique not in TECHNIQUES:
            raise ConfigError(f"technique={self.technique!r}: expected one of "
                              f"{', '.join(TECHNIQUES)}")
        if not 0.5 <= self.seconds <= 600:
            raise ConfigError(f"seconds={self.seconds}: expected 0.5..600")
        if not 5 <= self.fps <= 120:
            raise ConfigError(f"fps={self.fps}: expected 5..120")
        if self.receiving not in ("Left", "Right"):
            raise ConfigError(f"receiving={self.receiving!r}: expected Left or Right")
        if self.receiver_side not in ("palm", "back"):
            raise ConfigError(f"receiver_side={self.receiver_side!r}: expected palm or back")
        if self.givers not in (1, 2):
            raise ConfigError(f"givers={self.givers}: expected 1 or 2")
        if not 0.0 <= self.lead_in <= 10.0:
            raise ConfigError(f"lead_in={self.lead_in}: expected 0..10 seconds")
        if self.under not in ("fingers", "hand"):
            raise ConfigError(f"under={self.under!r}: expected fingers or hand")
        for name in ("skin_receiver", "skin_giver"):
            if getattr(self, name) not in TONES:
                raise ConfigError(f"{name}={getattr(self, name)!r}: expected one of "
                                  f"{', '.join(TONES)}")


@dataclass(frozen=True)
class CaregiverFrame:
    """Landmarks and truth of one frame.

    Attributes:
        index, t: frame number and time (s).
        receiver: (21, 2) receiver landmarks (pixels).
        givers: (2, 21, 2) caregiver's left and right hand landmarks.
        giver_z: (2, 21) their relative depth (MediaPipe's sign: + away from the camera).
        pads: (2, 2) thumb pad pixels (truth press points), left then right thumb.
        contact: (2,) does each thumb press (truth).
        palm_xy: (2, 2) the pads in the receiver's frame (palm lengths).
    """

    index: int
    t: float
    receiver: np.ndarray
    givers: np.ndarray
    giver_z: np.ndarray
    pads: np.ndarray
    contact: np.ndarray
    palm_xy: np.ndarray
    receiving: str = "Right"
    image_wh: tuple[int, int] = (960, 720)
    meta: dict = field(default_factory=dict)

    def hands(self, order: tuple[int, ...] = (1, 0, 2)) -> Hands:
        """The frame as a detector would report it (roles unknown), rows in ``order``.

        Row ids: 0 receiver, 1 caregiver's left hand, 2 right hand. Labels are the true
        anatomical sides (the tracker must still settle them over time).
        """
        rec_palm = float(np.hypot(*(self.receiver[L.MIDDLE_FINGER_MCP] - self.receiver[L.WRIST])))
        xy = [self.receiver, self.givers[0], self.givers[1]]
        z = [TEMPLATE_Z * rec_palm, self.giver_z[0], self.giver_z[1]]
        side = [self.receiving, "Left", "Right"]
        return Hands.from_arrays(np.stack([xy[i] for i in order]).astype(np.float32),
                                 z=np.stack([z[i] for i in order]),
                                 handedness=[side[i] for i in order],
                                 frame_index=self.index, t=self.t, image_wh=self.image_wh)


def caregiver_poses(sc: CaregiverScene) -> list[CaregiverFrame]:
    """Every frame's landmarks and truth for a scene (deterministic for its seed)."""
    rng = np.random.default_rng(sc.seed)
    w, h = sc.size
    n = int(round((sc.lead_in + sc.seconds) * sc.fps))
    t = np.arange(n) / sc.fps
    work = np.maximum(t - sc.lead_in, 0.0)  # the technique's own clock
    # geometry first, so a scene's look does not depend on its duration
    palm = rng.uniform(0.19, 0.23) * h
    centre0 = np.array([w * rng.uniform(0.45, 0.55), h * rng.uniform(0.36, 0.42)])
    angle0 = 180.0 + rng.uniform(-15, 15)
    g_palm = palm * rng.uniform(0.9, 1.05)
    # the caregiver's hands come from both sides, fingers in under the receiving hand
    tilt = (rng.uniform(15, 35), -rng.uniform(15, 35))
    pressure = rng.uniform(0.3, 0.8, 2)
    centre = centre0 + smooth_noise(rng, t, 0.05 * palm, 6.0, 2)
    angle = angle0 + smooth_noise(rng, t, 4.0, 7.0)
    paths, on = pair_paths(sc.technique, work)
    on &= t >= sc.lead_in
    # lead-in: the caregiver's hands wait 2.5 receiver palm lengths towards the bottom edge,
    # then come in (smoothstep over the lead-in's last half, at most 0.6 s)
    come = min(0.5 * sc.lead_in, 0.6)
    s = np.clip((t - (sc.lead_in - come)) / come, 0.0, 1.0) if come > 0 else np.ones(n)
    away = 2.5 * palm * (1.0 - s * s * (3.0 - 2.0 * s))
    poses = [pose_tracks(rng, on[k], sc.fps, np.full(n, pressure[k])) for k in range(2)]
    # the caregiver's left thumb works the side of the hand on the image's left: flip the
    # paths' radial axis when the receiver's radial side faces the image's left
    first = make_hand(tuple(centre[0]), palm, float(angle[0]), sc.receiving, sc.receiver_side)
    if palm_frame(first)[1][1][0] < 0:
        paths[..., 1] *= -1
    out = []
    for i in range(n):
        rec = make_hand(tuple(centre[i]), palm, float(angle[i]), sc.receiving,
                        sc.receiver_side, 0.05, 0.15).astype(np.float64)
        origin, axes, length = palm_frame(rec)
        pads = origin + (paths[:, i] @ axes) * length
        pads[:, 1] += away[i]
        givers, zs = [], []
        for k, (_, side) in enumerate(GIVERS):
            flex, distal, depth = (float(poses[k][j][i]) for j in range(3))
            xy, z = giver_pose(pads[k], tilt[k], g_palm, side, "back", flex, distal, depth)
            givers.append(xy)
            zs.append(z)
        out.append(CaregiverFrame(i, float(t[i]), rec, np.stack(givers), np.stack(zs), pads,
                                  on[:, i].copy(), ((pads - origin) / length) @ axes.T,
                                  sc.receiving, sc.size))
    return out


class CaregiverRenderer:
    """Draws a :class:`CaregiverScene` frame by frame with the existing hand renderer.

    The caregiver's fingers are drawn first (they hold the receiving hand from below), then
    the receiver with dents under pressing thumbs, then the rest of each caregiver hand
    (palm, thumb, forearm), as ``render.renderer`` layers its one giver.
    """

    def __init__(self, sc: CaregiverScene) -> None:
        self.scene = sc
        self.frames = caregiver_poses(sc)
        rng = np.random.default_rng(sc.seed + 1)
        self.bg = scene.background(sc.background, sc.size, rng)
        self.gain, self.light, noise_gain = scene.lighting("even", sc.size, rng)
        self.texture = scene.skin_texture(sc.size, rng)
        self.noise = scene.noise_bank(sc.size, rng, 2.2 * 1.0 * noise_gain)
        self.skin_r = skin(sc.skin_receiver, jitter=0.04, rng=rng)
        self.skin_g = skin(sc.skin_giver, jitter=0.04, rng=rng)

    def __len__(self) -> int:
        return len(self.frames)

    def render(self, i: int) -> np.ndarray:
        """BGR uint8 image of frame ``i``."""
        f = self.frames[i]
        img = self.bg.copy()
        lp = float(np.hypot(*(f.receiver[L.MIDDLE_FINGER_MCP] - f.receiver[L.WRIST])))
        lx, ly = float(self.light[0]), float(self.light[1])
        off = (-lx * 0.09 * lp, -ly * 0.09 * lp)
        dents = [(float(p[0]), float(p[1]), 0.13 * lp) for p, c in zip(f.pads, f.contact,
                                                                       strict=True) if c]
        rr = rasterize(f.receiver, HandStyle(self.skin_r, self.scene.receiver_side,
                                             self.scene.receiving), self.light,
                       self.scene.size, self.texture, dents)
        grs = []
        for k in np.argsort(f.pads[:, 1]):
            if self.scene.givers == 1 and k == 0:
                continue
            press = 1.0 if f.contact[k] else 0.0
            gr = rasterize(f.givers[k], HandStyle(self.skin_g, "back", GIVERS[k][1],
                                                  press=press), self.light, self.scene.size,
                           self.texture)
            if gr is not None:
                grs.append(gr)
        # the caregiver holds the receiving hand from below: those parts are drawn before it
        parts = list(PART_FINGERS.values()) + ([PART_PALM] if self.scene.under == "hand" else [])
        for gr in grs:
            shadow(img, gr, off, 0.06 * lp, 0.3)
            composite(img, gr, np.isin(gr.part, parts).astype(np.float32))
        if rr is not None:
            shadow(img, rr, off, 0.05 * lp, 0.38)
            composite(img, rr)
        for gr in grs:
            composite(img, gr, 1.0 - np.isin(gr.part, parts).astype(np.float32))
        img *= self.gain[..., None]
        img = cv2.GaussianBlur(img, (0, 0), 0.65)
        img = img + self.noise[i % len(self.noise)]
        return np.clip(img, 0, 255).astype(np.uint8)




def found(frame: CaregiverFrame, hands: Hands, tol_l: float = 0.35) -> dict[str, bool]:
    """Which truth hands a detector (or tracker) output shows in this frame.

    A truth hand is found when some row's 21 landmarks lie within ``tol_l`` receiver palm
    lengths of it on average; a thumb is found when its hand is and that row's thumb pad
    (``lerp(THUMB_IP, THUMB_TIP, 0.7)``) is within ``tol_l`` of the truth pad. Rows flagged
    ``estimated`` (held by the tracker) do not count. Keys: "receiver", "left", "right",
    "left_thumb", "right_thumb".
    """
    lp = float(np.hypot(*(frame.receiver[L.MIDDLE_FINGER_MCP] - frame.receiver[L.WRIST])))
    rows = [np.asarray(hands.xy[i], np.float64) for i in range(len(hands))
            if not bool(hands.estimated[i])]
    out: dict[str, bool] = {}
    truth = {"receiver": frame.receiver, "left": frame.givers[0], "right": frame.givers[1]}
    for name, xy in truth.items():
        best = min(rows, key=lambda r, xy=xy: float(np.linalg.norm(r - xy, axis=1).mean()),
                   default=None)
        ok = best is not None and float(np.linalg.norm(best - xy, axis=1).mean()) < tol_l * lp
        out[name] = bool(ok)
        if name != "receiver":
            k = 0 if name == "left" else 1
            pad = None if best is None else best[L.THUMB_IP] + 0.7 * (
                best[L.THUMB_TIP] - best[L.THUMB_IP])
            out[f"{name}_thumb"] = bool(ok and pad is not None and float(
                np.hypot(*(pad - frame.pads[k]))) < tol_l * lp)
    return out


__all__ = ("CaregiverFrame", "CaregiverRenderer", "CaregiverScene", "GIVERS", "TECHNIQUES",
           "caregiver_poses", "found", "pair_paths")
