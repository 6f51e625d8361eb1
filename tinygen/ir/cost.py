"""Multiply-accumulates per operator: the work measure used by check, patching and NAS."""

from __future__ import annotations

from math import prod

from tinygen.ir.graph import Graph, Operator


def macs(graph: Graph, op: Operator) -> int:
    """MACs of conv, depthwise, transposed conv, fully-connected, SVDF and LSTM layers; other ops count 0
    (they are memory-bound)."""
    if not op.outputs:  # CALL_ONCE, ASSIGN_VARIABLE: state, not arithmetic
        return 0
    out = graph.tensor(op.outputs[0])
    if op.opcode == "CONV_2D":
        weights = graph.tensor(op.inputs[1])  # OHWI
        return out.elements * prod(weights.shape[1:])
    if op.opcode == "DEPTHWISE_CONV_2D":
        weights = graph.tensor(op.inputs[1])  # 1HWC
        return out.elements * weights.shape[1] * weights.shape[2]
    if op.opcode == "TRANSPOSE_CONV":  # every input value times its filter window, edge taps included
        weights = graph.tensor(op.inputs[1])  # OHWI
        return graph.tensor(op.inputs[2]).elements * prod(weights.shape[:3])
    if op.opcode == "FULLY_CONNECTED":
        weights = graph.tensor(op.inputs[1])  # (units, depth)
        return out.elements * weights.shape[-1]
    if op.opcode == "SVDF":  # the feature projection, then each filter's time dot product
        filters, depth = graph.tensor(op.inputs[1]).shape
        batch, memory = graph.tensor(op.inputs[0]).shape[0], graph.tensor(op.inputs[2]).shape[1]
        return batch * filters * (depth + memory)
    if op.opcode == "UNIDIRECTIONAL_SEQUENCE_LSTM":  # four gates, each an input and a hidden state layer per step
        units, features = graph.tensor(op.inputs[2]).shape  # input-to-forget weights
        return 4 * out.elements * (features + units)
    return 0
