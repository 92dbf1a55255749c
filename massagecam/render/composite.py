"""Photo-composite mode: real hand pixels, cut out of a photo or video frame and posed by script.

Why: procedural hands are stylised; pasting real hand pixels tests the pipeline on real skin,
shading and texture while the script still gives exact ground truth. The hand is found with the
project's landmarker, cut out with GrabCut seeded from its landmarks (bones and palm certain
foreground, the hull around them probable foreground, far away certain background), and posed
by an affine map from its own landmarks to the scripted pose (the scripted pose uses the photo's
own hand shape, so the map is exact and the truth landmarks are the photo's, moved).

Outputs made from ``../shared/footage`` must never be committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from massagecam.errors import CaptureError
from massagecam.hands import CONNECTIONS, Landmark, palm_length, to_palm_frame
from massagecam.render.hand import PART_PALM, Raster

L = Landmark
SEGMENT_PX = 360.0  # GrabCut works on a copy at most this wide (it is slow on HD frames)
_VIDEO = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v"}


@dataclass(frozen=True)
class Cutout:
    """A hand cut out of a photo.

    Attributes:
        bgr: (h, w, 3) float32 pixels of the crop.
        alpha: (h, w) float32 coverage 0..1.
        xy: (21, 2) landmarks in crop pixels.
        handedness: "Left"/"Right" as the landmarker labelled it.
        side: "palm" or "back" facing the camera (cross-product rule of the domain notes).
    """

    bgr: np.ndarray
    alpha: np.ndarray
    xy: np.ndarray
    handedness: str
    side: str

    def template(self) -> np.ndarray:
        """The hand's shape in its own palm frame ((distal, radial), palm lengths)."""
        return to_palm_frame(self.xy, self.xy)


def read_photo(spec: str | Path) -> np.ndarray:
    """A BGR image from a photo, or from a video (``clip.mp4`` or ``clip.mp4@FRAME``)."""
    text = str(spec)
    frame = 0
    if "@" in text and Path(text.rsplit("@", 1)[0]).suffix.lower() in _VIDEO:
        text, idx = text.rsplit("@", 1)
        if not idx.isdigit():
            raise CaptureError(f"{spec}: expected VIDEO@FRAME with a frame number")
        frame = int(idx)
    path = Path(text)
    if not path.is_file():
        raise CaptureError(f"{path}: no such photo or video")
    if path.suffix.lower() in _VIDEO:
        cap = cv2.VideoCapture(str(path))
        cap.set(cv2.CAP_PROP_POS_FRAMES, frame)
        ok, img = cap.read()
        cap.release()
        if not ok:
            raise CaptureError(f"{path}: cannot read frame {frame}")
        return img
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise CaptureError(f"{path}: not a readable image")
    return img


def cut_out(image: np.ndarray, xy: np.ndarray, handedness: str, iterations: int = 4) -> Cutout:
    """Cut the hand with landmarks ``xy`` out of ``image`` (GrabCut seeded by the landmarks).

    GrabCut runs on a crop around the hand only (it is slow on whole HD frames).
    """
    lp = float(palm_length(xy))
    pad = 1.2 * lp
    H, W = image.shape[:2]
    ox = int(max(xy[:, 0].min() - pad, 0))
    oy = int(max(xy[:, 1].min() - pad, 0))
    ex = int(min(xy[:, 0].max() + pad, W))
    ey = int(min(xy[:, 1].max() + pad, H))
    full = np.ascontiguousarray(image[oy:ey, ox:ex])
    full_xy = (np.asarray(xy, np.float32) - np.array([ox, oy], np.float32)).astype(np.float32)
    # segment a smaller copy (GrabCut is slow), then scale the mask back up
    k = min(1.0, SEGMENT_PX / max(full.shape[:2]))
    image = cv2.resize(full, None, fx=k, fy=k, interpolation=cv2.INTER_AREA) if k < 1 else full
    xy = full_xy * k
    lp *= k
    h, w = image.shape[:2]
    mask = np.full((h, w), cv2.GC_BGD, np.uint8)
    hull = cv2.convexHull(np.round(xy).astype(np.int32))
    x0, y0, bw, bh = cv2.boundingRect(hull)
    m = int(0.6 * lp)
    cv2.rectangle(mask, (max(x0 - m, 0), max(y0 - m, 0)),
                  (min(x0 + bw + m, w - 1), min(y0 + bh + m, h - 1)), cv2.GC_PR_BGD, -1)
    # probable hand: thick bones and the palm, not the whole hull (the gaps between spread
    # fingers are background)
    big = np.zeros((h, w), np.uint8)
    for a, b in CONNECTIONS:
        cv2.line(big, tuple(int(v) for v in xy[a]), tuple(int(v) for v in xy[b]), 255,
                 max(int(0.3 * lp), 3))
    forearm = xy[L.WRIST] - 0.5 * (xy[L.MIDDLE_FINGER_MCP] - xy[L.WRIST])
    cv2.line(big, tuple(int(v) for v in xy[L.WRIST]), tuple(int(v) for v in forearm), 255,
             max(int(0.6 * lp), 3))
    mask[big > 0] = cv2.GC_PR_FGD
    palm = np.round(xy[[L.WRIST, L.THUMB_CMC, L.INDEX_FINGER_MCP, L.MIDDLE_FINGER_MCP,
                        L.RING_FINGER_MCP, L.PINKY_MCP]]).astype(np.int32)
    cv2.fillConvexPoly(mask, cv2.convexHull(palm), cv2.GC_FGD)
    for a, b in CONNECTIONS:
        cv2.line(mask, tuple(int(v) for v in xy[a]), tuple(int(v) for v in xy[b]), cv2.GC_FGD,
                 max(int(0.06 * lp), 2))
    bgd = np.zeros((1, 65), np.float64)
    fgd = np.zeros((1, 65), np.float64)
    cv2.grabCut(image, mask, None, bgd, fgd, iterations, cv2.GC_INIT_WITH_MASK)
    fg = ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)).astype(np.uint8)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(fg)
    if n > 1:  # keep the piece holding the palm centre
        c = 0.5 * (xy[L.WRIST] + xy[L.MIDDLE_FINGER_MCP])
        keep = lab[int(np.clip(c[1], 0, h - 1)), int(np.clip(c[0], 0, w - 1))]
        if keep == 0:
            keep = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        fg = (lab == keep).astype(np.uint8)
    if k < 1:
        fg = cv2.resize(fg.astype(np.float32), (full.shape[1], full.shape[0]),
                        interpolation=cv2.INTER_LINEAR)
        fg = (fg > 0.5).astype(np.uint8)
    image, xy = full, full_xy
    h, w = image.shape[:2]
    alpha = cv2.GaussianBlur(fg.astype(np.float32), (0, 0), 1.2)
    ys, xs = np.nonzero(alpha > 0.01)
    if xs.size == 0:
        raise CaptureError("GrabCut found no hand pixels")
    cx0, cy0, cx1, cy1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    a, b = xy[L.INDEX_FINGER_MCP] - xy[L.WRIST], xy[L.PINKY_MCP] - xy[L.WRIST]
    cross = float(a[0] * b[1] - a[1] * b[0])
    palm_side = (cross < 0) if handedness == "Right" else (cross > 0)
    return Cutout(image[cy0:cy1, cx0:cx1].astype(np.float32), alpha[cy0:cy1, cx0:cx1],
                  (xy - np.array([cx0, cy0], np.float32)).astype(np.float32), handedness,
                  "palm" if palm_side else "back")


def load_cutouts(*specs: str | Path | None) -> list[Cutout | None]:
    """Find the most confident hand in each photo (or video frame) and cut it out.

    None stays None.

    Raises:
        CaptureError: unreadable file or no hand found.
    """
    from massagecam.landmarker import Landmarker

    out: list[Cutout | None] = []
    for spec in specs:
        if spec is None:
            out.append(None)
            continue
        image = read_photo(spec)
        # a fresh detector per photo: in video mode one would track the previous photo's hand
        with Landmarker(num_hands=1, second_look=False) as lm:
            hands = lm.detect(image, 0.0, 0)
        if len(hands) == 0:
            raise CaptureError(f"{spec}: no hand found in the photo")
        i = int(np.argmax(hands.score))
        out.append(cut_out(image, hands.xy[i], str(hands.handedness[i])))
    return out


def load_cutout(spec: str | Path) -> Cutout:
    """:func:`load_cutouts` for one photo."""
    cut = load_cutouts(spec)[0]
    assert cut is not None
    return cut


def place(cut: Cutout, target_xy: np.ndarray, image_wh: tuple[int, int]) -> Raster | None:
    """The cut-out moved so its landmarks land on ``target_xy`` (affine, mirror included)."""
    m, _ = cv2.estimateAffine2D(cut.xy, np.asarray(target_xy, np.float32))
    if m is None:
        return None
    h, w = cut.alpha.shape
    corners = np.array([[0, 0], [w, 0], [0, h], [w, h]], np.float32) @ m[:, :2].T + m[:, 2]
    x0, y0 = np.maximum(np.floor(corners.min(0)), 0).astype(int)
    x1 = int(min(np.ceil(corners[:, 0].max()), image_wh[0]))
    y1 = int(min(np.ceil(corners[:, 1].max()), image_wh[1]))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    mm = m.copy()
    mm[:, 2] -= (x0, y0)
    size = (x1 - x0, y1 - y0)
    color = cv2.warpAffine(cut.bgr, mm, size, flags=cv2.INTER_LINEAR)
    alpha = cv2.warpAffine(cut.alpha, mm, size, flags=cv2.INTER_LINEAR)
    part = np.where(alpha > 0.5, PART_PALM, 0).astype(np.uint8)
    return Raster(int(x0), int(y0), color, alpha, part, alpha)
