"""Where a script's target (an atlas id) lies on the receiving hand, and what lies under a point.

The project's atlas (``massagecam.atlas``) is the authority: when it is importable its geometry
gives each target's position and ``Atlas.locate`` the ids under the thumb pad, so the truth file
uses exactly the ids the analysis reports. When it is absent, a small table of the domain
document's landmark formulas (``zones-points-routines.md`` section b, all tagged [D] there) stands
in, so the renderer still works on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

from massagecam.hands import FINGERS, Landmark

L = Landmark


def _geom(p: np.ndarray):
    lp = float(np.linalg.norm(p[L.MIDDLE_FINGER_MCP] - p[L.WRIST])) or 1.0
    w_vec = p[L.INDEX_FINGER_MCP] - p[L.PINKY_MCP]
    w = float(np.linalg.norm(w_vec)) or 1.0
    return lp, w, w_vec / w


def _perp_towards(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    d = (b - a) / (np.linalg.norm(b - a) or 1.0)
    n = np.array([-d[1], d[0]], np.float32)
    return n if float(n @ (x - a)) >= 0 else -n


def _palm_uv(p: np.ndarray, u: float, v: float) -> np.ndarray:
    lp, w, r = _geom(p)
    a, b, d = p[L.INDEX_FINGER_MCP], p[L.PINKY_MCP], p[L.THUMB_CMC]
    c = p[L.WRIST] - 0.45 * w * r
    return (1 - v) * ((1 - u) * a + u * b) + v * ((1 - u) * d + u * c)


def _mid(p: np.ndarray, i: Landmark, j: Landmark) -> np.ndarray:
    return 0.5 * (p[i] + p[j])


def _lerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    return a + t * (b - a)


# id -> (side, formula(landmarks) -> point, radius in palm lengths). Domain doc section (b)/(a).
_FORMULAS: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray], float]] = {
    "LI4": ("back", lambda p: _lerp(p[L.WRIST], p[L.INDEX_FINGER_MCP], 0.62) + 0.10
            * _geom(p)[0] * _perp_towards(p[L.WRIST], p[L.INDEX_FINGER_MCP], p[L.THUMB_MCP]),
            0.12),
    "LI3": ("back", lambda p: _lerp(p[L.INDEX_FINGER_MCP], p[L.WRIST], 0.12) + 0.08
            * _geom(p)[0] * _perp_towards(p[L.WRIST], p[L.INDEX_FINGER_MCP], p[L.THUMB_MCP]),
            0.10),
    "TE3": ("back", lambda p: _lerp(_mid(p, L.RING_FINGER_MCP, L.PINKY_MCP), p[L.WRIST], 0.15),
            0.12),
    "EX-UE8": ("back", lambda p: _lerp(_mid(p, L.INDEX_FINGER_MCP, L.MIDDLE_FINGER_MCP),
                                       p[L.WRIST], 0.12), 0.10),
    "TE4": ("back", lambda p: p[L.WRIST] - 0.12 * _geom(p)[1] * _geom(p)[2], 0.18),
    "PC8": ("palm", lambda p: _lerp(_mid(p, L.INDEX_FINGER_MCP, L.MIDDLE_FINGER_MCP),
                                    p[L.WRIST], 0.30), 0.12),
    "HT8": ("palm", lambda p: _lerp(_mid(p, L.RING_FINGER_MCP, L.PINKY_MCP), p[L.WRIST], 0.30),
            0.12),
    "LU10": ("palm", lambda p: _mid(p, L.THUMB_CMC, L.THUMB_MCP) - 0.07 * _geom(p)[0]
             * _perp_towards(p[L.THUMB_CMC], p[L.THUMB_MCP], p[L.INDEX_FINGER_MCP]), 0.10),
    "PC7": ("palm", lambda p: p[L.WRIST].copy(), 0.15),
    "HT7": ("palm", lambda p: p[L.WRIST] - 0.30 * _geom(p)[1] * _geom(p)[2], 0.15),
    "Z10": ("palm", lambda p: _palm_uv(p, 0.2, 0.33), 0.12),
    "Z14": ("palm", lambda p: _palm_uv(p, 0.35, 0.55), 0.10),
    "Z17": ("palm", lambda p: _palm_uv(p, 0.0, 0.85), 0.10),
}


@lru_cache(maxsize=1)
def _atlas() -> Any | None:
    """The project's atlas, or None when the atlas package is not available."""
    try:
        from massagecam.atlas import load_atlas
    except ImportError:
        return None
    try:
        return load_atlas()
    except Exception:  # noqa: BLE001 - a broken atlas must not stop rendering; fall back
        return None


def known_targets() -> list[str]:
    """Target ids the renderer can place (atlas ids when the atlas exists, else its own)."""
    atlas = _atlas()
    ids = set(_FORMULAS) | set(FINGERS)
    if atlas is not None:
        ids |= {e.id for e in atlas.entries}
    return sorted(ids)


def target_side(target: str) -> str | None:
    """"palm" or "back" where the target lies, or None when it is on both faces or unknown."""
    atlas = _atlas()
    if atlas is not None:
        for e in atlas.entries:
            if e.id == target:
                side = str(getattr(e, "side", "")).lower()
                if side in ("palm", "back"):
                    return side
                if side in ("dorsum", "dorsal"):
                    return "back"
                return None
    if target in _FORMULAS:
        return _FORMULAS[target][0]
    return None


def _atlas_position(atlas: Any, target: str, p: np.ndarray, handedness: str,
                    side: str) -> np.ndarray | None:
    """Centre of the atlas geometry for ``target``, whatever shape form the atlas returns."""
    try:
        shapes = atlas.shapes(p, handedness, side)
    except Exception:  # noqa: BLE001 - fall back on the formulas
        return None
    geom = shapes.get(target) if isinstance(shapes, dict) else None
    if not geom:
        return None
    first = geom[0] if isinstance(geom, (list, tuple)) else geom
    pts = getattr(first, "points", first)
    try:
        return np.asarray(pts, np.float32).reshape(-1, 2).mean(0)
    except (TypeError, ValueError):
        return None


def target_xy(target: str, receiver_xy: np.ndarray, handedness: str, side: str) -> np.ndarray:
    """Pixel position of ``target`` on the receiving hand.

    Finger names ("thumb", "index", ...) give the middle of that digit (finger pulls run along
    it). Raises KeyError for an id neither the atlas nor the fallback table knows.
    """
    p = np.asarray(receiver_xy, np.float32)
    if target in FINGERS:
        chain = FINGERS[target]
        return _lerp(p[chain[1]], p[chain[2]], 0.5)
    atlas = _atlas()
    if atlas is not None:
        pos = _atlas_position(atlas, target, p, handedness, side)
        if pos is not None:
            return pos
    if target in _FORMULAS:
        return np.asarray(_FORMULAS[target][1](p), np.float32)
    raise KeyError(target)


def zones_at(point_xy: np.ndarray, receiver_xy: np.ndarray, handedness: str,
             side: str) -> list[str]:
    """Every atlas id under ``point_xy`` (atlas.locate when available, else the fallback table)."""
    atlas = _atlas()
    if atlas is not None:
        try:
            loc = atlas.locate(np.asarray(point_xy, np.float32), np.asarray(receiver_xy),
                               handedness, side)
            return list(loc.zones)
        except Exception:  # noqa: BLE001 - fall back on the formulas
            pass
    p = np.asarray(receiver_xy, np.float32)
    lp = _geom(p)[0]
    out = []
    for tid, (tside, f, rad) in _FORMULAS.items():
        if tside == side and np.linalg.norm(f(p) - point_xy) <= rad * lp:
            out.append(tid)
    return out


def atlas_available() -> bool:
    """Whether the project's atlas supplies positions and zones (else the fallback table)."""
    return _atlas() is not None
