"""Planner invariants on random DAGs (hypothesis): the guarantees the generated C relies on.

How good the order and the offsets are is measured against exhaustive search in test_exact.py.
"""

from hypothesis import given, settings

from tests.graphs import random_dags
from tinygen.plan.lifetimes import buffers
from tinygen.plan.memory import plan_memory


@settings(max_examples=250, deadline=None)
@given(random_dags(), )
def test_plan_invariants(case):
    graph, scratch = case
    plan = plan_memory(graph, alignment_bytes=16, scratch_bytes=scratch)

    # the order is a topological order of every operator
    assert sorted(plan.order) == [op.index for op in graph.operators]
    step = {op: i for i, op in enumerate(plan.order)}
    producers = graph.producers()
    for op in graph.operators:
        for t in op.inputs:
            if t in producers:
                assert step[producers[t]] < step[op.index]

    # no two simultaneously live buffers overlap in the arena
    ps = plan.placements
    for i, a in enumerate(ps):
        assert a.offset_bytes % 16 == 0
        assert a.offset_bytes + a.size_bytes <= plan.arena_bytes
        for b in ps[i + 1:]:
            if a.first_step <= b.last_step and b.first_step <= a.last_step:
                a_end, b_end = a.offset_bytes + a.size_bytes, b.offset_bytes + b.size_bytes
                assert a_end <= b.offset_bytes or b_end <= a.offset_bytes

    # every buffer lives from its producer through its last reader
    for b in buffers(graph):
        p = next(p for p in ps if p.buffer_id == b.id)
        if b.producer is not None:
            assert p.first_step == step[b.producer]
        for r in b.readers:
            assert p.first_step <= step[r] <= p.last_step

    # aliasing: a RESHAPE's output shares its input's storage
    for op in graph.operators:
        if op.opcode == "RESHAPE":
            assert plan.offset_of(op.outputs[0]) == plan.offset_of(op.inputs[0])

    # scratch buffers live for exactly their op's step
    scratch_placements = [p for p in ps if not p.tensors]
    assert sorted(p.size_bytes for p in scratch_placements) == sorted(s for s in scratch.values() if s)
    assert all(p.first_step == p.last_step for p in scratch_placements)

    assert plan.arena_bytes >= plan.lower_bound_bytes == max(plan.live_bytes)
    assert plan_memory(graph, alignment_bytes=16, scratch_bytes=scratch) == plan
