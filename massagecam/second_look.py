"""Is a second-look candidate a new hand, or the lone hand seen again?

Pure geometry on (21, 2) landmark arrays, kept apart from the MediaPipe adapter
(:mod:`massagecam.landmarker`) so it can be read and tested without the model.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from massagecam.hands import NUM_LANDMARKS


def shared_joints(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> int:
    """How many joints of ``a`` lie within 15 % of ``b``'s size of the same joint of ``b``."""
    size = max(float(np.max(b.max(0) - b.min(0))), 1.0)
    return int(np.count_nonzero(np.linalg.norm(a - b, axis=1) < 0.15 * size))


#: A second-look candidate whose box lies more than this share inside the lone hand's box is
#: rejected (see ``_inside_share``). Measured: the true partner in two_thumbs_up.jpg 0.76; the
#: phantoms on thumb_up_720p.mp4 and on a rendered lone receiver 1.0 (3 cases: a guess).
PHANTOM_INSIDE = 0.9


def inside_share(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> float:
    """Share of ``a``'s box that lies inside ``b``'s box.

    A second-look candidate mostly inside the lone hand's box is taken as a phantom drawn on
    that hand's own fingers (seen on a rendered session once the giver had left), not a partner.
    """
    lo, hi = np.maximum(a.min(0), b.min(0)), np.minimum(a.max(0), b.max(0))
    inter = float(np.prod(np.clip(hi - lo, 0.0, None)))
    area = float(np.prod(a.max(0) - a.min(0)))
    return inter / area if area > 0 else 1.0


def same_hand(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> bool:
    """True when two landmark sets are probably one hand seen twice.

    Duplicates either share most joints (over half within 15 % of the hand's size) or, for a
    foreshortened hand posed two ways, mostly share its box (IoU > 0.45). Measured here: the
    two duplicates the second look produced on thumb_up_720p.mp4 had IoU 0.46 and 0.80; the
    true partner in two_thumbs_up.jpg (8 scales/flips) had IoU 0.26-0.41 and 2-10 shared
    joints. A small sample: the thresholds are a reasoned guess, not a fit.
    """
    if shared_joints(a, b) > NUM_LANDMARKS // 2:
        return True
    lo, hi = np.maximum(a.min(0), b.min(0)), np.minimum(a.max(0), b.max(0))
    inter = float(np.prod(np.clip(hi - lo, 0.0, None)))
    union = float(np.prod(a.max(0) - a.min(0))) + float(np.prod(b.max(0) - b.min(0))) - inter
    return union > 0 and inter / union > 0.45


#: A square crop to search: centre x, centre y, side (pixels).
Crop = tuple[float, float, float]


def crop_ring(found: npt.NDArray[np.float32], scale: float) -> list[Crop]:
    """The crops a second look goes round, near the lone hand ``found`` (21, 2) pixels.

    Beside it on each side in turn (1.5 box sides, centred 0.6 box sides off its centre),
    then centred on it (``scale`` box sides), so successive looks cover all sides while each
    stays cheap. (On two_thumbs_up.jpg the centred crop never found the partner at any scale;
    side crops did, and a crop centred on the lone hand tends to re-find it.)
    """
    lo, hi = found.min(axis=0), found.max(axis=0)
    s = float(max(hi - lo))
    cx, cy = (lo + hi) / 2.0
    ring: list[Crop] = [(float(cx + dx * s * 0.6), float(cy + dy * s * 0.6), s * 1.5)
                        for dx, dy in ((-1, 0), (0, -1), (1, 0), (0, 1))]
    ring.append((float(cx), float(cy), s * scale))
    return ring
