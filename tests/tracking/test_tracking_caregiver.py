"""Caregiver-mode roles on landmark-level caregiver scenes (no model): the far-side receiver.

The scenes (``massagecam.render.caregiver``) put the receiver's hand upside down from the far
side and the caregiver's two hands from the near side. With a stated *left* receiver the
caregiver's left hand has the asked side too; in a support press it is also the still hand
that the other thumb works next to, so side votes and touch/stillness evidence alone named it
the receiver (0 % right on seeds 0 and 2 before ``tracking/caregiver.py``).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from massagecam.errors import ConfigError
from massagecam.hands import Hands, Role
from massagecam.render.caregiver import TECHNIQUES, CaregiverScene, caregiver_poses
from massagecam.tracking import RoleTracker


@functools.cache
def frames(technique: str, receiving: str, seed: int = 0, seconds: float = 3.0) -> list:
    return caregiver_poses(CaregiverScene(technique, seconds, seed=seed, receiving=receiving))


def _receiver_right(out: Hands, truth: np.ndarray) -> bool:
    r = out.index_of(Role.RECEIVER)
    return r is not None and float(np.abs(out.xy[r] - truth).mean()) < 10.0


def _rotated(h: Hands, wh: tuple[int, int]) -> Hands:
    """The same frame seen by a camera turned 90 degrees (the caregiver at the image's side)."""
    xy = h.xy.copy()
    xy[..., 0], xy[..., 1] = wh[1] - h.xy[..., 1], h.xy[..., 0]
    return h.replace(xy=xy, image_wh=(wh[1], wh[0]))


@pytest.mark.parametrize("technique", TECHNIQUES)
@pytest.mark.parametrize("receiving", ["Left", "Right"])
@pytest.mark.parametrize("stated", [True, False])
def test_far_side_receiver_named_and_kept(technique: str, receiving: str, stated: bool) -> None:
    tracker = RoleTracker(receiving=receiving.lower() if stated else "auto", mode="caregiver")
    ok = n = 0
    for f in frames(technique, receiving):
        out = tracker.update(f.hands())
        if f.t >= 0.3:
            n += 1
            ok += _receiver_right(out, f.receiver)
    assert ok >= 0.95 * n, f"receiver right in {ok}/{n} frames after 0.3 s"
    assert tracker.swaps == 0


@pytest.mark.parametrize("receiving", ["left", "auto"])
def test_two_caregiver_hands_alone_are_not_a_receiver(receiving: str) -> None:
    """The receiver unseen: the caregiver's two hands point the same way, neither receives."""
    tracker = RoleTracker(receiving=receiving, mode="caregiver")
    for f in frames("support_press", "Left"):
        out = tracker.update(f.hands(order=(1, 2)))
        assert out.index_of(Role.RECEIVER) is None, f"t={f.t:.2f}: a giving hand named receiver"


def test_lone_far_side_hand_of_the_stated_side_receives() -> None:
    tracker = RoleTracker(receiving="left", mode="caregiver")
    named = None
    for f in frames("two_thumb_spread", "Left"):
        out = tracker.update(f.hands(order=(0,)))
        if named is None and _receiver_right(out, f.receiver):
            named = f.t
    assert named is not None and named <= 0.5, f"lone receiver named at {named}"


def test_lone_caregiver_hand_of_the_stated_side_does_not_receive() -> None:
    """The caregiver's left hand alone (pointing in from the near side) is not the receiver."""
    tracker = RoleTracker(receiving="left", mode="caregiver")
    for f in frames("two_thumb_spread", "Left"):
        out = tracker.update(f.hands(order=(1,)))
        assert out.index_of(Role.RECEIVER) is None


@pytest.mark.parametrize("technique", TECHNIQUES)
def test_camera_at_the_side_three_hands(technique: str) -> None:
    """Turned 90 degrees the default near direction is wrong; the three hands' own axes rule."""
    tracker = RoleTracker(receiving="left", mode="caregiver")
    ok = n = 0
    for f in frames(technique, "Left", 1):
        out = tracker.update(_rotated(f.hands(), f.image_wh))
        truth = np.stack([f.image_wh[1] - f.receiver[:, 1], f.receiver[:, 0]], axis=1)
        if f.t >= 0.5:
            n += 1
            ok += _receiver_right(out, truth)
    assert ok >= 0.95 * n, f"receiver right in {ok}/{n} frames after 0.5 s"
    assert tracker.swaps == 0


def _turned(h: Hands, wh: tuple[int, int]) -> Hands:
    """The same frame seen by a camera facing the receiver (turned 180 degrees)."""
    return h.replace(xy=np.stack([wh[0] - h.xy[..., 0], wh[1] - h.xy[..., 1]], axis=-1))


@pytest.mark.parametrize(("caregiver_at", "order"),
                         [("top", (0, 2)), ("top", (0, 1)), ("top", (0, 1, 2)),
                          (None, (0, 1, 2))])
def test_camera_facing_the_receiver(caregiver_at: str | None, order: tuple[int, ...]) -> None:
    """Caregiver at the top: stated, the far side is right again for two hands; with no
    prior (None) three hands still name the receiver from their own axes."""
    for technique in TECHNIQUES:
        tracker = RoleTracker(receiving="auto", mode="caregiver", caregiver_at=caregiver_at)
        ok = n = 0
        for f in frames(technique, "Left"):
            out = tracker.update(_turned(f.hands(order=order), f.image_wh))
            truth = np.stack([f.image_wh[0] - f.receiver[:, 0],
                              f.image_wh[1] - f.receiver[:, 1]], axis=1)
            if f.t >= 0.5:
                n += 1
                ok += _receiver_right(out, truth)
        assert ok >= 0.95 * n, f"{technique}: receiver right in {ok}/{n} frames after 0.5 s"


def test_caregiver_at_checked() -> None:
    with pytest.raises(ConfigError, match="caregiver_at='front'"):
        RoleTracker(mode="caregiver", caregiver_at="front")


@pytest.mark.parametrize("receiving", ["auto", "switched"])
def test_receiver_switches_hands(receiving: str) -> None:
    """R1's "other hand" steps: all hands leave for 1.5 s, the receiver's right hand comes
    back instead of its left. It takes over the receiver's track (no free participant slot)
    and its side is settled afresh (auto), or restated by the session ("switched")."""
    tracker = RoleTracker(receiving="auto" if receiving == "auto" else "left", mode="caregiver")
    for f in frames("two_thumb_spread", "Left"):
        tracker.update(f.hands())
    t0 = 3.0
    for i in range(45):
        tracker.update(Hands.empty(frame_index=0, t=t0 + i / 30, image_wh=(960, 720)))
    if receiving == "switched":
        tracker.receiving = "right"
    ok = side_ok = n = 0
    for f in frames("two_thumb_spread", "Right", 5):
        out = tracker.update(f.hands().replace(t=f.t + t0 + 1.5))
        if f.t >= 0.5:
            n += 1
            ok += _receiver_right(out, f.receiver)
            r = out.index_of(Role.RECEIVER)
            side_ok += r is not None and str(out.handedness[r]) == "Right"
    assert ok >= 0.95 * n and side_ok >= 0.95 * n, (ok, side_ok, n)
    assert tracker.swaps == 0
