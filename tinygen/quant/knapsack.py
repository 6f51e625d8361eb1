"""Which layers get int4: the 0/1 knapsack of bytes saved against sensitivity (HAQ/HAWQ-style).

Choose a set S of layers so that the bytes saved, Σ saved[i] over S, reach
`need`, at the least total cost Σ cost[i] (costs add: per-layer output noise
powers are treated as independent, as HAWQ's Hessian-trace sums are). Solved
exactly by dynamic programming over bytes on the complement: the layers kept
int8 maximise their cost within capacity Σ saved − need.

Capacities beyond MAX_CELLS are divided into MAX_CELLS units and each kept
layer's bytes rounded *up*: the budget then still holds exactly, at a possibly
slightly worse choice on very large models.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MAX_CELLS = 1 << 18


def choose_int4(saved: Sequence[int], cost: Sequence[float], need: int) -> frozenset[int]:
    """Indices to make int4; ValueError if even all of them save less than `need`."""
    saved = [int(s) for s in saved]
    if any(s < 0 for s in saved) or any(c < 0 for c in cost):
        raise ValueError("bytes saved and costs must be non-negative")
    if need <= 0:
        return frozenset()
    capacity = sum(saved) - need
    if capacity < 0:
        raise ValueError(f"all layers together save {sum(saved)} bytes, {need} needed")
    unit = max(1, -(-capacity // MAX_CELLS))
    cells = capacity // unit
    best = np.zeros(cells + 1)  # best[c]: the most cost kept int8 within c units
    kept = np.zeros((len(saved), cells + 1), dtype=bool)
    for i, (s, c) in enumerate(zip(saved, cost, strict=True)):
        w = -(-s // unit)
        if w > cells:
            continue
        candidate = np.full(cells + 1, -np.inf)
        candidate[w:] = best[: cells + 1 - w] + c
        kept[i] = candidate > best
        best = np.maximum(best, candidate)
    keep, c = set(), cells
    for i in range(len(saved) - 1, -1, -1):
        if kept[i, c]:
            keep.add(i)
            c -= -(-saved[i] // unit)
    return frozenset(range(len(saved))) - keep
