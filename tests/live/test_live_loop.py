"""The live loop with the real pipeline and model: headless real-time file, keys, a camera that
fails on purpose (lost, reconnected, gone for good), and no camera at all."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import time

import cv2
import jsonschema
import numpy as np
import pytest
from live_video import CameraPlan, synth_video

from massagecam.capture import open_source
from massagecam.errors import CaptureError, ConfigError
from massagecam.history import History
from massagecam.live import LiveConfig, LiveSession
from massagecam.report.result import load_schema

pytestmark = pytest.mark.model


@pytest.fixture()
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("MASSAGECAM_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    return synth_video(tmp_path_factory.mktemp("live") / "session.mp4", seconds=3.0)


def camera_opener(video, plan):
    factory = CameraPlan(video, plan)
    return functools.partial(open_source, capture_factory=factory), factory


@pytest.mark.parametrize("pipelined", [True, False], ids=["pipelined", "sequential"])
def test_headless_file_runs_in_real_time_and_saves(video, home, pipelined):
    import time

    lag = []  # when each frame was taken (wall clock) minus the frame's own time in the file

    def watch(n: int) -> int:
        took = session.stats.latency_s[-1] + session.stats.display_s[-1]
        lag.append(time.monotonic() - took - session._last_result.analysis.t)
        return -1

    session = LiveSession(LiveConfig(source=str(video), routine="li4-quick", window=False,
                                     pipelined=pipelined), key_script=watch)
    s = session.run()
    assert s.ended_by == "end of source"
    st = s.stats
    assert st["frames"] == s.frames == len(lag) >= 6
    # Paced at the file's own clock: frames are taken neither ahead of it nor further and
    # further behind (a slow loop drops frames, counted, instead); frame 0 is the warm-up.
    third = max(1, (len(lag) - 1) // 3)
    early, late = np.median(lag[1:1 + third]), np.median(lag[-third:])
    assert abs(late - early) < 0.1
    # Every frame of the file was either processed or counted as dropped (a skip that runs
    # into the end of the file may leave its last few grabbed frames uncounted).
    assert 80 <= st["frames"] + st["dropped"] <= 90
    assert st["latency_ms"]["p95"] >= st["latency_ms"]["p50"] > 0
    assert st["stage_ms"]["landmarks"]["p50"] > 0 and st["stage_ms"]["overlay"]["p50"] > 0
    with History() as h:
        (row,) = h.sessions()
    assert row.kind == "live" and row.id == s.history_id and row.routine_id == "li4-quick"
    assert row.partial  # the 3 s clip ends long before the routine does
    assert row.settings["live_stats"]["frames"] == s.frames
    result = json.loads((s.report.parent / "result.json").read_text())
    jsonschema.validate(result, load_schema())
    assert s.report.exists() and s.report.stat().st_size > 1000


def test_realtime_file_accounts_for_every_frame(video):
    """A consumer slower than the file: every frame up to the last one taken was either
    yielded or counted as dropped."""
    import time

    taken = []
    with open_source(str(video), realtime=True) as source:
        for f in source:
            taken.append(f.index)
            time.sleep(0.05)  # a 20 fps consumer of a 30 fps file
            if f.index >= 60:
                break
        dropped = source.dropped
    assert len(taken) + dropped == taken[-1] + 1
    assert dropped > 0 and taken == sorted(set(taken))


def test_keys_drive_coach_view_and_recorder(video, home):
    script = {3: ord("n"), 6: ord("p"), 9: ord(" "), 12: ord(" "), 13: ord("z"), 14: ord("m"),
              15: ord("h"), 16: ord("r"), 24: ord("q")}
    seen: dict[int, tuple] = {}
    when: dict[int, float] = {}

    def keys(n: int) -> int:
        when[n] = time.monotonic()
        coach = session.pipeline.coach
        v = session.view
        seen[n] = (coach.step_index, str(coach.phase), v.show_zones, v.mirror, v.show_help,
                   v.recording)
        return script.get(n, -1)

    opener, _ = camera_opener(video, [-1])  # a camera: frames keep coming until q
    session = LiveSession(LiveConfig(source=0, routine="li4-quick", window=False,
                                     save=False), key_script=keys, opener=opener)
    s = session.run()
    n = sorted(seen)
    after = {k: seen[min(i for i in n if i > k)] for k in script if any(i > k for i in n)}
    assert seen[1][0] == 0 and after[3][0] == 1 and after[6][0] == 0
    assert after[9][1] == "paused" and after[12][1] != "paused"
    assert seen[1][2:5] == (True, True, False)
    assert after[15][2:5] == (False, False, True)
    assert after[16][5] is True
    assert s.ended_by == "key" and s.frames == 24
    (rec,) = s.recordings
    assert rec.parent == home / "recordings" and rec.stat().st_size > 10_000
    # written in real time: as many 30 fps frames as the recording lasted, whatever the loop's
    # own rate (each shown frame repeated while it stayed on screen)
    written = int(cv2.VideoCapture(str(rec)).get(cv2.CAP_PROP_FRAME_COUNT))
    assert abs(written - (when[24] - when[16]) * 30) <= 8
    assert s.history_id is None  # save=False


def test_camera_lost_mid_session_reconnects_and_keeps_the_session(video, home):
    opener, factory = camera_opener(video, [40, None, -1])
    after: list[int] = []  # frames processed after the reconnect

    def watch(n: int) -> int:
        if session.stats.reconnects:
            after.append(n)
        return -1

    session = LiveSession(LiveConfig(source=0, routine="li4-quick", window=False,
                                     duration_s=4.0, reconnect_s=5.0), opener=opener,
                          key_script=watch)
    s = session.run()
    assert s.stats["lost"] == 1 and s.stats["reconnects"] == 1
    assert factory.opens >= 3  # failed open in between, then back
    assert s.ended_by == "duration"
    assert after and after[-1] == s.frames  # frames flowed again after the reconnect
    coach = session.pipeline.coach
    assert coach.records[0].t < coach.records[-1].t  # one coach, one clock, across the gap
    with History() as h:
        (row,) = h.sessions()
    assert row.id == s.history_id and row.settings["live_stats"]["reconnects"] == 1


def test_loop_plays_a_file_again_on_one_clock(tmp_path, home):
    clip = synth_video(tmp_path / "short.mp4", seconds=1.0)
    times: list[float] = []

    def watch(n: int) -> int:
        times.append(session._last_result.analysis.t)
        return -1

    session = LiveSession(LiveConfig(source=str(clip), window=False, loop=True, duration_s=2.5,
                                     save=False), key_script=watch)
    s = session.run()
    assert s.ended_by == "duration"
    assert times[-1] > 1.2  # past the clip's end: it was played again
    assert all(b > a for a, b in zip(times, times[1:], strict=False))  # one increasing clock


def test_camera_gone_for_good_ends_and_saves(video, home):
    opener, _ = camera_opener(video, [25, None])
    session = LiveSession(LiveConfig(source=0, window=False, reconnect_s=1.0), opener=opener)
    s = session.run()
    assert s.ended_by.startswith("source lost")
    assert 0 < s.frames <= 25 and s.stats["lost"] == 1 and s.stats["reconnects"] == 0
    assert s.history_id is not None and s.report.exists()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("reuse_still", 0.9, r"reuse_still 0.9: expected None or 0 < share <= 0.5"),
    ("landmark_workers", 5, r"landmark_workers 5: expected 1..4"),
    ("reconnect_s", -1.0, r"reconnect_s -1.0: expected 0..3600"),
])
def test_config_names_the_value_and_the_allowed_range(field, value, message):
    with pytest.raises(ConfigError, match=message):
        LiveConfig(window=False, **{field: value})


def test_landmark_workers_follow_the_source_rate():
    cfg = LiveConfig(window=False)
    # per-hand: a second worker only for fast sources, where two frames may need to overlap
    assert [cfg.workers_for(f) for f in (60.0, 50.0, 30.0, None)] == [2, 2, 1, 1]
    assert LiveConfig(window=False, per_hand=False).workers_for(30.0) == 2
    assert LiveConfig(window=False, landmark_workers=3).workers_for(60.0) == 3


def test_no_camera_lists_what_opens(video, home):
    opener, _ = camera_opener(video, [None])
    with pytest.raises(CaptureError, match=r"^no camera at index 3; cameras that open: none$"):
        LiveSession(LiveConfig(source=3, window=False), opener=opener).run()


def test_cli_no_camera_is_one_line_exit_2(home):
    out = subprocess.run([sys.executable, "-m", "massagecam", "live", "--camera", "9",
                          "--no-window"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.startswith("massagecam: error: no camera at index 9; cameras that open:")
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr


def test_caregiver_scene_live_with_one_instance_per_hand(tmp_path, home):
    """Caregiver mode live: three single-hand instances side by side find the receiver (upside
    down, under the caregiver's hands) and the caregiver's hands on a rendered scene."""
    from massagecam.hands import Role
    from massagecam.per_hand import PerHandLandmarker
    from massagecam.render.caregiver import CaregiverRenderer, CaregiverScene

    r = CaregiverRenderer(CaregiverScene("two_thumb_spread", seconds=3.0, seed=209,
                                         receiving="Left", skin_receiver="IV",
                                         skin_giver="I"))
    path = tmp_path / "caregiver.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), r.scene.fps,
                             r.scene.size)
    for i in range(len(r.frames)):
        writer.write(r.render(i))
    writer.release()
    roles = []

    def watch(n: int) -> int:
        hands = session._last_result.analysis.hands
        roles.append((hands.index_of(Role.RECEIVER) is not None,
                      int((hands.role == int(Role.GIVER)).sum())))
        return -1

    session = LiveSession(LiveConfig(source=str(path), mode="caregiver", receiving="left",
                                     window=False, save=False), key_script=watch)
    s = session.run()
    assert isinstance(session.pipeline._landmarker.inner, PerHandLandmarker)
    assert session.pipeline._landmarker.inner.num_hands == 3
    assert s.ended_by == "end of source" and s.frames == len(roles) >= 30
    later = roles[len(roles) // 3:]  # once the roles have settled
    assert sum(rec for rec, _ in later) >= 0.8 * len(later), roles
    assert sum(giv >= 1 for _, giv in later) >= 0.8 * len(later), roles
