"""MEAN (int8): TFLite Micro's QuantizedMeanOrSum, the only int8 path it has (docs/arithmetic.md §2.11).

The division by the element count n is folded into the requantisation
multiplier at generation time, exactly as TFLite Micro does at Prepare:
M' = (M << k) / n with k = min(floor(log2 n), 32, 31 + S), S' = S - k. The C
kernel then only sums raw int8 values and applies one requantisation. The
global average pool of MobileNet-style heads is this op.
"""

from __future__ import annotations

from math import prod

import numpy as np

from tinygen.ir.attrs import ReducerAttrs
from tinygen.ir.graph import Operator
from tinygen.kernels.mean import MAX_DIMS, MeanParams
from tinygen.lower.context import LowerContext
from tinygen.lower.layer import Layer
from tinygen.lower.shape import collapse, element_strides
from tinygen.numerics.fixedpoint import quantize_multiplier, wrap32


def mean_multiplier(input_scale: float, output_scale: float, count: int) -> tuple[int, int]:
    """(multiplier, shift) for sum - zp_in * count -> output units, with 1/count folded in."""
    multiplier, shift = quantize_multiplier(float(np.float32(input_scale)) / float(np.float32(output_scale)))
    k = min(count.bit_length() - 1, 32, 31 + shift)
    return (multiplier << k) // count, shift - k


def lower_mean(ctx: LowerContext, op: Operator) -> Layer:
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    rank = len(x.shape)
    axis_tensor = ctx.tensor(op, 1)
    if axis_tensor.data is None or axis_tensor.dtype != "int32":
        raise ctx.fail(op, "the axis operand is not a constant int32 tensor; TFLite Micro requires it")
    axes = sorted({int(a) % rank for a in axis_tensor.data.reshape(-1)} if rank else set())
    if rank > MAX_DIMS:
        raise ctx.fail(op, f"{rank}-D input; tinygen reduces up to 5-D")
    kept = [k for k in range(rank) if k not in axes]
    strides = element_strides(x.shape)
    count = prod(x.shape[k] for k in axes)
    if count == 0 or prod(x.shape[k] for k in kept) != y.elements:
        raise ctx.fail(op, f"reducing axes {axes} of {x.shape} does not give the output {y.shape}")
    outer_dims, outer_strides = collapse([x.shape[k] for k in kept], [strides[k] for k in kept])
    inner_dims, inner_strides = collapse([x.shape[k] for k in axes], [strides[k] for k in axes])
    multiplier, shift = mean_multiplier(ctx.scale(x), ctx.scale(y), count)
    params = MeanParams(
        input=ctx.ptr(x), output=ctx.ptr(y), outer_dims=outer_dims, outer_strides=outer_strides,
        inner_dims=inner_dims, inner_strides=inner_strides,
        input_offset=int(wrap32(-ctx.zero_point(x) * count)),  # TFLite Micro's int32 product
        output_zero_point=ctx.zero_point(y), multiplier=multiplier, shift=shift,
    )
    return Layer(op.index, op.opcode, "mean", "tg_mean_s8", params,
                 f"MEAN axes {axes} keep_dims={op.attrs_of(ReducerAttrs).keep_dims} {x.shape} -> {y.shape}")
