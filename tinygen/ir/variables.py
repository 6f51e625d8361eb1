"""Resource variables as the graph names them: VAR_HANDLE's (container, shared name) pair is the variable, in
whichever subgraph the handle is (TFLite Micro's CreateIdIfNoneFound)."""

from __future__ import annotations

from tinygen.ir.attrs import VarHandleAttrs
from tinygen.ir.graph import Graph, Tensor

Resource = tuple[str, str]


def resource_of(graph: Graph, tensor: int) -> Resource:
    """The variable a resource tensor names: its VAR_HANDLE's pair (importers/variables.py checked one writes it)."""
    a = graph.operators[graph.producers()[tensor]].attrs_of(VarHandleAttrs)
    return a.container, a.shared_name


def assignments(graph: Graph) -> list[tuple[Resource, Tensor]]:
    """Every (variable, value assigned) in TFLite Micro's Prepare order: the main graph's, then each subgraph's."""
    return [(resource_of(g, op.inputs[0]), g.tensor(op.inputs[1]))
            for g in (graph, *graph.subgraphs) for op in g.operators if op.opcode == "ASSIGN_VARIABLE"]


def first_assigned(graph: Graph) -> dict[Resource, Tensor]:
    """Each variable's first value in that order: the tensor TFLite Micro allocates it from (its size, and its
    zero point as the reset value)."""
    first: dict[Resource, Tensor] = {}
    for resource, value in assignments(graph):
        first.setdefault(resource, value)
    return first
