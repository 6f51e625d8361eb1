"""TRANSPOSE_CONV: TFLite Micro's reference scatter into an int32 arena scratch, then per-channel requantisation.

The padding is TFLite Micro's: ComputePaddingHeightWidth run on the output's
size, i.e. the padding of the convolution whose gradient this op is (the
importer checked that convolution maps the output back onto the input), for
SAME and VALID alike.
"""

from __future__ import annotations

import numpy as np

from tinygen.ir.attrs import Conv2DAttrs
from tinygen.ir.geometry import same_padding
from tinygen.ir.graph import Operator
from tinygen.kernels.block import ArenaPtr
from tinygen.kernels.transpose_conv import TransposeConvParams
from tinygen.lower.context import LowerContext, activation_range
from tinygen.lower.conv import check_weights, per_channel_multipliers
from tinygen.lower.layer import Layer


def lower_transpose_conv(ctx: LowerContext, op: Operator) -> Layer:
    check_weights(ctx, op)
    w, x, y = ctx.tensor(op, 1), ctx.tensor(op, 2), ctx.tensor(op, 0, "outputs")
    if w.dtype != "int8":
        raise ctx.fail(op, f"weights are {w.dtype}; TFLite Micro's TRANSPOSE_CONV takes int8 weights")
    scratch = ctx.plan.kernel_scratch(op.index)
    if scratch is None:
        raise ValueError(f"operator {op.index} TRANSPOSE_CONV has no planned scratch")
    a = op.attrs_of(Conv2DAttrs)
    batches, in_h, in_w, in_c = x.shape
    _, out_h, out_w, out_c = y.shape
    _, k_h, k_w, _ = w.shape
    bias = np.zeros(out_c, np.int32)
    if len(op.inputs) > 3 and op.inputs[3] >= 0:
        if ctx.tensor(op, 3).dtype != "int32":
            raise ctx.fail(op, f"bias is {ctx.tensor(op, 3).dtype}; TFLite Micro reads an int8 TRANSPOSE_CONV's "
                               "bias as int32")
        bias = ctx.constant(op, 3).reshape(out_c)
    multiplier, shift = per_channel_multipliers(ctx, op, out_c, input_slot=2)
    lo, hi = activation_range(a.activation, ctx.quant(y))
    params = TransposeConvParams(
        input=ctx.ptr(x), output=ctx.ptr(y), scratch=ArenaPtr(scratch),
        weights=ctx.array(op, "weights", ctx.constant(op, 1).astype(np.int8)),
        bias=ctx.array(op, "bias", bias.astype(np.int32)), multiplier=ctx.array(op, "multiplier", multiplier),
        shift=ctx.array(op, "shift", shift), batches=batches, in_h=in_h, in_w=in_w, in_c=in_c,
        out_h=out_h, out_w=out_w, out_c=out_c, k_h=k_h, k_w=k_w, stride_h=a.stride_h, stride_w=a.stride_w,
        pad_top=same_padding(out_h, in_h, k_h, a.stride_h, 1), pad_left=same_padding(out_w, in_w, k_w, a.stride_w, 1),
        input_zero_point=ctx.zero_point(x), output_zero_point=ctx.zero_point(y), act_min=lo, act_max=hi,
    )
    return Layer(op.index, op.opcode, "transpose_conv", "tg_transpose_conv_s8", params,
                 f"TRANSPOSE_CONV {k_h}x{k_w}/{a.stride_h} {x.shape} -> {y.shape} {a.activation}")
