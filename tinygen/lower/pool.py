"""AVERAGE_POOL_2D and MAX_POOL_2D: TFLite requires equal input/output quantisation, so no rescale.

int16 pools are the int8 arithmetic on int16 elements (reference_integer_ops'
int16 overloads): an int32 sum, the clamp in int16's range.
"""

from __future__ import annotations

from tinygen.ir.attrs import Pool2DAttrs
from tinygen.ir.geometry import conv_axes
from tinygen.ir.graph import Operator
from tinygen.kernels.pool import PoolParams, PoolS16Params
from tinygen.kernels.window import full_window
from tinygen.lower.context import LowerContext, activation_range
from tinygen.lower.int16 import INT16
from tinygen.lower.layer import Layer

_KINDS = {"int8": (PoolParams, (-128, 127)), "int16": (PoolS16Params, INT16)}  # block and clamp, by element type
_SUFFIX = {"int8": "s8", "int16": "s16"}


def lower_pool(ctx: LowerContext, op: Operator) -> Layer:
    a = op.attrs_of(Pool2DAttrs)
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    _, in_h, in_w, channels = x.shape
    _, out_h, out_w, _ = y.shape
    h, w = conv_axes(ctx.graph, op)
    if x.dtype != y.dtype or x.dtype not in _KINDS:
        raise ctx.fail(op, f"{x.dtype} -> {y.dtype}; tinygen pools int8 -> int8 or int16 -> int16")
    block, bounds = _KINDS[x.dtype]
    lo, hi = activation_range(a.activation, ctx.quant(y), bounds)
    kind = "average" if op.opcode == "AVERAGE_POOL_2D" else "max"
    params = block(
        input=ctx.ptr(x), output=ctx.ptr(y), in_h=in_h, in_w=in_w, channels=channels, out_h=out_h, out_w=out_w,
        filter_h=h.kernel, filter_w=w.kernel, stride_h=h.stride, stride_w=w.stride, pad_top=h.pad, pad_left=w.pad,
        act_min=lo, act_max=hi, win=full_window(in_w, out_h, out_w),
    )
    return Layer(op.index, op.opcode, "pool", f"tg_{kind}_pool_{_SUFFIX[x.dtype]}", params,
                 f"{op.opcode} {a.filter_h}x{a.filter_w}/{a.stride_h} {x.shape} -> {y.shape}")
