"""Edit a converter-made TFLite flatbuffer: unpack it, find operators by opcode, change them, pack it again.

Some TFLite Micro behaviours cannot be reached through the converter (other
constants, other quantisation, an op it never writes); the edited model is
still one TFLite Micro runs, so it remains the reference.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flatbuffers
import numpy as np
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema


def unpack(model: bytes) -> Any:
    """The flatbuffer's object-API ModelT, to edit in place."""
    return schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(model, 0))


def pack(m: Any) -> bytes:
    """`m` serialised again, with TFLite's file identifier."""
    builder = flatbuffers.Builder(1024)
    builder.Finish(m.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def builtin(m: Any, op: Any) -> int:
    """`op`'s BuiltinOperator (old models keep small codes in the deprecated field)."""
    code = m.operatorCodes[op.opcodeIndex]
    return max(code.builtinCode, code.deprecatedBuiltinCode)


def operators(m: Any, opcode: str) -> list[Any]:
    """The first subgraph's `opcode` operators, in order."""
    code = getattr(schema.BuiltinOperator, opcode)
    return [op for op in m.subgraphs[0].operators if builtin(m, op) == code]


def edit_model(model: bytes, opcode: str, edit: Callable[[Any, list[Any]], None]) -> bytes:
    """Call `edit(op, tensors)` on every `opcode` operator (flatbuffer object API) and re-serialise."""
    m = unpack(model)
    hits = operators(m, opcode)
    assert hits, f"no {opcode} in the model"
    for op in hits:
        edit(op, m.subgraphs[0].tensors)
    return pack(m)


def requantize(tensor: Any, scale: float | None = None, zero_point: int | None = None) -> None:
    """Give `tensor` another scale and/or zero point."""
    if scale is not None:
        tensor.quantization.scale = [float(np.float32(scale))]
    if zero_point is not None:
        tensor.quantization.zeroPoint = [int(zero_point)]
