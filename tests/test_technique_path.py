from __future__ import annotations

import numpy as np

from massagecam.technique_path import (
    GAP_S,
    JUMP_S,
    press_runs,
    run_fits,
    sawtooth_passes,
    settled_after_jump,
)

FPS = 30.0


def test_press_runs_split_at_pauses_longer_than_the_gap():
    t = np.r_[np.arange(10) / FPS, 1.0 + np.arange(5) / FPS]
    runs = press_runs(t)
    assert [(r.start, r.stop) for r in runs] == [(0, 10), (10, 15)]
    assert press_runs(np.arange(20) * (GAP_S / 2)) == [slice(0, 20)]


def test_run_fits_give_the_speed_and_direction_of_straight_passes():
    t = np.arange(0, 1.5, 1 / FPS)
    p = np.stack([0.2 + 0.4 * t, np.zeros_like(t)], axis=1)
    speed, mean_v, _, _, sideways = run_fits([(t, p)])
    assert abs(speed - 0.4) < 1e-6 and mean_v[0] > 0 and sideways < 1e-6
    assert run_fits([(t[:3], p[:3])]) is None  # too short to fit


def saw(fwd: float, back: float, length: float = 0.4, seconds: float = 3.0):
    t = np.arange(0, seconds, 1 / FPS)
    t_fwd, t_back = length / fwd, length / back
    k = t % (t_fwd + t_back)
    s = np.where(k < t_fwd, fwd * k, length - back * (k - t_fwd))
    return t, np.stack([s, np.zeros_like(s)], axis=1)


def test_a_sawtooth_gives_its_slow_passes_and_a_symmetric_path_none():
    t, p = saw(0.35, 0.7)
    passes = sawtooth_passes(t, p)
    assert passes and all(np.all(np.diff(pp[:, 0]) > -0.01) for _, pp in passes)
    assert sawtooth_passes(*saw(0.35, 0.35)) is None
    # returns across a seen lift (a pause) are no sawtooth: the runs already separate passes
    t2, p2 = saw(0.35, 0.7)
    keep = p2[:, 0] >= np.r_[p2[1:, 0], p2[-1, 0]] - 1e-9
    keep = ~keep | (np.arange(len(t2)) == len(t2) - 1)  # only the forward samples
    assert sawtooth_passes(t2[keep], p2[keep]) is None


def test_the_path_after_a_glide_to_another_point_is_cut_off():
    t = np.arange(0, 3.0, 1 / FPS)
    p = np.where((t < 1.5)[:, None], [0.3, 0.0], [0.8, 0.0]).astype(float)
    glide = (t >= 1.5) & (t < 1.8)
    p[glide, 0] = 0.3 + 0.5 * (t[glide] - 1.5) / 0.3
    j = settled_after_jump(t, p)
    assert 1.5 <= t[j] <= 1.8 + JUMP_S  # the 0.5 s look-back still spans the glide until then
    assert settled_after_jump(t, np.tile([0.3, 0.0], (len(t), 1))) == 0  # never moved
