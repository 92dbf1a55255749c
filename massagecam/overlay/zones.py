"""The receiver's atlas zones: the routine's target lit up, the others faint.

Geometry comes from ``Atlas.shapes`` (pixels of the analysed image); this annotator only
paints it. The faint zones help the user learn the map; they can be switched off (key ``z``)
when they clutter the view.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import cv2
import numpy as np

from massagecam.overlay.style import OKABE_ITO, Palette, ipt

Outline = tuple[np.ndarray | None, tuple[float, float] | None, float]


_HALF = np.linspace(-np.pi / 2, np.pi / 2, 8)
#: Unit half circles (k, 2) facing +x and -x: a capsule's round ends, rotated per capsule.
_END_B = np.stack([np.cos(_HALF), np.sin(_HALF)], 1)
_END_A = -_END_B


def _stadiums(a: np.ndarray, b: np.ndarray, r: np.ndarray) -> np.ndarray:
    """(n, k, 2) polygons of n capsules: segments a-b thickened by r, with round ends.

    All at once: the overlay redraws some twenty zones on every live frame, and one small
    NumPy call chain per capsule was a good part of the frame's drawing time.
    """
    u = (b - a) / np.hypot(*(b - a).T)[:, None]
    rot = np.stack([np.stack([u[:, 0], u[:, 1]], 1), np.stack([-u[:, 1], u[:, 0]], 1)], 1)
    rr = r[:, None, None]
    ends_b = b[:, None] + rr * np.einsum("kj,njl->nkl", _END_B, rot)  # x axis -> u
    ends_a = a[:, None] + rr * np.einsum("kj,njl->nkl", _END_A, rot)
    return np.concatenate([ends_b, ends_a], 1).astype(np.float32)


def outlines_of(shapes: Any) -> list[Outline]:
    """(polygon | None, circle centre | None, radius) for each piece of atlas entries.

    ``shapes`` is what ``Atlas.shapes`` gives per id (or several ids' pieces in one list): a
    list of ``Shape`` records with ``kind`` "polygon" (corners), "capsule" (two ends and a
    radius; equal ends = a disc) or "point" (a spot and its tolerance radius). Capsules come
    after the other pieces.
    """
    items = shapes if isinstance(shapes, (list, tuple)) else [shapes]
    out: list[Outline] = []
    caps: list[tuple[np.ndarray, np.ndarray, float]] = []
    for sh in items:
        pts = np.asarray(getattr(sh, "points", np.zeros((0, 2))), np.float32).reshape(-1, 2)
        kind = getattr(sh, "kind", "polygon")
        r = float(getattr(sh, "radius", 0.0) or 0.0)
        if kind == "polygon" and len(pts) >= 3:
            out.append((pts, None, 0.0))
        elif kind == "capsule" and len(pts) >= 2 and float(np.hypot(*(pts[1] - pts[0]))) > 1:
            caps.append((pts[0], pts[1], max(r, 1.0)))
        elif len(pts) >= 1:
            c = pts[:2].mean(axis=0)
            out.append((None, (float(c[0]), float(c[1])), max(r, 2.0)))
    if caps:
        a, b, r = (np.asarray(v, np.float32) for v in zip(*caps, strict=True))
        out.extend((poly, None, 0.0) for poly in _stadiums(a, b, r))
    return out


def shape_center(shapes: Any) -> tuple[float, float] | None:
    """Where to point the arrow at: the mean centre of an entry's pieces."""
    cs = []
    for poly, center, _ in outlines_of(shapes):
        cs.append(np.asarray(center) if center is not None else poly.mean(axis=0))
    if not cs:
        return None
    m = np.mean(cs, axis=0)
    return float(m[0]), float(m[1])


class ZonesAnnotator:
    """Paints zone outlines and point circles of the receiving hand.

    Args:
        palette: colours (target = ``palette.target``, others ``palette.receiver``).
        faint_alpha: opacity of the non-target zones' fill (default 0: outlines only, which
            reads as a map without veiling the hand, and costs one blend less a frame).
        outline_alpha: opacity of the non-target zones' outlines (faint, so a hand covered
            in zones still reads as a hand).
        target_alpha: opacity of the target's fill (its outline is opaque).
        show_others: draw the non-target zones at all.
    """

    def __init__(self, palette: Palette = OKABE_ITO, faint_alpha: float = 0.0,
                 target_alpha: float = 0.45, show_others: bool = True,
                 outline_alpha: float = 0.4) -> None:
        self.palette = palette
        self.faint_alpha = float(faint_alpha)
        self.outline_alpha = float(outline_alpha)
        self.target_alpha = float(target_alpha)
        self.show_others = show_others

    def annotate(self, scene: np.ndarray, shapes: Mapping[str, Any],
                 targets: Collection[str] = ()) -> np.ndarray:
        """Draw ``shapes`` (``Atlas.shapes``: id → pieces in pixels), highlighting ``targets``."""
        layers = []
        if self.show_others:
            layers.append(([k for k in shapes if k not in targets], self.palette.receiver,
                           self.faint_alpha, 1))
        layers.append(([k for k in shapes if k in targets], self.palette.target,
                       self.target_alpha, 2))
        for ids, color, alpha, thick in layers:
            pieces = [sh for k in ids for sh in
                      (shapes[k] if isinstance(shapes[k], (list, tuple)) else [shapes[k]])]
            polys: list[np.ndarray] = []
            circles: list[tuple[tuple[int, int], int]] = []
            for poly, center, radius in outlines_of(pieces):
                if poly is not None:
                    polys.append(np.round(poly).astype(np.int32))
                elif center is not None:
                    circles.append((ipt(center), max(2, round(radius))))
            if not polys and not circles:
                continue
            if alpha > 0:
                self._blend(scene, polys, circles, color, alpha, fill=True)
            if ids and ids[0] in targets:
                if polys:
                    cv2.polylines(scene, polys, True, color, thick, cv2.LINE_AA)
                for c, r in circles:
                    cv2.circle(scene, c, r, color, thick, cv2.LINE_AA)
            elif self.outline_alpha > 0:
                self._blend(scene, polys, circles, color, self.outline_alpha, fill=False)
        return scene

    @staticmethod
    def _blend(scene: np.ndarray, polys: list[np.ndarray],
               circles: list[tuple[tuple[int, int], int]], color: Any, alpha: float,
               fill: bool) -> None:
        """Translucent fill or outline, blended only in the shapes' bounding box (cheap)."""
        pts = [p for p in polys] + [np.array([[c[0] - r, c[1] - r], [c[0] + r, c[1] + r]],
                                            np.int32) for c, r in circles]
        allp = np.concatenate(pts)
        h, w = scene.shape[:2]
        x0, y0 = max(0, int(allp[:, 0].min()) - 2), max(0, int(allp[:, 1].min()) - 2)
        x1, y1 = min(w, int(allp[:, 0].max()) + 3), min(h, int(allp[:, 1].max()) + 3)
        if x1 <= x0 or y1 <= y0:
            return
        roi = scene[y0:y1, x0:x1]
        painted = roi.copy()
        off = np.array([x0, y0], np.int32)
        if polys and fill:
            cv2.fillPoly(painted, [p - off for p in polys], color, cv2.LINE_AA)
        elif polys:
            cv2.polylines(painted, [p - off for p in polys], True, color, 1, cv2.LINE_AA)
        for c, r in circles:
            cv2.circle(painted, (c[0] - x0, c[1] - y0), r, color, -1 if fill else 1, cv2.LINE_AA)
        cv2.addWeighted(painted, alpha, roi, 1.0 - alpha, 0.0, dst=roi)
