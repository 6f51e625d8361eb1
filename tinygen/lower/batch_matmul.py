"""BATCH_MATMUL as TFLite Micro's batch_matmul.cc computes it, int8 and int16 (16x8 models).

Its Prepare takes the multiplier from GetQuantizedConvolutionMultipler: the two
input scales multiplied in float32, then divided in double. There is no fused
activation: the output clamps to its type. The int16 kernel requires every zero
point to be 0 (TFLite Micro checks it) and accumulates in int64.
"""

from __future__ import annotations

import numpy as np

from tinygen.ir.attrs import BatchMatMulAttrs
from tinygen.ir.graph import Operator
from tinygen.kernels.batch_matmul import BATCH_DIMS, BatchMatMulParams, BatchMatMulS16Params
from tinygen.lower.context import LowerContext
from tinygen.lower.int16 import INT16
from tinygen.lower.layer import Layer
from tinygen.lower.shape import element_strides, source
from tinygen.numerics.fixedpoint import quantize_multiplier

_BOUNDS = {"int8": (-128, 127), "int16": INT16}


def _batch_strides(shape: tuple[int, ...], out_batches: tuple[int, ...]) -> tuple[int, ...]:
    """Element step per output batch axis: the operand's own, 0 where it has size 1 (broadcast) or no axis."""
    strides = element_strides(shape)[:-2]
    dims = shape[:-2]
    lead = BATCH_DIMS - len(dims)
    padded = [0] * lead + [s if d != 1 else 0 for d, s in zip(dims, strides, strict=True)]
    return tuple(0 if n == 1 else s for n, s in zip(out_batches, padded, strict=True))


def lower_batch_matmul(ctx: LowerContext, op: Operator) -> Layer:
    a, b, y = ctx.tensor(op, 0), ctx.tensor(op, 1), ctx.tensor(op, 0, "outputs")
    attrs = op.attrs_of(BatchMatMulAttrs)
    if not a.dtype == b.dtype == y.dtype or a.dtype not in _BOUNDS:
        raise ctx.fail(op, f"operands {a.dtype}, {b.dtype} -> {y.dtype}; TFLite Micro multiplies int8 or int16 "
                           "matrices into their own type")
    for t in (a, b, y):
        if len(ctx.quant(t).scales) != 1:
            raise ctx.fail(op, f"tensor '{t.name}' is quantised per channel; TFLite Micro's BATCH_MATMUL takes "
                               "one scale per tensor")
    if a.dtype == "int16" and any(ctx.zero_point(t) for t in (a, b, y)):
        raise ctx.fail(op, "an int16 operand has a non-zero zero point; TFLite Micro requires 0")
    rows = a.shape[-1] if attrs.adj_x else a.shape[-2]
    cols = b.shape[-2] if attrs.adj_y else b.shape[-1]
    depth = a.shape[-2] if attrs.adj_x else a.shape[-1]
    batches = (1,) * (BATCH_DIMS + 2 - len(y.shape)) + tuple(y.shape[:-2])
    a_rows, a_cols = element_strides(a.shape)[-2:]
    b_rows, b_cols = element_strides(b.shape)[-2:]
    real = float(np.float32(ctx.scale(a)) * np.float32(ctx.scale(b))) / ctx.scale(y)
    multiplier, shift = quantize_multiplier(real)
    lo, hi = _BOUNDS[a.dtype]
    block = BatchMatMulS16Params if a.dtype == "int16" else BatchMatMulParams
    params = block(
        lhs=source(ctx, op, a, "input1"), rhs=source(ctx, op, b, "input2"), output=ctx.ptr(y), batches=batches,
        lhs_batch_strides=_batch_strides(a.shape, batches), rhs_batch_strides=_batch_strides(b.shape, batches),
        rows=rows, cols=cols, depth=depth,
        lhs_row_stride=a_cols if attrs.adj_x else a_rows, lhs_depth_stride=a_rows if attrs.adj_x else a_cols,
        rhs_depth_stride=b_cols if attrs.adj_y else b_rows, rhs_col_stride=b_rows if attrs.adj_y else b_cols,
        lhs_offset=-ctx.zero_point(a), rhs_offset=-ctx.zero_point(b), output_offset=ctx.zero_point(y),
        multiplier=multiplier, shift=shift, act_min=lo, act_max=hi,
    )
    kind = "s16" if a.dtype == "int16" else "s8"
    return Layer(op.index, op.opcode, "batch_matmul", f"tg_batch_matmul_{kind}", params,
                 f"BATCH_MATMUL {a.dtype} {a.shape} {b.shape} adj {int(attrs.adj_x)}{int(attrs.adj_y)} -> {y.shape}")
