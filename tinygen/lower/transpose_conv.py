"""TRANSPOSE_CONV: TFLite Micro's reference scatter into an arena scratch, then per-channel requantisation.

The padding is TFLite Micro's: ComputePaddingHeightWidth run on the output's
size, i.e. the padding of the convolution whose gradient this op is (the
importer checked that convolution maps the output back onto the input), for
SAME and VALID alike.

int8 activations accumulate in int32 with an int32 bias. 16x8 (int16
activations) accumulates in int64 whatever the bias (TFLite Micro widens an
int16 bias to int64 and reads any other as int64, so tinygen takes int16 and
int64 ones), requantises with the 64-bit MultiplyByQuantizedMultiplier and
applies no zero points, so it refuses non-zero ones. A run-time output_shape
(TFLM's seanet models) is never read: the output tensor sizes the op.
"""

from __future__ import annotations

import numpy as np

from tinygen.ir.attrs import Conv2DAttrs
from tinygen.ir.geometry import same_padding
from tinygen.ir.graph import Operator
from tinygen.kernels.block import ArenaPtr
from tinygen.kernels.transpose_conv import TransposeConvParams, TransposeConvS16Params
from tinygen.lower.context import LowerContext, activation_range
from tinygen.lower.conv import check_weights, per_channel_multipliers
from tinygen.lower.int16 import INT16
from tinygen.lower.layer import Layer

_KERNELS = {"int8": "tg_transpose_conv_s8", "int16": "tg_transpose_conv_s16"}  # by activation type
# activation type -> (block, bias types TFLite Micro reads, bias element type, output range)
_KINDS = {"int8": (TransposeConvParams, ("int32",), np.int32, (-128, 127)),
          "int16": (TransposeConvS16Params, ("int16", "int64"), np.int64, INT16)}


def lower_transpose_conv(ctx: LowerContext, op: Operator) -> Layer:
    check_weights(ctx, op)
    w, x, y = ctx.tensor(op, 1), ctx.tensor(op, 2), ctx.tensor(op, 0, "outputs")
    if w.dtype != "int8":
        raise ctx.fail(op, f"weights are {w.dtype}; TFLite Micro's TRANSPOSE_CONV takes int8 weights")
    if x.dtype != y.dtype or x.dtype not in _KINDS:
        raise ctx.fail(op, f"{x.dtype} -> {y.dtype}; tinygen's TRANSPOSE_CONV takes int8 -> int8 or int16 -> int16")
    block, bias_types, bias_type, bounds = _KINDS[x.dtype]
    if x.dtype == "int16" and (ctx.zero_point(x) or ctx.zero_point(y)):
        raise ctx.fail(op, "an int16 activation has a non-zero zero point, which TFLite Micro's int16 kernel "
                           "ignores; re-export with TensorFlow's 16x8 converter mode (symmetric int16)")
    scratch = ctx.plan.kernel_scratch(op.index)
    if scratch is None:
        raise ValueError(f"operator {op.index} TRANSPOSE_CONV has no planned scratch")
    a = op.attrs_of(Conv2DAttrs)
    batches, in_h, in_w, in_c = x.shape
    _, out_h, out_w, out_c = y.shape
    _, k_h, k_w, _ = w.shape
    bias = np.zeros(out_c, np.int64)
    if len(op.inputs) > 3 and op.inputs[3] >= 0:
        if ctx.tensor(op, 3).dtype not in bias_types:
            raise ctx.fail(op, f"bias is {ctx.tensor(op, 3).dtype}; TFLite Micro's {x.dtype} TRANSPOSE_CONV takes an "
                               f"{' or '.join(bias_types)} bias; re-export with the converter's default bias type")
        bias = ctx.constant(op, 3).reshape(out_c)
    multiplier, shift = per_channel_multipliers(ctx, op, out_c, input_slot=2)
    lo, hi = activation_range(a.activation, ctx.quant(y), bounds)
    params = block(
        input=ctx.ptr(x), output=ctx.ptr(y), scratch=ArenaPtr(scratch),
        weights=ctx.array(op, "weights", ctx.constant(op, 1).astype(np.int8)),
        bias=ctx.array(op, "bias", bias.astype(bias_type)), multiplier=ctx.array(op, "multiplier", multiplier),
        shift=ctx.array(op, "shift", shift), batches=batches, in_h=in_h, in_w=in_w, in_c=in_c,
        out_h=out_h, out_w=out_w, out_c=out_c, k_h=k_h, k_w=k_w, stride_h=a.stride_h, stride_w=a.stride_w,
        pad_top=same_padding(out_h, in_h, k_h, a.stride_h, 1), pad_left=same_padding(out_w, in_w, k_w, a.stride_w, 1),
        input_zero_point=ctx.zero_point(x), output_zero_point=ctx.zero_point(y), act_min=lo, act_max=hi,
    )
    return Layer(op.index, op.opcode, "transpose_conv", _KERNELS[x.dtype], params,
                 f"TRANSPOSE_CONV {x.dtype} {k_h}x{k_w}/{a.stride_h} {x.shape} -> {y.shape} {a.activation}")
