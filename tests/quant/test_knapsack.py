"""tinygen/quant/knapsack.py against brute force: the budget always holds and the cost is the least possible."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygen.quant import knapsack
from tinygen.quant.knapsack import choose_int4

layers = st.lists(st.tuples(st.integers(0, 300), st.floats(0, 100, allow_nan=False)), min_size=1, max_size=8)


def _brute(saved, cost, need):
    sets = (set(s) for k in range(len(saved) + 1) for s in combinations(range(len(saved)), k))
    return min(sum(cost[i] for i in s) for s in sets if sum(saved[i] for i in s) >= need)


@given(layers, st.integers(-5, 1500))
@settings(max_examples=300, deadline=None)
def test_exact_on_small_instances(items, need):
    saved, cost = [s for s, _ in items], [c for _, c in items]
    if need > sum(saved):
        with pytest.raises(ValueError, match="save"):
            choose_int4(saved, cost, need)
        return
    chosen = choose_int4(saved, cost, need)
    assert sum(saved[i] for i in chosen) >= need
    assert sum(cost[i] for i in chosen) == pytest.approx(_brute(saved, cost, need))


@given(layers, st.integers(0, 1500))
@settings(max_examples=100, deadline=None)
def test_coarse_units_still_meet_the_budget(items, need):
    saved, cost = [s * 997 for s, _ in items], [c for _, c in items]
    need *= 997
    if need > sum(saved):
        return
    original = knapsack.MAX_CELLS
    knapsack.MAX_CELLS = 7  # force rounding to units of many bytes
    try:
        chosen = choose_int4(saved, cost, need)
    finally:
        knapsack.MAX_CELLS = original
    assert sum(saved[i] for i in chosen) >= need
