"""ParallelFeed: several landmark workers, one ordered stream (fake detectors, real threads)."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest

from massagecam.errors import CaptureError, ConfigError
from massagecam.feeds import ParallelFeed, SequentialFeed, no_prepare, timed


@dataclass(frozen=True)
class F:
    index: int
    t: float
    image: Any = None


class SlowDetector:
    """Sleeps a random few ms and records which frames it saw (in the order it saw them)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seen: list[int] = []
        self.lock = threading.Lock()

    def detect(self, image: Any, t: float, index: int) -> tuple[str, int]:
        with self.lock:
            self.seen.append(index)
            pause = self.rng.uniform(0.0, 0.004)
        time.sleep(pause)
        return ("hands", index)


def frames(n: int, fail_at: int | None = None):
    for i in range(n):
        if i == fail_at:
            raise CaptureError("camera stopped")
        yield F(i, i / 30.0)


@pytest.mark.parametrize("turns", [True, False])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_frames_come_back_in_order_with_their_own_landmarks(k, turns):
    dets = [SlowDetector(i) for i in range(k)]
    feed = ParallelFeed(frames(120), no_prepare, [timed(d) for d in dets], turns=turns)
    got = list(feed)
    feed.close()
    assert [d.frame.index for d in got] == list(range(120))
    assert all(d.hands == ("hands", d.frame.index) for d in got)
    # each instance saw its frames in time order (MediaPipe's VIDEO mode requires it)
    for d in dets:
        assert d.seen == sorted(d.seen)
    assert sorted(i for d in dets for i in d.seen) == list(range(120))


def test_turns_give_frame_i_to_worker_i_mod_k():
    dets = [SlowDetector(i) for i in range(3)]
    feed = ParallelFeed(frames(60), no_prepare, [timed(d) for d in dets], turns=True)
    list(feed)
    feed.close()
    for w, d in enumerate(dets):
        assert d.seen == list(range(w, 60, 3))


def test_two_workers_overlap_their_work():
    """Two detectors that each take 20 ms finish 20 frames in well under 20 x 20 ms."""

    class Sleepy:
        def detect(self, image, t, index):
            time.sleep(0.02)
            return index

    feed = ParallelFeed(frames(20), no_prepare, [timed(Sleepy()), timed(Sleepy())])
    t0 = time.perf_counter()
    assert [d.hands for d in feed] == list(range(20))
    wall = time.perf_counter() - t0
    feed.close()
    assert wall < 0.75 * 20 * 0.02


def test_source_error_is_raised_after_the_frames_before_it():
    feed = ParallelFeed(frames(50, fail_at=17), no_prepare,
                        [timed(SlowDetector(1)), timed(SlowDetector(2))])
    got = []
    with pytest.raises(CaptureError, match="camera stopped"):
        while True:
            got.append(feed.next().frame.index)
    feed.close()
    assert got == list(range(17))


def test_detector_error_is_raised_at_its_frame():
    class Breaks:
        def detect(self, image, t, index):
            if index == 5:
                raise RuntimeError("model broke on frame 5")
            return index

    feed = ParallelFeed(frames(40), no_prepare, [timed(Breaks()), timed(Breaks())])
    got = []
    with pytest.raises(RuntimeError, match="frame 5"):
        while True:
            got.append(feed.next().hands)
    feed.close()
    assert got == [0, 1, 2, 3, 4]


def test_workers_stay_a_bounded_number_of_frames_ahead_and_close_stops_them():
    taken = []

    def endless():
        i = 0
        while True:
            taken.append(i)
            yield F(i, i / 30.0)
            i += 1

    feed = ParallelFeed(endless(), no_prepare, [timed(SlowDetector(0)), timed(SlowDetector(1))],
                        ahead=3)
    for _ in range(10):
        feed.next()
    time.sleep(0.1)  # the consumer stalls: the workers must not run on
    assert len(taken) <= 10 + 3
    feed.close()
    assert not any(th.is_alive() for th in feed._threads)


def test_prepare_runs_in_frame_order_even_with_free_workers():
    order: list[int] = []

    def prepare(frame, take):
        order.append(frame.index)
        return frame, take

    feed = ParallelFeed(frames(80), prepare, [timed(SlowDetector(i)) for i in range(3)],
                        turns=False)
    list(feed)
    feed.close()
    assert order == list(range(80))


def test_sequential_feed_is_the_one_worker_reference():
    seq = [d.hands for d in SequentialFeed(frames(10), no_prepare, timed(SlowDetector(0)))]
    assert seq == [("hands", i) for i in range(10)]


def test_worker_count_is_checked():
    with pytest.raises(ConfigError, match="landmark workers 0: expected 1..4"):
        ParallelFeed(frames(1), no_prepare, [])
