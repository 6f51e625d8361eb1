"""In-place ops: never a higher peak, the overwritten input dies at the op, shared offsets, no overlaps."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.graphs import dag_graph
from tests.models import shared_model
from tinygen.importers.tflite import load_tflite
from tinygen.plan.memory import plan_memory


@st.composite
def equal_size_dags(draw):
    """ADD DAGs whose tensors share a few sizes, so many ADDs can overwrite an input."""
    n = draw(st.integers(1, 10))
    spec = []
    for i in range(n):
        ins = tuple(sorted(draw(st.sets(st.integers(0, i), min_size=1, max_size=2))))
        spec.append(("ADD", ins, draw(st.sampled_from([64, 64, 128]))))
    outputs = tuple(sorted(draw(st.sets(st.integers(1, n), max_size=2)) | {n}))
    return dag_graph(spec, draw(st.sampled_from([64, 128])), outputs=outputs)


@settings(max_examples=200, deadline=None)
@given(equal_size_dags())
def test_inplace_invariants(graph):
    base = plan_memory(graph)
    plan = plan_memory(graph, inplace=True)
    assert plan.order == base.order
    assert plan.lower_bound_bytes <= base.lower_bound_bytes
    step = {op: i for i, op in enumerate(plan.order)}
    consumers = graph.consumers()
    for index in plan.inplace:
        op = graph.operators[index]
        out = plan.offset_of(op.outputs[0])
        shared = [t for t in op.inputs if plan_has(plan, t) and plan.offset_of(t) == out]
        assert shared, "an in-place op shares its output's storage with one input"
        assert all(step[r] <= step[index] for t in shared for r in consumers[t])
        assert not set(shared) & set(graph.inputs) and op.outputs[0] not in graph.inputs
    ps = plan.placements
    for i, a in enumerate(ps):
        for b in ps[i + 1:]:
            if a.first_step <= b.last_step and b.first_step <= a.last_step:
                a_end, b_end = a.offset_bytes + a.size_bytes, b.offset_bytes + b.size_bytes
                assert a_end <= b.offset_bytes or b_end <= a.offset_bytes


def plan_has(plan, tensor):
    return any(tensor in p.tensors for p in plan.placements)


@pytest.mark.shared_models
def test_kws_depthwise_and_pointwise_run_in_place():
    graph = load_tflite(shared_model("kws_ref_model"))
    plan = plan_memory(graph, inplace=True)
    assert plan.arena_bytes == 8496 < plan_memory(graph).arena_bytes == 16000
    # the DSP kernels' temporaries: four channel planes (500 B), four pixels
    assert plan_memory(graph, inplace=True, dsp_kernels=True).arena_bytes == 8512
    opcodes = {graph.operators[i].opcode for i in plan.inplace}
    assert opcodes == {"DEPTHWISE_CONV_2D", "CONV_2D"}
    for index in plan.inplace:
        op = graph.operators[index]
        assert plan.offset_of(op.inputs[0]) == plan.offset_of(op.outputs[0])
        assert plan.inplace_temp(index) is not None
