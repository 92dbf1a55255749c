"""Short hints for the user about the scene: show both hands, a third hand, move closer, light.

They are not errors: the pipeline goes on, and the overlay shows them. Each is debounced (on
after 0.3 s of evidence, off after 0.6 s without) so an overlay does not flicker.
"""

from __future__ import annotations

import numpy as np

from massagecam.errors import ConfigError
from massagecam.hands import Hands, Role, palm_length

HINT_BOTH_HANDS = "show both hands"
HINT_THIRD_HAND = "a third hand is in view — ignored"
HINT_CLOSER = "move closer"
HINT_LIGHT = "more light"


def grey_image(level: float) -> np.ndarray:
    """A 1×1 image whose subsampled mean is ``level``: all the light hint reads of a frame.

    Used where frames are kept or sent on without their pictures (segments, the pre-roll).
    """
    return np.full((1, 1, 1), level, dtype=np.float64)


def grey_level(image: np.ndarray | None) -> np.ndarray | None:
    """:func:`grey_image` of ``image``'s light level as the hint samples it (None: no image)."""
    if image is None or not image.size:
        return None
    return grey_image(float(image[::8, ::8].mean()))


class _Debounce:
    """A flag that turns on after ``on_s`` of evidence and off after ``off_s`` without."""

    def __init__(self, on_s: float, off_s: float) -> None:
        self.on_s, self.off_s = on_s, off_s
        self.state = False
        self._since: float | None = None

    def update(self, raw: bool, t: float) -> bool:
        if raw == self.state:
            self._since = None
            return self.state
        if self._since is None:
            self._since = t
        if t - self._since >= (self.on_s if raw else self.off_s):
            self.state, self._since = raw, None
        return self.state


class SceneHints:
    """The hints that hold for a frame.

    Args:
        min_palm_frac: "move closer" when the receiving palm (wrist to middle knuckle) is
            shorter than this share of the image height.
        dark_level: "more light" when the mean grey level (0..255) stays below this.
    """

    def __init__(self, min_palm_frac: float = 0.08, dark_level: float = 45.0) -> None:
        if not 0.0 <= min_palm_frac < 1.0:
            raise ConfigError(f"min_palm_frac={min_palm_frac}: expected 0 <= value < 1")
        if not 0.0 <= dark_level <= 255.0:
            raise ConfigError(f"dark_level={dark_level}: expected 0..255")
        self.min_palm_frac, self.dark_level = min_palm_frac, dark_level
        self._flags = {h: _Debounce(0.3, 0.6)
                       for h in (HINT_BOTH_HANDS, HINT_THIRD_HAND, HINT_CLOSER, HINT_LIGHT)}
        self._brightness: float | None = None
        self._frames = 0

    def update(self, hands: Hands, image: np.ndarray | None,
               rec: int | None) -> tuple[str, ...]:
        """The hints for tracked ``hands`` (``rec``: the receiver's row) and the frame's image."""
        t = hands.t
        roles = hands.role
        both = rec is not None and bool((roles == int(Role.GIVER)).any())
        third = bool((roles == int(Role.IGNORED)).any())
        small = False
        if rec is not None and hands.image_wh[1] > 0:
            palm = float(palm_length(hands.xy[rec]))
            small = palm < self.min_palm_frac * hands.image_wh[1]
        dark = False
        if image is not None and image.size:
            # Light changes slowly: sample every 4th frame, 1/8 subsample (~5000 pixels).
            self._frames += 1
            if self._brightness is None or self._frames % 4 == 0:
                level = float(image[::8, ::8].mean())
                self._brightness = level if self._brightness is None else (
                    0.7 * self._brightness + 0.3 * level)
            dark = self._brightness < self.dark_level
        raw = {HINT_BOTH_HANDS: not both, HINT_THIRD_HAND: third, HINT_CLOSER: small,
               HINT_LIGHT: dark}
        return tuple(h for h, flag in self._flags.items() if flag.update(raw[h], t))
