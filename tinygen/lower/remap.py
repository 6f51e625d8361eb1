"""RESIZE_NEAREST_NEIGHBOR and MIRROR_PAD: per-axis source indices, TFLite Micro's formulas, as one flash table.

The importer has checked sizes and paddings (importers/op_shapes.py); each
table is checked again here to stay inside its axis, so the kernel cannot read
outside the input whatever the formulas give.
"""

from __future__ import annotations

import math
from math import prod

import numpy as np

from tinygen.importers.op_shapes import mirror_offset
from tinygen.ir.attrs import ResizeAttrs
from tinygen.ir.graph import Operator
from tinygen.kernels.remap import MAX_DIMS, RemapParams
from tinygen.lower.context import LowerContext
from tinygen.lower.layer import Layer
from tinygen.numerics.fixedpoint import round_half_away


def nearest_source(out_index: int, in_size: int, out_size: int, align_corners: bool, half_pixel: bool) -> int:
    """TFLite Micro's GetNearestNeighbor, in float32 as it computes it."""
    f32 = np.float32
    scale = (f32(in_size - 1) / f32(out_size - 1) if align_corners and out_size > 1
             else f32(in_size) / f32(out_size))
    value = float((f32(out_index) + f32(0.5 if half_pixel else 0.0)) * scale)
    source = min(round_half_away(value) if align_corners else math.floor(value), in_size - 1)
    return max(0, source) if half_pixel else source


def mirror_source(out_index: int, before: int, in_size: int, offset: int) -> int:
    """TFLite Micro's GetInputDimension: the input index output index `out_index` of a mirror-padded axis reads."""
    if out_index < before:
        original = before + offset - 1
        return original - min(out_index, original - offset)
    out_index -= before
    if out_index >= in_size:
        original = in_size - (1 + offset)
        return original - min(out_index - in_size, original)
    return out_index


def _remap(ctx: LowerContext, op: Operator, sources: list[list[int]], comment: str) -> Layer:
    """The layer copying output element (i_k) from input element (sources[k][i_k]), leading 1s padding the rank."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    if len(x.shape) > MAX_DIMS:
        raise ctx.fail(op, f"input has rank {len(x.shape)}; tinygen's kernel takes up to {MAX_DIMS}")
    strides = [prod(x.shape[k + 1:]) for k in range(len(x.shape))]
    tables = [[0]] * (MAX_DIMS - len(x.shape))
    for k, axis in enumerate(sources):
        if len(axis) != y.shape[k] or any(not 0 <= s < x.shape[k] for s in axis):
            raise ValueError(f"operator {op.index} {op.opcode}: axis {k} sources {axis} leave input {x.shape}")
        tables.append([s * strides[k] for s in axis])
    offsets = np.array([v for table in tables for v in table], np.int32)
    source = ctx.array(op, "input", ctx.constant(op, 0)) if x.is_constant else ctx.ptr(x)
    params = RemapParams(input=source, output=ctx.ptr(y), offsets=ctx.array(op, "offsets", offsets),
                         dims=(1,) * (MAX_DIMS - len(y.shape)) + y.shape)
    return Layer(op.index, op.opcode, "remap", "tg_remap_s8", params, f"{comment} {x.shape} -> {y.shape}")


def lower_resize_nearest(ctx: LowerContext, op: Operator) -> Layer:
    a = op.attrs_of(ResizeAttrs)
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    n, in_h, in_w, c = x.shape
    _, out_h, out_w, _ = y.shape
    rows = [nearest_source(i, in_h, out_h, a.align_corners, a.half_pixel_centers) for i in range(out_h)]
    cols = [nearest_source(i, in_w, out_w, a.align_corners, a.half_pixel_centers) for i in range(out_w)]
    flags = [name for name, on in (("align_corners", a.align_corners), ("half_pixel", a.half_pixel_centers)) if on]
    return _remap(ctx, op, [list(range(n)), rows, cols, list(range(c))],
                  " ".join(["RESIZE_NEAREST_NEIGHBOR", *flags]))


def lower_mirror_pad(ctx: LowerContext, op: Operator) -> Layer:
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    pads = ctx.constant(op, 1).reshape(-1, 2)
    offset = mirror_offset(op)
    sources = [[mirror_source(i, int(pads[k][0]), x.shape[k], offset) for i in range(y.shape[k])]
               for k in range(len(x.shape))]
    return _remap(ctx, op, sources, f"MIRROR_PAD {'REFLECT' if offset else 'SYMMETRIC'}")
