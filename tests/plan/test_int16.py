"""int16 activations in the planner: two bytes an element, and never in place or in a patch stage, whose
kernels are int8's only."""

import dataclasses

from tests.graphs import conv_net
from tinygen.ir.graph import Graph
from tinygen.plan.memory import plan_memory
from tinygen.plan.patches import stage_prefixes


def _as_int16(graph: Graph) -> Graph:
    """The same net with every activation int16 (weights stay int8), as TensorFlow's 16x8 mode makes it."""
    tensors = tuple(t if t.is_constant else dataclasses.replace(t, dtype="int16") for t in graph.tensors)
    return dataclasses.replace(graph, tensors=tensors)


def test_int16_layers_take_twice_the_bytes_and_never_run_in_place_or_in_patches():
    graph = conv_net((24, 24, 8), [("CONV_2D", 1, 1, "SAME", 8), ("CONV_2D", 3, 1, "SAME", 8),
                                   ("CONV_2D", 1, 1, "SAME", 8)])
    assert plan_memory(graph, inplace=True).inplace and stage_prefixes(graph)  # the int8 net does both
    wide = _as_int16(graph)
    assert not plan_memory(wide, inplace=True).inplace and not stage_prefixes(wide)
    assert plan_memory(wide).arena_bytes == 2 * plan_memory(graph).arena_bytes == 2 * 2 * 24 * 24 * 8
