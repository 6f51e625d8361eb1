"""CAST: the type pairs TFLite Micro's cast.cc converts among the types an int8 model holds.

cast.cc reads bool, int8, int16, int32 (uint32) and float32 and writes int8,
int16, int32 (uint32) and float32, never bool; each element is a plain
static_cast, with no quantisation involved (a quantised bool -> float32 CAST is
followed by a QUANTIZE in converter-made models).
"""

from __future__ import annotations

from tinygen.ir.graph import DTYPE_BITS, Operator
from tinygen.kernels.cast import CastParams
from tinygen.lower.context import LowerContext
from tinygen.lower.layer import Layer

CAST_FROM = frozenset({"bool", "int8", "int16", "int32", "float32"})
CAST_TO = frozenset({"int8", "int16", "int32", "float32"})


def lower_cast(ctx: LowerContext, op: Operator) -> Layer:
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    if x.dtype not in CAST_FROM or y.dtype not in CAST_TO or x.is_constant:
        raise ctx.fail(op, f"{x.dtype} -> {y.dtype}; TFLite Micro casts an activation of "
                           f"{', '.join(sorted(CAST_FROM))} to {', '.join(sorted(CAST_TO))}")
    if x.elements != y.elements:
        raise ctx.fail(op, f"input {x.shape} and output {y.shape} differ in size; TFLite Micro requires them equal")
    params = CastParams(input=ctx.ptr(x), output=ctx.ptr(y), size=x.elements,
                        input_bytes=DTYPE_BITS[x.dtype] // 8, input_float=int(x.dtype == "float32"),
                        output_bytes=DTYPE_BITS[y.dtype] // 8, output_float=int(y.dtype == "float32"))
    return Layer(op.index, op.opcode, "cast", "tg_cast", params, f"CAST {x.dtype} -> {y.dtype} {x.shape}")
