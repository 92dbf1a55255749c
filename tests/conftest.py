"""Shared fixtures: where the real footage is, and synthetic hands."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MASSAGECAM_SHARED", REPO.parent / "shared"))
FOOTAGE = SHARED / "footage"
MODEL = REPO / "models" / "hand_landmarker.task"


@pytest.fixture(scope="session")
def footage() -> Path:
    """The read-only real footage folder (../shared/footage); skip when it is absent."""
    if not FOOTAGE.is_dir():
        pytest.skip(f"real footage folder {FOOTAGE} is absent (set MASSAGECAM_SHARED)")
    return FOOTAGE


@pytest.fixture(scope="session")
def model_path() -> Path:
    return MODEL


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test away from the user's data folder (history, calibration)."""
    monkeypatch.setenv("MASSAGECAM_HOME", str(tmp_path_factory.mktemp("massagecam-home")))
