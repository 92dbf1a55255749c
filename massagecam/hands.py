"""The per-frame hands container that every pipeline stage passes on.

One frozen dataclass of parallel numpy arrays (one row per hand) so that stages never share
mutable state and an empty frame is a valid value, not ``None``: timers and filters advance on
it exactly as on a frame with hands. Landmarks are addressed by name (:class:`Landmark`), never
by bare index.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import numpy as np
import numpy.typing as npt

NUM_LANDMARKS = 21

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.str_]


class Landmark(IntEnum):
    """The 21 hand landmarks, named and numbered as MediaPipe's hand model outputs them."""

    WRIST = 0
    THUMB_CMC = 1
    THUMB_MCP = 2
    THUMB_IP = 3
    THUMB_TIP = 4
    INDEX_FINGER_MCP = 5
    INDEX_FINGER_PIP = 6
    INDEX_FINGER_DIP = 7
    INDEX_FINGER_TIP = 8
    MIDDLE_FINGER_MCP = 9
    MIDDLE_FINGER_PIP = 10
    MIDDLE_FINGER_DIP = 11
    MIDDLE_FINGER_TIP = 12
    RING_FINGER_MCP = 13
    RING_FINGER_PIP = 14
    RING_FINGER_DIP = 15
    RING_FINGER_TIP = 16
    PINKY_MCP = 17
    PINKY_PIP = 18
    PINKY_DIP = 19
    PINKY_TIP = 20


L = Landmark

#: Joint chains per digit, base to tip (used for drawing, capsules and finger pulls).
FINGERS: dict[str, tuple[Landmark, ...]] = {
    "thumb": (L.THUMB_CMC, L.THUMB_MCP, L.THUMB_IP, L.THUMB_TIP),
    "index": (L.INDEX_FINGER_MCP, L.INDEX_FINGER_PIP, L.INDEX_FINGER_DIP, L.INDEX_FINGER_TIP),
    "middle": (L.MIDDLE_FINGER_MCP, L.MIDDLE_FINGER_PIP, L.MIDDLE_FINGER_DIP, L.MIDDLE_FINGER_TIP),
    "ring": (L.RING_FINGER_MCP, L.RING_FINGER_PIP, L.RING_FINGER_DIP, L.RING_FINGER_TIP),
    "pinky": (L.PINKY_MCP, L.PINKY_PIP, L.PINKY_DIP, L.PINKY_TIP),
}

#: Skeleton edges, as MediaPipe draws them.
CONNECTIONS: tuple[tuple[Landmark, Landmark], ...] = (
    *((L.WRIST, L.THUMB_CMC), (L.THUMB_CMC, L.THUMB_MCP), (L.THUMB_MCP, L.THUMB_IP)),
    (L.THUMB_IP, L.THUMB_TIP),
    *((L.WRIST, L.INDEX_FINGER_MCP), (L.INDEX_FINGER_MCP, L.INDEX_FINGER_PIP)),
    *((L.INDEX_FINGER_PIP, L.INDEX_FINGER_DIP), (L.INDEX_FINGER_DIP, L.INDEX_FINGER_TIP)),
    *((L.INDEX_FINGER_MCP, L.MIDDLE_FINGER_MCP), (L.MIDDLE_FINGER_MCP, L.MIDDLE_FINGER_PIP)),
    *((L.MIDDLE_FINGER_PIP, L.MIDDLE_FINGER_DIP), (L.MIDDLE_FINGER_DIP, L.MIDDLE_FINGER_TIP)),
    *((L.MIDDLE_FINGER_MCP, L.RING_FINGER_MCP), (L.RING_FINGER_MCP, L.RING_FINGER_PIP)),
    *((L.RING_FINGER_PIP, L.RING_FINGER_DIP), (L.RING_FINGER_DIP, L.RING_FINGER_TIP)),
    *((L.RING_FINGER_MCP, L.PINKY_MCP), (L.WRIST, L.PINKY_MCP), (L.PINKY_MCP, L.PINKY_PIP)),
    *((L.PINKY_PIP, L.PINKY_DIP), (L.PINKY_DIP, L.PINKY_TIP)),
)


class Role(IntEnum):
    """What a tracked hand does in the session.

    Several hands may be givers (caregiver mode: another person's one or two hands).
    ``IGNORED`` marks a hand in view that takes no part (a third hand in self mode).
    """

    UNKNOWN = 0
    RECEIVER = 1
    GIVER = 2
    IGNORED = 3


def _check(name: str, value: np.ndarray, shape: tuple[int | None, ...], kind: str) -> None:
    if value.ndim != len(shape) or any(
        want is not None and got != want for got, want in zip(value.shape, shape, strict=False)
    ):
        want_txt = "(" + ", ".join("n" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"Hands.{name}: expected shape {want_txt}, got {value.shape}")
    if value.dtype.kind not in kind:
        raise ValueError(f"Hands.{name}: expected dtype kind {kind!r}, got {value.dtype}")


@dataclass(frozen=True)
class Hands:
    """All hands of one frame, as parallel arrays with one row per hand.

    Attributes:
        xy: (n, 21, 2) float32 landmark positions in pixels of the analysed image.
        z: (n, 21) float32 relative depth in the same pixel scale as x (MediaPipe's z times
            the image width); smaller is nearer the camera; only differences within a hand or
            between nearby hands are meaningful.
        world: (n, 21, 3) float32 metric landmarks (metres) centred on the hand.
        handedness: (n,) anatomical side, "Left" or "Right" (already corrected for mirrored
            input by the adapter). For tracked hands it is the side the tracker settled on,
            not the detector's per-frame label, which flips when hands touch.
        score: (n,) float32 handedness confidence.
        track_id: (n,) int32 stable identity across frames, -1 before tracking.
        role: (n,) int8 :class:`Role` codes.
        estimated: (n,) bool, True when the row is held or predicted, not detected this frame.
        frame_index: index of the frame in its source.
        t: timestamp in seconds (frame clock for files, monotonic clock for cameras).
        image_wh: (width, height) of the analysed image in pixels.
        detected: how many hands the detector returned for this frame.
    """

    xy: FloatArray
    z: FloatArray
    world: FloatArray
    handedness: StrArray
    score: FloatArray
    track_id: IntArray
    role: npt.NDArray[np.int8]
    estimated: BoolArray
    frame_index: int = 0
    t: float = 0.0
    image_wh: tuple[int, int] = (0, 0)
    detected: int = 0

    def __post_init__(self) -> None:
        n = self.xy.shape[0] if self.xy.ndim == 3 else None
        _check("xy", self.xy, (None, NUM_LANDMARKS, 2), "f")
        _check("z", self.z, (n, NUM_LANDMARKS), "f")
        _check("world", self.world, (n, NUM_LANDMARKS, 3), "f")
        _check("handedness", self.handedness, (n,), "U")
        _check("score", self.score, (n,), "f")
        _check("track_id", self.track_id, (n,), "i")
        _check("role", self.role, (n,), "i")
        _check("estimated", self.estimated, (n,), "b")
        bad = set(self.handedness.tolist()) - {"Left", "Right"}
        if bad:
            raise ValueError(f"Hands.handedness: expected 'Left' or 'Right', got {sorted(bad)}")

    # -- construction -------------------------------------------------------------------
    @classmethod
    def empty(cls, frame_index: int = 0, t: float = 0.0, image_wh: tuple[int, int] = (0, 0),
              detected: int = 0) -> Hands:
        """A valid frame with no hands (pass it on so timers and filters still advance)."""
        return cls.from_arrays(np.zeros((0, NUM_LANDMARKS, 2), np.float32), frame_index=frame_index,
                               t=t, image_wh=image_wh, detected=detected)

    @classmethod
    def from_arrays(cls, xy: npt.ArrayLike, *, z: npt.ArrayLike | None = None,
                    world: npt.ArrayLike | None = None,
                    handedness: npt.ArrayLike | None = None, score: npt.ArrayLike | None = None,
                    track_id: npt.ArrayLike | None = None, role: npt.ArrayLike | None = None,
                    estimated: npt.ArrayLike | None = None, frame_index: int = 0, t: float = 0.0,
                    image_wh: tuple[int, int] = (0, 0), detected: int | None = None) -> Hands:
        """Build from plain arrays or lists, filling what is missing with neutral defaults.

        Example:
            >>> h = Hands.from_arrays(np.zeros((1, 21, 2)), handedness=["Left"])
            >>> len(h), h.role.tolist()
            (1, [0])
        """
        xy_a = np.asarray(xy, dtype=np.float32).reshape(-1, NUM_LANDMARKS, 2)
        n = xy_a.shape[0]

        def arr(v: npt.ArrayLike | None, default: Any, dtype: Any, shape: tuple[int, ...]) -> Any:
            return np.full(shape, default, dtype) if v is None else np.asarray(v, dtype=dtype)

        return cls(
            xy=xy_a,
            z=arr(z, 0.0, np.float32, (n, NUM_LANDMARKS)),
            world=arr(world, 0.0, np.float32, (n, NUM_LANDMARKS, 3)),
            handedness=arr(handedness, "Right", "<U5", (n,)),
            score=arr(score, 1.0, np.float32, (n,)),
            track_id=arr(track_id, -1, np.int32, (n,)),
            role=arr(role, Role.UNKNOWN, np.int8, (n,)),
            estimated=arr(estimated, False, np.bool_, (n,)),
            frame_index=int(frame_index), t=float(t),
            image_wh=(int(image_wh[0]), int(image_wh[1])),
            detected=n if detected is None else int(detected),
        )

    # -- access -------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self.xy.shape[0])

    def __getitem__(self, index: int | slice | npt.ArrayLike) -> Hands:
        """Select rows by int, slice, index array or boolean mask; always returns Hands."""
        if isinstance(index, (int, np.integer)):
            index = [int(index)]
        return dataclasses.replace(
            self, xy=self.xy[index], z=self.z[index], world=self.world[index],
            handedness=self.handedness[index], score=self.score[index],
            track_id=self.track_id[index], role=self.role[index], estimated=self.estimated[index],
        )

    def replace(self, **changes: Any) -> Hands:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def with_role(self, role: Role) -> Hands:
        """The rows that have ``role``."""
        return self[self.role == int(role)]

    def index_of(self, role: Role) -> int | None:
        """Row of the first hand with ``role``, or None."""
        rows = np.flatnonzero(self.role == int(role))
        return int(rows[0]) if rows.size else None

    @property
    def receiver(self) -> FloatArray | None:
        """(21, 2) landmarks of the receiving hand, or None when it is unknown."""
        i = self.index_of(Role.RECEIVER)
        return None if i is None else self.xy[i]

    @property
    def giver(self) -> FloatArray | None:
        """(21, 2) landmarks of the first giving hand, or None."""
        i = self.index_of(Role.GIVER)
        return None if i is None else self.xy[i]

    def palm_length(self) -> FloatArray:
        """(n,) wrist to middle-finger MCP distance in pixels: the hand's own length unit."""
        return palm_length(self.xy)


def palm_length(xy: npt.ArrayLike) -> Any:
    """|WRIST - MIDDLE_FINGER_MCP| of (..., 21, 2) landmarks, in their units."""
    a = np.asarray(xy, dtype=np.float32)
    return np.linalg.norm(a[..., L.MIDDLE_FINGER_MCP, :] - a[..., L.WRIST, :], axis=-1)


def palm_frame(hand_xy: npt.ArrayLike) -> tuple[FloatArray, FloatArray, float]:
    """The hand's own 2-D frame: origin at the wrist, unit = palm length.

    Returns ``(origin, axes, length)`` where ``axes`` is a 2x2 matrix whose first row points
    distally (wrist to middle MCP) and whose second row points from the little-finger side
    to the index side (radially) of this hand as seen in the image. Coordinates of an image
    point ``p`` in this frame are ``axes @ (p - origin) / length``: invariant to translation,
    rotation and scale, and the same anatomical point gives the same value on either hand,
    palm or back.
    """
    h = np.asarray(hand_xy, dtype=np.float32)
    origin = h[L.WRIST]
    distal = h[L.MIDDLE_FINGER_MCP] - origin
    length = float(np.linalg.norm(distal)) or 1.0
    d = distal / length
    perp = np.array([-d[1], d[0]], dtype=np.float32)
    radial = h[L.INDEX_FINGER_MCP] - h[L.PINKY_MCP]
    if float(perp @ radial) < 0:
        perp = -perp
    return origin, np.stack([d, perp]).astype(np.float32), length


def to_palm_frame(points: npt.ArrayLike, hand_xy: npt.ArrayLike) -> FloatArray:
    """Map (..., 2) image points into the hand's frame of :func:`palm_frame`."""
    origin, axes, length = palm_frame(hand_xy)
    p = np.asarray(points, dtype=np.float32) - origin
    return (p @ axes.T / length).astype(np.float32)
