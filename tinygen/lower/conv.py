"""CONV_2D and DEPTHWISE_CONV_2D: per-channel requantisation, zero-point terms folded into the bias.

int8 or int4 weights: int4 ones are stored packed in flash (tinygen/ir/packing.py)
and unpacked in the kernel's inner loop (the _s4 kernel variants); the folded
bias and the arithmetic are otherwise identical.

TFLite Micro computes acc = bias + sum((x - zp_in) * w) and skips padded
taps. tinygen folds -zp_in * sum(w) into the bias at generation time and
feeds padded taps the value zp_in, which contributes exactly zero, so the
accumulator is identical and the inner loop is a plain dot product.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np

from tinygen.ir.attrs import Conv2DAttrs, DepthwiseConv2DAttrs
from tinygen.ir.geometry import conv_axes
from tinygen.ir.graph import Operator, Tensor
from tinygen.ir.packing import pack_int4
from tinygen.kernels.block import ArenaPtr
from tinygen.kernels.conv import ConvParams, DepthwiseParams, FilterParams
from tinygen.kernels.window import full_window
from tinygen.lower.context import LowerContext, activation_range
from tinygen.lower.int16 import lower_conv_s16, lower_depthwise_s16
from tinygen.lower.layer import Layer
from tinygen.numerics.fixedpoint import quantize_multiplier
from tinygen.plan.inplace import temp_bytes

F = TypeVar("F", bound=FilterParams)


WEIGHT_DTYPES = ("int8", "int4")


def per_channel_multipliers(ctx: LowerContext, op: Operator, channels: int,
                            input_slot: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """TFLite Micro's PopulateConvolutionQuantizationParams: double(in) * double(w[c]) / double(out).
    The weights are input 1; the activation input is `input_slot` (2 for TRANSPOSE_CONV)."""
    x, w, y = ctx.tensor(op, input_slot), ctx.tensor(op, 1), ctx.tensor(op, 0, "outputs")
    scales = ctx.quant(w).scales
    scales = scales if len(scales) == channels else scales * channels
    s_in, s_out = float(np.float32(ctx.scale(x))), float(np.float32(ctx.scale(y)))
    pairs = [quantize_multiplier(s_in * float(np.float32(s)) / s_out) for s in scales]
    return np.array([m for m, _ in pairs], np.int32), np.array([s for _, s in pairs], np.int32)


def _bias(ctx: LowerContext, op: Operator, channels: int) -> np.ndarray:
    if len(op.inputs) > 2 and op.inputs[2] >= 0:
        return ctx.constant(op, 2).astype(np.int64).reshape(channels)
    return np.zeros(channels, np.int64)


def check_weights(ctx: LowerContext, op: Operator) -> None:
    """Constant, symmetric int8 or int4 weights: what the kernels take."""
    w = ctx.tensor(op, 1)
    if w.dtype not in WEIGHT_DTYPES or w.data is None:
        raise ctx.fail(op, f"weights are {w.dtype}{'' if w.data is not None else ' and not constant'}; "
                           "tinygen needs constant int8 or int4 weights")
    if w.quant is None or any(zp != 0 for zp in w.quant.zero_points):
        raise ctx.fail(op, "weights are not symmetric (non-zero zero point); re-export with symmetric int8 weights")


def kernel_weights(family: str, w: Tensor, values: np.ndarray) -> tuple[str, np.ndarray]:
    """The kernel variant for the weights' width and the array flash holds: int8 as is, int4 packed."""
    if w.dtype == "int4":
        return f"tg_{family}_s4", pack_int4(values).view(np.int8)
    return f"tg_{family}_s8", values


def _filter_params(cls: type[F], ctx: LowerContext, op: Operator, stored: np.ndarray, bias: np.ndarray,
                   **extra: int) -> F:
    """The block of a convolution or depthwise convolution: geometry, requantisation, in-place temporary."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    _, in_h, in_w, in_c = x.shape
    _, out_h, out_w, out_c = y.shape
    h, w = conv_axes(ctx.graph, op)
    lo, hi = activation_range(op.attrs_of(Conv2DAttrs).activation, ctx.quant(y))
    multiplier, shift = per_channel_multipliers(ctx, op, out_c)
    return cls(
        input=ctx.ptr(x), output=ctx.ptr(y), weights=ctx.array(op, "weights", stored),
        bias=ctx.array(op, "bias", bias.astype(np.int32)), multiplier=ctx.array(op, "multiplier", multiplier),
        shift=ctx.array(op, "shift", shift), right_shifts=right_shifts(shift),
        in_h=in_h, in_w=in_w, in_c=in_c, out_h=out_h, out_w=out_w, out_c=out_c, k_h=h.kernel, k_w=w.kernel,
        stride_h=h.stride, stride_w=w.stride, dilation_h=h.dilation, dilation_w=w.dilation,
        pad_top=h.pad, pad_left=w.pad, input_zero_point=ctx.zero_point(x), output_zero_point=ctx.zero_point(y),
        act_min=lo, act_max=hi, temp=_temp(ctx, op), win=full_window(in_w, out_h, out_w), **extra,
    )


def _temp(ctx: LowerContext, op: Operator) -> ArenaPtr | None:
    """The scratch an in-place op (output over its input) works through; None when not in place."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    off = ctx.plan.inplace_temp(op.index)
    # the planner's temp_bytes is the one statement of which shapes the kernels' in-place paths handle
    if off is not None and (temp_bytes(ctx.graph, op) is None
                            or ctx.plan.offset_of(x.index) != ctx.plan.offset_of(y.index)):
        raise ValueError(f"operator {op.index} {op.opcode} {x.shape} -> {y.shape} cannot run in place")
    return None if off is None else ArenaPtr(off)


def right_shifts(shift: np.ndarray) -> int:
    """1 when every channel scales by less than 1/4 (shift <= -2), so the DSP kernels requantise in their
    shortest one-step form without testing each channel (tg_fixedpoint.h)."""
    return int(bool((shift <= -2).all()))


def _check_batch(ctx: LowerContext, op: Operator) -> None:
    check_weights(ctx, op)
    if ctx.tensor(op, 0).shape[0] != 1:
        raise ctx.fail(op, "batch size is not 1; export the model with batch size 1")


def lower_conv(ctx: LowerContext, op: Operator) -> Layer:
    if ctx.tensor(op, 0).dtype == "int16":
        return lower_conv_s16(ctx, op)
    _check_batch(ctx, op)
    x, w, y = ctx.tensor(op, 0), ctx.tensor(op, 1), ctx.tensor(op, 0, "outputs")
    out_c, k_h, k_w, _ = w.shape
    weights = ctx.constant(op, 1).astype(np.int8)
    bias = _bias(ctx, op, out_c) - ctx.zero_point(x) * weights.reshape(out_c, -1).sum(axis=1, dtype=np.int64)
    kernel, stored = kernel_weights("conv", w, weights)
    a = op.attrs_of(Conv2DAttrs)
    return Layer(
        op.index, op.opcode, "conv", kernel, _filter_params(ConvParams, ctx, op, stored, bias),
        f"CONV_2D {k_h}x{k_w}/{a.stride_h} {x.shape} -> {y.shape} {a.activation}",
        temp_bytes=ctx.plan.inplace_temp_bytes(op.index),
    )


def lower_depthwise(ctx: LowerContext, op: Operator) -> Layer:
    if ctx.tensor(op, 0).dtype == "int16":
        return lower_depthwise_s16(ctx, op)
    _check_batch(ctx, op)
    x, w, y = ctx.tensor(op, 0), ctx.tensor(op, 1), ctx.tensor(op, 0, "outputs")
    _, k_h, k_w, out_c = w.shape
    weights = ctx.constant(op, 1).astype(np.int8).reshape(k_h * k_w, out_c)
    bias = _bias(ctx, op, out_c) - ctx.zero_point(x) * weights.sum(axis=0, dtype=np.int64)
    kernel, stored = kernel_weights("depthwise", w, weights)
    a = op.attrs_of(DepthwiseConv2DAttrs)
    params = _filter_params(DepthwiseParams, ctx, op, stored, bias, depth_multiplier=a.depth_multiplier)
    return Layer(
        op.index, op.opcode, "depthwise", kernel, params,
        f"DEPTHWISE_CONV_2D {k_h}x{k_w}/{a.stride_h} {x.shape} -> {y.shape} {a.activation}",
        temp_bytes=ctx.plan.inplace_temp_bytes(op.index),
    )
