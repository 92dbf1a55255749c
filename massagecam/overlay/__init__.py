"""The on-screen overlay: small annotators (style in the constructor, data in the call).

:func:`compose` draws a whole frame from a pipeline result; live practice and annotated
videos both use it so they look the same.
"""

from __future__ import annotations

from massagecam.overlay.compose import Guide, Overlay, View, compose, guide_from
from massagecam.overlay.guidance import (
    ArrowAnnotator,
    DwellRingAnnotator,
    PressAnnotator,
    RhythmAnnotator,
)
from massagecam.overlay.panels import (
    HelpAnnotator,
    MessageAnnotator,
    ScoreAnnotator,
    StatusAnnotator,
    StepInfo,
    StepPanelAnnotator,
)
from massagecam.overlay.skeleton import SkeletonAnnotator
from massagecam.overlay.style import OKABE_ITO, Palette
from massagecam.overlay.thumbs import ThumbAnnotator, thumb_lines
from massagecam.overlay.zones import ZonesAnnotator

__all__ = [
    "OKABE_ITO", "ArrowAnnotator", "DwellRingAnnotator", "Guide", "HelpAnnotator",
    "MessageAnnotator", "Overlay", "Palette", "PressAnnotator", "RhythmAnnotator",
    "ScoreAnnotator", "SkeletonAnnotator", "StatusAnnotator", "StepInfo", "StepPanelAnnotator",
    "ThumbAnnotator", "View", "ZonesAnnotator", "compose", "guide_from", "thumb_lines",
]
