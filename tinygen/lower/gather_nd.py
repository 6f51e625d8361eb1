"""GATHER_ND (int8 values, int32 indices) as TFLite Micro's gather_nd.cc copies it.

No quantisation arithmetic: bytes are copied, so input and output share the
quantisation in converter-made models. TFLite Micro checks only that a slice
stays inside the flat input (an out-of-range coordinate that does is read as
the flat position it gives); the kernel computes the same positions.
"""

from __future__ import annotations

from math import prod

import numpy as np

from tinygen.ir.graph import Operator
from tinygen.kernels.gather_nd import MAX_INDEX_DEPTH, GatherNdParams
from tinygen.lower.context import LowerContext
from tinygen.lower.layer import Layer
from tinygen.lower.shape import element_strides, int8_only, source


def lower_gather_nd(ctx: LowerContext, op: Operator) -> Layer:
    x, idx, y = ctx.tensor(op, 0), ctx.tensor(op, 1), ctx.tensor(op, 0, "outputs")
    int8_only(ctx, op, x, y)
    depth = idx.shape[-1]
    if x.elements == 0 and y.elements:
        raise ctx.fail(op, f"gathers from an empty input {x.shape}")
    strides = element_strides(x.shape)[:depth]
    indices = ctx.ptr(idx) if idx.data is None else ctx.array(op, "indices", idx.data.astype(np.int32).reshape(-1))
    params = GatherNdParams(input=source(ctx, op, x, "input"), indices=indices, output=ctx.ptr(y),
                            slices=prod(idx.shape[:-1]), depth=depth, slice_size=prod(x.shape[depth:]),
                            input_size=x.elements, strides=tuple(strides) + (0,) * (MAX_INDEX_DEPTH - depth))
    return Layer(op.index, op.opcode, "gather_nd", "tg_gather_nd_s8", params,
                 f"GATHER_ND {x.shape} by {idx.shape} -> {y.shape}")
