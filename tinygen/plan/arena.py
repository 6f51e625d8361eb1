"""Offsets in one static arena for intervals that must not overlap while both are live.

Strategies share one signature, `(intervals, alignment) -> {id: offset}`, and
are picked by name from `STRATEGIES` (the TVM USMP layout). `greedy-by-size`
is TensorFlow Lite Micro's planner; `search` tries several orderings and a
seeded local search over the same first-fit placement and keeps the best,
so it is never worse than greedy-by-size.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from tinygen.plan.lifetimes import Interval

Offsets = dict[int, int]


def align_up(value: int, alignment: int) -> int:
    return -(-value // alignment) * alignment


def arena_bytes(ivs: Sequence[Interval], offsets: Offsets) -> int:
    return max((offsets[iv.id] + iv.size_bytes for iv in ivs), default=0)


def overlapping(ivs: Sequence[Interval]) -> dict[int, list[Interval]]:
    """Per interval id, the other intervals live at some common step: a sweep by start step, so the cost is
    the number of overlapping pairs, not the square of the count."""
    result: dict[int, list[Interval]] = {iv.id: [] for iv in ivs}
    active: list[Interval] = []
    for iv in sorted(ivs, key=lambda iv: iv.first):
        active = [o for o in active if o.last >= iv.first]
        for o in active:
            result[o.id].append(iv)
            result[iv.id].append(o)
        active.append(iv)
    return result


def first_fit(ivs: Sequence[Interval], alignment: int,
              neighbours: dict[int, list[Interval]] | None = None) -> Offsets:
    """Place intervals in the given order, each at the lowest aligned offset free for its whole life.
    `neighbours`: `overlapping(ivs)`, when the caller places the same intervals several times."""
    neighbours = overlapping(ivs) if neighbours is None else neighbours
    offsets: Offsets = {}
    for iv in ivs:
        busy = sorted((offsets[o.id], offsets[o.id] + o.size_bytes) for o in neighbours[iv.id] if o.id in offsets)
        offset = 0
        for off, end in busy:
            if offset + iv.size_bytes <= off:
                break
            offset = max(offset, align_up(end, alignment))
        offsets[iv.id] = offset
    return offsets


def greedy_by_size(ivs: Sequence[Interval], alignment: int) -> Offsets:
    """TFLite Micro's GreedyMemoryPlanner: largest first; equal sizes in the order the buffers were added
    (its ReverseSortInPlace is a stable sort; TFLite Micro adds tensors by index, so by id here)."""
    return first_fit(sorted(ivs, key=lambda iv: (-iv.size_bytes, iv.id)), alignment)


def search(ivs: Sequence[Interval], alignment: int, tries: int = 48, seed: int = 0) -> Offsets:
    """Best first-fit over heuristic orderings, then seeded swaps of the best ordering."""
    if not ivs:
        return {}
    bound = aligned_lower_bound(ivs, alignment)
    near = overlapping(ivs)
    conflict = {iv.id: iv.size_bytes + sum(o.size_bytes for o in near[iv.id]) for iv in ivs}
    orderings = [
        sorted(ivs, key=lambda iv: (-iv.size_bytes, iv.first, iv.id)),
        sorted(ivs, key=lambda iv: (-(iv.last - iv.first), -iv.size_bytes, iv.id)),
        sorted(ivs, key=lambda iv: (-iv.size_bytes * (iv.last - iv.first + 1), iv.id)),
        sorted(ivs, key=lambda iv: (iv.first, -iv.size_bytes, iv.id)),
        sorted(ivs, key=lambda iv: (-conflict[iv.id], iv.id)),  # bytes live beside it, its own included
    ]
    best_order = orderings[0]
    best = first_fit(best_order, alignment, near)
    best_size = arena_bytes(ivs, best)
    for order in orderings[1:]:
        offsets = first_fit(order, alignment, near)
        size = arena_bytes(ivs, offsets)
        if size < best_size:
            best_order, best, best_size = order, offsets, size
    rng = random.Random(seed)
    for _ in range(tries if len(ivs) > 2 else 0):
        if best_size <= bound:
            break
        order = list(best_order)
        i, j = rng.sample(range(len(order)), 2)
        order[i], order[j] = order[j], order[i]
        offsets = first_fit(order, alignment, near)
        size = arena_bytes(ivs, offsets)
        if size < best_size:
            best_order, best, best_size = order, offsets, size
    return best


def lower_bound(ivs: Sequence[Interval]) -> int:
    """Max over steps of live bytes: no placement can use less."""
    events: dict[int, int] = {}
    for iv in ivs:
        events[iv.first] = events.get(iv.first, 0) + iv.size_bytes
        events[iv.last + 1] = events.get(iv.last + 1, 0) - iv.size_bytes
    live = peak = 0
    for step in sorted(events):
        live += events[step]
        peak = max(peak, live)
    return peak


def aligned_lower_bound(ivs: Sequence[Interval], alignment: int) -> int:
    return lower_bound([Interval(iv.id, align_up(iv.size_bytes, alignment), iv.first, iv.last) for iv in ivs])


STRATEGIES: dict[str, Callable[[Sequence[Interval], int], Offsets]] = {
    "greedy-by-size": greedy_by_size,
    "search": search,
}
