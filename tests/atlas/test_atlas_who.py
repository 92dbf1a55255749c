"""Each [S] acupoint lands within its tolerance of its published description.

The expectations below are written independently of the atlas formulas: each one restates
the source's description in the hand's own frame (x distal from the wrist landmark, y towards
the thumb, unit = palm length L) with simple anatomical proportions, on the template hand
(a real open right palm measured with MediaPipe). Proportions used [D]:
- the metacarpal bases lie about 0.3 L distal of the wrist landmark; the 2nd metacarpal base
  about 0.12 L radial of the palm axis;
- wrist breadth about 0.6 L (5.7 cm for a 95 mm palm), so the crease ends lie 0.3 L either
  side of the wrist landmark, the radial artery and the FCU tendon about 1 cm (0.1 L) inside;
- 1 B-cun on the forearm = 1/12 of wrist-elbow (about 25 cm) = 0.22 L;
- 0.5 cun about 0.12 L.
"""

from __future__ import annotations

import numpy as np
import pytest

from massagecam.atlas import load_atlas
from massagecam.atlas.geometry import hand_basis
from massagecam.hands import Landmark as Lm
from massagecam.synthetic import make_hand

ATLAS = load_atlas()
BASE = make_hand(palm_px=200.0).astype(np.float64)  # right palm; the back is its mirror


def frame(p: np.ndarray) -> np.ndarray:
    hb = hand_basis(BASE)
    rel = p - BASE[0]
    return np.array([rel @ hb.distal, rel @ hb.radial]) / hb.length


T = {lm: frame(BASE[lm]) for lm in Lm}


def mid(*lms: Lm) -> np.ndarray:
    return np.mean([T[m] for m in lms], axis=0)


def _li4() -> np.ndarray:
    base2 = np.array([0.3, 0.12])  # 2nd metacarpal base
    shaft_mid = (T[Lm.INDEX_FINGER_MCP] + base2) / 2
    return shaft_mid + np.array([0.0, 0.08])  # radial to the bone, in the first web


def _lu10() -> np.ndarray:
    a, b = T[Lm.THUMB_CMC], T[Lm.THUMB_MCP]
    n = np.array([-(b - a)[1], (b - a)[0]])
    n /= np.linalg.norm(n)
    if n @ (T[Lm.INDEX_FINGER_MCP] - a) > 0:
        n = -n  # away from the palm: the radial (red-white) border
    return (a + b) / 2 + 0.06 * n


EXPECTED: dict[str, list[np.ndarray]] = {
    # WHO: dorsum, radial to the midpoint of the 2nd metacarpal
    "LI4": [_li4()],
    # WHO: depression radial and proximal to the 2nd MCP joint
    "LI3": [T[Lm.INDEX_FINGER_MCP] + np.array([-0.1, 0.08])],
    # WHO: radial end of the dorsal wrist crease (snuffbox)
    "LI5": [np.array([0.0, 0.3])],
    # WHO: between 4th and 5th metacarpals, proximal to the 4th MCP
    "TE3": [mid(Lm.RING_FINGER_MCP, Lm.PINKY_MCP) + np.array([-0.15, 0.0])],
    # WHO: dorsal wrist crease, ulnar to the extensor digitorum tendon (near the midline)
    "TE4": [np.array([0.0, -0.08])],
    # WHO: proximal to the ulnar side of the 5th MCP, red-white border
    "SI3": [T[Lm.PINKY_MCP] + np.array([-0.1, -0.1])],
    # Hempen: between 2nd and 3rd metacarpals, 0.5 cun proximal to the MCPs
    "EX-UE8": [mid(Lm.INDEX_FINGER_MCP, Lm.MIDDLE_FINGER_MCP) + np.array([-0.12, 0.0])],
    # shaft-base junction between 2nd/3rd and 4th/5th metacarpals (bases at ~0.3 L)
    "EX-UE7": [np.array([0.38, mid(Lm.INDEX_FINGER_MCP, Lm.MIDDLE_FINGER_MCP)[1] * 0.5]),
               np.array([0.38, mid(Lm.RING_FINGER_MCP, Lm.PINKY_MCP)[1] * 0.5])],
    # four web margins, just proximal to the web edge
    "EX-UE9": [mid(Lm.THUMB_MCP, Lm.INDEX_FINGER_MCP),
               mid(Lm.INDEX_FINGER_MCP, Lm.MIDDLE_FINGER_MCP) + np.array([0.05, 0.0]),
               mid(Lm.MIDDLE_FINGER_MCP, Lm.RING_FINGER_MCP) + np.array([0.05, 0.0]),
               mid(Lm.RING_FINGER_MCP, Lm.PINKY_MCP) + np.array([0.05, 0.0])],
    # WHO: between 2nd/3rd metacarpals proximal to the MCPs (middle fingertip in a fist)
    "PC8": [mid(Lm.INDEX_FINGER_MCP, Lm.MIDDLE_FINGER_MCP) + np.array([-0.25, 0.0])],
    # WHO: between 4th/5th metacarpals proximal to the 5th MCP, level with PC8
    "HT8": [mid(Lm.RING_FINGER_MCP, Lm.PINKY_MCP) + np.array([-0.25, 0.0])],
    # WHO: radial to the midpoint of the 1st metacarpal, red-white border
    "LU10": [_lu10()],
    # WHO: middle of the palmar wrist crease
    "PC7": [np.array([0.0, 0.0])],
    # WHO: palmar wrist crease, radial to the FCU tendon (ulnar side)
    "HT7": [np.array([0.0, -0.2])],
    # WHO: radial side of the palmar crease over the radial artery
    "LU9": [np.array([0.0, 0.2])],
    # WHO: 2 B-cun proximal to the palmar wrist crease, between PL and FCR
    "PC6": [np.array([-0.44, 0.0])],
}


def test_every_s_point_has_an_expectation() -> None:
    strong = {e.id for e in ATLAS.entries if e.kind == "point" and e.strength == "S"}
    assert strong == set(EXPECTED)


@pytest.mark.parametrize("pid", sorted(EXPECTED))
def test_s_acupoint_within_tolerance_of_description(pid: str) -> None:
    entry = ATLAS.by_id[pid]
    side = "back" if entry.side == "back" else "palm"
    shapes = ATLAS.shapes(BASE, "Right", "unknown")[pid]
    got = [frame(s.points[0]) for s in shapes]
    want = EXPECTED[pid]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        d = float(np.linalg.norm(g - w))
        assert d <= entry.radius_l, f"{pid} ({side}): {d:.3f} L from its description"
