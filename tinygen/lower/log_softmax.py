"""LOG_SOFTMAX (int8) as TFLite Micro's log_softmax.cc runs it (reference_ops::LogSoftmaxQuantized).

Prepare's values (PreprocessLogSoftmaxScalingExp with beta 1 and 5 integer
bits) are computed here. A row's difference to its maximum is one of 256
values, so the Q12.19 exp term gemmlowp adds for each is a table built here
(exp_on_negative_values, rescaled); the log of the sum depends on the whole
row and runs in C. The output must be quantised at 16/256 with zero point
127, as TFLite Micro checks.
"""

from __future__ import annotations

from math import prod

import numpy as np

from tinygen.ir.graph import Operator
from tinygen.kernels.log_softmax import LogSoftmaxParams
from tinygen.lower.context import LowerContext
from tinygen.lower.layer import Layer
from tinygen.lower.softmax import INPUT_INTEGER_BITS, softmax_scaling
from tinygen.numerics import gemmlowp
from tinygen.numerics.fixedpoint import multiply_by_quantized_multiplier as mbqm
from tinygen.numerics.fixedpoint import quantize_multiplier_smaller_than_one, rounding_divide_by_pot

SUM_INTEGER_BITS = 12  # kAccumulationIntegerBits: the sum of exps is Q12.19
OUTPUT_SCALE, OUTPUT_ZERO_POINT = 16 / 256, 127


def exp_terms(multiplier: int, left_shift: int, diff_min: int) -> np.ndarray:
    """The Q12.19 exp TFLite Micro adds for each difference 0, -1, ..., -255 (0 below diff_min)."""
    diffs = -np.arange(256, dtype=np.int64)
    q5 = mbqm(diffs, multiplier, left_shift)
    terms = rounding_divide_by_pot(gemmlowp.exp_on_negative_values(q5, INPUT_INTEGER_BITS), SUM_INTEGER_BITS)
    return np.where(diffs >= diff_min, terms, 0).astype(np.int32)


def lower_log_softmax(ctx: LowerContext, op: Operator) -> Layer:
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    if (x.dtype, y.dtype) != ("int8", "int8") or x.is_constant:
        raise ctx.fail(op, f"{x.dtype} -> {y.dtype}; tinygen takes LOG_SOFTMAX of an int8 activation to int8")
    if x.shape != y.shape or not x.shape:
        raise ctx.fail(op, f"input shape {x.shape} and output shape {y.shape} differ")
    if np.float32(ctx.scale(y)) != np.float32(OUTPUT_SCALE) or ctx.zero_point(y) != OUTPUT_ZERO_POINT:
        raise ctx.fail(op, f"output is quantised (scale {ctx.scale(y)}, zero point {ctx.zero_point(y)}); TFLite "
                           "Micro requires scale 16/256 and zero point 127")
    try:
        multiplier, left_shift, diff_min = softmax_scaling(1.0, ctx.scale(x))
    except ValueError as exc:
        raise ctx.fail(op, f"{exc}; TFLite Micro aborts on this model (input scale too small)") from None
    reverse, reverse_shift = quantize_multiplier_smaller_than_one((1 << (31 - left_shift)) / float(multiplier))
    params = LogSoftmaxParams(
        input=ctx.ptr(x), output=ctx.ptr(y), exp_terms=ctx.array(op, "exp_terms", exp_terms(multiplier, left_shift,
                                                                                             diff_min)),
        rows=prod(x.shape[:-1]), depth=x.shape[-1], input_multiplier=multiplier, input_left_shift=left_shift,
        reverse_multiplier=reverse, reverse_shift=reverse_shift, diff_min=diff_min,
    )
    return Layer(op.index, op.opcode, "log_softmax", "tg_log_softmax_s8", params, f"LOG_SOFTMAX {x.shape}")
