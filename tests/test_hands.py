import numpy as np
import pytest

from massagecam.hands import Hands, Landmark, Role, palm_frame, palm_length, to_palm_frame
from massagecam.synthetic import make_hand, make_hands


def test_empty_is_valid_and_has_no_rows():
    h = Hands.empty(frame_index=3, t=0.1, image_wh=(640, 480))
    assert len(h) == 0
    assert h.receiver is None and h.giver is None
    assert h.frame_index == 3 and h.image_wh == (640, 480)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("xy", np.zeros((1, 20, 2), np.float32), "Hands.xy: expected shape (n, 21, 2)"),
        ("z", np.zeros((2, 21), np.float32), "Hands.z: expected shape (1, 21)"),
        ("handedness", np.array(["Up"]), "expected 'Left' or 'Right'"),
        ("estimated", np.zeros(1, np.float32), "Hands.estimated: expected dtype kind"),
    ],
)
def test_validation_names_field_and_shapes(field, value, message):
    good = Hands.from_arrays(np.zeros((1, 21, 2)))
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        good.replace(**{field: value})


def test_indexing_by_mask_and_role_lookup():
    a, b = make_hand(center=(200, 240)), make_hand(center=(440, 240), handedness="Left")
    h = make_hands(a, b, handedness=["Right", "Left"], roles=[Role.GIVER, Role.RECEIVER])
    assert len(h[h.role == Role.RECEIVER]) == 1
    np.testing.assert_allclose(h.receiver, b)
    np.testing.assert_allclose(h.giver, a)
    assert h.index_of(Role.IGNORED) is None
    assert h[1].handedness.tolist() == ["Left"]


def test_frozen():
    h = Hands.empty()
    with pytest.raises(AttributeError):
        h.t = 1.0  # type: ignore[misc]


@pytest.mark.parametrize("angle", [0, 45, 130, 270])
@pytest.mark.parametrize("hand, side", [("Right", "palm"), ("Left", "palm"), ("Right", "back")])
def test_palm_frame_is_pose_invariant(angle, hand, side):
    ref = make_hand(palm_px=100, handedness="Right", side="palm")
    posed = make_hand(center=(123, 321), palm_px=173, angle_deg=angle, handedness=hand, side=side)
    # the index MCP sits distal and radial in every pose
    for pose in (ref, posed):
        local = to_palm_frame(pose[Landmark.INDEX_FINGER_MCP], pose)
        assert local[0] > 0.8 and local[1] > 0.1
    np.testing.assert_allclose(to_palm_frame(posed, posed), to_palm_frame(ref, ref), atol=1e-4)
    assert palm_length(posed) == pytest.approx(173, rel=1e-4)
    _, axes, _ = palm_frame(posed)
    np.testing.assert_allclose(axes @ axes.T, np.eye(2), atol=1e-5)
