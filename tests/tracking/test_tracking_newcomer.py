"""A newcomer appearing where a held hand vanished is not that hand coming back."""

from massagecam.hands import Role
from massagecam.synthetic import make_hand, make_hands
from massagecam.tracking import RoleTracker


def _frame(k, *hands):
    xy = [h for h, _ in hands]
    labels = [lab for _, lab in hands]
    return make_hands(*xy, handedness=labels, frame_index=k, t=k / 30.0)


def test_other_hand_entering_while_receiver_is_lost_gets_its_own_track():
    # The receiving right hand is seen alone, then lost for 4 frames (dim light); the left hand
    # enters right beside where it vanished, then the receiver is found again. Measured on a
    # rendered session (skin VI, dim light) where the newcomer used to inherit the receiver's
    # track, so the roles stayed swapped for 4 s.
    receiver = make_hand((300, 260), 130, 10, "Right", "back")
    giver = make_hand((330, 250), 130, -30, "Left", "back", curl=0.3)
    tracker = RoleTracker(receiving="right")
    k = 0
    for _ in range(14):
        tracker.update(_frame(k, (receiver, "Right")))
        k += 1
    for _ in range(4):
        tracker.update(_frame(k))
        k += 1
    out = tracker.update(_frame(k, (giver, "Left")))
    k += 1
    g = out.index_of(Role.GIVER)
    r = out.index_of(Role.RECEIVER)
    assert r is not None and bool(out.estimated[r]), "the lost receiver must still be held"
    assert g is not None and not bool(out.estimated[g])
    assert abs(out.xy[g] - giver).max() < 1.0
    for _ in range(10):
        out = tracker.update(_frame(k, (giver, "Left"), (receiver, "Right")))
        k += 1
    r = out.index_of(Role.RECEIVER)
    assert r is not None and abs(out.xy[r] - receiver).mean() < 3.0
    assert tracker.swaps == 0
