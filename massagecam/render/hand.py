"""Drawing one hand on its 21-landmark skeleton, shaded so that it looks three-dimensional.

Why a height field: the hand detector was trained on photographs, and a flat cartoon hand laid
over another is rarely found. Each part (phalanx, thumb, palm, forearm) contributes a surface
height (a tapered cylinder for digits, a slab with rounded edges for the palm); the hand's
surface is their maximum, so touching fingers keep a dark seam between them. Normals of that
surface, lit by one light plus ambient light, give the rounded shading; creases, knuckles and
nails are painted on top by side (palm or back) so the two faces can be told apart by eye.

Everything is computed on the hand's bounding box only, in float32, to stay faster than real time.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from massagecam.hands import FINGERS, Landmark
from massagecam.render.details import DIGIT_RADII as _RADII
from massagecam.render.details import paint_details
from massagecam.render.skin import Skin

L = Landmark

# Part ids (a pixel's part is the one whose surface is highest there).
PART_FOREARM, PART_PALM, PART_THUMB, PART_SLEEVE = 1, 2, 3, 8
PART_FINGERS = {"index": 4, "middle": 5, "ring": 6, "pinky": 7}



@dataclass(frozen=True)
class HandStyle:
    """How to draw one hand.

    Attributes:
        skin: colours.
        side: "palm" or "back" towards the camera.
        handedness: "Left" or "Right" (anatomical).
        width: finger and palm width factor (1.0 = average adult).
        forearm: draw the forearm out of the wrist (the palm detector likes a visible wrist).
        sleeve_bgr: colour of a sleeve over the forearm, or None for bare skin.
        press: 0..1, how hard the thumb presses (flattens and widens the thumb tip).
    """

    skin: Skin
    side: str = "palm"
    handedness: str = "Right"
    width: float = 1.0
    forearm: bool = True
    sleeve_bgr: tuple[int, int, int] | None = None
    press: float = 0.0


@dataclass
class Raster:
    """A drawn hand on its bounding box: colour, coverage and part id per pixel."""

    x0: int
    y0: int
    color: np.ndarray  # (h, w, 3) float32 BGR
    alpha: np.ndarray  # (h, w) float32 0..1
    part: np.ndarray  # (h, w) uint8
    height: np.ndarray  # (h, w) float32 surface height in pixels


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.hypot(v[0], v[1]))
    return v / n if n > 1e-6 else np.array([0.0, -1.0], np.float32)


def _capsule(h: np.ndarray, part: np.ndarray, pid: int, xs: np.ndarray, ys: np.ndarray,
             a: np.ndarray, b: np.ndarray, ra: float, rb: float, lift: float) -> None:
    """Raise ``h`` to a tapered cylinder from a (radius ra) to b (radius rb), in place."""
    r = max(ra, rb)
    x0 = int(max(min(a[0], b[0]) - r - 1, 0))
    x1 = int(min(max(a[0], b[0]) + r + 2, h.shape[1]))
    y0 = int(max(min(a[1], b[1]) - r - 1, 0))
    y1 = int(min(max(a[1], b[1]) + r + 2, h.shape[0]))
    if x1 <= x0 or y1 <= y0:
        return
    px = xs[x0:x1][None, :] - a[0]
    py = ys[y0:y1][:, None] - a[1]
    ab = b - a
    den = float(ab @ ab) or 1.0
    t = np.clip((px * ab[0] + py * ab[1]) / den, 0.0, 1.0)
    dx = px - t * ab[0]
    dy = py - t * ab[1]
    rad = ra + (rb - ra) * t
    core = np.sqrt(np.maximum(rad * rad - dx * dx - dy * dy, 0.0))
    hh = np.where(core > 0, np.maximum(core + lift, 0.5), 0.0).astype(np.float32)
    sub = h[y0:y1, x0:x1]
    win = hh > sub
    sub[win] = hh[win]
    part[y0:y1, x0:x1][win] = pid


def _digit_segments(xy: np.ndarray, name: str, lp: float, style: HandStyle):
    """(a, b, ra, rb) capsules of one digit, base to tip, the last ending at the tip landmark."""
    chain = FINGERS[name]
    r0, r1 = (r * lp * style.width for r in _RADII[name])
    pts = [xy[j].astype(np.float32) for j in chain]
    if name != "thumb":
        # the finger's skin starts a little before the MCP joint (webbing) on both faces
        pts[0] = pts[0] + 0.12 * (pts[0] - pts[1])
    n = len(pts) - 1
    segs = []
    for k in range(n):
        a, b = pts[k], pts[k + 1]
        ra = r0 + (r1 - r0) * k / n
        rb = r0 + (r1 - r0) * (k + 1) / n
        if k == n - 1:
            d = _unit(b - a)
            if name == "thumb" and style.press > 0:
                rb *= 1.0 + 0.18 * style.press  # a pressing pad spreads
            b = b - d * rb * 0.35  # the tip landmark lies a little inside the fingertip
        segs.append((a, b, ra, rb))
    return segs


def _palm_polygon(xy: np.ndarray, lp: float, style: HandStyle) -> np.ndarray:
    """Outline of the palm (heel to knuckles, with the thenar web), in pixels."""
    w = xy[L.INDEX_FINGER_MCP] - xy[L.PINKY_MCP]
    wn = float(np.hypot(*w)) or 1.0
    radial = w / wn
    distal = _unit(xy[L.MIDDLE_FINGER_MCP] - xy[L.WRIST])
    s = style.width
    p0 = xy[L.WRIST]
    def web(a: Landmark, b: Landmark, k: float) -> np.ndarray:
        mcp = 0.5 * (xy[a] + xy[b])
        pip = 0.5 * (xy[a + 1] + xy[b + 1])
        return mcp + k * (pip - mcp)

    pts = [
        p0 - radial * 0.45 * wn * s - distal * 0.08 * lp,           # ulnar wrist
        xy[L.PINKY_MCP] - radial * 0.1 * lp * s - distal * 0.35 * lp,   # ulnar heel edge
        xy[L.PINKY_MCP] - radial * 0.085 * lp * s + distal * 0.02 * lp,
        xy[L.PINKY_MCP] + 0.3 * (xy[L.PINKY_PIP] - xy[L.PINKY_MCP]),
        web(L.RING_FINGER_MCP, L.PINKY_MCP, 0.32),
        xy[L.RING_FINGER_MCP] + 0.38 * (xy[L.RING_FINGER_PIP] - xy[L.RING_FINGER_MCP]),
        web(L.MIDDLE_FINGER_MCP, L.RING_FINGER_MCP, 0.34),
        xy[L.MIDDLE_FINGER_MCP] + 0.4 * (xy[L.MIDDLE_FINGER_PIP] - xy[L.MIDDLE_FINGER_MCP]),
        web(L.INDEX_FINGER_MCP, L.MIDDLE_FINGER_MCP, 0.34),
        xy[L.INDEX_FINGER_MCP] + 0.3 * (xy[L.INDEX_FINGER_PIP] - xy[L.INDEX_FINGER_MCP]),
        xy[L.INDEX_FINGER_MCP] + radial * 0.09 * lp * s + distal * 0.03 * lp,
        xy[L.INDEX_FINGER_MCP] + radial * 0.1 * lp * s - distal * 0.15 * lp,
        0.55 * xy[L.THUMB_MCP] + 0.45 * xy[L.INDEX_FINGER_MCP] - distal * 0.05 * lp,  # web
        xy[L.THUMB_MCP],
        xy[L.THUMB_CMC] + radial * 0.05 * lp,
        p0 + radial * 0.4 * wn * s - distal * 0.08 * lp,            # radial wrist
    ]
    return np.array(pts, np.float32)


def rasterize(xy: np.ndarray, style: HandStyle, light: np.ndarray, image_wh: tuple[int, int],
              texture: np.ndarray | None = None, dents: list[tuple[float, float, float]] = (),
              detail: float = 1.0) -> Raster | None:
    """Draw one hand on its bounding box; None when it lies outside the image.

    Args:
        xy: (21, 2) landmarks in pixels.
        style: colours, side and shape.
        light: (3,) unit vector towards the light (x right, y down, z towards the camera).
        image_wh: size of the image the hand is drawn for (the box is clipped to it).
        texture: optional (H, W) float32 multiplicative skin texture in image coordinates.
        dents: (x, y, radius) skin indentations, where another hand's thumb presses.
        detail: 0..1 strength of creases, knuckles and nails.
    """
    xy = np.asarray(xy, np.float32)
    lp = float(np.hypot(*(xy[L.MIDDLE_FINGER_MCP] - xy[L.WRIST]))) or 1.0
    distal = _unit(xy[L.MIDDLE_FINGER_MCP] - xy[L.WRIST])
    wdt, hgt = image_wh
    arm_len = 2.6 * lp if style.forearm else 0.0
    pts = np.vstack([xy, xy[L.WRIST] - distal * arm_len])
    pad = 0.45 * lp
    x0 = int(max(np.floor(pts[:, 0].min() - pad), 0))
    y0 = int(max(np.floor(pts[:, 1].min() - pad), 0))
    x1 = int(min(np.ceil(pts[:, 0].max() + pad), wdt))
    y1 = int(min(np.ceil(pts[:, 1].max() + pad), hgt))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    loc = xy - np.array([x0, y0], np.float32)
    h = np.zeros((y1 - y0, x1 - x0), np.float32)
    part = np.zeros(h.shape, np.uint8)
    xs = np.arange(h.shape[1], dtype=np.float32)
    ys = np.arange(h.shape[0], dtype=np.float32)

    # forearm: a tapered cylinder out of the wrist, lower than the palm
    w = float(np.hypot(*(xy[L.INDEX_FINGER_MCP] - xy[L.PINKY_MCP])))
    if style.forearm:
        a = loc[L.WRIST] - distal * 0.1 * lp
        r0, r1 = 0.44 * w * style.width, 0.55 * w * style.width
        if style.sleeve_bgr is None:
            _capsule(h, part, PART_FOREARM, xs, ys, a, a - distal * arm_len, r0, r1, 0.0)
        else:  # bare wrist, then a slightly wider sleeve
            k = 0.75 * lp / arm_len
            mid = a - distal * 0.75 * lp
            _capsule(h, part, PART_FOREARM, xs, ys, a, mid, r0, r0 + k * (r1 - r0), 0.0)
            _capsule(h, part, PART_SLEEVE, xs, ys, mid - distal * 0.05 * lp,
                     a - distal * arm_len, 1.12 * r0, 1.15 * r1, 0.0)

    # palm: filled outline whose edge is rounded by its distance to the border
    poly = _palm_polygon(loc, lp, style)
    # on the polygon's box only (with a blank margin the distances are the same)
    px0 = int(max(np.floor(poly[:, 0].min()) - 2, 0))
    py0 = int(max(np.floor(poly[:, 1].min()) - 2, 0))
    px1 = int(min(np.ceil(poly[:, 0].max()) + 3, h.shape[1]))
    py1 = int(min(np.ceil(poly[:, 1].max()) + 3, h.shape[0]))
    mask = np.zeros((py1 - py0, px1 - px0), np.uint8)
    fixed = np.round(poly * 4).astype(np.int32) - np.array([px0 * 4, py0 * 4], np.int32)
    cv2.fillPoly(mask, [fixed], 255, cv2.LINE_AA, shift=2)
    dist = cv2.distanceTransform((mask > 127).astype(np.uint8), cv2.DIST_L2, 3)
    edge = 0.16 * lp
    e = np.minimum(dist / edge, 1.0)
    hp = edge * np.sqrt(np.maximum(1.0 - (1.0 - e) ** 2, 0.0)) * 0.8
    hp += 0.05 * lp * np.minimum(dist / (0.5 * lp), 1.0)  # gentle dome
    hp[dist <= 0] = 0.0
    hsub, psub = h[py0:py1, px0:px1], part[py0:py1, px0:px1]
    win = hp > hsub
    hsub[win] = hp[win]
    psub[win] = PART_PALM

    # thumb: on the palm face the thenar eminence bulges; the thumb rides above the palm
    segs = _digit_segments(loc, "thumb", lp, style)
    # from the back, the thumb's base lies under the edge of the dorsum
    thenar, base_lift = (1.35, 0.02) if style.side == "palm" else (1.0, -0.05)
    a, b, ra, rb = segs[0]
    _capsule(h, part, PART_THUMB, xs, ys, a - 0.15 * (b - a), b, ra * thenar, rb,
             base_lift * lp)
    for a, b, ra, rb in segs[1:]:
        _capsule(h, part, PART_THUMB, xs, ys, a, b, ra, rb, 0.03 * lp)
    for name, pid in PART_FINGERS.items():
        for a, b, ra, rb in _digit_segments(loc, name, lp, style):
            _capsule(h, part, pid, xs, ys, a, b, ra, rb, 0.01 * lp)

    if style.side == "palm" and detail > 0:
        # the thenar and hypothenar eminences bulge, the palm centre is hollow
        radial = _unit(loc[L.INDEX_FINGER_MCP] - loc[L.PINKY_MCP])
        thenar_c = 0.5 * (loc[L.THUMB_CMC] + loc[L.THUMB_MCP]) - radial * 0.12 * lp
        _bump(h, thenar_c, 0.26 * lp, 0.07 * lp * detail)
        hypo_c = loc[L.WRIST] + distal * 0.3 * lp - radial * 0.3 * lp
        _bump(h, hypo_c, 0.2 * lp, 0.04 * lp * detail)
        centre = loc[L.WRIST] + distal * 0.55 * lp
        _bump(h, centre, 0.22 * lp, -0.04 * lp * detail)
    if style.side == "back" and detail > 0:
        # knuckle bumps (MCP and PIP joints) and the extensor tendons fanning to the wrist
        wrist_c = loc[L.WRIST] + distal * 0.2 * lp
        for j in (L.INDEX_FINGER_MCP, L.MIDDLE_FINGER_MCP, L.RING_FINGER_MCP, L.PINKY_MCP):
            _bump(h, loc[j] - distal * 0.03 * lp, 0.1 * lp, 0.045 * lp * detail)
            _bump(h, loc[j + 1], 0.07 * lp, 0.02 * lp * detail)
            _ridge(h, part, loc[j] - distal * 0.05 * lp, loc[j] + 0.6 * (wrist_c - loc[j]),
                   0.03 * lp, 0.009 * lp * detail)
    for x, y, r in dents:
        _bump(h, np.array([x - x0, y - y0], np.float32), r, -0.35 * r, only_where=h > 0)

    covered = h > 0
    if not covered.any():
        return None
    color = _shade(h, part, covered, style, light, lp)
    if detail > 0:  # creases, knuckles and nails lie on the hand: skip the forearm's pixels
        m = 0.4 * lp
        bx0 = int(max(np.floor(loc[:, 0].min() - m), 0))
        by0 = int(max(np.floor(loc[:, 1].min() - m), 0))
        bx1 = int(min(np.ceil(loc[:, 0].max() + m), h.shape[1]))
        by1 = int(min(np.ceil(loc[:, 1].max() + m), h.shape[0]))
        if bx1 > bx0 and by1 > by0:
            paint_details(color[by0:by1, bx0:bx1], loc - np.array([bx0, by0], np.float32), lp,
                           style, detail, covered[by0:by1, bx0:bx1])
    if texture is not None:
        color *= texture[y0:y1, x0:x1, None]
    alpha = cv2.GaussianBlur(covered.astype(np.float32), (3, 3), 0.8)
    return Raster(x0, y0, color, alpha, part, h)


def _bump(h: np.ndarray, c: np.ndarray, r: float, amp: float,
          only_where: np.ndarray | None = None) -> None:
    """Add a smooth bump (amp > 0) or dent (amp < 0) of radius r at c, in place."""
    x0, y0 = int(max(c[0] - 2 * r, 0)), int(max(c[1] - 2 * r, 0))
    x1, y1 = int(min(c[0] + 2 * r + 1, h.shape[1])), int(min(c[1] + 2 * r + 1, h.shape[0]))
    if x1 <= x0 or y1 <= y0:
        return
    gx = np.arange(x0, x1, dtype=np.float32)[None, :] - c[0]
    gy = np.arange(y0, y1, dtype=np.float32)[:, None] - c[1]
    g = amp * np.exp(-(gx * gx + gy * gy) / (2 * (0.6 * r) ** 2))
    sub = h[y0:y1, x0:x1]
    m = sub > 0 if only_where is None else only_where[y0:y1, x0:x1]
    sub[m] = np.maximum(sub[m] + g[m], 0.5)


def _ridge(h: np.ndarray, part: np.ndarray, a: np.ndarray, b: np.ndarray, r: float,
           amp: float) -> None:
    """Add a low rounded ridge (a tendon) from a to b over the palm part, in place."""
    x0 = int(max(min(a[0], b[0]) - r, 0))
    x1 = int(min(max(a[0], b[0]) + r + 1, h.shape[1]))
    y0 = int(max(min(a[1], b[1]) - r, 0))
    y1 = int(min(max(a[1], b[1]) + r + 1, h.shape[0]))
    if x1 <= x0 or y1 <= y0:
        return
    px = np.arange(x0, x1, dtype=np.float32)[None, :] - a[0]
    py = np.arange(y0, y1, dtype=np.float32)[:, None] - a[1]
    ab = b - a
    t = np.clip((px * ab[0] + py * ab[1]) / (float(ab @ ab) or 1.0), 0.0, 1.0)
    d2 = (px - t * ab[0]) ** 2 + (py - t * ab[1]) ** 2
    g = amp * np.maximum(1.0 - d2 / (r * r), 0.0) * (1.0 - 0.6 * t)
    m = part[y0:y1, x0:x1] == PART_PALM
    h[y0:y1, x0:x1][m] += g[m]


def _shade(h: np.ndarray, part: np.ndarray, covered: np.ndarray, style: HandStyle,
           light: np.ndarray, lp: float) -> np.ndarray:
    """Lambert + ambient + a little specular shading of the height field, in skin colour.

    Only the covered box (plus the blur's reach) is computed; the rest stays black.
    """
    sigma = max(0.012 * lp, 0.6)
    ys, xs = np.nonzero(covered.any(1))[0], np.nonzero(covered.any(0))[0]
    m = int(4 * sigma) + 3
    y0, y1 = max(int(ys[0]) - m, 0), min(int(ys[-1]) + m + 1, h.shape[0])
    x0, x1 = max(int(xs[0]) - m, 0), min(int(xs[-1]) + m + 1, h.shape[1])
    out = np.zeros(h.shape + (3,), np.float32)
    out[y0:y1, x0:x1] = _shade_box(h[y0:y1, x0:x1], part[y0:y1, x0:x1],
                                   covered[y0:y1, x0:x1], style, light, sigma)
    return out


def _shade_box(h: np.ndarray, part: np.ndarray, covered: np.ndarray, style: HandStyle,
               light: np.ndarray, sigma: float) -> np.ndarray:
    hs = cv2.GaussianBlur(h, (0, 0), sigma)
    gx = cv2.Sobel(hs, cv2.CV_32F, 1, 0, ksize=1, scale=0.5)
    gy = cv2.Sobel(hs, cv2.CV_32F, 0, 1, ksize=1, scale=0.5)
    inv = 1.0 / np.sqrt(gx * gx + gy * gy + 1.0)
    lam = np.maximum((light[2] - light[0] * gx - light[1] * gy) * inv, 0.0)
    # half-vector specular towards the camera (0, 0, 1)
    hv = light + np.array([0.0, 0.0, 1.0], np.float32)
    hv = hv / np.linalg.norm(hv)
    spec = np.maximum((hv[2] - hv[0] * gx - hv[1] * gy) * inv, 0.0)
    s2 = spec * spec
    s8 = (s2 * s2) ** 2
    spec = s8 * s8 * s8
    shade = (0.38 + 0.72 * lam) * covered
    base = style.skin.face(style.side)
    color = cv2.merge([shade * float(c) for c in base])
    if style.side == "palm":  # the forearm shows its darker dorsal skin too
        arm = part == PART_FOREARM
        color[arm] = shade[arm, None] * (0.5 * base + 0.5 * style.skin.back)
    if style.sleeve_bgr is not None:
        arm = part == PART_SLEEVE
        color[arm] = shade[arm, None] * np.array(style.sleeve_bgr, np.float32)
    color += (38.0 * spec * covered)[..., None]
    return color


def composite(img: np.ndarray, r: Raster, select: np.ndarray | None = None) -> None:
    """Blend a raster into the float32 image in place (optionally only the selected pixels)."""
    a = r.alpha if select is None else r.alpha * select
    sub = img[r.y0:r.y0 + a.shape[0], r.x0:r.x0 + a.shape[1]]
    a3 = cv2.merge([a, a, a])
    sub += cv2.multiply(cv2.subtract(r.color, sub), a3)


def shadow(img: np.ndarray, r: Raster, offset: tuple[float, float], blur: float,
           strength: float) -> None:
    """Darken the float32 image under the raster's shadow (offset, blurred), in place."""
    h, w = img.shape[:2]
    pad = int(3 * blur + abs(offset[0]) + abs(offset[1]) + 2)
    x0, y0 = max(r.x0 - pad, 0), max(r.y0 - pad, 0)
    x1 = min(r.x0 + r.alpha.shape[1] + pad, w)
    y1 = min(r.y0 + r.alpha.shape[0] + pad, h)
    canvas = np.zeros((y1 - y0, x1 - x0), np.float32)
    ox, oy = r.x0 - x0 + int(round(offset[0])), r.y0 - y0 + int(round(offset[1]))
    ah, aw = r.alpha.shape
    sx0, sy0 = max(-ox, 0), max(-oy, 0)
    dx0, dy0 = max(ox, 0), max(oy, 0)
    cw = min(aw - sx0, canvas.shape[1] - dx0)
    ch = min(ah - sy0, canvas.shape[0] - dy0)
    if cw <= 0 or ch <= 0:
        return
    canvas[dy0:dy0 + ch, dx0:dx0 + cw] = r.alpha[sy0:sy0 + ch, sx0:sx0 + cw]
    if blur > 2.0 and min(canvas.shape) > 16:  # blur a quarter-size copy: same look, faster
        small = cv2.resize(canvas, (canvas.shape[1] // 4, canvas.shape[0] // 4),
                           interpolation=cv2.INTER_AREA)
        small = cv2.GaussianBlur(small, (0, 0), blur / 4)
        canvas = cv2.resize(small, (canvas.shape[1], canvas.shape[0]),
                            interpolation=cv2.INTER_LINEAR)
    elif blur > 0.3:
        canvas = cv2.GaussianBlur(canvas, (0, 0), blur)
    sub = img[y0:y1, x0:x1]
    cv2.multiply(sub, cv2.merge([1.0 - strength * canvas] * 3), dst=sub)
