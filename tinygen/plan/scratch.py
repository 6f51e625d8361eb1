"""Arena scratch a kernel needs during its own step, as TFLite Micro's kernels request it in Prepare.

TRANSPOSE_CONV scatters every input pixel into the output window it touches,
so each output value is summed from several places before it can be
requantised: TFLite Micro accumulates into an int32 (int64 for int16
activations) buffer of the output's size, requested with
RequestScratchBufferInArena. tinygen plans the same buffer as an interval
living only at that op's step, so the arena, `check` and the execution order
all count it. SVDF requests two int32 buffers, one value per filter and one per
unit of each batch row; tinygen plans them as one scratch, the second after the first.
UNIDIRECTIONAL_SEQUENCE_LSTM needs three int16 gate buffers of batches x units.
"""

from __future__ import annotations

from tinygen.ir.graph import Graph
from tinygen.ir.lstm_slots import HIDDEN

_ACCUMULATOR_BYTES = {"int8": 4, "int16": 8}  # TRANSPOSE_CONV: per output value, by activation type
_LSTM_BUFFERS, _LSTM_CELL_BYTES = 3, 2  # int16 gate buffers (TFLM: 4, its 4th the hidden layer's result)


def kernel_scratch(graph: Graph) -> dict[int, int]:
    """Operator index -> scratch bytes, for the ops whose kernels need a working buffer in the arena."""
    result = {}
    for op in graph.operators:
        if op.opcode == "TRANSPOSE_CONV" and op.outputs:
            y = graph.tensor(op.outputs[0])
            width = _ACCUMULATOR_BYTES.get(y.dtype)
            if width:
                result[op.index] = y.elements * width
        elif op.opcode == "SVDF" and op.outputs:
            filters = graph.tensor(op.inputs[1]).shape[0]
            batch, units = graph.tensor(op.outputs[0]).shape
            result[op.index] = 4 * batch * (filters + units)
        elif op.opcode == "UNIDIRECTIONAL_SEQUENCE_LSTM" and len(op.inputs) > HIDDEN:
            hidden = graph.tensor(op.inputs[HIDDEN])
            result[op.index] = _LSTM_BUFFERS * hidden.elements * _LSTM_CELL_BYTES
    return result
