"""Drawing the atlas: zones and points on a real hand, and the canonical diagrams.

One drawing routine serves the ``zones`` command, the overlay and the report: it takes the
pixel geometry of :meth:`Atlas.shapes` and paints it anti-aliased, in the Okabe-Ito
colour-blind-safe palette, one colour per body-region group, acupoints as dots with their
tolerance ring, labels with a dark outline so they read on skin and on white.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from massagecam.atlas import canonical
from massagecam.atlas.locate import Atlas, Shape, load_atlas
from massagecam.errors import ConfigError
from massagecam.hands import FINGERS, Landmark
from massagecam.results import Side

L = Landmark
Array = npt.NDArray[np.float64]

#: Okabe & Ito (2008) colour-blind-safe palette, as BGR.
OKABE_ITO = {
    "orange": (0, 159, 230), "sky_blue": (233, 180, 86), "bluish_green": (115, 158, 0),
    "yellow": (66, 228, 240), "blue": (178, 114, 0), "vermillion": (0, 94, 213),
    "reddish_purple": (167, 121, 204), "black": (0, 0, 0), "grey": (150, 150, 150),
}
GROUP_COLOURS = {
    "head": OKABE_ITO["sky_blue"], "neck": OKABE_ITO["blue"], "chest": OKABE_ITO["orange"],
    "abdomen": OKABE_ITO["bluish_green"], "pelvis": OKABE_ITO["reddish_purple"],
    "spine": OKABE_ITO["yellow"], "limb": OKABE_ITO["grey"], "lymph": (90, 90, 90),
    "point": OKABE_ITO["vermillion"],
}
SKIN = (196, 214, 236)
OUTLINE = (90, 90, 90)
AA = cv2.LINE_AA
SHIFT = 4  # sub-pixel bits for cv2 drawing


def _fix(pts: Array) -> np.ndarray:
    return np.round(np.asarray(pts) * (1 << SHIFT)).astype(np.int32)


def stadium(a: Array, b: Array, r: float, n: int = 10) -> Array:
    """Outline polygon of a capsule (a circle when ``a == b``)."""
    d = b - a
    ang = float(np.arctan2(d[1], d[0])) if np.hypot(*d) > 1e-9 else 0.0
    t1 = ang + np.linspace(np.pi / 2, 3 * np.pi / 2, n)
    t2 = ang + np.linspace(-np.pi / 2, np.pi / 2, n)
    arc1 = a + r * np.stack([np.cos(t1), np.sin(t1)], axis=1)
    arc2 = b + r * np.stack([np.cos(t2), np.sin(t2)], axis=1)
    return np.vstack([arc1, arc2])


def _outline(shape: Shape) -> Array:
    if shape.kind == "polygon":
        return shape.points
    return stadium(shape.points[0], shape.points[-1], shape.radius)


def draw_hand_outline(image: np.ndarray, receiver_xy: npt.ArrayLike,
                      fill: tuple[int, int, int] = SKIN,
                      line: tuple[int, int, int] = OUTLINE) -> np.ndarray:
    """Paint a hand silhouette (palm, fingers, a stretch of forearm) built from landmarks."""
    v = canonical.vertices(receiver_xy)
    names = list(canonical.DERIVED)
    d = {n: v[21 + i] for i, n in enumerate(names)}
    xy = v[:21]
    length = float(np.hypot(*(xy[L.MIDDLE_FINGER_MCP] - xy[L.WRIST])))
    palm = np.array([d["ulnar_heel"], d["radial_heel"], d["thenar_edge"], xy[L.THUMB_MCP],
                     d["radial_edge"], xy[L.INDEX_FINGER_MCP], xy[L.MIDDLE_FINGER_MCP],
                     xy[L.RING_FINGER_MCP], xy[L.PINKY_MCP], d["ulnar_edge"], d["ulnar_mid"]])
    arm = np.array([d["radial_heel"], d["forearm_radial"], d["forearm_ulnar"], d["ulnar_heel"]])
    widths = {"thumb": 0.24, "index": 0.19, "middle": 0.2, "ring": 0.19, "pinky": 0.16}
    for colour, grow in ((line, 2), (fill, 0)):
        cv2.fillPoly(image, [_fix(cv2.convexHull(palm.astype(np.float32))[:, 0])], colour, AA,
                     SHIFT)
        cv2.fillPoly(image, [_fix(arm)], colour, AA, SHIFT)
        for name, chain in FINGERS.items():
            pts = xy[list(chain)]
            th = max(int(widths[name] * length) + 2 * grow, 1)
            cv2.polylines(image, [_fix(pts)], False, colour, th, AA, SHIFT)
            for p in pts[-1:]:
                cv2.circle(image, tuple(_fix(p)), th // 2, colour, -1, AA, SHIFT)
    return image


def draw_atlas(image: np.ndarray, atlas: Atlas, receiver_xy: npt.ArrayLike, handedness: str,
               side: Side | str, *, labels: bool = True, alpha: float = 0.28,
               ids: set[str] | None = None) -> np.ndarray:
    """Draw the zones and acupoints visible on this hand and side onto ``image`` (in place).

    Args:
        image: BGR image the landmarks are in.
        atlas: the loaded atlas.
        receiver_xy: (21, 2) landmarks of the receiving hand.
        handedness: "Left"/"Right" (one-hand zones).
        side: the face the camera sees (only its entries are drawn).
        labels: write ids next to the shapes.
        alpha: fill opacity of the zones.
        ids: draw only these ids (default all).
    """
    shapes = atlas.shapes(receiver_xy, handedness, side)
    xy = np.asarray(receiver_xy, dtype=np.float64)
    length = float(np.hypot(*(xy[L.MIDDLE_FINGER_MCP] - xy[L.WRIST]))) or 1.0
    thick = max(1, int(round(length / 160)))
    layer = image.copy()
    zones = [(i, s) for i, s in shapes.items() if atlas.by_id[i].kind == "zone"
             and (ids is None or i in ids)]
    points = [(i, s) for i, s in shapes.items() if atlas.by_id[i].kind == "point"
              and (ids is None or i in ids)]
    zones.sort(key=lambda kv: -atlas.area_l2[atlas.entries.index(atlas.by_id[kv[0]])])
    for zid, parts in zones:
        colour = GROUP_COLOURS.get(atlas.by_id[zid].group, OKABE_ITO["grey"])
        for s in parts:
            cv2.fillPoly(layer, [_fix(_outline(s))], colour, AA, SHIFT)
    cv2.addWeighted(layer, alpha, image, 1 - alpha, 0, dst=image)
    for zid, parts in zones:
        colour = GROUP_COLOURS.get(atlas.by_id[zid].group, OKABE_ITO["grey"])
        for s in parts:
            cv2.polylines(image, [_fix(_outline(s))], True, colour, thick, AA, SHIFT)
    pc = GROUP_COLOURS["point"]
    for _pid, parts in points:
        for s in parts:
            c = s.points[0]
            cv2.circle(image, tuple(_fix(c)), int(s.radius * (1 << SHIFT)), pc, thick, AA, SHIFT)
            cv2.circle(image, tuple(_fix(c)), int(max(2.0, length / 45) * (1 << SHIFT)),
                       (255, 255, 255), -1, AA, SHIFT)
            cv2.circle(image, tuple(_fix(c)), int(max(1.5, length / 70) * (1 << SHIFT)), pc,
                       -1, AA, SHIFT)
    if labels:
        _labels(image, atlas, zones, points, length)
    return image


#: Label nudges tried in order, in (label widths, label heights).
_OFFSETS = ((0, 0), (0, -1), (0, 1), (0.6, 0), (-0.6, 0), (0.6, -1), (-0.6, 1), (0.6, 1),
            (-0.6, -1), (0, -2), (0, 2), (1.1, 0), (-1.1, 0), (1.1, -1), (-1.1, 1), (0, -3),
            (0, 3))


def _labels(image: np.ndarray, atlas: Atlas, zones: list[tuple[str, list[Shape]]],
            points: list[tuple[str, list[Shape]]], length: float) -> None:
    scale = float(np.clip(length / 260.0, 0.35, 1.1))
    th = max(1, int(round(scale * 1.6)))
    placed: list[tuple[float, float, float, float]] = []
    items: list[tuple[str, Array, tuple[int, int, int], bool]] = []
    for zid, parts in zones:
        big = max(parts, key=lambda s: cv2.contourArea(_outline(s).astype(np.float32)))
        colour = GROUP_COLOURS.get(atlas.by_id[zid].group, OKABE_ITO["grey"])
        items.append((zid, _outline(big).mean(axis=0), colour, True))
    for pid, parts in points:
        for k, s in enumerate(parts):
            if k == 0 or len(parts) <= 2:
                items.append((pid, s.points[0] + np.array([0.25, -0.25]) * max(s.radius, 8),
                              GROUP_COLOURS["point"], False))
    for text, at, colour, centred in items:
        (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, th)
        x0 = float(at[0] - w / 2) if centred else float(at[0])
        y0 = float(at[1] + h / 2) if centred else float(at[1])
        step = h + 3
        img_h, img_w = image.shape[:2]
        x0 = min(max(x0, 2.0), img_w - w - 2.0)
        y0 = min(max(y0, h + 2.0), img_h - base - 2.0)
        x, y = x0, y0
        for dx, dy in _OFFSETS:
            bx = min(max(x0 + dx * w, 2.0), img_w - w - 2.0)
            by = min(max(y0 + dy * step, h + 2.0), img_h - base - 2.0)
            box = (bx - 1, by - h - 1, bx + w + 1, by + base + 1)
            if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                       for b in placed):
                x, y = bx, by
                break
        placed.append((x - 1, y - h - 1, x + w + 1, y + base + 1))
        if (x, y) != (x0, y0):  # moved off its spot: a thin leader back to it
            end = (min(max(at[0], x), x + w), min(max(at[1], y - h), y))
            cv2.line(image, (int(at[0]), int(at[1])), (int(end[0]), int(end[1])), (40, 40, 40),
                     1, AA)
        org = (int(x), int(y))
        cv2.putText(image, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (20, 20, 20), th + 2, AA)
        light = tuple(int(255 - 0.35 * (255 - c)) for c in colour)
        cv2.putText(image, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, light, th, AA)


def draw_canonical(side: Side | str = Side.PALM, size: tuple[int, int] = (600, 720), *,
                   atlas: Atlas | None = None, zones: bool = True, labels: bool = True,
                   hand: str = "Right",
                   background: tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
    """A clean diagram of the canonical (right) hand: outline, and zones and labels.

    With ``zones=False`` it is a bare outline, a base for heatmaps: place canonical
    coordinates on it with :func:`canonical.canonical_to_image` (same ``size``).
    ``hand="Left"`` draws the mirror image with the left hand's one-hand zones, for the
    ``zones`` command; heatmap coordinates always refer to the right-hand diagram.
    """
    w, h = (int(v) for v in size)
    if not (100 <= w <= 8000 and 100 <= h <= 8000):
        raise ConfigError(f"diagram size {size!r}: expected width and height in 100..8000 px")
    img = np.full((h, w, 3), background, np.uint8)
    s = Side.BACK if str(side) == Side.BACK else Side.PALM
    lm = canonical.canonical_landmarks(s)
    left = str(hand).lower() == "left"
    if left:
        lm = lm * np.array([-1.0, 1.0])
    px = canonical.canonical_to_image(lm, size)
    draw_hand_outline(img, px)
    if zones:
        draw_atlas(img, atlas or load_atlas(), px, "Left" if left else "Right", s,
                   labels=labels)
    title = f"canonical {'left' if left else 'right'} hand - {s.value} view"
    cv2.putText(img, title, (10, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (60, 60, 60), 1, AA)
    return img
