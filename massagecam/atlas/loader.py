"""Read ``atlas.toml``, check every entry, and compile its geometry.

The atlas is data: zones and acupoints live in a TOML file so that a practitioner can move a
point without touching code. Because a wrong entry would silently mislead a user, every
field is checked here and a problem raises :class:`massagecam.errors.AtlasError` naming the
file, the line (found by scanning the text for the entry's ``id``, since ``tomllib`` keeps no
line numbers), the entry and the field.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from massagecam.atlas.canonical import canonical_vertex_specs
from massagecam.atlas.geometry import Compiler, Evaluator, Linear, SpecError
from massagecam.errors import AtlasError

DEFAULT_PATH = Path(__file__).with_name("atlas.toml")

SIDES = ("palm", "back", "both")
HANDS = ("left", "right")
STRENGTHS = ("S", "D", "W")
GROUPS = ("head", "neck", "chest", "abdomen", "pelvis", "spine", "limb", "lymph")
PART_KINDS = ("grid_rect", "grid_poly", "capsule", "disc", "polyline")
GRID_CORNERS = ("index_mcp", "little_mcp", "ulnar_heel", "radial_heel")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
ID_RE = re.compile(r"^[A-Z][A-Z0-9-]*$")
ENTRY_KEYS = {"id", "name", "region", "group", "side", "hand", "radius_l", "source", "strength",
              "safety"}
ZONE_KEYS = ENTRY_KEYS | {"part"}
POINT_KEYS = ENTRY_KEYS | {"at"}
PART_KEYS = {
    "grid_rect": {"u", "v"}, "grid_poly": {"uv"}, "capsule": {"a", "b", "radius"},
    "disc": {"center", "radius"}, "polyline": {"points", "radius", "offset_l", "away"},
}


@dataclass(frozen=True)
class Entry:
    """One zone or acupoint of the atlas (what ``--list`` prints and the report cites).

    Attributes:
        id: code from the domain tables (``Z10``, ``D4``, ``LI4``).
        name: readable snake_case name.
        kind: "zone" or "point".
        side: "palm", "back" or "both": the face of the hand it lies on.
        region: the body region a chart maps it to (zones) or meridian/notes (points).
        group: colour group of a zone (head, neck, chest, ...); "point" for acupoints.
        hand: "left"/"right" when the chart puts it on one hand only, else None.
        radius_l: acupoint tolerance (or default zone part radius) in palm lengths; 0 if none.
        source: where the location comes from.
        strength: "S" cited, "D" derived, "W" weak.
        safety: a note to show the user, or "".
        line: line of the entry's ``id`` in the file (for messages).
    """

    id: str
    name: str
    kind: str
    side: str
    region: str
    group: str
    hand: str | None
    radius_l: float
    source: str
    strength: str
    safety: str
    line: int | None = None


@dataclass
class Part:
    """A compiled drawable/testable piece of an entry (rows index the evaluator output)."""

    entry: int
    kind: str  #: polygon | capsule | point
    rows: tuple[int, ...]
    radius_l: float = 0.0
    hand: str | None = None
    label: str = ""


@dataclass
class AtlasData:
    """Everything the loader produces: entries, compiled parts and the evaluator."""

    path: Path
    entries: list[Entry]
    parts: list[Part]
    evaluator: Evaluator
    levels: dict[str, float]
    meta: dict[str, Any] = field(default_factory=dict)
    canon_rows: tuple[int, int] = (0, 0)  #: rows holding the canonical-map vertices


class _Ctx:
    def __init__(self, path: Path, text: str) -> None:
        self.path, self.lines = path, text.splitlines()

    def line_of(self, entry: str | None, fld: str | None = None,
                last: bool = False) -> int | None:
        """Line of ``id = "entry"`` (the last one when ``last``), then of ``fld`` in it.

        ``part[n].key`` looks for ``key`` inside the n-th ``[[zone.part]]`` of the entry.
        """
        if entry is None:
            for i, ln in enumerate(self.lines, 1):
                if fld and (re.match(rf"\s*{re.escape(fld)}\s*=", ln) or ln.strip() == f"[{fld}]"):
                    return i
            return None
        pat = re.compile(rf"""^\s*id\s*=\s*["']{re.escape(entry)}["']""")
        hits = [i for i, ln in enumerate(self.lines) if pat.match(ln)]
        if not hits:
            return None
        start = hits[-1] if last else hits[0]
        end = next((j for j in range(start + 1, len(self.lines))
                    if re.match(r"^\s*\[\[(zone|point)\]\]", self.lines[j])), len(self.lines))
        key = fld or ""
        m = re.match(r"part\[(\d+)\]\.?(.*)", key)
        if m:
            parts = [j for j in range(start, end) if self.lines[j].strip() == "[[zone.part]]"]
            n = int(m.group(1))
            if n >= len(parts):
                return start + 1
            start, key = parts[n], m.group(2)
            end = next((j for j in range(start + 1, end) if self.lines[j].strip().startswith("[")),
                       end)
        if key:
            for j in range(start, end):
                if re.match(rf"\s*{re.escape(key)}\s*=", self.lines[j]):
                    return j + 1
        return start + 1

    def error(self, msg: str, entry: str | None = None, fld: str | None = None,
              last: bool = False) -> AtlasError:
        return AtlasError(self.path, msg, line=self.line_of(entry, fld, last), entry=entry,
                          field=fld)


def _str(ctx: _Ctx, d: dict[str, Any], key: str, eid: str | None, *, required: bool = True,
         allowed: tuple[str, ...] | None = None, pattern: re.Pattern[str] | None = None) -> str:
    if key not in d:
        if required:
            raise ctx.error("missing required field", eid, key)
        return ""
    v = d[key]
    if not isinstance(v, str):
        raise ctx.error(f"expected a string, got {type(v).__name__} {v!r}", eid, key)
    if allowed is not None and v not in allowed:
        raise ctx.error(f"got {v!r}, expected one of {', '.join(allowed)}", eid, key)
    if pattern is not None and not pattern.match(v):
        raise ctx.error(f"got {v!r}, expected a value matching {pattern.pattern}", eid, key)
    if required and not v.strip():
        raise ctx.error("must not be empty", eid, key)
    return v


def _radius(ctx: _Ctx, v: Any, eid: str, key: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ctx.error(f"expected a number (palm lengths), got {type(v).__name__} {v!r}",
                        eid, key)
    if not 0.0 < float(v) <= 1.0:
        raise ctx.error(f"radius {v} outside the allowed range 0 < r <= 1 palm length", eid, key)
    return float(v)


def load_data(path: str | Path | None = None) -> AtlasData:
    """Read, check and compile an atlas file (the packaged one by default)."""
    p = Path(path) if path is not None else DEFAULT_PATH
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise AtlasError(p, f"cannot read the atlas file ({exc.strerror or exc})") from None
    ctx = _Ctx(p, text)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise AtlasError(p, f"not valid TOML ({exc})", line=int(m.group(1)) if m else None) \
            from None
    unknown = set(doc) - {"meta", "grid", "zone", "point"}
    if unknown:
        raise ctx.error(f"unknown top-level table(s) {sorted(unknown)}; expected meta, grid, "
                        f"zone, point", None, sorted(unknown)[0])
    comp = _grid(ctx, doc.get("grid"))
    entries: list[Entry] = []
    parts: list[Part] = []
    seen: dict[str, int] = {}
    for kind, table in (("zone", doc.get("zone", [])), ("point", doc.get("point", []))):
        if not isinstance(table, list):
            raise ctx.error(f"expected [[{kind}]] entries", None, kind)
        for raw in table:
            eid = raw.get("id") if isinstance(raw.get("id"), str) else None
            if eid is None:
                raise ctx.error(f"a [[{kind}]] entry has no string 'id' (after "
                                f"{entries[-1].id if entries else 'the start'})", None, "id")
            if not ID_RE.match(eid):
                raise ctx.error(f"got {eid!r}, expected an upper-case code like Z10 or EX-UE9",
                                eid, "id")
            if eid in seen:
                raise ctx.error(f"duplicate id (first defined on line {ctx.line_of(eid)})",
                                eid, "id", last=True)
            seen[eid] = len(entries)
            entry = _entry(ctx, raw, kind, eid)
            idx = len(entries)
            entries.append(entry)
            try:
                parts.extend(_zone_parts(ctx, comp, raw, entry, idx) if kind == "zone"
                             else _point_parts(ctx, comp, raw, entry, idx))
            except SpecError as exc:  # raised outside a known field (defensive)
                raise ctx.error(str(exc), eid) from None
    if not entries:
        raise ctx.error("the atlas has no [[zone]] or [[point]] entries")
    # the canonical map's triangulation vertices, evaluated with everything else per pose
    first = len(comp.rows)
    for spec in canonical_vertex_specs():
        comp.add(spec)
    return AtlasData(p, entries, parts, comp.build(), dict(comp.levels),
                     dict(doc.get("meta", {})), canon_rows=(first, len(comp.rows)))


def _grid(ctx: _Ctx, grid: Any) -> Compiler:
    if not isinstance(grid, dict):
        raise ctx.error("missing [grid] table with the palm-grid corners", None, "grid")
    levels_raw = grid.get("levels", {})
    if not isinstance(levels_raw, dict):
        raise ctx.error("expected a table of named levels", None, "levels")
    levels: dict[str, float] = {}
    for k, v in levels_raw.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not -0.5 <= v <= 1.6:
            raise ctx.error(f"level {k!r} = {v!r}: expected a number in -0.5..1.6", None, k)
        levels[k] = float(v)
    comp = Compiler(levels)
    corners: list[Linear] = []
    for key in GRID_CORNERS:
        if key not in grid:
            raise ctx.error(f"[grid] needs the corner {key!r}", None, "grid")
        try:
            corners.append(comp.linear(grid[key], allow_perp=False))
        except SpecError as exc:
            raise ctx.error(str(exc), None, key) from None
    extra = set(grid) - set(GRID_CORNERS) - {"levels"}
    if extra:
        raise ctx.error(f"unknown key(s) {sorted(extra)} in [grid]", None, sorted(extra)[0])
    a, b, c, d = corners
    comp.corners = (a, b, c, d)
    return comp


def _entry(ctx: _Ctx, raw: dict[str, Any], kind: str, eid: str) -> Entry:
    allowed = ZONE_KEYS if kind == "zone" else POINT_KEYS
    extra = set(raw) - allowed
    if extra:
        raise ctx.error(f"unknown field; expected some of {', '.join(sorted(allowed))}",
                        eid, sorted(extra)[0])
    name = _str(ctx, raw, "name", eid, pattern=NAME_RE)
    side = _str(ctx, raw, "side", eid, allowed=SIDES)
    group = (_str(ctx, raw, "group", eid, allowed=GROUPS) if kind == "zone"
             else _str(ctx, raw, "group", eid, required=False) or "point")
    hand = _str(ctx, raw, "hand", eid, required=False, allowed=HANDS) or None
    radius = 0.0
    if "radius_l" in raw:
        radius = _radius(ctx, raw["radius_l"], eid, "radius_l")
    elif kind == "point":
        raise ctx.error("missing required field (tolerance radius in palm lengths)",
                        eid, "radius_l")
    return Entry(
        id=eid, name=name, kind=kind, side=side,
        region=_str(ctx, raw, "region", eid), group=group, hand=hand, radius_l=radius,
        source=_str(ctx, raw, "source", eid),
        strength=_str(ctx, raw, "strength", eid, allowed=STRENGTHS),
        safety=_str(ctx, raw, "safety", eid, required=False), line=ctx.line_of(eid),
    )


def _spec(ctx: _Ctx, comp: Compiler, spec: Any, eid: str, fld: str) -> int:
    try:
        return comp.add(spec)
    except SpecError as exc:
        raise ctx.error(str(exc), eid, fld) from None


def _uv(ctx: _Ctx, comp: Compiler, val: Any, eid: str, fld: str) -> tuple[float, float]:
    if not isinstance(val, list) or len(val) != 2:
        raise ctx.error(f"expected a range [low, high], got {val!r}", eid, fld)
    try:
        lo, hi = (comp.grid_value(x, fld) for x in val)
    except SpecError as exc:
        raise ctx.error(str(exc), eid, fld) from None
    if not lo < hi:
        raise ctx.error(f"empty range [{lo}, {hi}]: low must be below high", eid, fld)
    return lo, hi


def _zone_parts(ctx: _Ctx, comp: Compiler, raw: dict[str, Any], entry: Entry,
                idx: int) -> list[Part]:
    eid = entry.id
    plist = raw.get("part")
    if not isinstance(plist, list) or not plist:
        raise ctx.error("a zone needs at least one [[zone.part]]", eid, "part")
    out: list[Part] = []
    for n, part in enumerate(plist):
        fld = f"part[{n}]"
        kind = part.get("kind")
        if kind not in PART_KINDS:
            raise ctx.error(f"unknown geometry kind {kind!r}; expected one of "
                            f"{', '.join(PART_KINDS)}", eid, f"{fld}.kind")
        extra = set(part) - PART_KEYS[kind] - {"kind", "hand", "label"}
        if extra:
            raise ctx.error(f"unknown field for a {kind}; expected "
                            f"{', '.join(sorted(PART_KEYS[kind]))}", eid,
                            f"{fld}.{sorted(extra)[0]}")
        hand = part.get("hand")
        if hand is not None and hand not in HANDS:
            raise ctx.error(f"got {hand!r}, expected one of {', '.join(HANDS)}", eid,
                            f"{fld}.hand")
        label = part.get("label", "")
        if not isinstance(label, str):
            raise ctx.error(f"expected a string, got {label!r}", eid, f"{fld}.label")
        radius = entry.radius_l
        if kind in ("capsule", "disc", "polyline"):
            if "radius" in part:
                radius = _radius(ctx, part["radius"], eid, f"{fld}.radius")
            elif radius <= 0:
                raise ctx.error("missing radius: give the part a 'radius' or the entry a "
                                "'radius_l' (palm lengths)", eid, f"{fld}.radius")
        if kind == "grid_rect":
            u0, u1 = _uv(ctx, comp, part.get("u"), eid, "u")
            v0, v1 = _uv(ctx, comp, part.get("v"), eid, "v")
            rows = tuple(comp.add_linear(comp.grid(u, v))
                         for u, v in ((u0, v0), (u1, v0), (u1, v1), (u0, v1)))
            out.append(Part(idx, "polygon", rows, 0.0, hand, label))
        elif kind == "grid_poly":
            uv = part.get("uv")
            if not isinstance(uv, list) or len(uv) < 3:
                raise ctx.error(f"expected 3 or more [u, v] corners, got {uv!r}", eid, "uv")
            rows_l: list[int] = []
            for c in uv:
                if not isinstance(c, list) or len(c) != 2:
                    raise ctx.error(f"expected [u, v], got {c!r}", eid, "uv")
                try:
                    u, v = comp.grid_value(c[0], "u"), comp.grid_value(c[1], "v")
                except SpecError as exc:
                    raise ctx.error(str(exc), eid, "uv") from None
                rows_l.append(comp.add_linear(comp.grid(u, v)))
            out.append(Part(idx, "polygon", tuple(rows_l), 0.0, hand, label))
        elif kind == "capsule":
            for key in ("a", "b"):
                if key not in part:
                    raise ctx.error("missing capsule end", eid, f"{fld}.{key}")
            rows = (_spec(ctx, comp, part["a"], eid, "a"), _spec(ctx, comp, part["b"], eid, "b"))
            out.append(Part(idx, "capsule", rows, radius, hand, label))
        elif kind == "disc":
            if "center" not in part:
                raise ctx.error("missing disc centre", eid, f"{fld}.center")
            r = _spec(ctx, comp, part["center"], eid, "center")
            out.append(Part(idx, "capsule", (r, r), radius, hand, label))
        else:
            out.extend(_polyline(ctx, comp, part, eid, idx, radius, hand, label))
    return out


def _polyline(ctx: _Ctx, comp: Compiler, part: dict[str, Any], eid: str, idx: int,
              radius: float, hand: str | None, label: str) -> list[Part]:
    pts = part.get("points")
    if not isinstance(pts, list) or len(pts) < 2:
        raise ctx.error(f"expected a list of 2 or more points, got {pts!r}", eid, "points")
    offset = part.get("offset_l", 0.0)
    if isinstance(offset, bool) or not isinstance(offset, (int, float)):
        raise ctx.error(f"expected a number, got {offset!r}", eid, "offset_l")
    if offset and "away" not in part:
        raise ctx.error("an offset polyline needs 'away' (the landmark it moves away from)",
                        eid, "away")
    out: list[Part] = []
    for a, b in zip(pts[:-1], pts[1:], strict=True):
        spec_off: dict[str, Any] = {}
        if offset:
            spec_off = {"perp": [a, b, part["away"], -float(offset)]}
        ra = _spec(ctx, comp, {"at": a, **spec_off}, eid, "points")
        rb = _spec(ctx, comp, {"at": b, **spec_off}, eid, "points")
        out.append(Part(idx, "capsule", (ra, rb), radius, hand, label))
    return out


def _point_parts(ctx: _Ctx, comp: Compiler, raw: dict[str, Any], entry: Entry,
                 idx: int) -> list[Part]:
    if "at" not in raw:
        raise ctx.error("missing required field (the point's location)", entry.id, "at")
    at = raw["at"]
    specs = at if isinstance(at, list) else [at]
    if not specs:
        raise ctx.error("empty list of locations", entry.id, "at")
    return [Part(idx, "point", (_spec(ctx, comp, s, entry.id, "at"),), entry.radius_l)
            for s in specs]
