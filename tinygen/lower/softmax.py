"""SOFTMAX, int8 in and out: TFLite Micro's gemmlowp fixed-point exp along the last axis.

TFLite Micro (reference/softmax.h) does not use a table for int8: it scales
each difference to the row maximum by beta * input_scale into Q5.26, takes
gemmlowp's exp_on_negative_values, sums the exps in Q12.19, and multiplies by
a Newton-Raphson reciprocal of the sum. Python computes the Prepare values
(PreprocessSoftmaxScaling with 5 integer bits, in double) and the C kernel
repeats the per-row arithmetic exactly (docs/arithmetic.md §2.12).

int16 in and out (softmax_common.cc, SoftmaxInt16) uses two 513-entry tables
instead, the same for every model (tinygen/numerics/lut16.py), and one
multiplier that maps beta * (x - max) onto the exp table's [-10, 0].
"""

from __future__ import annotations

import numpy as np

from tinygen.ir.attrs import SoftmaxAttrs
from tinygen.ir.graph import Operator
from tinygen.kernels.softmax import SoftmaxParams, SoftmaxS16Params
from tinygen.lower.context import LowerContext
from tinygen.lower.layer import Layer
from tinygen.numerics.fixedpoint import calculate_input_radius, quantize_multiplier
from tinygen.numerics.lut16 import softmax_luts

INPUT_INTEGER_BITS = 5  # TFLite's kScaledDiffIntegerBits


def softmax_scaling(beta: float, input_scale: float) -> tuple[int, int, int]:
    """(multiplier, left_shift, diff_min) as TFLite Micro's SoftmaxPrepare computes them, in double."""
    real = min(float(np.float32(beta)) * float(np.float32(input_scale)) * float(1 << (31 - INPUT_INTEGER_BITS)),
               float((1 << 31) - 1))
    if not real > 1.0:  # QuantizeMultiplierGreaterThanOne CHECK-fails: TFLite Micro aborts
        raise ValueError(f"beta * input scale * 2^26 = {real!r} is not > 1")
    multiplier, left_shift = quantize_multiplier(real)
    # larger differences than the input radius give exp == 0 and are skipped
    return multiplier, left_shift, -calculate_input_radius(INPUT_INTEGER_BITS, left_shift)


def lower_softmax_s16(ctx: LowerContext, op: Operator) -> Layer:
    """int16 -> int16: zero points 0 and an output scale of 1/32768 (within 0.1%), as TFLite Micro requires."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    if ctx.zero_point(x) or ctx.zero_point(y) or abs(np.float32(ctx.scale(y)) - np.float32(1 / 32768)) > 1e-3 / 32768:
        raise ctx.fail(op, f"TFLite Micro's int16 SOFTMAX needs zero points 0 and output scale 1/32768 (output scale "
                           f"{ctx.scale(y)}); re-export with TensorFlow's 16x8 converter mode")
    if x.shape != y.shape or not x.shape:
        raise ctx.fail(op, f"input shape {x.shape} and output shape {y.shape} differ")
    beta = op.attrs_of(SoftmaxAttrs).beta
    multiplier, shift = quantize_multiplier(float(np.float32(ctx.scale(x))) * float(np.float32(beta))
                                            / (10.0 / 65535.0))
    exp_lut, reciprocal_lut = softmax_luts()
    depth = x.shape[-1]
    params = SoftmaxS16Params(
        input=ctx.ptr(x), output=ctx.ptr(y), rows=x.elements // depth, depth=depth,
        exp_lut=ctx.array(op, "exp", exp_lut), reciprocal_lut=ctx.array(op, "reciprocal", reciprocal_lut),
        input_multiplier=multiplier, input_shift=shift,
    )
    return Layer(op.index, op.opcode, "softmax", "tg_softmax_s16", params, f"SOFTMAX int16 {x.shape} beta={beta!r}")


def lower_softmax(ctx: LowerContext, op: Operator) -> Layer:
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    if (x.dtype, y.dtype) == ("int16", "int16"):
        return lower_softmax_s16(ctx, op)
    if x.dtype != "int8" or y.dtype not in ("int8", "int16"):
        raise ctx.fail(op, f"{x.dtype} -> {y.dtype}; tinygen supports int8 -> int8, int8 -> int16 and "
                           "int16 -> int16 softmax")
    wide = y.dtype == "int16"
    if wide and (ctx.zero_point(y) != -32768 or abs(np.float32(ctx.scale(y)) - np.float32(1 / 65536)) > 1e-3 / 65536):
        raise ctx.fail(op, f"output is quantised (scale {ctx.scale(y)}, zero point {ctx.zero_point(y)}); "
                           "TFLite Micro requires scale 1/65536 and zero point -32768 for an int16 output")
    if not wide and (ctx.zero_point(y) != -128 or np.float32(ctx.scale(y)) != np.float32(1 / 256)):
        raise ctx.fail(op, f"output is quantised (scale {ctx.scale(y)}, zero point {ctx.zero_point(y)}); "
                           "TFLite Micro requires scale 1/256 and zero point -128")
    if x.shape != y.shape or not x.shape:
        raise ctx.fail(op, f"input shape {x.shape} and output shape {y.shape} differ")
    beta = op.attrs_of(SoftmaxAttrs).beta
    try:
        multiplier, left_shift, diff_min = softmax_scaling(beta, ctx.scale(x))
    except ValueError as exc:
        raise ctx.fail(op, f"{exc}; TFLite Micro aborts on this model (input scale or beta too small)") from None
    depth = x.shape[-1]
    params = SoftmaxParams(input=ctx.ptr(x), output=ctx.ptr(y), rows=x.elements // depth, depth=depth,
                           output_int16=int(wide), input_multiplier=multiplier, input_left_shift=left_shift,
                           diff_min=diff_min)
    return Layer(op.index, op.opcode, "softmax", "tg_softmax_s8", params,
                 f"SOFTMAX {x.shape} int8 -> {y.dtype} beta={beta!r}")
