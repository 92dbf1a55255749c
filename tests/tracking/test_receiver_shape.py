"""The receiver's thumb and wrist are kept when a press in the thumb web drags them."""

from __future__ import annotations

import numpy as np
import pytest

from massagecam.errors import ConfigError
from massagecam.hands import Hands, Landmark, Role
from massagecam.synthetic import make_hand, make_hands
from massagecam.tracking.receiver_shape import SUSPECT, ReceiverShape

L = Landmark
PALM = 120.0


def _scene(receiver: np.ndarray, giver_tip: tuple[float, float] | None, i: int = 0,
           estimated: bool = False) -> Hands:
    giver = make_hand((420, 330), 110, 200, "Left", "palm")
    if giver_tip is not None:
        giver = giver + (np.asarray(giver_tip, np.float32) - giver[L.THUMB_TIP])
    hands = make_hands(receiver, giver, handedness=["Right", "Left"],
                       roles=[Role.RECEIVER, Role.GIVER], t=i / 30, frame_index=i)
    return hands.replace(track_id=np.arange(2), estimated=np.array([estimated, False]))


def _dragged(receiver: np.ndarray, onto: np.ndarray, k: float = 0.6) -> np.ndarray:
    """The receiver with its thumb chain pulled ``k`` of the way onto ``onto`` and its
    wrist shifted along (what the model does under a press in the thumb web)."""
    out = receiver.copy()
    for j in (L.THUMB_CMC, L.THUMB_MCP, L.THUMB_IP, L.THUMB_TIP):
        out[j] = out[j] + k * (onto - out[j]) * (0.4 + 0.2 * (j - L.THUMB_CMC))
    out[L.WRIST] = out[L.WRIST] + 0.2 * PALM * np.float32([0.6, -0.8])
    return out


def _web(receiver: np.ndarray) -> np.ndarray:
    """LI4: between the thumb's and index finger's knuckles."""
    return 0.5 * (receiver[L.THUMB_MCP] + receiver[L.INDEX_FINGER_MCP])


def test_a_press_that_drags_the_thumb_and_wrist_keeps_them_where_they_were() -> None:
    rec = make_hand((320, 240), PALM, 10, "Right", "back")
    web = _web(rec)
    guard = ReceiverShape()
    for i in range(5):  # the giver's thumb arrives at LI4
        out = guard.update(_scene(rec, tuple(web), i))
        assert np.allclose(out.xy[0], rec)
    bad = _dragged(rec, web)
    out = guard.update(_scene(bad, tuple(web), 5))
    assert np.abs(out.xy[0][SUSPECT] - rec[SUSPECT]).max() < 0.02 * PALM
    others = np.setdiff1d(np.arange(21), SUSPECT)
    assert np.array_equal(out.xy[0][others], bad[others])  # the fingers are the model's own
    assert np.array_equal(out.xy[1], _scene(bad, tuple(web)).xy[1])  # the giver untouched
    assert guard.kept == 1
    # the guard holds through a long press, following the hand as it turns a little
    turned = make_hand((330, 236), PALM * 1.05, 14, "Right", "back")
    out = guard.update(_scene(_dragged(turned, _web(turned)), tuple(_web(turned)), 6))
    assert np.abs(out.xy[0][SUSPECT] - turned[SUSPECT]).max() < 0.03 * PALM


def test_a_thumb_that_moves_with_no_giver_near_it_is_believed() -> None:
    rec = make_hand((320, 240), PALM, 10, "Right", "back")
    guard = ReceiverShape()
    guard.update(_scene(rec, (120.0, 420.0)))
    moved = _dragged(rec, rec[L.INDEX_FINGER_TIP])  # the receiver folds its own thumb
    out = guard.update(_scene(moved, (120.0, 420.0), 1))
    assert np.array_equal(out.xy[0], moved) and guard.kept == 0


def test_a_new_pose_of_the_whole_hand_is_believed() -> None:
    rec = make_hand((320, 240), PALM, 10, "Right", "back")
    web = tuple(_web(rec))
    guard = ReceiverShape()
    guard.update(_scene(rec, web))
    # the fingers spread wide: they no longer fit the trusted pose
    closed = make_hand((320, 240), PALM, 10, "Right", "back", spread=0.5)
    out = guard.update(_scene(_dragged(closed, np.asarray(web)), web, 1))
    assert guard.kept == 0 and np.array_equal(out.xy[0], _dragged(closed, np.asarray(web)))
    # the hand turns over: mirrored, no turn and scale fits it
    palm_up = make_hand((320, 240), PALM, 10, "Right", "palm")
    out = guard.update(_scene(palm_up, web, 2))
    assert guard.kept == 0 and np.array_equal(out.xy[0], palm_up)


def test_a_held_receiver_or_no_receiver_passes_unchanged() -> None:
    rec = make_hand((320, 240), PALM, 10, "Right", "back")
    web = tuple(_web(rec))
    guard = ReceiverShape()
    guard.update(_scene(rec, web))
    held = _scene(_dragged(rec, np.asarray(web)), web, 1, estimated=True)
    assert guard.update(held) is held
    alone = make_hands(make_hand(), roles=[Role.GIVER])
    assert guard.update(alone) is alone


@pytest.mark.parametrize(("field", "value"), [("jump_l", 0.0), ("fit_l", 2.0), ("near_l", 9.0)])
def test_configuration_names_the_value_and_the_range(field: str, value: float) -> None:
    with pytest.raises(ConfigError, match=field):
        ReceiverShape(**{field: value})


# --- caregiver mode: the wrist guessed under hands at work in the palm ------------------------

def _caregiver(receiver: np.ndarray, pad: tuple[float, float] | None, i: int) -> Hands:
    """The receiver and one caregiver hand, its thumb pad at ``pad`` (None: far below)."""
    giver = make_hand((320, 420), 110, 20, "Right", "back")
    at = np.asarray(pad if pad is not None else (320, 700), np.float32)
    giver = giver + (at - giver[L.THUMB_TIP])
    hands = make_hands(receiver, giver, handedness=["Left", "Right"],
                       roles=[Role.RECEIVER, Role.GIVER], t=i / 30, frame_index=i)
    return hands.replace(track_id=np.arange(2), estimated=np.array([False, False]))


def _short_palm(receiver: np.ndarray, k: float = 0.35) -> np.ndarray:
    """The receiver with its wrist and thumb pulled ``k`` palm lengths towards the knuckles
    (what the model does when a caregiver's thumbs cover the palm)."""
    out = receiver.copy()
    towards = receiver[L.MIDDLE_FINGER_MCP] - receiver[L.WRIST]
    towards = towards / np.linalg.norm(towards)
    for j in (L.WRIST, L.THUMB_CMC, L.THUMB_MCP, L.THUMB_IP, L.THUMB_TIP):
        out[j] = out[j] + k * PALM * towards
    return out


def test_caregiver_hands_in_the_palm_get_the_wrist_seen_before_they_came() -> None:
    rec = make_hand((320, 200), PALM, 180, "Left", "palm")
    centre = tuple(0.5 * (rec[L.WRIST] + rec[L.MIDDLE_FINGER_MCP]))
    guard = ReceiverShape(jump_l=0.1, rule="worked")
    for i in range(12):  # 0.4 s: the receiver alone, the caregiver's hand far away
        assert np.array_equal(guard.update(_caregiver(rec, None, i)).xy[0], rec)
    bad = _short_palm(rec)
    out = guard.update(_caregiver(bad, centre, 12))
    assert guard.kept == 1
    base = [L.WRIST, L.THUMB_CMC]
    assert np.abs(out.xy[0][base] - rec[base]).max() < 0.02 * PALM
    # the thumb's moving joints and the fingers stay the model's
    rest = np.setdiff1d(np.arange(21), base)
    assert np.array_equal(out.xy[0][rest], bad[rest])
    # while the hands stay, the trust does not move to the model's short palm
    for i in range(13, 40):
        out = guard.update(_caregiver(bad, centre, i))
    assert np.abs(out.xy[0][base] - rec[base]).max() < 0.02 * PALM


def test_a_receiver_first_seen_worked_on_or_seen_too_briefly_is_left_as_seen() -> None:
    rec = make_hand((320, 200), PALM, 180, "Left", "palm")
    centre = tuple(0.5 * (rec[L.WRIST] + rec[L.MIDDLE_FINGER_MCP]))
    bad = _short_palm(rec)
    first_worked = ReceiverShape(jump_l=0.1, rule="worked")
    for i in range(20):
        assert np.array_equal(first_worked.update(_caregiver(bad, centre, i)).xy[0], bad)
    # free for 0.2 s only (settle_s 0.3): a hand found before the hands on it were
    brief = ReceiverShape(jump_l=0.1, rule="worked")
    for i in range(6):
        brief.update(_caregiver(rec, None, i))
    assert np.array_equal(brief.update(_caregiver(bad, centre, 6)).xy[0], bad)
    assert first_worked.kept == brief.kept == 0


def test_the_caregiver_rule_is_checked_at_construction() -> None:
    with pytest.raises(ConfigError, match="rule='pressed'"):
        ReceiverShape(rule="pressed")
    with pytest.raises(ConfigError, match="settle_s=-1"):
        ReceiverShape(rule="worked", settle_s=-1)


def test_a_caregiver_receiver_that_leaps_is_held_where_it_was_until_seen_back() -> None:
    rec = make_hand((320, 200), PALM, 180, "Left", "palm")
    far = rec + np.float32([0.6 * PALM, 0.3 * PALM])  # slid onto a caregiver's hand
    guard = ReceiverShape(jump_l=0.1, rule="worked")
    for i in range(5):
        guard.update(_caregiver(rec, None, i))
    for i in range(5, 9):  # the model's row leaps, then the tracker holds the leapt pose
        h = _caregiver(far, None, i)
        if i >= 7:
            h = h.replace(estimated=np.array([True, False]))
        out = guard.update(h)
        assert np.allclose(out.xy[0], rec) and bool(out.estimated[0])
    out = guard.update(_caregiver(rec + 2.0, None, 9))  # seen back near where it was
    assert not bool(out.estimated[0]) and np.allclose(out.xy[0], rec + 2.0)
    assert guard.held_frames == 4


def test_a_caregiver_receiver_that_really_moved_is_taken_after_the_hold() -> None:
    rec = make_hand((320, 200), PALM, 180, "Left", "palm")
    moved = rec + np.float32([1.0 * PALM, 0.0])
    guard = ReceiverShape(jump_l=0.1, rule="worked", hold_s=0.52)
    for i in range(5):
        guard.update(_caregiver(rec, None, i))
    held = [bool(guard.update(_caregiver(moved, None, i)).estimated[0]) for i in range(5, 30)]
    assert held[0] and not held[-1]
    assert sum(held) == 16  # held 0 to 0.5 s after the leap (30 fps), then the new place
    # self mode has no such hold: the dragged-thumb rule leaves whole-hand moves alone
    own = ReceiverShape()
    own.update(_caregiver(rec, None, 0))
    assert not bool(own.update(_caregiver(moved, None, 1)).estimated[0])
