"""The hand atlas: reflexology zones and acupressure points on the receiving hand.

Zones and points are data (``atlas.toml``) defined on the 21 landmarks by name, so they move
with the hand: any rotation, scale, finger spread, either hand, palm or back. Public API:

- :func:`load_atlas` -> :class:`Atlas` with ``entries``, ``locate``, ``shapes``,
  ``to_canonical``;
- :class:`SideDetector` / :func:`detect_side` / :func:`palm_score`: palm or back;
- :func:`to_canonical`, :func:`canonical_to_image`, :func:`draw_canonical`: the canonical
  hand for diagrams and session heatmaps; :func:`draw_atlas` paints zones on a frame.
"""

from __future__ import annotations

from massagecam.atlas.canonical import canonical_landmarks, canonical_to_image, to_canonical
from massagecam.atlas.draw import draw_atlas, draw_canonical, draw_hand_outline
from massagecam.atlas.loader import Entry
from massagecam.atlas.locate import Atlas, Shape, load_atlas
from massagecam.atlas.side import SideDetector, detect_side, palm_score

__all__ = [
    "Atlas", "Entry", "Shape", "SideDetector", "canonical_landmarks", "canonical_to_image",
    "detect_side", "draw_atlas", "draw_canonical", "draw_hand_outline", "load_atlas",
    "palm_score", "to_canonical",
]
