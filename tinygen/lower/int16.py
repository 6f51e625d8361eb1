"""Lowering of the 16x8 layers: FULLY_CONNECTED, CONV_2D and DEPTHWISE_CONV_2D with int16 activations and
int8 weights, and QUANTIZE between int8 and int16 (int16 ADD is lower/binary.py's).

The facts are TFLite Micro's reference integer kernels (docs/arithmetic.md):
the accumulator is as wide as the bias (int64, or int32 when the converter
wrote an int32 bias; with no bias, as wide as the options' quantized_bias_type
says; DEPTHWISE_CONV_2D is int64 always), the requantisation
is MultiplyByQuantizedMultiplier of that width, and the convolutions ignore
zero points (TFLite requires them 0 on int16 tensors), where FULLY_CONNECTED
applies both. The multipliers are the int8 layers' (double(s_in) * double(s_w)
/ double(s_out)).
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np

from tinygen.ir.attrs import Conv2DAttrs, DepthwiseConv2DAttrs, FullyConnectedAttrs
from tinygen.ir.geometry import conv_axes
from tinygen.ir.graph import Operator, Tensor
from tinygen.kernels.int16 import (
    ConvS16Params,
    DepthwiseS16Params,
    FilterS16Params,
    FullyConnectedS16Params,
    RequantizeParams,
)
from tinygen.lower.context import LowerContext, activation_range
from tinygen.lower.layer import Layer
from tinygen.numerics.fixedpoint import quantize_multiplier

INT16 = (-32768, 32767)
F = TypeVar("F", bound=FilterS16Params)


def _check_io(ctx: LowerContext, op: Operator, zero_points: bool) -> tuple[Tensor, Tensor]:
    """int16 in and out, int8 weights without zero points; `zero_points`: the kernel applies the activations'."""
    x, w, y = ctx.tensor(op, 0), ctx.tensor(op, 1), ctx.tensor(op, 0, "outputs")
    if (x.dtype, y.dtype) != ("int16", "int16"):
        raise ctx.fail(op, f"{x.dtype} -> {y.dtype}; tinygen's 16x8 kernels take int16 -> int16")
    if w.dtype != "int8" or w.data is None:
        raise ctx.fail(op, f"weights are {w.dtype}{'' if w.data is not None else ' and not constant'}; "
                           "16x8 layers need constant int8 weights")
    if any(zp != 0 for zp in ctx.quant(w).zero_points):
        raise ctx.fail(op, "weights are not symmetric (non-zero zero point); re-export with symmetric int8 weights")
    if not zero_points and (ctx.zero_point(x) or ctx.zero_point(y)):
        raise ctx.fail(op, "an int16 activation has a non-zero zero point, which TFLite Micro's int16 kernel "
                           "ignores; re-export with TensorFlow's 16x8 converter mode (symmetric int16)")
    return x, y


def _bias(ctx: LowerContext, op: Operator, channels: int, int32_bias: bool,
          int32_allowed: bool = True) -> tuple[np.ndarray, int]:
    """The bias as int64 and `wide`: 1 for an int64 bias, 0 for an int32 one; with no bias, the options'
    quantized_bias_type decides (`int32_bias`), as in TFLite Micro."""
    if len(op.inputs) <= 2 or op.inputs[2] < 0:
        return np.zeros(channels, np.int64), int(not (int32_bias and int32_allowed))
    b = ctx.tensor(op, 2)
    if b.dtype not in ("int64", "int32") or (b.dtype == "int32" and not int32_allowed):
        raise ctx.fail(op, f"bias is {b.dtype}; TFLite Micro's int16 kernel here takes an int64"
                           f"{' or int32' if int32_allowed else ''} bias")
    return ctx.constant(op, 2).astype(np.int64).reshape(channels), int(b.dtype == "int64")


def _multipliers(ctx: LowerContext, op: Operator, channels: int) -> tuple[np.ndarray, np.ndarray]:
    x, w, y = ctx.tensor(op, 0), ctx.tensor(op, 1), ctx.tensor(op, 0, "outputs")
    scales = ctx.quant(w).scales
    s_in, s_out = float(np.float32(ctx.scale(x))), float(np.float32(ctx.scale(y)))
    pairs = [quantize_multiplier(s_in * float(np.float32(s)) / s_out) for s in scales[:channels]]
    return np.array([m for m, _ in pairs], np.int32), np.array([s for _, s in pairs], np.int32)


def lower_fully_connected_s16(ctx: LowerContext, op: Operator) -> Layer:
    x, y = _check_io(ctx, op, zero_points=True)
    units, depth = ctx.tensor(op, 1).shape
    weights = ctx.constant(op, 1).astype(np.int8).reshape(units, depth)
    attrs = op.attrs_of(FullyConnectedAttrs)
    bias, wide = _bias(ctx, op, units, attrs.int32_bias)
    bias = bias - ctx.zero_point(x) * weights.sum(axis=1, dtype=np.int64)
    per_channel = int(ctx.quant(ctx.tensor(op, 1)).per_channel)
    multiplier, shift = _multipliers(ctx, op, units if per_channel else 1)
    activation = attrs.activation
    lo, hi = activation_range(activation, ctx.quant(y), INT16)
    params = FullyConnectedS16Params(
        input=ctx.ptr(x), output=ctx.ptr(y), weights=ctx.array(op, "weights", weights),
        bias=ctx.array(op, "bias", bias), multiplier=ctx.array(op, "multiplier", multiplier),
        shift=ctx.array(op, "shift", shift), wide=wide, batches=x.elements // depth, depth=depth, units=units,
        per_channel=per_channel, output_zero_point=ctx.zero_point(y), act_min=lo, act_max=hi,
    )
    return Layer(op.index, op.opcode, "int16", "tg_fully_connected_s16", params,
                 f"FULLY_CONNECTED int16 {depth} -> {units} {activation}")


def _filter_params(cls: type[F], ctx: LowerContext, op: Operator, weights: np.ndarray, bias: np.ndarray,
                   wide: int, activation: str, **extra: int) -> F:
    """The block of an int16 convolution or depthwise convolution: geometry and per-channel requantisation."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    if x.shape[0] != 1:
        raise ctx.fail(op, "batch size is not 1; export the model with batch size 1")
    _, in_h, in_w, in_c = x.shape
    _, out_h, out_w, out_c = y.shape
    h, w = conv_axes(ctx.graph, op)
    lo, hi = activation_range(activation, ctx.quant(y), INT16)
    per_channel = ctx.quant(ctx.tensor(op, 1)).per_channel
    multiplier, shift = (np.resize(a, out_c) for a in _multipliers(ctx, op, out_c if per_channel else 1))
    return cls(
        input=ctx.ptr(x), output=ctx.ptr(y), weights=ctx.array(op, "weights", weights),
        bias=ctx.array(op, "bias", bias), multiplier=ctx.array(op, "multiplier", multiplier),
        shift=ctx.array(op, "shift", shift), wide=wide, in_h=in_h, in_w=in_w, in_c=in_c, out_h=out_h,
        out_w=out_w, out_c=out_c, k_h=h.kernel, k_w=w.kernel, stride_h=h.stride, stride_w=w.stride,
        dilation_h=h.dilation, dilation_w=w.dilation, pad_top=h.pad, pad_left=w.pad, act_min=lo, act_max=hi,
        **extra,
    )


def lower_conv_s16(ctx: LowerContext, op: Operator) -> Layer:
    x, y = _check_io(ctx, op, zero_points=False)
    out_c, k_h, k_w, depth = ctx.tensor(op, 1).shape
    if depth != x.shape[3]:
        raise ctx.fail(op, f"grouped convolution (input depth {x.shape[3]}, filter depth {depth}) is not "
                           "supported in int16")
    a = op.attrs_of(Conv2DAttrs)
    bias, wide = _bias(ctx, op, out_c, a.int32_bias)
    params = _filter_params(ConvS16Params, ctx, op, ctx.constant(op, 1).astype(np.int8), bias, wide, a.activation)
    return Layer(op.index, op.opcode, "int16", "tg_conv_s16", params,
                 f"CONV_2D int16 {k_h}x{k_w}/{a.stride_h} {x.shape} -> {y.shape} {a.activation}")


def lower_depthwise_s16(ctx: LowerContext, op: Operator) -> Layer:
    x, y = _check_io(ctx, op, zero_points=False)
    _, k_h, k_w, out_c = ctx.tensor(op, 1).shape
    a = op.attrs_of(DepthwiseConv2DAttrs)
    bias, wide = _bias(ctx, op, out_c, a.int32_bias, int32_allowed=False)
    weights = ctx.constant(op, 1).astype(np.int8).reshape(k_h * k_w, out_c)
    params = _filter_params(DepthwiseS16Params, ctx, op, weights, bias, wide, a.activation,
                            depth_multiplier=a.depth_multiplier)
    return Layer(op.index, op.opcode, "int16", "tg_depthwise_s16", params,
                 f"DEPTHWISE_CONV_2D int16 {k_h}x{k_w}/{a.stride_h} {x.shape} -> {y.shape} {a.activation}")


_REQUANTIZE = {("int16", "int8"): "tg_requantize_s16_s8", ("int8", "int16"): "tg_requantize_s8_s16",
               ("int16", "int16"): "tg_requantize_s16_s16", ("int16", "int32"): "tg_requantize_s16_s32",
               ("int32", "int16"): "tg_requantize_s32_s16"}


def lower_requantize(ctx: LowerContext, op: Operator) -> Layer:
    """QUANTIZE int16 -> int8, int8 -> int16, int16 -> int16, int16 -> int32 or int32 -> int16
    (quantize_common.cc: Requantize with double(s_in) / double(s_out))."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    if x.is_constant or x.elements != y.elements:
        raise ctx.fail(op, f"a constant input or differing shapes ({x.shape} -> {y.shape}); fold it into the model")
    for t in (x, y):
        if ctx.quant(t).per_channel:
            raise ctx.fail(op, f"tensor '{t.name}' is not per-tensor quantised")
    multiplier, shift = quantize_multiplier(float(np.float32(ctx.scale(x))) / float(np.float32(ctx.scale(y))))
    params = RequantizeParams(input=ctx.ptr(x), output=ctx.ptr(y), size=x.elements, multiplier=multiplier,
                              shift=shift, input_zero_point=ctx.zero_point(x), output_zero_point=ctx.zero_point(y))
    if (x.dtype, y.dtype) not in _REQUANTIZE:
        raise ctx.fail(op, f"{x.dtype} -> {y.dtype}; tinygen requantises between int8 and int16, and int16 and "
                           "int32")
    return Layer(op.index, op.opcode, "int16", _REQUANTIZE[(x.dtype, y.dtype)], params,
                 f"QUANTIZE {x.dtype} -> {y.dtype} {x.shape}")

