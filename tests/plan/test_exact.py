"""The planner against exhaustive search on graphs of at most 8 operators (references in tests/plan/exhaustive.py).

The order search claims to be exact below its state cap (2^8 states at most here,
far below it), so its peak must equal the lowest over every topological order.
Offsets make no such claim: the arena must be valid and at least the exact
optimum, and how close it comes is pinned on a seeded corpus.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.graphs import dag_graph, random_dag, random_dags
from tests.plan import exhaustive as ex
from tinygen.plan import arena
from tinygen.plan.lifetimes import Interval
from tinygen.plan.memory import MemoryPlan, plan_memory

ALIGN = 16


def placed(plan: MemoryPlan, ls: Sequence[ex.Life]) -> list[tuple[ex.Life, int]]:
    """Each reference life with the offset the plan gave its storage (or its op's scratch)."""
    result = []
    for life in ls:
        if isinstance(life.key, tuple):
            offset = plan.scratch_offset(plan.order.index(life.key[1]))
        else:
            offset = plan.offset_of(life.key)
        assert offset is not None, f"{life.key} has no place in the arena"
        result.append((life, offset))
    return result


@settings(max_examples=150, deadline=None)
@given(random_dags(max_ops=8))
def test_order_peak_is_the_lowest_of_every_topological_order(case):
    graph, scratch = case
    plan = plan_memory(graph, ALIGN, scratch)
    assert ex.peak(ex.lives(graph, plan.order, scratch)) == plan.lower_bound_bytes == ex.min_peak(graph, scratch)
    file_order = tuple(op.index for op in graph.operators)
    fixed = plan_memory(graph, ALIGN, scratch, reorder=False)
    assert fixed.order == file_order
    assert fixed.lower_bound_bytes == ex.peak(ex.lives(graph, file_order, scratch))


@settings(max_examples=150, deadline=None)
@given(random_dags(max_ops=8))
def test_offsets_are_valid_and_no_smaller_than_the_optimum(case):
    graph, scratch = case
    plan = plan_memory(graph, ALIGN, scratch)
    ls = ex.lives(graph, plan.order, scratch)
    assert sorted((p.first_step, p.last_step, p.size_bytes) for p in plan.placements) == sorted(
        (life.first, life.last, life.size) for life in ls)
    ranges = placed(plan, ls)
    assert ex.overlaps(ranges, ALIGN) == []
    assert plan.arena_bytes % ALIGN == 0
    assert all(offset + life.size <= plan.arena_bytes for life, offset in ranges)
    optimum, witness = ex.min_arena(ls, ALIGN)
    assert ex.overlaps([(life, witness[life.key]) for life in ls], ALIGN) == []
    assert max((witness[life.key] + life.size for life in ls), default=0) <= optimum
    assert plan.arena_bytes >= optimum >= arena.align_up(plan.lower_bound_bytes, ALIGN)
    assert plan.greedy_arena_bytes >= optimum


# Seeds of `random_dag(random.Random(seed).randint, 8)` where the planner's arena misses the exact
# optimum: (planner, optimum) bytes. Seed 446 is 2.3% over; everywhere else in the corpus it is exact.
CORPUS = range(500)
SUBOPTIMAL = {446: (10096, 9872)}
GREEDY_SUBOPTIMAL = 62  # TFLite Micro's greedy-by-size alone misses the optimum on this many seeds


def test_arena_is_optimal_on_a_seeded_corpus_except_where_pinned():
    missed, greedy_missed = {}, 0
    for seed in CORPUS:
        graph, scratch = random_dag(random.Random(seed).randint, 8)
        plan = plan_memory(graph, ALIGN, scratch)
        optimum, _ = ex.min_arena(ex.lives(graph, plan.order, scratch), ALIGN)
        if plan.arena_bytes != optimum:
            missed[seed] = (plan.arena_bytes, optimum)
        greedy_missed += plan.greedy_arena_bytes != optimum
    assert missed == SUBOPTIMAL
    assert greedy_missed == GREEDY_SUBOPTIMAL


@st.composite
def lifetimes(draw, max_buffers: int = 8, max_size: int = 4096):
    """Buffer lives over up to 6 steps, each at least one byte."""
    result = []
    for i in range(draw(st.integers(1, max_buffers))):
        first = draw(st.integers(0, 5))
        last = draw(st.integers(first, 5))
        result.append(ex.Life(i, draw(st.integers(1, max_size)), first, last))
    return result


@settings(max_examples=150, deadline=None)
@given(lifetimes(), st.sampled_from([1, 4, 16]))
def test_every_strategy_is_valid_and_no_smaller_than_the_optimum(ls, alignment):
    ivs = [Interval(life.key, life.size, life.first, life.last) for life in ls]
    optimum, _ = ex.min_arena(ls, alignment)
    for name, strategy in arena.STRATEGIES.items():
        offsets = strategy(ivs, alignment)
        assert ex.overlaps([(life, offsets[life.key]) for life in ls], alignment) == [], name
        assert arena.align_up(arena.arena_bytes(ivs, offsets), alignment) >= optimum, name


def every_placement_minimum(ls: Sequence[ex.Life], alignment: int) -> int:
    """The smallest aligned arena over every aligned offset below the stacked size, for every buffer.

    Stacking every buffer is valid, and a compacted optimum places no buffer above the others' stacked sizes.
    """
    top = sum(ex.align(life.size, alignment) for life in ls)
    best = top

    def assign(ranges: list[tuple[ex.Life, int]]) -> None:
        nonlocal best
        if len(ranges) == len(ls):
            best = min(best, ex.align(max(off + life.size for life, off in ranges), alignment))
            return
        for offset in range(0, top, alignment):
            trial = ranges + [(ls[len(ranges)], offset)]
            if not ex.overlaps(trial, alignment):
                assign(trial)

    assign([])
    return best


@settings(max_examples=40, deadline=None)
@given(lifetimes(max_buffers=4, max_size=4), st.sampled_from([1, 2, 4]))
def test_min_arena_equals_trying_every_offset(ls, alignment):
    """The reference's own check: its ordered search against the plainest enumeration, on tiny cases."""
    assert ex.min_arena(ls, alignment)[0] == every_placement_minimum(ls, alignment)


@settings(max_examples=60, deadline=None)
@given(random_dags(max_ops=6))
def test_min_peak_equals_the_peak_of_every_order(case):
    """The reference's own check: its pruned walk against every topological order, one by one."""
    graph, scratch = case
    every = min(ex.peak(ex.lives(graph, order, scratch)) for order in ex.topological_orders(graph))
    assert ex.min_peak(graph, scratch) == every


def test_topological_orders_of_a_diamond():
    # x -> a, x -> b, (a, b) -> c: a and b in either order, c last
    graph = dag_graph([("ADD", (0,), 4), ("ADD", (0,), 4), ("ADD", (1, 2), 4)], input_size=4)
    assert sorted(ex.topological_orders(graph)) == [(0, 1, 2), (1, 0, 2)]
