"""FULLY_CONNECTED: per-tensor or per-channel requantisation, input zero point folded into the bias.

The multiplier is double(s_in) * double(s_w) / double(s_out), as the tflite-micro
wheel computes it (docs/arithmetic.md). TFLite's interpreter multiplies the two
scales in float and uses other rounding in its FC kernels, which is why it
disagrees with TFLite Micro on ad01_int8; tinygen follows TFLite Micro.
"""

from __future__ import annotations

import numpy as np

from tinygen.ir.attrs import FullyConnectedAttrs
from tinygen.ir.graph import Operator
from tinygen.kernels.fully_connected import FullyConnectedParams
from tinygen.lower.context import LowerContext, activation_range
from tinygen.lower.conv import check_weights, kernel_weights, per_channel_multipliers, right_shifts
from tinygen.lower.int16 import lower_fully_connected_s16
from tinygen.lower.layer import Layer


def lower_fully_connected(ctx: LowerContext, op: Operator) -> Layer:
    if ctx.tensor(op, 0).dtype == "int16":
        return lower_fully_connected_s16(ctx, op)
    x, w, y = ctx.tensor(op, 0), ctx.tensor(op, 1), ctx.tensor(op, 0, "outputs")
    check_weights(ctx, op)
    units, depth = w.shape
    batches = x.elements // depth
    weights = ctx.constant(op, 1).astype(np.int8).reshape(units, depth)
    bias = np.zeros(units, np.int64)
    if len(op.inputs) > 2 and op.inputs[2] >= 0:
        bias += ctx.constant(op, 2).astype(np.int64).reshape(units)
    bias -= ctx.zero_point(x) * weights.sum(axis=1, dtype=np.int64)  # no int64 copy of the whole filter
    w_quant, activation = ctx.quant(w), op.attrs_of(FullyConnectedAttrs).activation
    multiplier, shift = per_channel_multipliers(ctx, op, len(w_quant.scales))
    lo, hi = activation_range(activation, ctx.quant(y))
    kernel, stored = kernel_weights("fully_connected", w, weights)
    params = FullyConnectedParams(
        input=ctx.ptr(x), output=ctx.ptr(y), weights=ctx.array(op, "weights", stored),
        bias=ctx.array(op, "bias", bias.astype(np.int32)), multiplier=ctx.array(op, "multiplier", multiplier),
        shift=ctx.array(op, "shift", shift), right_shifts=right_shifts(shift), batches=batches, depth=depth,
        units=units, per_channel=int(w_quant.per_channel), output_zero_point=ctx.zero_point(y), act_min=lo, act_max=hi,
    )
    return Layer(op.index, op.opcode, "fully_connected", kernel, params,
                 f"FULLY_CONNECTED {depth} -> {units} {activation}")
