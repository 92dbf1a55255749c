"""``massagecam zones``: the table, the canonical diagram, errors, a real frame."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest
from click.testing import CliRunner

from massagecam.atlas.loader import DEFAULT_PATH
from massagecam.cli import cli


def test_list_prints_every_entry() -> None:
    res = CliRunner().invoke(cli, ["zones", "--list"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0].split()[:3] == ["id", "name", "kind"]
    ids = {ln.split()[0] for ln in lines[2:]}
    assert len(lines) == 2 + 47 and {"Z1", "Z20", "D9", "LI4", "EX-UE11"} <= ids
    z9 = next(ln for ln in lines if ln.startswith("Z9 "))
    assert "left" in z9 and "heart" in z9


@pytest.mark.parametrize("side,hand", [("palm", "right"), ("back", "left")])
def test_canonical_png(tmp_path: Path, side: str, hand: str) -> None:
    out = tmp_path / "z.png"
    res = CliRunner().invoke(cli, ["zones", "--side", side, "--hand", hand, "--out", str(out),
                                   "--size", "300", "360"])
    assert res.exit_code == 0, res.output
    img = cv2.imread(str(out))
    assert img is not None and img.shape == (360, 300, 3)
    assert side in res.output


def test_malformed_atlas_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(DEFAULT_PATH.read_text().replace('side = "back"', 'side = "top"', 1))
    res = CliRunner().invoke(cli, ["zones", "--list", "--atlas", str(bad)])
    assert res.exit_code == 2
    assert "bad.toml:" in res.output and "field 'side'" in res.output
    assert "Traceback" not in res.output


@pytest.mark.model
@pytest.mark.footage
def test_zones_on_a_real_frame(footage: Path, tmp_path: Path) -> None:
    out = tmp_path / "real.png"
    res = CliRunner().invoke(cli, ["zones", str(footage / "open_palm_finger_poses_720p.mp4"),
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "(palm)" in res.output
    img = cv2.imread(str(out))
    assert img.shape == (720, 1280, 3)
