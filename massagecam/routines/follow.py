"""Has the user moved on to the next step by themselves? The evidence window of the coach.

Where the thumb is reads steadily from the landmarks; whether it presses flickers on model
landmarks. So the coach follows a user to the next step when, over a recent window, the thumb
was over the next step's target (and not the current one's) most of the time and pressed there
part of the time. A rule that needed an unbroken press never fired on rendered video, and a
stalled coach judged every later step against the wrong target.
"""

from __future__ import annotations

from collections import deque

#: Share of the window the thumb must spend over the next step's target, and share of the
#: window's frames it must press there, for the coach to move on.
FOLLOW_PLACE_SHARE, FOLLOW_PRESS_SHARE = 0.8, 0.3


class FollowWindow:
    """The last ``length_s`` of (over the next target, pressing on it) frame by frame."""

    def __init__(self, length_s: float) -> None:
        self.length_s = length_s
        self._win: deque[tuple[float, float, bool, bool]] = deque()

    def clear(self) -> None:
        """Forget the evidence (a new step)."""
        self._win.clear()

    def update(self, t: float, dt: float, there: bool, pressing_there: bool,
               need_s: float) -> bool:
        """Add one frame; True when the last ``need_s`` (<= ``length_s``) says "moved on".

        ``dt`` is the time since the previous frame (each frame stands for it).
        """
        win = self._win
        win.append((t, dt, there, there and pressing_there))
        while win and win[0][0] <= t - self.length_s:
            win.popleft()
        recent = [w for w in win if w[0] > t - need_s]
        span = sum(w[1] for w in recent)
        return (bool(recent) and recent[-1][2]
                and sum(w[1] for w in recent if w[2]) >= FOLLOW_PLACE_SHARE * need_s
                and sum(w[1] for w in recent if w[3]) >= FOLLOW_PRESS_SHARE * span)
