"""Operators whose output is known when the firmware is generated: ZEROS_LIKE, SHAPE, BROADCAST_ARGS.

TFLite Micro computes these at run time from nothing the input's values
change, so tinygen stores the output's bytes in flash and copies them into the
arena with the strided copy (one byte stepped 0 times when every byte is the
same). Multi-byte values are stored little-endian, the byte order of the
Cortex-M cores and hosts tinygen builds for.
"""

from __future__ import annotations

import numpy as np

from tinygen.importers.op_shapes import broadcast_shape
from tinygen.ir.graph import Operator
from tinygen.kernels.block import Offset
from tinygen.kernels.shape import StridedCopyParams
from tinygen.lower.context import LowerContext
from tinygen.lower.layer import Layer
from tinygen.lower.shape import collapse


def _known_output(ctx: LowerContext, op: Operator, values: np.ndarray, comment: str) -> Layer:
    """The layer writing `values` (the output's elements, in its type) into the output tensor."""
    y = ctx.tensor(op, 0, "outputs")
    data = np.ascontiguousarray(values.astype(values.dtype.newbyteorder("<")).reshape(-1)).view(np.int8)
    if values.size != y.elements:
        raise ValueError(f"operator {op.index} {op.opcode}: {values.size} values for output {y.shape}")
    repeat = data.size > 0 and bool((data == data[0]).all())
    source = ctx.array(op, "known", data[:1] if repeat else data)
    dims, strides = collapse([data.size], [0 if repeat else 1])
    params = StridedCopyParams(input=Offset(source, 0), output=ctx.ptr(y), dims=dims, strides=strides)
    return Layer(op.index, op.opcode, "shape", "tg_strided_copy_s8", params, comment)


def lower_zeros_like(ctx: LowerContext, op: Operator) -> Layer:
    """Zeros of the input's type, not its zero point: TFLite Micro's resetZeros."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    if x.dtype != y.dtype or x.shape != y.shape:
        raise ctx.fail(op, f"input {x.dtype} {x.shape} but output {y.dtype} {y.shape}; TFLite Micro requires them "
                           "equal")
    return _known_output(ctx, op, np.zeros(y.elements, np.int8), f"ZEROS_LIKE {y.shape}")


def lower_shape(ctx: LowerContext, op: Operator) -> Layer:
    """The input's shape as int32 (TFLite Micro's SHAPE writes no other type); the input's values are not read."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    if y.dtype != "int32" or y.shape != (len(x.shape),):
        raise ctx.fail(op, f"output is {y.dtype} {y.shape}; TFLite Micro's SHAPE writes the {len(x.shape)} int32 "
                           "sizes of its input")
    return _known_output(ctx, op, np.array(x.shape, np.int32), f"SHAPE of {x.shape}")


def static_ints(ctx: LowerContext, op: Operator, slot: int) -> tuple[int, ...] | None:
    """The int32 values of input `slot` when known before run time: a constant, or a SHAPE operator's output."""
    t = ctx.tensor(op, slot)
    if t.data is not None:
        return tuple(int(v) for v in t.data.reshape(-1))
    producer = ctx.graph.producers().get(t.index)
    if producer is not None and ctx.graph.operators[producer].opcode == "SHAPE":
        return ctx.tensor(ctx.graph.operators[producer], 0).shape
    return None


def lower_broadcast_args(ctx: LowerContext, op: Operator) -> Layer:
    """The shape two int32 shapes broadcast to, from their values known at generation time."""
    shapes = [static_ints(ctx, op, slot) for slot in (0, 1)]
    y = ctx.tensor(op, 0, "outputs")
    if any(ctx.tensor(op, slot).dtype != "int32" for slot in (0, 1)) or y.dtype != "int32":
        raise ctx.fail(op, "shapes are not int32; tinygen generates BROADCAST_ARGS for int32 shapes")
    a, b = shapes
    if a is None or b is None:
        raise ctx.fail(op, "a shape is computed at run time from values; tinygen needs constants or SHAPE outputs")
    both = broadcast_shape(a, b)
    if both is None or y.shape != (len(both),):
        raise ctx.fail(op, f"shapes {list(a)} and {list(b)} do not broadcast to the output's {y.shape[0]} sizes")
    return _known_output(ctx, op, np.array(both, np.int32), f"BROADCAST_ARGS {list(a)}, {list(b)} -> {list(both)}")
