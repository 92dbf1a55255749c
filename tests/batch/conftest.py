"""Shared batch fixtures: one cohort of footage cuts and one local batch run per test session.

The local run is shared so the Ray test can compare against it without analysing twice (the
area's test budget is 60 s on 2 loaded cores).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from batch_videos import LocalRun, make_cohort
from click.testing import CliRunner


@pytest.fixture(scope="session")
def cohort(footage: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(folder of 4 people × 2 sessions of 12-frame real-footage cuts, the corrupt file)."""
    return make_cohort(footage, tmp_path_factory.mktemp("cohort"))


@pytest.fixture(scope="session")
def local_run(cohort: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> LocalRun:
    """``massagecam batch <cohort> --workers 2 --routine li4-quick`` on the local engine."""
    from massagecam.cli import cli

    root, corrupt = cohort
    tmp = tmp_path_factory.mktemp("local-run")
    out, db = tmp / "out", tmp / "h.sqlite"
    args = ["batch", str(root), "--out", str(out), "--workers", "2", "--routine",
            "li4-quick", "--db", str(db)]  # with the progress bar (workers report frames)
    return LocalRun(root, corrupt, out, db, args, CliRunner().invoke(cli, args))
