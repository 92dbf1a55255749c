"""``massagecam track`` on real footage with the real model: JSON lines, summary, Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from massagecam.cli import cli
from massagecam.cli.track import TrackSummary
from massagecam.hands import Hands, Role
from massagecam.synthetic import make_hand

pytestmark = pytest.mark.model


def _read(path):
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    return lines[:-1], lines[-1]["summary"]


def test_thumb_up_video_detects_as_bare_mediapipe(footage, tmp_path):
    out = tmp_path / "t.jsonl"
    result = CliRunner().invoke(cli, ["track", str(footage / "thumb_up_720p.mp4"), "--out",
                                      str(out)])
    assert result.exit_code == 0, result.output
    frames, summary = _read(out)
    assert json.loads(result.stdout)["summary"] == summary  # stdout: the summary only
    assert summary["frames"] == len(frames) == 195 and not summary["partial"]
    assert summary["frames_with_hand"] >= 171  # what bare MediaPipe finds
    assert sum(summary["detected_hands"].values()) == 195
    for i, rec in enumerate(frames):
        assert rec["frame"] == i and rec["t"] == pytest.approx(i / 25, abs=1e-4)
        assert rec["detected"] in (0, 1, 2)
        for role in ("giver", "receiver"):
            hand = rec[role]
            if hand is not None:
                assert len(hand["landmarks"]) == 21 and all(len(p) == 3 for p in hand["landmarks"])
                assert hand["handedness"] in ("Left", "Right")
                assert isinstance(hand["estimated"], bool)


def test_finger_poses_video_has_a_hand_in_every_frame(footage):
    # The second look only runs on frames that already have a hand, so it cannot change
    # frames_with_hand: skip it to keep this 621-frame run as short as possible.
    result = CliRunner().invoke(cli, ["track", str(footage / "open_palm_finger_poses_720p.mp4"),
                                      "--no-second-look"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)["summary"]
    assert summary["frames"] == 621 and summary["frames_with_hand"] == 621


def test_two_thumbs_photo_reports_both_hands(footage):
    result = CliRunner().invoke(cli, ["track", str(footage / "two_thumbs_up.jpg")])
    summary = json.loads(result.stdout)["summary"]
    assert summary["detected_hands"] == {"0": 0, "1": 0, "2": 1}
    assert summary["second_look_recoveries"] == 1
    bare = CliRunner().invoke(cli, ["track", str(footage / "two_thumbs_up.jpg"),
                                    "--no-second-look"])
    assert json.loads(bare.stdout)["summary"]["detected_hands"] == {"0": 0, "1": 1, "2": 0}


def test_ctrl_c_keeps_lines_and_writes_partial_summary(footage, tmp_path):
    out = tmp_path / "t.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "massagecam", "track",
                             str(footage / "open_palm_finger_poses_720p.mp4"), "--out", str(out),
                             "--no-second-look"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if out.exists() and out.read_text().count("\n") >= 5:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    frames, summary = _read(out)
    assert summary["partial"] is True and summary["frames"] == len(frames) >= 5
    assert [f["frame"] for f in frames] == list(range(len(frames)))


def test_summary_counts_role_swaps_by_position():
    def frame(i, giver_x, receiver_x):
        hands = Hands.from_arrays([make_hand((giver_x, 200)), make_hand((receiver_x, 200))],
                                  role=[Role.GIVER, Role.RECEIVER], frame_index=i, t=i / 25)
        return hands
    summary = TrackSummary()
    for i, (g, r) in enumerate([(100, 400), (110, 395), (395, 112), (400, 120)]):
        summary.update(frame(i, g, r))
    d = summary.as_dict()
    assert d["both_roles"] == 4 and d["role_swaps"] == 1 and d["frames"] == 4


def test_out_dash_streams_lines_to_stdout_and_max_frames_stops(footage):
    result = CliRunner().invoke(cli, ["track", str(footage / "open_palm_360p.mp4"), "--out", "-",
                                      "--max-frames", "3", "--no-second-look"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [rec["frame"] for rec in lines[:-1]] == [0, 1, 2]
    assert lines[-1]["summary"]["frames"] == 3 and lines[-1]["summary"]["frames_with_hand"] == 3


def test_unwritable_out_is_one_line(footage, tmp_path):
    result = CliRunner().invoke(cli, ["track", str(footage / "thumb_up.jpg"), "--out",
                                      str(tmp_path / "no" / "such" / "dir.jsonl")])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "cannot write the output file" in result.stderr


def test_real_process_keeps_stderr_clean(footage):
    """MediaPipe/LiteRT start-up chatter does not reach the user's terminal."""
    proc = subprocess.run([sys.executable, "-m", "massagecam", "track",
                           str(footage / "two_thumbs_up.jpg")], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert json.loads(proc.stdout)["summary"]["frames"] == 1


def test_summary_puts_the_trackers_own_swap_count_next_to_the_positional_one():
    from massagecam.cli.track import make_tracker

    tracker = make_tracker("auto")
    summary = TrackSummary()
    for i, (g, r) in enumerate([(100, 400), (110, 395), (395, 112), (400, 120)]):
        hands = Hands.from_arrays([make_hand((g, 200)), make_hand((r, 200))],
                                  frame_index=i, t=i / 25)
        summary.update(tracker.update(hands))
    keys = list(summary.as_dict(tracker_swaps=tracker.swaps))
    assert keys[keys.index("role_swaps") + 1] == "tracker_receiver_changes"
    assert summary.as_dict(tracker_swaps=tracker.swaps)["tracker_receiver_changes"] == \
        tracker.swaps
    assert summary.as_dict()["tracker_receiver_changes"] is None
