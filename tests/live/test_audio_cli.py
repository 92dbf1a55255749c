"""Audio cues never fail without a device; CLI argument errors are one line, exit code 2."""

from __future__ import annotations

import io

from massagecam.audio import AudioCues


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_audio_off_by_default_is_silent():
    out = Terminal()
    cues = AudioCues(stream=out)
    cues.update(0.0, 0, 1.0)
    cues.update(1.0, 1, 1.0)
    assert cues.backend == "none" and cues.played == 0 and out.getvalue() == ""


def test_audio_chimes_on_step_change_and_beats_without_a_sound_device():
    out = Terminal()
    cues = AudioCues(enabled=True, beat=True, stream=out)
    # This machine has no PortAudio/sound device: the terminal bell is the fallback. Where
    # sounddevice can play, tones go there instead and nothing is written to the terminal.
    assert cues.backend in ("sounddevice", "bell")
    cues.update(0.0, 0, 2.0)   # first step: no chime
    cues.update(0.1, 0, 2.0)
    assert cues.played == 0
    cues.update(0.6, 0, 2.0)   # crossed a beat (2 Hz: every 0.5 s)
    assert cues.played == 1
    cues.update(0.7, 1, 2.0)   # step change: chime
    assert cues.played == 2
    if cues.backend == "bell":
        assert out.getvalue() == "\a\a"


def test_audio_without_terminal_or_device_is_a_no_op():
    cues = AudioCues(enabled=True, stream=io.StringIO())
    if cues.backend != "sounddevice":
        assert cues.backend == "none"
        cues.update(0.0, 0)
        cues.update(1.0, 1)
        assert cues.played == 0


def run_cli(*args: str, env: dict[str, str | None] | None = None):
    """``massagecam live ARGS`` in-process (the group turns errors into one line, exit 2)."""
    from click.testing import CliRunner

    from massagecam.cli import cli

    return CliRunner().invoke(cli, ["live", *args], env=env)


def test_cli_rejects_camera_and_source_together():
    out = run_cli("--camera", "1", "--source", "x.mp4", "--no-window")
    assert out.exit_code == 2
    assert out.stderr.strip() == ("massagecam: error: --camera and --source: give one of them, "
                                  "not both")


def test_cli_window_without_display_is_one_line(tmp_path):
    out = run_cli("--source", str(tmp_path / "none.mp4"),
                  env={"DISPLAY": None, "WAYLAND_DISPLAY": None})
    assert out.exit_code == 2
    assert "no display to open a window on" in out.stderr and "--no-window" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_cli_missing_source_file_is_one_line(tmp_path):
    out = run_cli("--source", str(tmp_path / "none.mp4"), "--no-window")
    assert out.exit_code == 2
    assert out.stderr.startswith(f"massagecam: error: {tmp_path / 'none.mp4'}: no such file")


def test_cli_record_into_missing_folder_is_one_line(tmp_path):
    out = run_cli("--source", "x.mp4", "--no-window", "--record", str(tmp_path / "no" / "o.mp4"))
    assert out.exit_code == 2 and "does not exist" in out.stderr


def test_cli_missing_model_is_one_line(tmp_path):
    from live_video import synth_video

    video = synth_video(tmp_path / "v.mp4", seconds=0.5)
    out = run_cli("--source", str(video), "--no-window", "--model", str(tmp_path / "no.task"))
    assert out.exit_code == 2
    assert out.stderr.strip() == (f"massagecam: error: {tmp_path / 'no.task'}: model file is "
                                  "missing; expected a MediaPipe hand_landmarker.task bundle")
