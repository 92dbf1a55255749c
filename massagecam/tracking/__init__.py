"""Hand tracking: stable identities, giver/receiver roles, holding through occlusion, smoothing.

Public API: :class:`RoleTracker` (``update(hands, image=None) -> Hands``), :class:`OneEuroFilter`
and :class:`SmoothingConfig`. How it works and how the filter was tuned: docs/tracking.md.
"""

from __future__ import annotations

from massagecam.tracking.roles import RoleTracker
from massagecam.tracking.smoothing import OneEuroFilter, SmoothingConfig, skeleton_pool

__all__ = ["OneEuroFilter", "RoleTracker", "SmoothingConfig", "skeleton_pool"]
