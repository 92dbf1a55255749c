"""Live practice with a webcam: the loop, its timing figures and saving the session.

``LiveSession(LiveConfig(...)).run()`` is what ``massagecam live`` calls.
"""

from __future__ import annotations

from massagecam.live.loop import KEYMAP, LiveConfig, LiveSession, LiveSummary
from massagecam.live.stats import LiveStats, TimedLandmarker, format_stats

__all__ = ["KEYMAP", "LiveConfig", "LiveSession", "LiveStats", "LiveSummary", "TimedLandmarker",
           "format_stats"]
