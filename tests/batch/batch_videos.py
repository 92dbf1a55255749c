"""Small cohort videos for the batch tests: cuts of real footage written with cv2.VideoWriter.

The cuts go to a tmp folder (never into the repository). Layout ``<root>/<person>/<session>.mp4``
plus one corrupt file, so person/session labelling, failures and resuming are all exercised.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

PEOPLE = ("ana", "ben", "chloe", "dev")
SESSIONS = ("week1", "week2")
CLIP_FRAMES = 12


def write_cut(src: Path, dst: Path, start: int, frames: int, scale: float = 0.5) -> Path:
    """Copy ``frames`` frames of ``src`` from ``start`` into ``dst`` (mp4v), downscaled."""
    import cv2

    cap = cv2.VideoCapture(str(src))
    cap.set(cv2.CAP_PROP_POS_FRAMES, start)
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    writer = None
    n = 0
    try:
        while n < frames:
            ok, img = cap.read()
            if not ok:
                break
            if scale != 1.0:
                img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            if writer is None:
                dst.parent.mkdir(parents=True, exist_ok=True)
                h, w = img.shape[:2]
                writer = cv2.VideoWriter(str(dst), cv2.VideoWriter.fourcc(*"mp4v"), fps, (w, h))
            writer.write(img)
            n += 1
    finally:
        cap.release()
        if writer is not None:
            writer.release()
    assert n == frames, f"{src}: only {n} of {frames} frames from {start}"
    return dst


def make_cohort(footage: Path, root: Path, frames: int = CLIP_FRAMES) -> tuple[Path, Path]:
    """8 cuts (4 people × 2 sessions) + ``corrupt/broken.mp4``; returns (root, corrupt)."""
    src = footage / "open_palm_360p.mp4"
    k = 0
    for person in PEOPLE:
        for session in SESSIONS:
            write_cut(src, root / person / f"{session}.mp4", 20 + 20 * k, frames, scale=1.0)
            k += 1
    corrupt = root / "eve" / "week1.mp4"
    corrupt.parent.mkdir(parents=True, exist_ok=True)
    corrupt.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    return root, corrupt


@dataclass
class LocalRun:
    """A finished ``massagecam batch`` CLI run on the local engine."""

    root: Path
    corrupt: Path
    out: Path
    db: Path
    args: list[str]
    result: Any  # click.testing.Result


def die_on_two(x: int) -> int:
    """A job function whose worker process dies on job 2 (as a native crash would)."""
    import os

    if x == 2:
        os._exit(3)
    return 10 * x
