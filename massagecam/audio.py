"""Optional sound cues for live practice: a chime when the step changes, a soft beat.

Off by default. massagecam adds no audio dependency: when the ``sounddevice`` package (and
its PortAudio library) happens to be importable and an output device exists, short tones
are played with it, without blocking; otherwise the terminal bell is rung on a terminal, and
failing that the cue is silently skipped. A missing or broken audio device is never an error.
"""

from __future__ import annotations

import math
import sys
from typing import Any, TextIO

import numpy as np

RATE = 22050


def _tone(freq: float, dur_s: float, volume: float) -> np.ndarray:
    n = int(RATE * dur_s)
    t = np.arange(n, dtype=np.float32) / RATE
    env = np.minimum(1.0, np.minimum(t / 0.005, (dur_s - t) / 0.03)).clip(0.0, 1.0)
    return (volume * env * np.sin(2 * math.pi * freq * t)).astype(np.float32)


def _sounddevice() -> Any:
    """The ``sounddevice`` module when it can play to a device, else None."""
    try:
        import sounddevice  # optional, never a dependency

        sounddevice.query_devices(kind="output")
        return sounddevice
    except Exception:  # ImportError, OSError (no PortAudio), PortAudioError (no device)
        return None


class AudioCues:
    """Plays cues through the best available backend.

    Args:
        enabled: False makes every call a no-op (the default in the CLI).
        beat: also tick at the step's rhythm.
        volume: 0..1 tone amplitude.
        stream: where the terminal bell goes (default stderr, only when it is a terminal).

    Attributes:
        backend: "sounddevice", "bell" or "none": what was chosen.
        played: number of cues played (chimes + beats), for the session stats.
    """

    def __init__(self, enabled: bool = False, beat: bool = False, volume: float = 0.3,
                 stream: TextIO | None = None) -> None:
        self.enabled, self.beat = enabled, beat
        self.volume = min(1.0, max(0.0, float(volume)))
        self._stream = stream if stream is not None else sys.stderr
        self._sd = _sounddevice() if enabled else None
        if not enabled:
            self.backend = "none"
        elif self._sd is not None:
            self.backend = "sounddevice"
        elif getattr(self._stream, "isatty", lambda: False)():
            self.backend = "bell"
        else:
            self.backend = "none"
        self.played = 0
        self._step: int | None = None
        self._beat_n: int | None = None
        self._chime = _tone(880.0, 0.18, self.volume)
        self._tick = _tone(1320.0, 0.04, self.volume * 0.5)

    def _play(self, samples: np.ndarray) -> None:
        if self.backend == "sounddevice":
            try:
                self._sd.play(samples, RATE, blocking=False)
            except Exception:  # device vanished mid-session: go quiet, never fail
                self.backend = "none"
                return
        elif self.backend == "bell":
            try:
                self._stream.write("\a")
                self._stream.flush()
            except (OSError, ValueError):
                self.backend = "none"
                return
        else:
            return
        self.played += 1

    def update(self, t: float, step_index: int | None, beat_hz: float | None = None) -> None:
        """Call once a frame: chimes when ``step_index`` changes, ticks on each beat."""
        if not self.enabled:
            return
        if step_index != self._step:
            if self._step is not None and step_index is not None:
                self._play(self._chime)
            self._step = step_index
        if self.beat and beat_hz:
            n = int(t * beat_hz)
            if self._beat_n is not None and n != self._beat_n:
                self._play(self._tick)
            self._beat_n = n
        else:
            self._beat_n = None
