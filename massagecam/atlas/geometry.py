"""Positions on the hand as linear forms of the landmarks, evaluated in two matrix products.

Every position the atlas needs (a capsule end, a grid corner, an acupoint) is written in the
data file as a *point spec* on named landmarks (see ``atlas.toml``). Compiling a spec gives a
row of landmark weights plus a row of weights on a few per-pose basis vectors (the hand's
radial and distal directions scaled by palm length or MCP width, and perpendiculars to chosen
landmark pairs). So all positions of one receiver pose are ``C @ landmarks + K @ basis``: no
Python loop per frame, which is what keeps ``locate`` far below its 0.2 ms budget.

Everything is built from the hand's own landmarks, so it follows rotation, scale, translation,
mirroring and finger spread by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from massagecam.hands import NUM_LANDMARKS, Landmark

L = Landmark
Array = npt.NDArray[np.float64]

#: Standard basis vectors, in this order: radial*L, radial*W, distal*L.
STD_BASIS = ("radial_l", "radial_w", "distal_l")
OFFSET_KEYS = (*STD_BASIS, "perp")
BASE_KEYS = ("at", "mid", "lerp", "grid")


class SpecError(ValueError):
    """A malformed point spec; the loader turns it into an AtlasError with file/entry/field."""


@dataclass
class Linear:
    """A position as weights on the 21 landmarks plus weights on named basis vectors."""

    coef: Array
    basis: dict[Any, float] = field(default_factory=dict)

    def __add__(self, other: Linear) -> Linear:
        b = dict(self.basis)
        for k, v in other.basis.items():
            b[k] = b.get(k, 0.0) + v
        return Linear(self.coef + other.coef, b)

    def scale(self, s: float) -> Linear:
        """This position's weights times ``s``."""
        return Linear(self.coef * s, {k: v * s for k, v in self.basis.items()})


def landmark(name: Any) -> Landmark:
    """The landmark called ``name``; bare indices are refused (landmarks go by name)."""
    if isinstance(name, bool) or not isinstance(name, str):
        kind = "an index" if isinstance(name, int) else type(name).__name__
        raise SpecError(f"expected a landmark name such as 'THUMB_IP', got {kind} {name!r}")
    try:
        return L[name]
    except KeyError:
        raise SpecError(f"unknown landmark {name!r}; expected one of "
                        f"{', '.join(m.name for m in L)}") from None


def _num(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SpecError(f"{what}: expected a number, got {type(value).__name__} {value!r}")
    return float(value)


class Compiler:
    """Turns point specs into rows of the per-pose evaluation matrices.

    Args:
        levels: named palm-grid levels (``v`` values) from the ``[grid.levels]`` table.
    """

    def __init__(self, levels: dict[str, float] | None = None) -> None:
        self.levels = dict(levels or {})
        self.corners: tuple[Linear, Linear, Linear, Linear] | None = None
        self.rows: list[Linear] = []
        self.perps: list[tuple[Linear, Linear, Linear]] = []

    # -- spec -> Linear ----------------------------------------------------------------
    def grid_value(self, value: Any, what: str) -> float:
        """A grid coordinate: a number or the name of a ``[grid.levels]`` level."""
        if isinstance(value, str):
            if value not in self.levels:
                raise SpecError(f"{what}: unknown grid level {value!r}; expected a number or one "
                                f"of {', '.join(sorted(self.levels))}")
            return self.levels[value]
        v = _num(value, what)
        if not -0.5 <= v <= 1.6:
            raise SpecError(f"{what}: grid coordinate {v} outside the allowed range -0.5..1.6")
        return v

    def grid(self, u: float, v: float) -> Linear:
        """Palm(u, v): bilinear blend of the four grid corners (index, little, ulnar, radial)."""
        if self.corners is None:
            raise SpecError("grid point used before the [grid] corners are defined")
        a, b, c, d = self.corners
        top = a.scale(1 - u) + b.scale(u)
        bottom = d.scale(1 - u) + c.scale(u)
        return top.scale(1 - v) + bottom.scale(v)

    def linear(self, spec: Any, *, allow_perp: bool = True) -> Linear:
        """Compile one point spec (string landmark or table) into a :class:`Linear`."""
        if not isinstance(spec, dict):
            if isinstance(spec, (list, tuple)):
                raise SpecError(f"expected one point (a landmark name or a table), got a list "
                                f"{spec!r}; use {{ mid = [...] }} for a mean")
            e = np.zeros(NUM_LANDMARKS)
            e[landmark(spec)] = 1.0
            return Linear(e)
        unknown = set(spec) - set(BASE_KEYS) - set(OFFSET_KEYS)
        if unknown:
            raise SpecError(f"unknown key(s) {sorted(unknown)} in point spec; expected one of "
                            f"{', '.join(BASE_KEYS)} plus offsets {', '.join(OFFSET_KEYS)}")
        bases = [k for k in BASE_KEYS if k in spec]
        if len(bases) != 1:
            raise SpecError(f"a point spec needs exactly one of {', '.join(BASE_KEYS)}, "
                            f"got {bases or 'none'}")
        key, val = bases[0], spec[bases[0]]
        if key == "at":
            out = self.linear(val, allow_perp=allow_perp)
        elif key == "mid":
            if not isinstance(val, list) or len(val) < 2:
                raise SpecError(f"mid: expected a list of 2 or more points, got {val!r}")
            parts = [self.linear(s, allow_perp=allow_perp) for s in val]
            out = parts[0]
            for p in parts[1:]:
                out = out + p
            out = out.scale(1.0 / len(parts))
        elif key == "lerp":
            if not isinstance(val, list) or len(val) != 3:
                raise SpecError(f"lerp: expected [point, point, t], got {val!r}")
            t = _num(val[2], "lerp t")
            out = (self.linear(val[0], allow_perp=allow_perp).scale(1 - t)
                   + self.linear(val[1], allow_perp=allow_perp).scale(t))
        else:
            if not isinstance(val, list) or len(val) != 2:
                raise SpecError(f"grid: expected [u, v], got {val!r}")
            out = self.grid(self.grid_value(val[0], "grid u"), self.grid_value(val[1], "grid v"))
        for k in STD_BASIS:
            if k in spec:
                out = out + Linear(np.zeros(NUM_LANDMARKS), {k: _num(spec[k], k)})
        if "perp" in spec:
            out = out + self._perp(spec["perp"], allow_perp)
        return out

    def _perp(self, val: Any, allow: bool) -> Linear:
        if not allow:
            raise SpecError("perp offsets cannot be nested inside another perp")
        if not isinstance(val, list) or len(val) != 4:
            raise SpecError(f"perp: expected [A, B, towards, k], got {val!r}")
        a, b, x = (self.linear(s, allow_perp=False) for s in val[:3])
        k = _num(val[3], "perp k")
        self.perps.append((a, b, x))
        return Linear(np.zeros(NUM_LANDMARKS), {("perp", len(self.perps) - 1): k})

    def add(self, spec: Any) -> int:
        """Compile ``spec`` and store it as a new row; returns the row index."""
        return self.add_linear(self.linear(spec))

    def add_linear(self, lin: Linear) -> int:
        """Store an already compiled position as a new row; returns the row index."""
        self.rows.append(lin)
        return len(self.rows) - 1

    # -- matrices ----------------------------------------------------------------------
    def build(self) -> Evaluator:
        """Freeze the compiled rows into an :class:`Evaluator`."""
        nb = len(STD_BASIS) + len(self.perps)

        def kvec(lin: Linear) -> Array:
            k = np.zeros(nb)
            for key, v in lin.basis.items():
                k[STD_BASIS.index(key) if isinstance(key, str) else len(STD_BASIS) + key[1]] += v
            return k

        def std_only(lin: Linear) -> Array:
            return kvec(lin)[: len(STD_BASIS)]

        c = np.array([r.coef for r in self.rows]).reshape(-1, NUM_LANDMARKS)
        k = np.array([kvec(r) for r in self.rows]).reshape(-1, nb)
        pc = [np.array([p[i].coef for p in self.perps]).reshape(-1, NUM_LANDMARKS)
              for i in range(3)]
        pk = [np.array([std_only(p[i]) for p in self.perps]).reshape(-1, len(STD_BASIS))
              for i in range(3)]
        return Evaluator(c, k, pc, pk)


@dataclass(frozen=True)
class HandBasis:
    """The per-pose scale and directions every position is built from."""

    length: float  #: palm length L in pixels (|WRIST - MIDDLE_FINGER_MCP|)
    width: float  #: MCP width W in pixels (|INDEX_FINGER_MCP - PINKY_MCP|)
    distal: Array  #: unit vector wrist -> middle MCP
    radial: Array  #: unit vector perpendicular to ``distal``, towards the thumb side


def hand_basis(xy: Array) -> HandBasis:
    """Palm length, MCP width and the distal/radial unit vectors of one hand pose."""
    d = xy[L.MIDDLE_FINGER_MCP] - xy[L.WRIST]
    length = float(np.hypot(d[0], d[1])) or 1.0
    d = d / length
    r = xy[L.INDEX_FINGER_MCP] - xy[L.PINKY_MCP]
    width = float(np.hypot(r[0], r[1])) or 1.0
    n = np.array([-d[1], d[0]])
    if float(n @ r) < 0:
        n = -n
    return HandBasis(length, width, d, n)


@dataclass(frozen=True)
class Evaluator:
    """Evaluates all compiled rows for one pose: ``C @ xy + K @ basis``."""

    c: Array
    k: Array
    perp_c: list[Array]
    perp_k: list[Array]

    def __call__(self, xy: npt.ArrayLike) -> tuple[Array, HandBasis]:
        """(rows, 2) positions in the units of ``xy`` and the pose's :class:`HandBasis`."""
        x = np.asarray(xy, dtype=np.float64).reshape(NUM_LANDMARKS, 2)
        hb = hand_basis(x)
        std = np.stack([hb.radial * hb.length, hb.radial * hb.width, hb.distal * hb.length])
        basis = std
        if self.perp_c[0].shape[0]:
            a, b, t = (self.perp_c[i] @ x + self.perp_k[i] @ std for i in range(3))
            ab = b - a
            u = np.stack([-ab[:, 1], ab[:, 0]], axis=1)
            u /= np.maximum(np.linalg.norm(u, axis=1, keepdims=True), 1e-9)
            sign = np.where(np.sum(u * (t - a), axis=1) < 0, -1.0, 1.0)
            basis = np.vstack([std, u * sign[:, None] * hb.length])
        return self.c @ x + self.k @ basis, hb
