"""Writing a rendered session: the video file and the truth JSON beside it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2

from massagecam.errors import MassagecamError
from massagecam.render.composite import Cutout
from massagecam.render.renderer import Renderer
from massagecam.render.script import SessionScript

#: Container suffix -> fourcc OpenCV can write here (this OpenCV has no H.264 encoder).
CODECS = {".mp4": "mp4v", ".m4v": "mp4v", ".mov": "mp4v", ".avi": "MJPG", ".mkv": "mp4v"}


def check_video_path(path: Path) -> str:
    """The fourcc for ``path``'s suffix.

    Raises:
        MassagecamError: a suffix this OpenCV cannot write.
    """
    fourcc = CODECS.get(path.suffix.lower())
    if fourcc is None:
        raise MassagecamError(f"{path}: cannot write video with suffix {path.suffix!r}; "
                              f"expected one of {', '.join(sorted(CODECS))}")
    return fourcc


def open_writer(path: Path, fps: float, size: tuple[int, int]) -> cv2.VideoWriter:
    """A cv2.VideoWriter for ``path`` (codec chosen by suffix).

    Raises:
        MassagecamError: unknown suffix or a writer OpenCV cannot open.
    """
    fourcc = check_video_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), float(fps), size)
    if not writer.isOpened():
        raise MassagecamError(f"{path}: OpenCV cannot open a {fourcc} video writer here")
    return writer


def render_session(script: SessionScript, out: str | Path | None,
                   truth: str | Path | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   receiver_photo: Cutout | None = None,
                   giver_photo: Cutout | None = None) -> dict[str, Any]:
    """Render ``script`` to the video ``out`` (None: no video) and the truth JSON ``truth``.

    ``receiver_photo``/``giver_photo`` switch a hand to photo-composite mode (real pixels).
    Returns the truth document (header plus ``frames``).
    """
    writer = open_writer(Path(out), script.render.fps, script.render.size) if out else None
    frames = []
    try:
        renderer = Renderer(script, receiver_photo, giver_photo)
        for rf in renderer.frames():
            if writer is not None:
                writer.write(rf.image)
            frames.append(rf.truth)
            if progress is not None:
                progress(rf.state.frame + 1, renderer.n_frames)
    finally:
        if writer is not None:
            writer.release()
    doc = renderer.header() | {"frames": frames}
    if truth:
        tp = Path(truth)
        tp.parent.mkdir(parents=True, exist_ok=True)
        tp.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    return doc
