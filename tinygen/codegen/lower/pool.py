"""AVERAGE_POOL_2D and MAX_POOL_2D: TFLite requires equal input/output quantisation, so no rescale."""

from __future__ import annotations

from tinygen.codegen.layer import CLayer
from tinygen.codegen.lower.context import LowerContext, activation_range
from tinygen.codegen.lower.conv import same_padding
from tinygen.ir.graph import Operator


def lower_pool(ctx: LowerContext, op: Operator) -> CLayer:
    a = op.attrs
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    _, in_h, in_w, channels = x.shape
    _, out_h, out_w, _ = y.shape
    pad_top = same_padding(in_h, out_h, a.filter_h, a.stride_h, 1) if a.padding == "SAME" else 0
    pad_left = same_padding(in_w, out_w, a.filter_w, a.stride_w, 1) if a.padding == "SAME" else 0
    lo, hi = activation_range(a.activation, y)
    kind = "average" if op.opcode == "AVERAGE_POOL_2D" else "max"
    fields = (
        ("input", ctx.ptr(x)), ("output", ctx.ptr(y)), ("in_h", in_h), ("in_w", in_w), ("channels", channels),
        ("out_h", out_h), ("out_w", out_w), ("filter_h", a.filter_h), ("filter_w", a.filter_w),
        ("stride_h", a.stride_h), ("stride_w", a.stride_w), ("pad_top", pad_top), ("pad_left", pad_left),
        ("act_min", lo), ("act_max", hi),
    )
    return CLayer(op.index, op.opcode, "pool", f"tg_{kind}_pool_s8", "tg_pool_params", fields, (),
                  f"{op.opcode} {a.filter_h}x{a.filter_w}/{a.stride_h} {x.shape} -> {y.shape}")
