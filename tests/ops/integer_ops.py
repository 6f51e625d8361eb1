"""Turn a converter-made model's float island (DEQUANTIZE -> OP -> QUANTIZE) into one integer OP.

TensorFlow's converter keeps ELU, ADD_N and CUMSUM in float32 between a
DEQUANTIZE and a QUANTIZE, though TFLite Micro has int8 kernels for them.
The rewrite wires the op to the int8 tensors the DEQUANTIZEs read and the
QUANTIZE writes (with the quantisation the converter calibrated) and drops
the two converters: the int8 model TFLite Micro runs with its int8 kernel.
"""

from __future__ import annotations

import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

from tests.ops.flatbuffer import builtin, operators, pack, unpack


def integer_island(model: bytes, opcode: str) -> bytes:
    """`model` with every float `opcode` between DEQUANTIZEs and one QUANTIZE run on their integer tensors."""
    m = unpack(model)
    graph = m.subgraphs[0]
    writer = {int(t): op for op in graph.operators for t in op.outputs}
    readers: dict[int, list[schema.OperatorT]] = {}
    for op in graph.operators:
        for t in op.inputs:
            readers.setdefault(int(t), []).append(op)
    dropped: list[schema.OperatorT] = []
    for op in operators(m, opcode):
        inputs = []
        for t in op.inputs:
            source = writer.get(int(t))
            if source is not None and builtin(m, source) == schema.BuiltinOperator.DEQUANTIZE:
                inputs.append(int(source.inputs[0]))
                dropped.append(source)
            else:
                inputs.append(int(t))
        (quantize,) = readers[int(op.outputs[0])]
        assert builtin(m, quantize) == schema.BuiltinOperator.QUANTIZE, "the float op must feed one QUANTIZE"
        op.inputs = np.array(inputs, np.int32)
        op.outputs = np.array(quantize.outputs, np.int32)
        dropped.append(quantize)
    graph.operators = [op for op in graph.operators if all(op is not d for d in dropped)]
    return pack(m)
