"""The checks TFLite Micro's Prepare makes (and those tinygen's kernels need), run on every imported graph.

In dependency order: the wiring first (later checks index tensors through
it), then each tensor, then each operator's operands, then the resource variables. The first fault is one
InputError; a graph that passes can be planned, generated and run safely.
"""

from __future__ import annotations

from tinygen.importers.op_shapes import check_op_shapes
from tinygen.importers.tensors import check_tensors
from tinygen.importers.variables import check_variables
from tinygen.importers.wiring import check_wiring
from tinygen.ir.graph import Graph


def validate_graph(graph: Graph) -> None:
    check_wiring(graph)
    check_tensors(graph)
    check_op_shapes(graph)
    check_variables(graph)
