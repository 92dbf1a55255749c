"""The canonical hand and the piecewise-affine map from any observed receiver onto it.

Contacts from a whole session land on hands in every pose; to add them into one heatmap they
are carried onto one fixed *canonical* hand. The map is piecewise affine over a fixed
triangulation of the 21 landmarks plus a few border points derived from them (wrist heel
corners, forearm, palm edges): each observed triangle is mapped affinely onto its canonical
twin, so landmarks land exactly on canonical landmarks and everything between follows.

Canonical coordinates are palm lengths in the diagram's frame: origin at the wrist, x to the
right of the diagram, y down the diagram (fingers up). The canonical hand is the right hand of
:data:`massagecam.synthetic.TEMPLATE` (a real open palm): palm view with the thumb on the
right, back view mirrored (thumb on the left). Both hands map onto it anatomically.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
import numpy.typing as npt

from massagecam.atlas.geometry import Compiler, Evaluator
from massagecam.hands import Landmark
from massagecam.results import Side
from massagecam.synthetic import TEMPLATE

Array = npt.NDArray[np.float64]

#: Border points (specs on landmarks) added to the triangulation so the palm edges, heel and
#: a stretch of forearm are covered too.
DERIVED: dict[str, object] = {
    "radial_heel": {"at": "WRIST", "radial_w": 0.45},
    "ulnar_heel": {"at": "WRIST", "radial_w": -0.45},
    "forearm_radial": {"at": "WRIST", "radial_w": 0.42, "distal_l": -0.65},
    "forearm_ulnar": {"at": "WRIST", "radial_w": -0.42, "distal_l": -0.65},
    "forearm_mid": {"at": "WRIST", "distal_l": -0.65},
    "radial_edge": {"at": "INDEX_FINGER_MCP", "radial_l": 0.12},
    "ulnar_edge": {"at": "PINKY_MCP", "radial_l": -0.14},
    "ulnar_mid": {"lerp": ["PINKY_MCP", "WRIST", 0.5], "radial_l": -0.2},
    "thenar_edge": {"mid": ["THUMB_CMC", "THUMB_MCP"],
                    "perp": ["THUMB_CMC", "THUMB_MCP", "INDEX_FINGER_MCP", -0.14]},
}

#: Diagram bounds in canonical units (x, y), wide enough for both views.
BOUNDS = ((-1.35, 1.35), (-1.95, 0.8))


def canonical_landmarks(side: Side | str = Side.PALM) -> Array:
    """(21, 2) landmarks of the canonical hand in canonical diagram coordinates."""
    sx = -1.0 if str(side) == Side.BACK else 1.0
    t = TEMPLATE.astype(np.float64)
    return np.stack([t[:, 1] * sx, -t[:, 0]], axis=1)


def canonical_vertex_specs() -> list[object]:
    """Point specs of the triangulation vertices: the 21 landmarks, then :data:`DERIVED`."""
    return [lm.name for lm in Landmark] + list(DERIVED.values())


@lru_cache(maxsize=1)
def _model() -> tuple[Evaluator, np.ndarray]:
    comp = Compiler()
    for spec in canonical_vertex_specs():
        comp.add(spec)
    ev = comp.build()
    verts, _ = ev(canonical_landmarks(Side.PALM))
    return ev, _delaunay(verts)


def _delaunay(verts: Array) -> np.ndarray:
    """Fixed triangles (T, 3) over the canonical vertices (computed once)."""
    lo = verts.min(axis=0) - 1.0
    scale = 1000.0
    pts = (verts - lo) * scale
    w, h = pts.max(axis=0) + 1000.0
    sub = cv2.Subdiv2D((0, 0, int(w), int(h)))
    for p in pts:
        sub.insert((float(p[0]), float(p[1])))
    tris = []
    for t in sub.getTriangleList():
        corners = t.reshape(3, 2)
        idx = [int(np.argmin(np.sum((pts - c) ** 2, axis=1))) for c in corners]
        ok = all(np.sum((pts[i] - c) ** 2) < 1e-3 for i, c in zip(idx, corners, strict=True))
        if ok and len(set(idx)) == 3:
            tris.append(sorted(idx))
    return np.unique(np.array(tris, int), axis=0)


def triangles() -> np.ndarray:
    """(T, 3) vertex indices of the fixed triangulation (landmarks first, then DERIVED)."""
    return _model()[1]


def vertices(receiver_xy: npt.ArrayLike) -> Array:
    """(21 + len(DERIVED), 2) triangulation vertices of an observed (or canonical) hand."""
    return _model()[0](receiver_xy)[0]


@lru_cache(maxsize=2)
def _canonical_vertices(back: bool) -> Array:
    return vertices(canonical_landmarks(Side.BACK if back else Side.PALM))


class PoseMap:
    """The piecewise-affine map of one observed receiver pose onto the canonical hand."""

    def __init__(self, receiver_xy: npt.ArrayLike, side: Side | str = Side.PALM,
                 observed: Array | None = None) -> None:
        tri = triangles()
        obs = vertices(receiver_xy) if observed is None else observed
        canon = _canonical_vertices(str(side) == Side.BACK)
        a, b, c = obs[tri[:, 0]], obs[tri[:, 1]], obs[tri[:, 2]]
        m = np.stack([b - a, c - a], axis=2)  # (T, 2, 2) columns = edges
        det = m[:, 0, 0] * m[:, 1, 1] - m[:, 0, 1] * m[:, 1, 0]
        self.valid = np.abs(det) > 1e-9 * max(float(np.abs(obs).max()), 1.0) ** 2
        safe = np.where(self.valid, det, 1.0)
        inv = np.empty_like(m)
        inv[:, 0, 0], inv[:, 1, 1] = m[:, 1, 1] / safe, m[:, 0, 0] / safe
        inv[:, 0, 1], inv[:, 1, 0] = -m[:, 0, 1] / safe, -m[:, 1, 0] / safe
        self.ox, self.oy = a[:, 0].copy(), a[:, 1].copy()
        self.i00, self.i01 = inv[:, 0, 0].copy(), inv[:, 0, 1].copy()
        self.i10, self.i11 = inv[:, 1, 0].copy(), inv[:, 1, 1].copy()
        self.canon_tri = canon[tri]  # (T, 3, 2)
        self._penalty = np.where(self.valid, 0.0, -np.inf)

    def one(self, x: float, y: float) -> tuple[float, float]:
        """Canonical coordinates of a single point (the fast path ``locate`` uses)."""
        rx, ry = x - self.ox, y - self.oy
        b1 = self.i00 * rx + self.i01 * ry
        b2 = self.i10 * rx + self.i11 * ry
        b0 = 1.0 - b1 - b2
        k = int(np.argmax(np.minimum(np.minimum(b0, b1), b2) + self._penalty))
        t = self.canon_tri[k]
        w0, w1, w2 = float(b0[k]), float(b1[k]), float(b2[k])
        return (float(w0 * t[0, 0] + w1 * t[1, 0] + w2 * t[2, 0]),
                float(w0 * t[0, 1] + w1 * t[1, 1] + w2 * t[2, 1]))

    def __call__(self, points_xy: npt.ArrayLike) -> Array:
        """(n, 2) canonical coordinates of (n, 2) image points.

        A point inside several (folded) triangles takes the one it is deepest in; a point
        outside the hand takes the nearest triangle's affine map (extrapolation).
        """
        p = np.asarray(points_xy, dtype=np.float64).reshape(-1, 2)
        rx = p[:, :1] - self.ox
        ry = p[:, 1:] - self.oy
        b1 = self.i00 * rx + self.i01 * ry
        b2 = self.i10 * rx + self.i11 * ry
        b0 = 1.0 - b1 - b2
        score = np.minimum(np.minimum(b0, b1), b2) + self._penalty
        best = np.argmax(score, axis=1)
        rows = np.arange(len(p))
        w = np.stack([b0[rows, best], b1[rows, best], b2[rows, best]], axis=1)
        return np.einsum("nk,nkd->nd", w, self.canon_tri[best])


def to_canonical(points_xy: npt.ArrayLike, receiver_xy: npt.ArrayLike,
                 handedness: str = "Right", side: Side | str = Side.PALM) -> Array:
    """Map image points on an observed receiver onto the canonical hand diagram of ``side``.

    ``handedness`` is accepted for symmetry with the rest of the atlas API: the map is built
    from the landmarks alone, so a left hand lands anatomically on the (right) canonical hand.
    """
    del handedness
    return PoseMap(receiver_xy, side)(points_xy)


def canonical_to_image(points_canon: npt.ArrayLike, size: tuple[int, int] = (600, 720),
                       margin: float = 0.04) -> Array:
    """Pixel positions in a :func:`draw_canonical` image of ``size`` (w, h) of canonical points."""
    w, h = size
    (x0, x1), (y0, y1) = BOUNDS
    s = min(w * (1 - 2 * margin) / (x1 - x0), h * (1 - 2 * margin) / (y1 - y0))
    ox = (w - s * (x1 - x0)) / 2 - s * x0
    oy = (h - s * (y1 - y0)) / 2 - s * y0
    p = np.asarray(points_canon, dtype=np.float64)
    return np.stack([p[..., 0] * s + ox, p[..., 1] * s + oy], axis=-1)
