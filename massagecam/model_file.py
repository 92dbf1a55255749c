"""The landmark model file: where it is and whether it is the one we ship.

Checked before MediaPipe sees it, so a missing, truncated or foreign file gives one clear line
instead of a native error; the bundled file must match its sha256 (models/PROVENANCE.md).
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

from massagecam import paths
from massagecam.errors import ModelError

MODEL_NAME = "hand_landmarker.task"
MODEL_SHA256 = "fbc2a30080c3c557093b5ddfc334698132eb341044ccee322ccf8bcf3607cde1"
#: Members a MediaPipe hand landmarker task bundle must contain.
MODEL_MEMBERS = ("hand_detector.tflite", "hand_landmarks_detector.tflite")


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_model(path: str | os.PathLike[str] | None = None) -> Path:
    """Check the landmark model before MediaPipe sees it, so a bad file gives one clear line.

    Args:
        path: a user-supplied task bundle, or None for the bundled model.

    Returns:
        The resolved path.

    Raises:
        ModelError: missing, unreadable, not a task bundle, or (bundled model) wrong sha256.
    """
    bundled = path is None
    p = Path(path) if path is not None else paths.models_dir() / MODEL_NAME
    what = "the bundled hand model" if bundled else "model"
    if not p.is_file():
        hint = " (reinstall massagecam or pass --model PATH)" if bundled else ""
        raise ModelError(f"{p}: {what} file is missing; expected a MediaPipe "
                         f"hand_landmarker.task bundle{hint}")
    try:
        digest = sha256_of(p)
    except OSError as exc:
        raise ModelError(f"{p}: cannot read {what} ({exc.strerror})") from None
    if bundled and digest != MODEL_SHA256:
        raise ModelError(f"{p}: {what} is corrupt: sha256 {digest[:12]}… but expected "
                         f"{MODEL_SHA256[:12]}… (reinstall massagecam or pass --model PATH)")
    try:
        with zipfile.ZipFile(p) as bundle:
            names = set(bundle.namelist())
            broken = bundle.testzip()
    except (zipfile.BadZipFile, OSError):
        raise ModelError(f"{p}: {what} is not a MediaPipe task bundle (expected a zip holding "
                         f"{' and '.join(MODEL_MEMBERS)}; sha256 {digest[:12]}…)") from None
    missing = [m for m in MODEL_MEMBERS if m not in names]
    if missing or broken:
        problem = f"lacks {', '.join(missing)}" if missing else f"has a corrupt member {broken}"
        raise ModelError(f"{p}: {what} {problem}; expected a MediaPipe hand_landmarker.task "
                         f"bundle (sha256 {digest[:12]}…)")
    return p
