"""Guided routines: the TOML format, its loader and the built-in routines.

See ``docs/routine-format.md`` for every field. The coach (:mod:`massagecam.coach`) walks a
:class:`Routine` step by step; :mod:`massagecam.scoring` scores what it recorded.
"""

from __future__ import annotations

from massagecam.routines.loader import builtin_routines, load_routine, parse_routine
from massagecam.routines.model import (
    COMPONENTS,
    DEFAULT_WEIGHTS,
    PRESSURES,
    RECEIVING,
    SIDES,
    STEP_HANDS,
    TECHNIQUES,
    Routine,
    Step,
    Weights,
)

__all__ = [
    "COMPONENTS", "DEFAULT_WEIGHTS", "PRESSURES", "RECEIVING", "SIDES", "STEP_HANDS",
    "TECHNIQUES", "Routine", "Step", "Weights", "builtin_routines", "load_routine",
    "parse_routine",
]
