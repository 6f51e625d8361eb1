"""SOFTMAX, int8 in and out: TFLite Micro's gemmlowp fixed-point exp along the last axis.

TFLite Micro (reference/softmax.h) does not use a table for int8: it scales
each difference to the row maximum by beta * input_scale into Q5.26, takes
gemmlowp's exp_on_negative_values, sums the exps in Q12.19, and multiplies by
a Newton-Raphson reciprocal of the sum. Python computes the Prepare values
(PreprocessSoftmaxScaling with 5 integer bits, in double) and the C kernel
repeats the per-row arithmetic exactly (docs/arithmetic.md §2.12).
"""

from __future__ import annotations

import numpy as np

from tinygen.ir.attrs import SoftmaxAttrs
from tinygen.ir.graph import Operator
from tinygen.kernels.softmax import SoftmaxParams
from tinygen.lower.context import LowerContext
from tinygen.lower.layer import Layer
from tinygen.numerics.fixedpoint import calculate_input_radius, quantize_multiplier

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


def lower_softmax(ctx: LowerContext, op: Operator) -> Layer:
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    if (x.dtype, y.dtype) != ("int8", "int8"):
        raise ctx.fail(op, f"{x.dtype} -> {y.dtype}; tinygen supports int8 -> int8 softmax")
    if ctx.zero_point(y) != -128 or np.float32(ctx.scale(y)) != np.float32(1 / 256):
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
                           input_multiplier=multiplier, input_left_shift=left_shift, diff_min=diff_min)
    return Layer(op.index, op.opcode, "softmax", "tg_softmax_s8", params, f"SOFTMAX {x.shape} beta={beta!r}")
