"""The reductions: MEAN, SUM (int8 and int16), REDUCE_MAX, REDUCE_MIN, ARG_MAX, ARG_MIN (int8; TFLite Micro has no
int16 kernel for these) (docs/arithmetic.md §2.11).

MEAN and SUM are TFLite Micro's QuantizedMeanOrSum, its only int8 path.
Both sum raw int8 values over the reduced axes, remove the zero point once
and requantise by (M, S) = QuantizeMultiplier(s_in / s_out). For MEAN the
division by the element count n is folded into the multiplier at generation
time, exactly as TFLite Micro does at Prepare: M' = (M << k) / n with
k = min(floor(log2 n), 32, 31 + S), S' = S - k; SUM keeps (M, S). The C kernel
is the same for both. The global average pool of MobileNet-style heads is MEAN.
REDUCE_MAX/MIN compare raw values: TFLite Micro requires the input's scale
and zero point on the output, so no arithmetic is left. ARG_MAX/MIN reduce
the one axis their operand names first and write int32 indices.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

import numpy as np

from tinygen.ir.attrs import ReducerAttrs
from tinygen.ir.graph import Operator, Tensor
from tinygen.kernels.mean import MAX_DIMS, ArgMinMaxParams, MeanParams, MeanS16Params, MinMaxParams
from tinygen.lower.context import LowerContext
from tinygen.lower.layer import Layer
from tinygen.lower.shape import collapse, element_strides
from tinygen.numerics.fixedpoint import quantize_multiplier, wrap32


@dataclass(frozen=True)
class Windows:
    """A reduction resolved from the constant axis operand: the kept axes walk outputs, the rest one window."""

    x: Tensor
    y: Tensor
    axes: list[int]
    count: int  # elements in a window
    outer_dims: tuple[int, ...]
    outer_strides: tuple[int, ...]
    inner_dims: tuple[int, ...]
    inner_strides: tuple[int, ...]


def sum_multiplier(input_scale: float, output_scale: float) -> tuple[int, int]:
    """(multiplier, shift) for sum - zp_in * count -> output units: SUM's."""
    return quantize_multiplier(float(np.float32(input_scale)) / float(np.float32(output_scale)))


def mean_multiplier(input_scale: float, output_scale: float, count: int) -> tuple[int, int]:
    """SUM's (multiplier, shift) with 1/count folded in."""
    multiplier, shift = sum_multiplier(input_scale, output_scale)
    k = min(count.bit_length() - 1, 32, 31 + shift)
    return (multiplier << k) // count, shift - k


def windows(ctx: LowerContext, op: Operator, first_axis_only: bool = False) -> Windows:
    """The op's reduction: every axis the operand lists (negative ones from the end, duplicates once), or for
    ARG_MAX/ARG_MIN only its first entry, as TFLite Micro reads it."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    rank = len(x.shape)
    axis_tensor = ctx.tensor(op, 1)
    if axis_tensor.data is None or axis_tensor.dtype != "int32" or (first_axis_only and axis_tensor.data.size < 1):
        raise ctx.fail(op, "the axis operand is not a constant int32 tensor; TFLite Micro requires it")
    listed = [int(a) for a in axis_tensor.data.reshape(-1)][:1 if first_axis_only else None]
    if rank > MAX_DIMS:
        raise ctx.fail(op, f"{rank}-D input; tinygen reduces up to 5-D")
    if rank and any(not -rank <= a < rank for a in listed):
        raise ctx.fail(op, f"axis {listed} is out of range for the {rank}-D input {x.shape}")
    axes = sorted({a % rank for a in listed} if rank else set())
    kept = [k for k in range(rank) if k not in axes]
    strides = element_strides(x.shape)
    count = prod(x.shape[k] for k in axes)
    if count == 0 or prod(x.shape[k] for k in kept) != y.elements:
        raise ctx.fail(op, f"reducing axes {axes} of {x.shape} does not give the output {y.shape}")
    outer_dims, outer_strides = collapse([x.shape[k] for k in kept], [strides[k] for k in kept])
    inner_dims, inner_strides = collapse([x.shape[k] for k in axes], [strides[k] for k in axes])
    return Windows(x, y, axes, count, outer_dims, outer_strides, inner_dims, inner_strides)


_MEAN_KERNELS = {"int8": "tg_mean_s8", "int16": "tg_mean_s16"}  # by element type


def lower_mean(ctx: LowerContext, op: Operator) -> Layer:
    """MEAN and SUM: one kernel, the multiplier tells them apart; int16 is int8's arithmetic on int16 elements
    (QuantizedMeanOrSum<int16_t, int32_t>)."""
    w = windows(ctx, op)
    if op.opcode == "MEAN":
        multiplier, shift = mean_multiplier(ctx.scale(w.x), ctx.scale(w.y), w.count)
    else:
        multiplier, shift = sum_multiplier(ctx.scale(w.x), ctx.scale(w.y))
    if w.x.dtype != w.y.dtype or w.x.dtype not in _MEAN_KERNELS:
        raise ctx.fail(op, f"{w.x.dtype} -> {w.y.dtype}; tinygen's {op.opcode} takes int8 -> int8 or int16 -> int16")
    block = MeanS16Params if w.x.dtype == "int16" else MeanParams
    params = block(
        input=ctx.ptr(w.x), output=ctx.ptr(w.y), outer_dims=w.outer_dims, outer_strides=w.outer_strides,
        inner_dims=w.inner_dims, inner_strides=w.inner_strides,
        input_offset=int(wrap32(-ctx.zero_point(w.x) * w.count)),  # TFLite Micro's int32 product
        output_zero_point=ctx.zero_point(w.y), multiplier=multiplier, shift=shift,
    )
    return Layer(op.index, op.opcode, "mean", _MEAN_KERNELS[w.x.dtype], params, _comment(op, w))


def lower_reduce_minmax(ctx: LowerContext, op: Operator) -> Layer:
    """REDUCE_MAX and REDUCE_MIN: TFLite Micro's Eval refuses differing quantisation (an exact float compare)."""
    w = windows(ctx, op)
    qx, qy = ctx.quant(w.x), ctx.quant(w.y)
    if np.float32(qx.scale) != np.float32(qy.scale) or qx.zero_point != qy.zero_point:
        raise ctx.fail(op, f"input scale {qx.scale} zero point {qx.zero_point} differ from the output's "
                           f"({qy.scale}, {qy.zero_point}); TFLite Micro requires them equal; re-export the model")
    params = MinMaxParams(input=ctx.ptr(w.x), output=ctx.ptr(w.y), outer_dims=w.outer_dims,
                          outer_strides=w.outer_strides, inner_dims=w.inner_dims, inner_strides=w.inner_strides)
    kernel = "tg_reduce_max_s8" if op.opcode == "REDUCE_MAX" else "tg_reduce_min_s8"
    return Layer(op.index, op.opcode, "mean", kernel, params, _comment(op, w))


def lower_reduce_all(ctx: LowerContext, op: Operator) -> Layer:
    """REDUCE_ALL: TFLite Micro's logical AND over bools, which as bytes holding 0 or 1 is their minimum."""
    w = windows(ctx, op)
    if w.x.dtype != "bool" or w.y.dtype != "bool":
        raise ctx.fail(op, f"{w.x.dtype} -> {w.y.dtype}; TFLite Micro's REDUCE_ALL takes and gives bool")
    params = MinMaxParams(input=ctx.ptr(w.x), output=ctx.ptr(w.y), outer_dims=w.outer_dims,
                          outer_strides=w.outer_strides, inner_dims=w.inner_dims, inner_strides=w.inner_strides)
    return Layer(op.index, op.opcode, "mean", "tg_reduce_min_s8", params, _comment(op, w))


def lower_arg_minmax(ctx: LowerContext, op: Operator) -> Layer:
    """ARG_MAX and ARG_MIN: TFLite Micro's kernel writes int32 indices only and fails on any other output type."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    if y.dtype != "int32":
        raise ctx.fail(op, f"output '{y.name}' is {y.dtype}; TFLite Micro's {op.opcode} writes int32 only; "
                           f"convert with output_type=tf.int32")
    if not x.shape:
        raise ctx.fail(op, "the input is a scalar; TFLite Micro's kernel needs an axis to reduce")
    w = windows(ctx, op, first_axis_only=True)
    params = ArgMinMaxParams(input=ctx.ptr(x), output=ctx.ptr(y), outer_dims=w.outer_dims,
                             outer_strides=w.outer_strides, axis_size=w.inner_dims[-1],
                             axis_stride=w.inner_strides[-1])
    kernel = "tg_arg_max_s8" if op.opcode == "ARG_MAX" else "tg_arg_min_s8"
    return Layer(op.index, op.opcode, "mean", kernel, params, f"{op.opcode} axis {w.axes} {x.shape} -> {y.shape}")


def _comment(op: Operator, w: Windows) -> str:
    return f"{op.opcode} axes {w.axes} keep_dims={op.attrs_of(ReducerAttrs).keep_dims} {w.x.shape} -> {w.y.shape}"
