"""READ_VARIABLE, ASSIGN_VARIABLE and CALL_ONCE: copies between the arena and the state region.

VAR_HANDLE emits nothing: a handle is resolved here, at generation time, to its variable's place
(tinygen/plan/state.py). CALL_ONCE is generated when its init subgraph only assigns constants to variables,
which is what TensorFlow's converter writes for a variable's initial value; an init subgraph that computes is
reported unsupported.
"""

from __future__ import annotations

import numpy as np

from tinygen.ir.attrs import SubgraphCallAttrs
from tinygen.ir.graph import Graph, Operator
from tinygen.ir.variables import Resource, resource_of
from tinygen.kernels.block import ArenaPtr
from tinygen.kernels.state import CallOnceParams, StateCopyParams
from tinygen.lower.context import LowerContext
from tinygen.lower.layer import Layer


def init_assignments(graph: Graph, op: Operator) -> list[tuple[Resource, np.ndarray]] | None:
    """The (variable, bytes) pairs CALL_ONCE's init subgraph assigns, or None if it does more than assign
    constants."""
    init = graph.subgraphs[op.attrs_of(SubgraphCallAttrs).subgraphs[0] - 1]
    pairs = []
    for step in init.operators:
        value = init.tensor(step.inputs[1]).data if step.opcode == "ASSIGN_VARIABLE" else None
        if value is not None:
            pairs.append((resource_of(init, step.inputs[0]), _bytes(value)))
        elif step.opcode != "VAR_HANDLE":
            return None
    return pairs


def _variable(ctx: LowerContext, op: Operator) -> ArenaPtr:
    return ArenaPtr(ctx.plan.state.resource_offset(resource_of(ctx.graph, op.inputs[0])), state=True)


def lower_read_variable(ctx: LowerContext, op: Operator) -> Layer:
    y = ctx.tensor(op, 0, "outputs")
    params = StateCopyParams(input=_variable(ctx, op), output=ctx.ptr(y), size=y.size_bytes)
    return Layer(op.index, op.opcode, "state", "tg_state_copy", params, f"READ_VARIABLE {y.dtype} {y.shape}")


def lower_assign_variable(ctx: LowerContext, op: Operator) -> Layer:
    x = ctx.tensor(op, 1)
    source = ctx.array(op, "value", _bytes(ctx.constant(op, 1))) if x.is_constant else ctx.ptr(x)
    params = StateCopyParams(input=source, output=_variable(ctx, op), size=x.size_bytes)
    return Layer(op.index, op.opcode, "state", "tg_state_copy", params, f"ASSIGN_VARIABLE {x.dtype} {x.shape}")


def lower_call_once(ctx: LowerContext, op: Operator) -> Layer:
    pairs = init_assignments(ctx.graph, op)
    if pairs is None:
        raise ctx.fail(op, "its init subgraph computes; tinygen runs init subgraphs that assign constants")
    state = ctx.plan.state
    if state.init_flag_offset is None:
        raise ValueError("the memory plan of a graph with CALL_ONCE has no flag for it")  # plan/state.py's bug
    params = CallOnceParams(
        flag=ArenaPtr(state.init_flag_offset, state=True), count=len(pairs),
        offsets=ctx.array(op, "offsets", np.array([state.resource_offset(r) for r, _ in pairs] or [0], np.int32)),
        sizes=ctx.array(op, "sizes", np.array([v.size for _, v in pairs] or [0], np.int32)),
        values=ctx.array(op, "values", np.concatenate([v for _, v in pairs] or [np.zeros(1, np.int8)])),
        state=ArenaPtr(0, state=True))
    return Layer(op.index, op.opcode, "state", "tg_call_once", params, f"CALL_ONCE: {len(pairs)} initial values")


def _bytes(data: np.ndarray) -> np.ndarray:
    """A constant's bytes as the file stores them (little-endian, as every Cortex-M runs)."""
    return np.frombuffer(np.ascontiguousarray(data, data.dtype.newbyteorder("<")).tobytes(), np.int8)
