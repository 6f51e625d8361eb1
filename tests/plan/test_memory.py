"""Exact byte figures of the planner on hand-checkable graphs and on the shared MLPerf Tiny models."""

import pytest

from tests.graphs import chain_graph, dag_graph
from tests.models import shared_model
from tinygen.importers.tflite import load_tflite
from tinygen.plan.memory import plan_memory


def test_chain_needs_two_largest_neighbours():
    plan = plan_memory(chain_graph([490, 8000, 8000, 8000]))
    assert plan.live_bytes == (8490, 16000, 16000)
    assert plan.arena_bytes == plan.lower_bound_bytes == 16000


def test_reshape_aliases_its_input():
    plan = plan_memory(chain_graph([64, 64, 12], ["RESHAPE", "ADD"]))
    assert plan.offset_of(1) == plan.offset_of(0)
    assert plan.live_bytes == (64, 76)
    assert (plan.lower_bound_bytes, plan.arena_bytes) == (76, 80)  # 12 bytes placed at 64, rounded to 16


def test_scratch_lives_only_during_its_op():
    plan = plan_memory(chain_graph([100, 100, 100]), scratch_bytes={0: 1000})
    assert plan.live_bytes == (1200, 200)
    assert plan.lower_bound_bytes == 1200
    assert plan.arena_bytes == 1232  # 1000 @0, 100 @1008, 100 @1120 -> 1220, aligned to 16
    assert plan.scratch_offset(0) is not None and plan.scratch_offset(1) is None


def test_alignment_is_respected():
    plan = plan_memory(chain_graph([3, 5, 7]), alignment_bytes=8)
    assert all(p.offset_bytes % 8 == 0 for p in plan.placements)
    assert plan.arena_bytes % 8 == 0


def test_branches_are_reordered_to_lower_the_peak():
    # x -> a1(1000) -> a2(10) ; x -> b1(1000) -> b2(10) ; join(a2, b2)
    spec = [("ADD", (0,), 1000), ("ADD", (0,), 1000), ("ADD", (1,), 10), ("ADD", (2,), 10), ("ADD", (3, 4), 20)]
    graph = dag_graph(spec, input_size=10)
    assert plan_memory(graph, reorder=False).lower_bound_bytes == 2010
    plan = plan_memory(graph)
    assert plan.order == (0, 2, 1, 3, 4)
    assert plan.lower_bound_bytes == 1020


@pytest.mark.shared_models
@pytest.mark.parametrize(
    "name, arena, greedy",
    [("kws_ref_model", 16000, 16000), ("ad01_int8", 768, 768)],
)
def test_shared_models_match_the_live_peak(name, arena, greedy):
    plan = plan_memory(load_tflite(shared_model(name)))
    assert plan.arena_bytes == arena
    assert plan.lower_bound_bytes == arena
    assert plan.greedy_arena_bytes == greedy
