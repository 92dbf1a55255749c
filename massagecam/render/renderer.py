"""The procedural renderer: a session script in, video frames and per-frame ground truth out.

Drawing order gives the occlusion: background, hand shadows, the giver's curled fingers (which
are beside or under the receiving hand), the receiving hand with a dent where the thumb presses,
the giver's shadow on it (tight when pressing, wide and soft when hovering), then the giver's
palm and thumb on top. The picture is then lit, slightly blurred as by a webcam lens, blended
with the previous frame (shutter blur) and given sensor noise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from massagecam.render import scene
from massagecam.render.composite import Cutout, place
from massagecam.render.hand import (
    PART_FINGERS,
    HandStyle,
    Raster,
    composite,
    rasterize,
    shadow,
)
from massagecam.render.script import SessionScript
from massagecam.render.skin import skin
from massagecam.render.targets import atlas_available, zones_at
from massagecam.render.timeline import FrameState, Timeline

_SLEEVES = [(60, 40, 30), (120, 120, 120), (40, 40, 140), (150, 110, 60), (50, 90, 50),
            (200, 200, 200), (30, 30, 30)]


@dataclass(frozen=True)
class RenderedFrame:
    """One rendered frame and its truth entry."""

    image: np.ndarray
    truth: dict[str, Any]
    state: FrameState


def _r2(a: np.ndarray | None) -> list | None:
    return None if a is None else np.round(np.asarray(a, np.float64), 2).tolist()


class Renderer:
    """Renders a :class:`SessionScript` frame by frame (deterministic for a given seed)."""

    def __init__(self, script: SessionScript, receiver_photo: Cutout | None = None,
                 giver_photo: Cutout | None = None) -> None:
        if receiver_photo is not None:  # a photographed hand shows one face only
            segs = tuple(dataclasses.replace(x, side=receiver_photo.side)
                         for x in script.segments)
            script = dataclasses.replace(script, segments=segs)
        self.script = script
        self.photos = (receiver_photo, giver_photo)
        rs = script.render
        self.timeline = Timeline(
            script, receiver_photo.template() if receiver_photo is not None else None,
            giver_photo.template() if giver_photo is not None else None)
        if giver_photo is not None:
            self.timeline.giver_shape = dataclasses.replace(self.timeline.giver_shape,
                                                            side=giver_photo.side)
            self.timeline.replan()
        rng = np.random.default_rng(rs.seed + 1)
        self.wh = rs.size
        self.bg = scene.background(rs.background, rs.size, rng)
        self.gain, self.light, noise_gain = scene.lighting(rs.lighting, rs.size, rng)
        self.texture = scene.skin_texture(rs.size, rng)
        self.noise = scene.noise_bank(rs.size, rng, 2.2 * rs.noise * noise_gain)
        sleeve_r = _SLEEVES[int(rng.integers(len(_SLEEVES)))] if rs.sleeves else None
        sleeve_g = _SLEEVES[int(rng.integers(len(_SLEEVES)))] if rs.sleeves else None
        self.skin_r = skin(rs.skin_receiver, jitter=0.04, rng=rng)
        self.skin_g = skin(rs.skin_giver, jitter=0.04, rng=rng)
        self.width_r = float(rng.uniform(0.92, 1.08))
        self.width_g = float(rng.uniform(0.92, 1.08))
        self.sleeves = (sleeve_r, sleeve_g)
        self.shutter = 0.35 * rs.motion_blur
        self._prev: tuple[int, np.ndarray] | None = None

    @property
    def n_frames(self) -> int:
        """Number of frames of the session."""
        return self.timeline.n_frames

    def frames(self) -> Iterator[RenderedFrame]:
        """Render every frame in order (shutter blur needs the previous one)."""
        self._prev = None
        for k in range(self.n_frames):
            yield self.render(k)

    def render(self, frame: int) -> RenderedFrame:
        """Render frame ``frame``.

        Shutter blur blends in the previous frame only when it was the last one rendered, so
        rendering in order and rendering one frame alone both give deterministic pictures.
        """
        st = self.timeline.state(frame)
        img = self.bg.copy()
        lp = self.timeline.palm_px
        lx, ly = float(self.light[0]), float(self.light[1])
        rr = gr = None
        if st.receiver is not None and self.photos[0] is not None:
            rr = place(self.photos[0], st.receiver, self.wh)
        elif st.receiver is not None:
            dents = [(float(st.pad[0]), float(st.pad[1]), 0.13 * lp)] if st.press > 0.5 else []
            rr = rasterize(st.receiver, HandStyle(self.skin_r, st.side,
                                                  self.timeline.handedness, self.width_r,
                                                  sleeve_bgr=self.sleeves[0]),
                           self.light, self.wh, self.texture, dents)
        if st.giver is not None and self.photos[1] is not None:
            gr = place(self.photos[1], st.giver, self.wh)
        elif st.giver is not None:
            gr = rasterize(st.giver, HandStyle(self.skin_g, "back",
                                               self.timeline.giver_shape.handedness,
                                               self.width_g, sleeve_bgr=self.sleeves[1],
                                               press=st.press),
                           self.light, self.wh, self.texture)
        off = (-lx * 0.09 * lp, -ly * 0.09 * lp)
        if rr is not None:
            shadow(img, rr, off, 0.05 * lp, 0.38)
        behind = None
        if gr is not None:
            shadow(img, gr, off, 0.06 * lp, 0.3)
            behind = np.isin(gr.part, list(PART_FINGERS.values())).astype(np.float32)
            if rr is not None:
                composite(img, gr, behind)
        if rr is not None:
            composite(img, rr)
        if gr is not None:
            front = 1.0 - behind if rr is not None else None
            if rr is not None:
                k = 0.04 + 0.35 * st.lift
                front_r = Raster(gr.x0, gr.y0, gr.color, gr.alpha * front, gr.part, gr.height)
                shadow(img, front_r, (-lx * k * lp, -ly * k * lp), (0.03 + 0.2 * st.lift) * lp,
                       0.45 - 0.4 * st.lift)
            composite(img, gr, front)
        img *= self.gain[..., None]
        img = cv2.GaussianBlur(img, (0, 0), 0.65)
        if self.shutter > 0 and self._prev is not None and self._prev[0] == frame - 1:
            img = cv2.addWeighted(img, 1.0 - self.shutter, self._prev[1], self.shutter, 0.0)
        self._prev = (frame, img)
        out = img + self.noise[frame % len(self.noise)]
        image = np.clip(out, 0, 255).astype(np.uint8)
        return RenderedFrame(image, self._truth(st), st)

    def _truth(self, st: FrameState) -> dict[str, Any]:
        zones: list[str] = []
        if st.pad is not None and st.receiver is not None:
            zones = zones_at(st.pad, st.receiver, self.timeline.handedness, st.side)
        return {
            "frame": st.frame, "t": round(st.t, 4), "step": st.segment.step,
            "action": st.segment.action, "contact": bool(st.contact), "target": st.target,
            "zones": zones, "technique": st.technique, "side": st.side,
            "thumb_xy": _r2(st.pad), "giver": _r2(st.giver), "receiver": _r2(st.receiver),
        }

    def header(self) -> dict[str, Any]:
        """Truth-file fields that hold for the whole session."""
        s = self.script
        return {
            "format": "massagecam-truth/1",
            "script": s.raw,
            "script_path": str(s.path) if s.path else None,
            "fps": s.render.fps, "size": list(s.render.size), "n_frames": self.n_frames,
            "receiving": s.receiving,
            "receiver_handedness": self.timeline.handedness,
            "giver_handedness": self.timeline.giver_shape.handedness,
            "giver_side": self.timeline.giver_shape.side,
            "photos": [c is not None for c in self.photos],
            "palm_px": round(self.timeline.palm_px, 2),
            "zones_from": "massagecam.atlas" if atlas_available() else "render fallback table",
            "press_point": "thumb pad = lerp(THUMB_IP, THUMB_TIP, 0.7)",
        }
