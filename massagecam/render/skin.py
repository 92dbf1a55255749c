"""Skin colours of the six Fitzpatrick types, for the back of the hand, the palm and the nails.

Why separate palm colours: palms carry little melanin, so on darker skin types the palm is
much lighter and pinker than the back; a renderer that paints both faces the same colour makes
darker hands look unlike any real hand and tells palm from back by creases alone. The values
are eyeballed sRGB averages of dorsal and palmar skin per type (no measured source), stored BGR.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from massagecam.errors import ConfigError

#: Fitzpatrick types in order.
TONES = ("I", "II", "III", "IV", "V", "VI")

# RGB of the back of the hand per type.
_BACK_RGB = {
    "I": (240, 208, 188), "II": (226, 184, 155), "III": (200, 152, 116),
    "IV": (168, 116, 80), "V": (120, 80, 54), "VI": (78, 52, 38),
}
_PALM_PINK_RGB = (232, 168, 148)
#: How far the palm moves from the back colour towards a pink palmar tone, per type.
_PALM_MIX = {"I": 0.45, "II": 0.45, "III": 0.45, "IV": 0.45, "V": 0.52, "VI": 0.55}


@dataclass(frozen=True)
class Skin:
    """Colours (BGR float 0..255) of one hand."""

    tone: str
    back: np.ndarray
    palm: np.ndarray
    nail: np.ndarray

    def face(self, side: str) -> np.ndarray:
        """Colour of the face that looks at the camera ("palm" or "back")."""
        return self.palm if side == "palm" else self.back


def skin(tone: str, *, jitter: float = 0.0, rng: np.random.Generator | None = None) -> Skin:
    """The colours of Fitzpatrick type ``tone`` ("I".."VI"), optionally jittered per person.

    Raises:
        ConfigError: for an unknown type.
    """
    if tone not in _BACK_RGB:
        raise ConfigError(f"skin tone {tone!r} is not a Fitzpatrick type; expected one of "
                          f"{', '.join(TONES)}")
    back = np.array(_BACK_RGB[tone][::-1], np.float32)
    if jitter and rng is not None:
        back = np.clip(back * (1.0 + rng.uniform(-jitter, jitter, 3)), 0, 255)
    pink = np.array(_PALM_PINK_RGB[::-1], np.float32)
    k = _PALM_MIX[tone]
    palm = (1 - k) * back + k * pink
    nail = 0.35 * back + 0.65 * np.array((165, 170, 232), np.float32)
    return Skin(tone, back.astype(np.float32), palm.astype(np.float32), nail.astype(np.float32))
