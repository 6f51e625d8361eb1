"""RESIZE_NEAREST_NEIGHBOR/BILINEAR, MIRROR_PAD, BATCH_TO_SPACE_ND: per-axis source offsets in flash.

The importer has checked sizes and paddings (importers/op_shapes.py); each
table is checked again here to stay inside its axis, so the kernel cannot read
outside the input whatever the formulas give. The index kernel moves bytes: an
int16 element (RESIZE_NEAREST_NEIGHBOR's 16x8 path) is two, its offsets doubled
and the last axis's run of bytes twice as long.
"""

from __future__ import annotations

import math
from math import prod

import numpy as np

from tinygen.importers.op_shapes import mirror_offset
from tinygen.ir.attrs import ResizeAttrs
from tinygen.ir.graph import Operator
from tinygen.kernels.remap import MAX_DIMS, RemapParams, ResizeBilinearParams
from tinygen.lower.context import LowerContext
from tinygen.lower.layer import Layer
from tinygen.lower.shape import element_width, space_blocks
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
    for k, axis in enumerate(sources):
        if len(axis) != y.shape[k] or any(not 0 <= s < x.shape[k] for s in axis):
            raise ValueError(f"operator {op.index} {op.opcode}: axis {k} sources {axis} leave input {x.shape}")
    return _remap_offsets(ctx, op, [[s * strides[k] for s in axis] for k, axis in enumerate(sources)], comment)


def _remap_offsets(ctx: LowerContext, op: Operator, tables: list[list[int]], comment: str) -> Layer:
    """The layer copying output element (i_k) from input element sum_k tables[k][i_k]: one table per output axis,
    whose sums must all land inside the input; int8 or int16 elements, moved as bytes."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    if len(tables) != len(y.shape) or len(y.shape) > MAX_DIMS or [len(t) for t in tables] != list(y.shape):
        raise ValueError(f"operator {op.index} {op.opcode}: tables for {[len(t) for t in tables]} not {y.shape}")
    if y.elements and not (sum(min(t) for t in tables) >= 0 and sum(max(t) for t in tables) < x.elements):
        raise ValueError(f"operator {op.index} {op.opcode}: offsets leave input {x.shape}")
    width = element_width(ctx, op, x, y)
    tables = [[v * width for v in t] for t in tables[:-1]] + [[v * width + b for v in tables[-1] for b in range(width)]]
    tables = [[0]] * (MAX_DIMS - len(y.shape)) + tables
    offsets = np.array([v for table in tables for v in table], np.int32)
    # a constant's bytes as the little-endian targets hold them
    source = ctx.array(op, "input", ctx.constant(op, 0).astype(f"<i{width}").view(np.int8)) if x.is_constant \
        else ctx.ptr(x)
    params = RemapParams(input=source, output=ctx.ptr(y), offsets=ctx.array(op, "offsets", offsets),
                         dims=(1,) * (MAX_DIMS - len(y.shape)) + y.shape[:-1] + (y.shape[-1] * width,))
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


def lower_batch_to_space(ctx: LowerContext, op: Operator) -> Layer:
    """TFLite Micro's BatchToSpaceND read backwards: output row h (after the crop) is row (h + top) // block_h of
    batch ((h + top) % block_h * block_w + (w + left) % block_w) * out_batches + b; both offsets are per axis."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    block, crops = space_blocks(ctx, op, x, y, "crops")
    flat = len(block) == 1  # (N, H, C): TFLite Micro's width 1, block 1, no crop
    bh, bw = block[0], 1 if flat else block[1]
    top, left = int(crops[0][0]), 0 if flat else int(crops[1][0])
    h, w = x.shape[1], 1 if flat else x.shape[2]
    out_b, out_h, out_w = y.shape[0], y.shape[1], 1 if flat else y.shape[2]
    want_w = w * bw - left - (0 if flat else int(crops[1][1]))
    if x.shape[0] != out_b * bh * bw or out_h != h * bh - top - int(crops[0][1]) or out_w != want_w \
            or y.shape[-1] != x.shape[-1]:
        raise ctx.fail(op, f"output has shape {y.shape}, but input {x.shape}, block_shape {block} and crops "
                           f"{crops.tolist()} do not give it")
    sb, sh = prod(x.shape[1:]), prod(x.shape[2:])
    sw = x.shape[-1]
    rows = [(i + top) % bh * bw * out_b * sb + (i + top) // bh * sh for i in range(out_h)]
    cols = [(i + left) % bw * out_b * sb + (i + left) // bw * sw for i in range(out_w)]
    tables = [[b * sb for b in range(out_b)], rows, *([] if flat else [cols]), list(range(x.shape[-1]))]
    return _remap_offsets(ctx, op, tables, f"BATCH_TO_SPACE_ND block {block} crops {crops.tolist()}")


def bilinear_axis(in_size: int, out_size: int, align_corners: bool, half_pixel: bool) -> list[tuple[int, int, int]]:
    """Per output index (lower, upper, weight on upper in 1/1024ths): TFLite Micro's integer scale and
    ComputeInterpolationValuesInteger, its C divisions truncating toward zero."""
    if align_corners and out_size > 1:
        scale = ((1 << 10) * (in_size - 1) + (out_size - 1) // 2) // (out_size - 1)
    else:
        scale = ((1 << 10) * in_size + out_size // 2) // out_size
    axis = []
    for i in range(out_size):
        value = i * scale + scale // 2 - (1 << 9) if half_pixel else i * scale
        lower = max(int(value / 1024), 0)  # |value| < 2^31: the float quotient truncates exactly as C's
        upper = min(int((value + 1023) / 1024), in_size - 1)
        axis.append((lower, upper, value - 1024 * lower))
    return axis


def lower_resize_bilinear(ctx: LowerContext, op: Operator) -> Layer:
    a = op.attrs_of(ResizeAttrs)
    if a.align_corners and a.half_pixel_centers:
        raise ctx.fail(op, "align_corners and half_pixel_centers are both set; TFLite Micro refuses that")
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    n, in_h, in_w, c = x.shape
    _, out_h, out_w, _ = y.shape
    tables = []
    for in_size, out_size, stride in ((in_h, out_h, in_w * c), (in_w, out_w, c)):
        axis = bilinear_axis(in_size, out_size, a.align_corners, a.half_pixel_centers)
        if any(not (0 <= lo < in_size and 0 <= hi < in_size and -512 <= w <= 1024) for lo, hi, w in axis):
            raise ctx.fail(op, f"resizing {in_size} to {out_size} reaches outside the input in TFLite Micro's "
                               "arithmetic; tinygen does not read there")
        tables.append(np.array([(lo * stride, hi * stride, w) for lo, hi, w in axis], np.int32).reshape(-1))
    source = ctx.array(op, "input", ctx.constant(op, 0)) if x.is_constant else ctx.ptr(x)
    params = ResizeBilinearParams(input=source, output=ctx.ptr(y), rows=ctx.array(op, "rows", tables[0]),
                                  cols=ctx.array(op, "cols", tables[1]), batches=n, out_h=out_h, out_w=out_w,
                                  depth=c, batch_stride=in_h * in_w * c)
    flags = [name for name, on in (("align_corners", a.align_corners), ("half_pixel", a.half_pixel_centers)) if on]
    return Layer(op.index, op.opcode, "remap", "tg_resize_bilinear_s8", params,
                 " ".join(["RESIZE_BILINEAR", *flags, f"{x.shape} -> {y.shape}"]))
