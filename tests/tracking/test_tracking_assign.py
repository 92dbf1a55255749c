"""Association helpers: optimal matching with gates, duplicates."""

from __future__ import annotations

import numpy as np

from massagecam.tracking.tracks import assign


def test_assign_minimises_total_cost_not_greedy_first_pick() -> None:
    # Greedy would take (0, 0) = 1.0 first and then be forced into (1, 1) = 10.
    cost = np.array([[1.0, 2.0], [1.5, 10.0]])
    assert sorted(assign(cost, np.full(2, 20.0))) == [(0, 1), (1, 0)]


def test_assign_respects_gates_and_prefers_more_matches() -> None:
    cost = np.array([[0.1, 0.5], [0.2, 3.0]])
    pairs = assign(cost, np.array([1.0, 1.0]))
    assert sorted(pairs) == [(0, 1), (1, 0)]  # two matches beat one cheaper match
    assert assign(cost, np.array([0.05, 0.05])) == []


def test_assign_rectangular_and_large() -> None:
    cost = np.array([[0.3], [0.1], [0.2]])
    assert assign(cost, np.array([1.0])) == [(1, 0)]
    rng = np.random.default_rng(0)
    big = rng.random((6, 6))  # greedy path beyond 25 pairs: still a valid matching
    pairs = assign(big, np.full(6, 2.0))
    assert len(pairs) == 6 and len({i for i, _ in pairs}) == len({j for _, j in pairs}) == 6
