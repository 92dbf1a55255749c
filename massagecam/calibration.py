"""Per-user pressure calibration: what this user's light and firm presses look like on camera.

A webcam cannot measure force. What it can see is how a thumb changes shape when it presses
harder: the tip joint flexes more, the last phalanx points further into the other hand (it looks
shorter) and the pad sinks behind the thumb's knuckle. :func:`press_index` folds these cues into
one number. ``massagecam calibrate`` records a light and a firm press of the same user and stores
the index of each in ``paths.data_dir()/calibration.json``; from then on a press is reported as
light, moderate or firm relative to the two. Without that file pressure stays UNKNOWN: the
cues differ too much between people (thumb shape, camera angle) for a fixed scale.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from massagecam import paths
from massagecam.errors import DataFileError
from massagecam.results import Pressure

if TYPE_CHECKING:
    from massagecam.contact import ContactDetector
    from massagecam.hands import Hands

FILE_NAME = "calibration.json"
VERSION = 1


def press_index(flex_deg: float, distal_ratio: float, depth_l: float) -> float:
    """One number that grows with a harder press (unitless, about 0 light .. 2 firm).

    Args:
        flex_deg: flexion of the pad's joint in the image (thumb IP), degrees.
        distal_ratio: image length of the last phalanx over the one before, relative to an
            open hand (1 = unbent; a pressing tip points into the scene and looks shorter).
        depth_l: pad depth behind the finger's knuckle, in the giver's palm lengths.
    """
    return (flex_deg - 20.0) / 20.0 + (0.85 - distal_ratio) / 0.2 + (depth_l - 0.05) / 0.08


@dataclass(frozen=True)
class Calibration:
    """The press index of one user's light and firm press.

    Attributes:
        light: median press index while pressing lightly.
        firm: median press index while pressing firmly (must exceed ``light``).
        created: UNIX time of the recording.
        source: what was recorded (camera index or video path).
        frames: how many contact frames each phase contributed (light, firm).
    """

    light: float
    firm: float
    created: float = 0.0
    source: str = ""
    frames: tuple[int, int] = (0, 0)

    def level(self, index: float) -> Pressure:
        """Light below the lower third between the two presses, firm above the upper third."""
        span = self.firm - self.light
        if index < self.light + span / 3.0:
            return Pressure.LIGHT
        if index > self.light + 2.0 * span / 3.0:
            return Pressure.FIRM
        return Pressure.MODERATE


def from_samples(light: Iterable[float], firm: Iterable[float], *, source: str = "",
                 min_frames: int = 5) -> Calibration:
    """Build a calibration from the press indices of the light and the firm phase.

    Raises:
        DataFileError: when a phase has too few contact frames or firm is not above light
            (the user did not press harder, or no press was seen).
    """
    lo = np.asarray(list(light), float)
    hi = np.asarray(list(firm), float)
    where = source or "calibration"
    for name, arr in (("light", lo), ("firm", hi)):
        if arr.size < min_frames:
            raise DataFileError(where, f"only {arr.size} contact frames in the {name} phase, "
                                f"need >= {min_frames}: press with the thumb on the other hand")
    cal = Calibration(float(np.median(lo)), float(np.median(hi)), time.time(), source,
                      (int(lo.size), int(hi.size)))
    if not cal.firm > cal.light + 0.1:
        raise DataFileError(where, f"the firm press (index {cal.firm:.2f}) is not clearly "
                            f"above the light one ({cal.light:.2f}): press harder in phase 2")
    return cal


def default_path() -> Path:
    """``paths.data_dir()/calibration.json``."""
    return paths.data_dir() / FILE_NAME


def save(cal: Calibration, path: Path | None = None) -> Path:
    """Write the calibration as JSON (creating the data folder); returns the path."""
    target = Path(path) if path else default_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    data = {"version": VERSION, **asdict(cal)}
    target.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return target


def load(path: Path | None = None) -> Calibration | None:
    """The stored calibration, or None when there is none.

    Raises:
        DataFileError: the file exists but is not a valid calibration.
    """
    target = Path(path) if path else default_path()
    if not target.exists():
        return None
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataFileError(target, f"not readable JSON ({exc})") from None
    if not isinstance(data, dict):
        raise DataFileError(target, "expected a JSON object")
    for key in ("light", "firm"):
        value = data.get(key)
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            raise DataFileError(target, f"expected a number, got {value!r}", field=key)
    if not data["firm"] > data["light"]:
        raise DataFileError(target, f"firm ({data['firm']}) must exceed light ({data['light']})",
                            field="firm")
    frames = data.get("frames", [0, 0])
    return Calibration(float(data["light"]), float(data["firm"]), float(data.get("created", 0)),
                       str(data.get("source", "")), (int(frames[0]), int(frames[1])))


def collect(frames: Iterable[Hands], seconds: float,
            detector: ContactDetector | None = None) -> tuple[list[float], list[float]]:
    """Press indices of the contact frames of the light phase and of the firm phase.

    The first ``seconds`` after the first frame are the light press, the next ``seconds`` the
    firm one; later frames are ignored. Frames need tracked roles (a RECEIVER and a GIVER).
    """
    from massagecam.contact import ContactDetector

    det = detector or ContactDetector()
    light: list[float] = []
    firm: list[float] = []
    t0: float | None = None
    for hands in frames:
        t0 = hands.t if t0 is None else t0
        phase = int((hands.t - t0) // seconds)
        if phase > 1:
            break
        for c in det.update(hands):
            if c.in_contact and c.finger == "thumb":
                (light if phase == 0 else firm).append(
                    press_index(*det.press_features(c.giver_track, c.finger)))
    return light, firm
