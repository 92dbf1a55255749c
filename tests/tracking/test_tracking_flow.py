"""Optical-flow carrying of a held hand, measured on textured synthetic images."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from massagecam.hands import Role
from massagecam.tracking import RoleTracker
from massagecam.tracking.flowscene import Painter, drifting_hidden


@functools.cache
def scene(drift: float, seed: int = 0):
    sc = drifting_hidden(seed, drift=drift)
    painter = Painter(2, seed)
    return sc, [painter.paint(list(sc.truth[f])) for f in range(len(sc.frames))]


def held_errors(drift: float, flow: bool, seed: int = 0) -> list[float]:
    sc, images = scene(drift, seed)
    tracker = RoleTracker(flow=flow)
    errs = []
    for f, frame in enumerate(sc.frames):
        out = tracker.update(frame, images[f])
        i = out.index_of(Role.RECEIVER)
        if i is not None and out.estimated[i]:
            errs.append(float(np.linalg.norm(out.xy[i] - sc.truth[f, 0], axis=-1).mean()
                              / sc.palm_px))
    assert len(errs) == 15  # 0.5 s hidden at 30 fps
    return errs


def test_flow_follows_a_drifting_covered_receiver() -> None:
    without = np.mean(held_errors(0.6, flow=False))
    with_flow = np.mean(held_errors(0.6, flow=True))
    assert with_flow < 0.5 * without


@pytest.mark.parametrize("flow", [False, True])
def test_static_covered_receiver_stays_put_with_or_without_flow(flow: bool) -> None:
    assert max(held_errors(0.0, flow=flow)) <= 0.03


def test_flow_without_image_is_harmless() -> None:
    sc = drifting_hidden(0, drift=0.0)
    tracker = RoleTracker(flow=True)
    for frame in sc.frames:
        tracker.update(frame)  # image=None: holds without flow, no crash
    assert tracker.swaps == 0
