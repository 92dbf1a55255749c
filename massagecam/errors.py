"""The project's exceptions.

Every error a user can cause (bad path, corrupt video, absent camera, wrong model file, malformed
routine or atlas) is a :class:`MassagecamError` whose message is one sentence naming the thing
that is wrong and what was expected. The CLI prints that sentence and exits with code 2; nothing
else should reach the user as a traceback.
"""

from __future__ import annotations

import math
from typing import Any


class MassagecamError(Exception):
    """Base class: a problem the user can fix, described in one line."""

    exit_code = 2


class CaptureError(MassagecamError):
    """A video source cannot be opened or read (missing, corrupt, empty, absent camera)."""


class ModelError(MassagecamError):
    """The landmark model file is missing, fails its checksum or cannot be loaded."""


class DataFileError(MassagecamError):
    """A data file (atlas, routine, session script) is malformed.

    The message names the file, the line when known, the entry and the field.
    """

    def __init__(self, path: object, message: str, *, line: int | None = None,
                 entry: str | None = None, field: str | None = None) -> None:
        where = str(path) + (f":{line}" if line else "")
        parts = [p for p in (f"entry {entry!r}" if entry else None,
                             f"field {field!r}" if field else None) if p]
        super().__init__(f"{where}: {', '.join(parts) + ': ' if parts else ''}{message}")
        self.path, self.line, self.entry, self.field = path, line, entry, field


class AtlasError(DataFileError):
    """The atlas data file is malformed."""


class RoutineError(DataFileError):
    """A routine file is malformed."""


class ScriptError(DataFileError):
    """A session script (renderer input) is malformed."""


class ConfigError(MassagecamError, ValueError):
    """A configuration value is out of its allowed range (names the value and the range)."""


def check_range(name: str, value: Any, low: float, high: float, *, low_open: bool = True) -> float:
    """``value`` as a finite float in ``(low, high]`` (``[low, high]`` with ``low_open=False``).

    Raises :class:`ConfigError` naming the setting, the value given and the allowed range.
    """
    bounds = f"{'(' if low_open else '['}{low:g}, {high:g}]"
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}={value!r}: expected a number in {bounds}") from None
    if not (math.isfinite(v) and (v > low if low_open else v >= low) and v <= high):
        raise ConfigError(f"{name}={value!r}: expected a number in {bounds}")
    return v
