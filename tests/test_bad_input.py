"""Bad input to ``massagecam track``: one stderr line naming the problem, exit 2, no traceback."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from massagecam.cli import cli


def _truncated(footage, tmp_path):
    path = tmp_path / "cut.mp4"
    path.write_bytes((footage / "thumb_up_720p.mp4").read_bytes()[:300_000])
    return path


def _cases(footage, tmp_path):
    """(name, args, expected fragment of the message)."""
    zero = tmp_path / "zero.mp4"
    zero.write_bytes(b"")
    noise = tmp_path / "noise.mp4"
    noise.write_bytes(np.random.default_rng(1).bytes(50_000))
    text = tmp_path / "notes.txt"
    text.write_text("massage notes\nthumb circles on the palm\n")
    junk_model = tmp_path / "model.task"
    junk_model.write_bytes(np.random.default_rng(2).bytes(5_000))
    good = str(footage / "thumb_up.jpg")
    return [
        ("missing", [str(tmp_path / "absent.mp4")], "absent.mp4: no such file or folder"),
        ("zero-byte", [str(zero)], "zero.mp4: file is empty (0 bytes)"),
        ("random bytes", [str(noise)], "noise.mp4: cannot be decoded as a video"),
        ("truncated", [str(_truncated(footage, tmp_path))], "cut.mp4: video file is truncated"),
        ("text", [str(text)], "notes.txt: is a text file, not a video or image"),
        ("camera", ["7"], "no camera at index 7; cameras that open:"),
        ("corrupt model", [good, "--model", str(junk_model)],
         "model.task: model is not a MediaPipe task bundle"),
        ("missing model", [good, "--model", str(tmp_path / "gone.task")],
         "gone.task: model file is missing"),
        ("bad size", ["0", "--size", "12"], "--size '12': expected WIDTHxHEIGHT"),
        ("tiny size", ["0", "--size", "12x12"], "size (12, 12): expected (width, height)"),
    ]


def test_each_bad_input_is_one_line_exit_2(footage, tmp_path):
    runner = CliRunner()
    for name, args, fragment in _cases(footage, tmp_path):
        result = runner.invoke(cli, ["track", *args])
        assert result.exit_code == 2, (name, result.output)
        lines = result.stderr.splitlines()
        assert len(lines) == 1, (name, result.stderr)
        assert lines[0].startswith("massagecam: error: ") and fragment in lines[0], (name, lines)
        assert result.stdout == "", name
        assert isinstance(result.exception, SystemExit), (name, result.exception)


def test_corrupt_bundled_model_via_env(footage, tmp_path, model_path):
    broken = tmp_path / "models"
    broken.mkdir()
    (broken / "hand_landmarker.task").write_bytes(model_path.read_bytes()[:-1000])
    result = CliRunner(env={"MASSAGECAM_MODELS": str(broken)}).invoke(
        cli, ["track", str(footage / "thumb_up.jpg")])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "bundled hand model is corrupt: sha256" in result.stderr


@pytest.mark.parametrize("kind", ["truncated", "corrupt model"])
def test_real_process_prints_one_line(footage, tmp_path, kind):
    name, args, fragment = next(c for c in _cases(footage, tmp_path) if c[0] == kind)
    proc = subprocess.run([sys.executable, "-m", "massagecam", "track", *args],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and fragment in proc.stderr, proc.stderr
    assert proc.stdout == ""
