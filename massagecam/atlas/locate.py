"""The atlas object: where a point lies on the receiving hand, and its drawable geometry.

``Atlas.locate`` answers "which zone / acupoint is the thumb on?" for every contact of every
frame, so it is built for speed: all zone parts are reduced to capsules (discs and spine
segments are capsules too), polygons (palm-grid rectangles) and points; their pixel positions
for one receiver pose are two matrix products (see :mod:`massagecam.atlas.geometry`), cached
per pose; each call is then a handful of vectorised numpy tests.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from massagecam.atlas import canonical
from massagecam.atlas.loader import AtlasData, Entry, load_data
from massagecam.errors import ConfigError
from massagecam.results import Location, Side

Array = npt.NDArray[np.float64]
_CACHE_SIZE = 8


def part_arrays(data: AtlasData) -> dict[str, np.ndarray]:
    """Flat index arrays of the parts, for vectorised tests (see :mod:`locate`)."""
    caps = [p for p in data.parts if p.kind == "capsule"]
    polys = [p for p in data.parts if p.kind == "polygon"]
    pts = [p for p in data.parts if p.kind == "point"]
    e0, e1, eid = [], [], []
    for k, p in enumerate(polys):
        r = list(p.rows)
        e0 += r
        e1 += r[1:] + r[:1]
        eid += [k] * len(r)
    return {
        "cap_a": np.array([p.rows[0] for p in caps], int),
        "cap_b": np.array([p.rows[1] for p in caps], int),
        "cap_r": np.array([p.radius_l for p in caps], float),
        "cap_owner": np.array([p.entry for p in caps], int),
        "cap_hand": np.array([p.hand or "" for p in caps]),
        "edge_0": np.array(e0, int), "edge_1": np.array(e1, int), "edge_poly": np.array(eid, int),
        "poly_owner": np.array([p.entry for p in polys], int),
        "poly_hand": np.array([p.hand or "" for p in polys]),
        "pt_row": np.array([p.rows[0] for p in pts], int),
        "pt_owner": np.array([p.entry for p in pts], int),
    }


@dataclass(frozen=True)
class Shape:
    """One drawable piece of an entry, in image pixels.

    ``kind`` is "polygon" (``points`` the corners), "capsule" (``points`` the two ends,
    equal for a disc, ``radius`` in px) or "point" (``points`` the spot, ``radius`` the
    tolerance in px).
    """

    kind: str
    points: Array
    radius: float = 0.0
    label: str = ""

    @property
    def centre(self) -> tuple[float, float]:
        """Middle of the piece (capsule midpoint, polygon vertex mean, the point itself)."""
        c = np.asarray(self.points, dtype=np.float64).reshape(-1, 2).mean(axis=0)
        return float(c[0]), float(c[1])


class Parts(list[Shape]):
    """The drawable pieces of one entry; ``centre`` is where to aim an arrow at it."""

    @property
    def centre(self) -> tuple[float, float]:
        """Mean of the pieces' centres."""
        c = np.mean([s.centre for s in self], axis=0)
        return float(c[0]), float(c[1])


def _side(side: Side | str | None) -> str:
    s = str(side) if side is not None else Side.UNKNOWN
    if s not in (Side.PALM, Side.BACK, Side.UNKNOWN):
        raise ConfigError(f"side {side!r}: expected palm, back or unknown")
    return s


def _hand(handedness: str) -> str:
    h = str(handedness).lower()
    if h not in ("left", "right"):
        raise ConfigError(f"handedness {handedness!r}: expected Left or Right")
    return h


class _Pose:
    """Pixel geometry of one receiver pose (positions, radii, per-part visibility)."""

    def __init__(self, atlas: Atlas, receiver_xy: Array, hand: str, side: str) -> None:
        pos, hb = atlas.data.evaluator(receiver_xy)
        self.pos, self.length = pos, hb.length
        self.side = Side(side)
        self.shapes: dict[str, Parts] | None = None
        m = atlas._masks(hand, side)
        self.entry_vis = m["vis"]
        a, b = pos[m["cap_a"]], pos[m["cap_b"]]
        self.cap_ax, self.cap_ay = a[:, 0].copy(), a[:, 1].copy()
        self.cap_dx, self.cap_dy = b[:, 0] - a[:, 0], b[:, 1] - a[:, 1]
        self.cap_inv_len2 = 1.0 / np.maximum(self.cap_dx ** 2 + self.cap_dy ** 2, 1e-12)
        self.cap_r2 = (m["cap_r"] * hb.length) ** 2
        self.cap_owner = m["cap_owner"]
        e0, e1 = pos[m["edge_0"]], pos[m["edge_1"]]
        self.e0x, self.e0y, self.e1y = e0[:, 0].copy(), e0[:, 1].copy(), e1[:, 1].copy()
        dy = self.e1y - self.e0y
        self.e_slope = (e1[:, 0] - self.e0x) / np.where(dy == 0, 1e-12, dy)
        self.edge_poly, self.n_poly = m["edge_poly"], m["n_poly"]
        self.poly_owner = m["poly_owner"]
        pt = pos[m["pt_row"]]
        self.pt_x, self.pt_y = pt[:, 0].copy(), pt[:, 1].copy()
        self.pt_pen = m["pt_pen"]
        self.inv_length = 1.0 / hb.length
        c0, c1 = atlas.data.canon_rows
        self.map = canonical.PoseMap(receiver_xy, Side.BACK if side == Side.BACK else Side.PALM,
                                     observed=pos[c0:c1])


class Atlas:
    """The loaded atlas: entries plus compiled geometry.

    Args:
        data: the output of :func:`massagecam.atlas.loader.load_data`.
    """

    def __init__(self, data: AtlasData) -> None:
        self.data = data
        self.entries: tuple[Entry, ...] = tuple(data.entries)
        self.by_id = {e.id: e for e in self.entries}
        self._arr = part_arrays(data)
        self._ids = np.array([e.id for e in self.entries])
        self._is_zone = np.array([e.kind == "zone" for e in self.entries])
        self._radius = np.array([e.radius_l for e in self.entries])
        self._vis_cache: dict[tuple[str, str], np.ndarray] = {}
        self._mask_cache: dict[tuple[str, str], dict[str, Any]] = {}
        self._poses: OrderedDict[tuple[bytes, str, str], _Pose] = OrderedDict()
        self._lock = threading.Lock()  # batch workers may share one atlas
        self.area_l2 = self._areas()
        self._zone_order = np.array(sorted(np.flatnonzero(self._is_zone),
                                           key=lambda i: (self.area_l2[i], i)), int)
        pts = self._arr["pt_owner"]
        self._pt_entries = np.unique(pts)
        self._pt_starts = np.searchsorted(pts, self._pt_entries)
        if np.any(np.diff(pts) < 0):
            raise AssertionError("point parts must be grouped by entry")
        self.palm_mm = float(data.meta.get("palm_mm", 95.0))

    @property
    def path(self) -> Path:
        """The atlas file this was loaded from."""
        return self.data.path

    def _areas(self) -> Array:
        """Area of each entry on the canonical hand, in palm lengths squared (for 'smallest')."""
        pos, hb = self.data.evaluator(canonical.canonical_landmarks(Side.PALM))
        area = np.zeros(len(self.entries))
        for p in self.data.parts:
            q = pos[list(p.rows)]
            if p.kind == "polygon":
                x, y = q[:, 0], q[:, 1]
                area[p.entry] += 0.5 * abs(float(x @ np.roll(y, -1) - y @ np.roll(x, -1)))
            elif p.kind == "capsule":
                r = p.radius_l
                area[p.entry] += 2 * r * float(np.linalg.norm(q[1] - q[0])) + np.pi * r * r
            else:
                area[p.entry] = np.pi * p.radius_l ** 2
        return area / hb.length ** 2

    def _visible(self, hand: str, side: str) -> np.ndarray:
        key = (hand, side)
        if key not in self._vis_cache:
            self._vis_cache[key] = np.array([
                (side == Side.UNKNOWN or e.side in ("both", side)) and e.hand in (None, hand)
                for e in self.entries])
        return self._vis_cache[key]

    def _masks(self, hand: str, side: str) -> dict[str, Any]:
        """Index arrays of the parts visible on this hand and side (cached per pair)."""
        key = (hand, side)
        if key not in self._mask_cache:
            a = self._arr
            vis = self._visible(hand, side)
            cap_ok = vis[a["cap_owner"]] & ((a["cap_hand"] == "") | (a["cap_hand"] == hand))
            poly_ok = vis[a["poly_owner"]] & ((a["poly_hand"] == "") | (a["poly_hand"] == hand))
            edge_ok = poly_ok[a["edge_poly"]]
            self._mask_cache[key] = {
                "vis": vis, "cap_a": a["cap_a"][cap_ok], "cap_b": a["cap_b"][cap_ok],
                "cap_r": a["cap_r"][cap_ok], "cap_owner": a["cap_owner"][cap_ok],
                "edge_0": a["edge_0"][edge_ok], "edge_1": a["edge_1"][edge_ok],
                "edge_poly": a["edge_poly"][edge_ok], "n_poly": len(a["poly_owner"]),
                "poly_owner": a["poly_owner"], "pt_row": a["pt_row"],
                "pt_pen": np.where(vis[a["pt_owner"]], 0.0, np.inf),
            }
        return self._mask_cache[key]

    def _pose(self, receiver_xy: npt.ArrayLike, handedness: str, side: Side | str) -> _Pose:
        xy = np.ascontiguousarray(receiver_xy, dtype=np.float64).reshape(21, 2)
        hand, s = _hand(handedness), _side(side)
        key = (xy.tobytes(), hand, s)
        pose = self._poses.get(key)
        if pose is None:
            pose = _Pose(self, xy, hand, s)
            with self._lock:
                self._poses[key] = pose
                while len(self._poses) > _CACHE_SIZE:
                    self._poses.popitem(last=False)
        return pose

    # -- the verb -----------------------------------------------------------------------
    def locate(self, point_xy: npt.ArrayLike, receiver_xy: npt.ArrayLike, handedness: str,
               side: Side | str, palm_mm: float | None = None) -> Location:
        """Where ``point_xy`` (image px) lies on the receiver's atlas.

        Args:
            point_xy: the press point in the same pixels as ``receiver_xy``.
            receiver_xy: (21, 2) landmarks of the receiving hand.
            handedness: "Left" or "Right" (anatomical) - selects one-hand entries.
            side: the face the camera sees; only entries on that face (or "both") count;
                UNKNOWN lets every entry count.
            palm_mm: palm length in mm for the distance in mm (atlas default 95 mm).

        Returns:
            A :class:`Location`: ``zones`` lists the zones containing the point, smallest
            first, then the acupoints within their tolerance, nearest first.
        """
        mm = self.palm_mm if palm_mm is None else float(palm_mm)
        if not mm > 0:
            raise ConfigError(f"palm_mm {palm_mm!r}: expected a length > 0 mm")
        ps = self._pose(receiver_xy, handedness, side)
        px, py = (float(v) for v in np.asarray(point_xy, dtype=np.float64).reshape(2))
        hit = np.zeros(len(self.entries), bool)
        if len(ps.cap_ax):
            ax, ay = px - ps.cap_ax, py - ps.cap_ay
            t = np.minimum(np.maximum((ax * ps.cap_dx + ay * ps.cap_dy) * ps.cap_inv_len2, 0.0),
                           1.0)
            ex, ey = ax - t * ps.cap_dx, ay - t * ps.cap_dy
            hit[ps.cap_owner[ex * ex + ey * ey <= ps.cap_r2]] = True
        if len(ps.e0x):
            y0, y1 = ps.e0y, ps.e1y
            cross = ((y0 > py) != (y1 > py)) & (px < ps.e0x + (py - y0) * ps.e_slope)
            inside = np.bincount(ps.edge_poly[cross], minlength=ps.n_poly) % 2 == 1
            hit[ps.poly_owner[inside]] = True
        zones = self._zone_order[hit[self._zone_order]]
        zone_ids = [str(i) for i in self._ids[zones]]
        nearest, dist_l = None, float("inf")
        within: list[str] = []
        if len(ps.pt_x):
            dist = np.hypot(ps.pt_x - px, ps.pt_y - py) * ps.inv_length + ps.pt_pen
            per = np.minimum.reduceat(dist, self._pt_starts)
            k = int(np.argmin(per))
            if np.isfinite(per[k]):
                nearest, dist_l = str(self._ids[self._pt_entries[k]]), float(per[k])
            ok = per <= self._radius[self._pt_entries]
            order = np.argsort(per[ok], kind="stable")
            within = [str(i) for i in self._ids[self._pt_entries[ok]][order]]
        return Location(
            zones=tuple(zone_ids + within), zone=zone_ids[0] if zone_ids else None,
            nearest_point=nearest, point_distance_l=dist_l, point_distance_mm=dist_l * mm,
            canonical=ps.map.one(px, py), side=ps.side,
        )

    def shapes(self, receiver_xy: npt.ArrayLike, handedness: str,
               side: Side | str) -> dict[str, Parts]:
        """Drawable geometry in pixels of every entry visible on this hand and side.

        Returns ``{id: Parts}``; each :class:`Parts` is a list of :class:`Shape` with a
        ``centre``.
        """
        ps = self._pose(receiver_xy, handedness, side)
        if ps.shapes is None:  # built once per pose: the overlay asks every frame
            hand = _hand(handedness)
            out: dict[str, Parts] = {}
            for part in self.data.parts:
                if not ps.entry_vis[part.entry] or part.hand not in (None, hand):
                    continue
                q = ps.pos[list(part.rows)]
                shape = Shape(part.kind, q, part.radius_l * ps.length, part.label)
                out.setdefault(self.entries[part.entry].id, Parts()).append(shape)
            ps.shapes = out
        return dict(ps.shapes)

    def to_canonical(self, points_xy: npt.ArrayLike, receiver_xy: npt.ArrayLike,
                     handedness: str, side: Side | str) -> Array:
        """(n, 2) canonical diagram coordinates of image points (cached per pose)."""
        return self._pose(receiver_xy, handedness, side).map(points_xy)


_DEFAULT: Atlas | None = None


def load_atlas(path: str | Path | None = None) -> Atlas:
    """Load and check an atlas file; the packaged atlas (cached) when ``path`` is None."""
    global _DEFAULT
    if path is None:
        if _DEFAULT is None:
            _DEFAULT = Atlas(load_data(None))
        return _DEFAULT
    return Atlas(load_data(path))
