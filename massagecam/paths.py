"""Where massagecam finds its bundled files and the user's data folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent


def models_dir() -> Path:
    """The folder holding ``hand_landmarker.task`` (the repository's ``models/``)."""
    return Path(os.environ.get("MASSAGECAM_MODELS", REPO_DIR / "models"))


def samples_dir() -> Path:
    """The bundled rendered sample sessions (the repository's ``samples/``)."""
    return Path(os.environ.get("MASSAGECAM_SAMPLES", REPO_DIR / "samples"))


def data_dir() -> Path:
    """The user's data folder (history database, calibration), created on demand.

    ``MASSAGECAM_HOME`` overrides it; otherwise the platform's usual place.
    """
    if "MASSAGECAM_HOME" in os.environ:
        return Path(os.environ["MASSAGECAM_HOME"])
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home()))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "massagecam"
