"""Pure data movement: CONCATENATION, PAD, STRIDED_SLICE, SLICE, TRANSPOSE, SPACE_TO_DEPTH, DEPTH_TO_SPACE
(docs/arithmetic.md §2.9, 2.10, 2.22, 2.23).

TFLite Micro applies no quantisation arithmetic here, so the C kernels only
copy bytes. Every index computation (slice bounds, permuted strides, concat
block sizes, pad amounts) is resolved from the constant operand tensors at
generation time; all but CONCATENATION and PAD become one strided gather.
PAD, STRIDED_SLICE, SLICE and TRANSPOSE also move int16 elements (tg_pad_s16,
tg_strided_copy_s16); CONCATENATION copies runs of bytes, two an int16 element.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod

import numpy as np

from tinygen.ir.attrs import BlockSizeAttrs, ConcatenationAttrs, StridedSliceAttrs
from tinygen.ir.graph import Operator, Tensor
from tinygen.kernels.block import ArenaPtr, ConstArray, Offset, PointerList
from tinygen.kernels.shape import (
    MAX_DIMS,
    ConcatenationParams,
    PadParams,
    PadS16Params,
    SpaceToBatchParams,
    StridedCopyParams,
    StridedCopyS16Params,
    UpdateSliceParams,
    UpdateSliceS16Params,
)
from tinygen.lower.context import LowerContext
from tinygen.lower.layer import Layer


def element_strides(shape: Sequence[int]) -> list[int]:
    """Row-major element strides of `shape`."""
    strides, step = [0] * len(shape), 1
    for axis in range(len(shape) - 1, -1, -1):
        strides[axis] = step
        step *= shape[axis]
    return strides


def collapse(dims: list[int], strides: list[int], width: int = MAX_DIMS) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Merge axes the gather can walk as one (fewer, longer C loops), then pad to `width` with (1, 0) in front.

    Size-1 axes vanish; axis i folds into i+1 when stepping i equals walking all of i+1.
    """
    merged: list[list[int]] = []
    for d, s in zip(dims, strides, strict=True):
        if d == 1:
            continue
        if merged and merged[-1][1] == d * s:
            merged[-1] = [merged[-1][0] * d, s]
        else:
            merged.append([d, s])
    if len(merged) > width:
        raise ValueError(f"{len(merged)} dimensions after merging; the kernels take {width}")
    merged = [[1, 0]] * (width - len(merged)) + merged
    return tuple(d for d, _ in merged), tuple(s for _, s in merged)


def _constant_ints(ctx: LowerContext, op: Operator, slot: int, what: str) -> np.ndarray:
    t = ctx.tensor(op, slot)
    if t.data is None or t.dtype not in ("int32", "int64"):
        raise ctx.fail(op, f"{what} is not a constant int32 tensor; TFLite Micro requires it constant")
    return t.data.astype(np.int64).reshape(-1)


def int8_only(ctx: LowerContext, op: Operator, *tensors: Tensor) -> None:
    """The byte-copying kernels move int8 elements; a wider tensor here would be copied short."""
    for t in tensors:
        if t.dtype != "int8":
            raise ctx.fail(op, f"tensor '{t.name}' is {t.dtype}; tinygen generates {op.opcode} for int8 only")


# The copy kernels' suffix by element type (support.py admits int16 for the ops TFLite Micro copies in int16).
_SUFFIX = {"int8": "s8", "int16": "s16"}
_WIDTH = {"int8": 1, "int16": 2}  # bytes per element of the byte-copying kernels (CONCATENATION, PACK, SPLIT...)


def element_width(ctx: LowerContext, op: Operator, *tensors: Tensor) -> int:
    """Bytes per element for the kernels that copy runs of bytes: every operand int8, or every one int16
    (TFLite Micro's int16 kernels of these ops copy as its int8 ones do, two bytes an element)."""
    types = {t.dtype for t in tensors}
    if len(types) != 1 or not types <= _WIDTH.keys():
        raise ctx.fail(op, f"operands are {', '.join(sorted(types))}; tinygen's {op.opcode} copies int8 or int16 "
                           "tensors, all of one type")
    return _WIDTH[types.pop()]


def same_type(ctx: LowerContext, op: Operator, x: Tensor, y: Tensor) -> None:
    """A copy moves x's elements into y unchanged, so their types must agree (TFLite Micro checks it too)."""
    if x.dtype != y.dtype:
        raise ctx.fail(op, f"input is {x.dtype} but output is {y.dtype}; TFLite Micro requires them equal")


def source(ctx: LowerContext, op: Operator, t: Tensor, name: str) -> ArenaPtr | ConstArray:
    """Arena pointer, or a flash array when the operand is a constant (e.g. a learned token)."""
    if t.data is None:
        return ctx.ptr(t)
    return ctx.array(op, name, t.data.astype(np.int16 if t.dtype == "int16" else np.int8).reshape(-1))


def _gather(ctx: LowerContext, op: Operator, x: Tensor, y: Tensor, first: int, dims: list[int], strides: list[int],
            comment: str) -> Layer:
    """A layer that reads input[first + sum(i_k * strides[k])] for each output index, in output order."""
    merged_dims, merged_strides = collapse(list(dims), list(strides))
    same_type(ctx, op, x, y)
    kind = _SUFFIX[x.dtype]
    block = StridedCopyS16Params if kind == "s16" else StridedCopyParams
    params = block(input=Offset(source(ctx, op, x, "input"), first), output=ctx.ptr(y), dims=merged_dims,
                   strides=merged_strides)
    return Layer(op.index, op.opcode, "shape", f"tg_strided_copy_{kind}", params, comment)


def lower_concatenation(ctx: LowerContext, op: Operator) -> Layer:
    """Output = for each outer block, each input's contiguous chunk in turn (TFLite's reference layout). int16
    inputs need zero points 0 but not equal scales: TFLite Micro copies their raw values either way."""
    y = ctx.tensor(op, 0, "outputs")
    inputs = [ctx.tensor(op, i) for i in range(len(op.inputs))]
    a = op.attrs_of(ConcatenationAttrs)
    if a.activation != "NONE":
        raise ctx.fail(op, f"fused {a.activation}; TFLite Micro's CONCATENATION rejects activations")
    width = element_width(ctx, op, y, *inputs)
    for t in inputs:
        if width == 2 and (ctx.zero_point(t) or ctx.zero_point(y)):
            raise ctx.fail(op, "an int16 zero point is not 0, which TFLite Micro's int16 CONCATENATION refuses; "
                               "re-export with TensorFlow's 16x8 converter mode")
        if width == 1 and (ctx.scale(t), ctx.zero_point(t)) != (ctx.scale(y), ctx.zero_point(y)):
            raise ctx.fail(op, "inputs are quantised differently from the output; TFLite Micro requires them "
                               "equal (re-export, or requantise the inputs first)")
    axis = a.axis + len(y.shape) if a.axis < 0 else a.axis
    sources = tuple(source(ctx, op, t, f"input{k}") for k, t in enumerate(inputs))
    sizes = ctx.array(op, "sizes", np.array([prod(t.shape[axis:]) * width for t in inputs], np.int32))
    params = ConcatenationParams(inputs=PointerList(sources), sizes=sizes, output=ctx.ptr(y),
                                 num_inputs=len(inputs), outer_size=prod(y.shape[:axis]))
    return Layer(op.index, op.opcode, "shape", "tg_concatenation_s8", params,
                 f"CONCATENATION axis {axis} {[t.shape for t in inputs]} -> {y.shape}")


def lower_pad(ctx: LowerContext, op: Operator) -> Layer:
    """Copy plus fill with the optional third input's value, else the output zero point (real 0); scales are not
    compared, as in TFLite Micro. Its int16 PAD fills 0 whatever the zero point (pad.cc), which 16x8 models
    (zero point 0) never tell apart."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    rank = len(x.shape)
    pads = _constant_ints(ctx, op, 1, "paddings").reshape(-1, 2)
    if rank > MAX_DIMS or pads.shape[0] != rank or (pads < 0).any():
        raise ctx.fail(op, f"paddings {pads.tolist()} for a {rank}-D input; tinygen pads up to 5-D, non-negative")
    lead = MAX_DIMS - rank
    same_type(ctx, op, x, y)
    kind = _SUFFIX[x.dtype]
    fill = 0 if kind == "s16" else ctx.zero_point(y)
    if len(op.inputs) > 2 and op.inputs[2] >= 0:  # constant_values: one value of the input's type
        value = ctx.tensor(op, 2)
        if not value.is_constant or value.elements != 1 or value.dtype != x.dtype:
            raise ctx.fail(op, f"constant_values '{value.name}' is not one constant {x.dtype} value; TFLite Micro "
                               "requires one")
        fill = int(ctx.constant(op, 2).reshape(-1)[0])
    block = PadS16Params if kind == "s16" else PadParams
    params = block(input=source(ctx, op, x, "input"), output=ctx.ptr(y), in_dims=(1,) * lead + tuple(x.shape),
                   out_dims=(1,) * lead + tuple(y.shape), before=(0,) * lead + tuple(int(p) for p in pads[:, 0]),
                   pad_value=fill)
    return Layer(op.index, op.opcode, "shape", f"tg_pad_{kind}", params, f"PAD {pads.tolist()} {x.shape} -> {y.shape}")


def slice_bounds(size: int, begin: int, end: int, stride: int, begin_masked: bool, end_masked: bool,
                 shrink: bool, offset: bool) -> range:
    """Indices one axis visits: TFLite's StartForAxis/StopForAxis (strided_slice_logic.h), Python-slice-like."""
    lo, hi = (0, size) if stride > 0 else (-1, size - 1)
    start = begin + size if begin < 0 else begin
    start = min(max(start, lo), hi)
    if begin_masked:
        start = 0 if stride > 0 else size - 1
    if shrink:
        return range(start, start + 1 if start < size else start)
    stop = end + start if offset else end
    stop = stop + size if stop < 0 else stop
    stop = min(max(stop, lo), hi)
    if end_masked:
        stop = size if stride > 0 else -1
    return range(start, stop, stride)


def lower_strided_slice(ctx: LowerContext, op: Operator) -> Layer:
    """ellipsis_mask and new_axis_mask are ignored, as TFLite Micro forces them to 0."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    a, rank = op.attrs_of(StridedSliceAttrs), len(x.shape)
    begin, end, step = (_constant_ints(ctx, op, k, name) for k, name in ((1, "begin"), (2, "end"), (3, "strides")))
    if rank > 4 or not len(begin) == len(end) == len(step) == rank or (step == 0).any():
        raise ctx.fail(op, f"begin/end/strides {begin.tolist()}/{end.tolist()}/{step.tolist()} for a {rank}-D "
                           "input; TFLite Micro takes up to 4-D with one non-zero stride per axis")
    ranges = [slice_bounds(x.shape[k], int(begin[k]), int(end[k]), int(step[k]), bool(a.begin_mask >> k & 1),
                           bool(a.end_mask >> k & 1), bool(a.shrink_axis_mask >> k & 1), a.offset)
              for k in range(rank)]
    counts = [len(r) for r in ranges]
    if prod(counts) != y.elements:
        raise ctx.fail(op, f"slice selects {counts} elements but the output is {y.shape}")
    in_strides = element_strides(x.shape)
    first = sum(r.start * s for r, s in zip(ranges, in_strides, strict=True)) if y.elements else 0
    strides = [r.step * s for r, s in zip(ranges, in_strides, strict=True)]
    spans = ", ".join(f"{r.start}:{r.stop}:{r.step}" for r in ranges)
    return _gather(ctx, op, x, y, first, counts, strides, f"STRIDED_SLICE [{spans}] {x.shape} -> {y.shape}")


def lower_transpose(ctx: LowerContext, op: Operator) -> Layer:
    """Output axis k walks input axis perm[k]: the input strides, permuted."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    perm = [int(p) for p in _constant_ints(ctx, op, 1, "perm")]
    if len(x.shape) > MAX_DIMS or sorted(perm) != list(range(len(x.shape))):
        raise ctx.fail(op, f"permutation {perm} of a {len(x.shape)}-D input; TFLite Micro takes up to 5-D")
    in_strides = element_strides(x.shape)
    return _gather(ctx, op, x, y, 0, [x.shape[p] for p in perm], [in_strides[p] for p in perm],
                   f"TRANSPOSE {perm} {x.shape} -> {y.shape}")


def lower_slice(ctx: LowerContext, op: Operator) -> Layer:
    """begin and size (-1: to the end) per axis, checked within the input by the importer (op_shapes)."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    if ctx.tensor(op, 1).data is None or ctx.tensor(op, 2).data is None:
        raise ctx.fail(op, "begin or size is computed at run time; tinygen slices by constants (fold them into "
                           "the model)")
    begin = [int(b) for b in ctx.constant(op, 1).reshape(-1)]
    if not y.elements:
        begin = [0] * len(x.shape)
    first = sum(b * s for b, s in zip(begin, element_strides(x.shape), strict=True))
    return _gather(ctx, op, x, y, first, list(y.shape), element_strides(x.shape),
                   f"SLICE begin {begin} {x.shape} -> {y.shape}")


def lower_space_to_depth(ctx: LowerContext, op: Operator) -> Layer:
    """Output (n, h, w, (dy*b + dx)*c + k) = input (n, h*b + dy, w*b + dx, k): output axes n, h, w, dy, dx, k."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    int8_only(ctx, op, x, y)
    b = op.attrs_of(BlockSizeAttrs).block_size
    n, h, w, c = x.shape
    sn, sh, sw, _ = element_strides(x.shape)
    return _gather(ctx, op, x, y, 0, [n, h // b, w // b, b, b, c], [sn, b * sh, b * sw, sh, sw, 1],
                   f"SPACE_TO_DEPTH block {b} {x.shape} -> {y.shape}")


def lower_depth_to_space(ctx: LowerContext, op: Operator) -> Layer:
    """Output (n, h*b + dy, w*b + dx, k) = input (n, h, w, (dy*b + dx)*c + k): output axes n, h, dy, w, dx, k."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    int8_only(ctx, op, x, y)
    b = op.attrs_of(BlockSizeAttrs).block_size
    n, h, w, _ = x.shape
    c = y.shape[3]
    sn, sh, sw, _ = element_strides(x.shape)
    return _gather(ctx, op, x, y, 0, [n, h, b, w, b, c], [sn, sh, b * c, sw, c, 1],
                   f"DEPTH_TO_SPACE block {b} {x.shape} -> {y.shape}")


def space_blocks(ctx: LowerContext, op: Operator, x: Tensor, y: Tensor, what: str) -> tuple[list[int], np.ndarray]:
    """SPACE_TO_BATCH_ND's and BATCH_TO_SPACE_ND's block shape and paddings (or crops), one per spatial axis of a
    3-D (N, H, C) or 4-D (N, H, W, C) input, as TFLite Micro reads them; in and out of the same type."""
    same_type(ctx, op, x, y)
    int8_only(ctx, op, x, y)
    spatial = len(x.shape) - 2
    block = [int(b) for b in _constant_ints(ctx, op, 1, "block_shape")]
    pads = _constant_ints(ctx, op, 2, what).reshape(-1, 2) if spatial in (1, 2) else np.zeros((0, 2), np.int64)
    if spatial not in (1, 2) or len(y.shape) != len(x.shape) or len(block) != spatial or pads.shape[0] != spatial \
            or min(block) < 1 or (pads < 0).any():
        raise ctx.fail(op, f"block_shape {block} and {what} {pads.tolist()} for input {x.shape}; TFLite Micro "
                           "takes a 3-D or 4-D input, one positive block size and two non-negative amounts per "
                           "spatial axis")
    return block, pads


def lower_space_to_batch(ctx: LowerContext, op: Operator) -> Layer:
    """Pad the spatial axes, then move each block offset into its own batch (TFLite Micro's SpaceToBatchND).

    The fill is TensorFlow Lite's: the output's zero point, a real 0. TFLite Micro's kernel reads its fill from a
    params field it never sets (SpaceToBatchParams.output_offset, in uninitialised persistent memory), so its
    padding holds whatever that byte was: usually 0, not always (a test once saw 4). Its other outputs are
    defined and bit-exact here; tests compare padded cells with TensorFlow Lite's interpreter."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    block, pads = space_blocks(ctx, op, x, y, "paddings")
    n, h = x.shape[:2]
    w, c = (x.shape[2], x.shape[3]) if len(block) == 2 else (1, x.shape[2])
    bh, bw = block[0], block[1] if len(block) == 2 else 1
    (top, bottom), (left, right) = pads[0], pads[1] if len(block) == 2 else (0, 0)
    if (h + top + bottom) % bh or (w + left + right) % bw:
        raise ctx.fail(op, f"padded input {x.shape} is not whole {bh}x{bw} blocks")
    want = (n * bh * bw, (h + top + bottom) // bh) + (((w + left + right) // bw,) if len(block) == 2 else ()) + (c,)
    if y.shape != want:
        raise ctx.fail(op, f"output has shape {y.shape}, but input {x.shape}, block_shape {block} and paddings "
                           f"{pads.tolist()} give {want}")
    params = SpaceToBatchParams(input=source(ctx, op, x, "input"), output=ctx.ptr(y), in_dims=(n, h, w, c),
                                out_dims=(want[0], want[1], want[2] if len(block) == 2 else 1), block_h=bh,
                                block_w=bw, pad_top=int(top), pad_left=int(left), pad_value=ctx.zero_point(y))
    return Layer(op.index, op.opcode, "shape", "tg_space_to_batch_s8", params,
                 f"SPACE_TO_BATCH_ND block {block} paddings {pads.tolist()} {x.shape} -> {y.shape}")


def lower_broadcast_to(ctx: LowerContext, op: Operator) -> Layer:
    """A strided copy that steps 0 along every axis the input stretches (size 1, or absent in front); the constant
    shape must be the output's and the input broadcastable to it, as TFLite Micro's Prepare requires."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    shape = tuple(int(d) for d in _constant_ints(ctx, op, 1, "shape"))
    lead = len(y.shape) - len(x.shape)
    if shape != y.shape or len(y.shape) > MAX_DIMS or lead < 0 \
            or any(d not in (1, e) for d, e in zip(x.shape, y.shape[lead:], strict=True)):
        raise ctx.fail(op, f"shape {list(shape)} for input {x.shape} and output {y.shape}; TFLite Micro needs the "
                           "output's shape, up to 5-D, and an input broadcastable to it")
    strides = [0] * lead + [0 if d == 1 else s for d, s in zip(x.shape, element_strides(x.shape), strict=True)]
    return _gather(ctx, op, x, y, 0, list(y.shape), strides, f"BROADCAST_TO {x.shape} -> {y.shape}")


def lower_reverse(ctx: LowerContext, op: Operator) -> Layer:
    """A strided copy that starts at the last element of each reversed axis and steps back; the constant axes
    must be contiguous once sorted, as TFLite Micro's Eval requires."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    rank = len(x.shape)
    axes = sorted(int(a) + rank if a < 0 else int(a) for a in _constant_ints(ctx, op, 1, "axis"))
    if rank > MAX_DIMS or y.shape != x.shape or any(not 0 <= a < rank for a in axes) \
            or any(b != a + 1 for a, b in zip(axes, axes[1:], strict=False)):
        raise ctx.fail(op, f"axes {axes} of input {x.shape} (output {y.shape}); TFLite Micro reverses contiguous "
                           "axes of its input's shape, and tinygen up to 5-D")
    strides = element_strides(x.shape)
    first = sum((x.shape[a] - 1) * strides[a] for a in axes) if y.elements else 0
    steps = [-s if k in axes else s for k, s in enumerate(strides)]
    return _gather(ctx, op, x, y, first, list(x.shape), steps, f"REVERSE_V2 axes {axes} {x.shape}")


def lower_fill(ctx: LowerContext, op: Operator) -> Layer:
    """The one value (input 1, arena or flash) copied with step 0 into every output element; the constant dims
    must be the output's shape, as TFLite Micro's Prepare requires. The value is copied as stored (TFLite Micro
    does not requantise it)."""
    value, y = ctx.tensor(op, 1), ctx.tensor(op, 0, "outputs")
    dims = tuple(int(d) for d in _constant_ints(ctx, op, 0, "dims"))
    if dims != y.shape or value.shape != ():
        raise ctx.fail(op, f"dims {list(dims)} for output {y.shape} and value shape {value.shape}; TFLite Micro "
                           "needs the output's shape and one scalar value")
    return _gather(ctx, op, value, y, 0, list(y.shape), [0] * len(y.shape), f"FILL {y.shape}")


def lower_dynamic_update_slice(ctx: LowerContext, op: Operator) -> Layer:
    """The operand copied and the update written over it at start indices (constant or computed at run time,
    int32), which the kernel clamps as TFLite Micro does; update no larger than the operand on any axis. int8 or
    int16 elements (dynamic_update_slice.cc copies raw values of either)."""
    x, update, indices, y = ctx.tensor(op, 0), ctx.tensor(op, 1), ctx.tensor(op, 2), ctx.tensor(op, 0, "outputs")
    element_width(ctx, op, x, update, y)
    kind = _SUFFIX[x.dtype]
    rank = len(x.shape)
    if indices.dtype != "int32" or indices.shape != (rank,):
        raise ctx.fail(op, f"start indices '{indices.name}' are {indices.dtype} {indices.shape}; tinygen takes "
                           f"{rank} int32 values, one per axis")
    if rank > MAX_DIMS or len(update.shape) != rank or y.shape != x.shape \
            or any(u > d for u, d in zip(update.shape, x.shape, strict=True)):
        raise ctx.fail(op, f"update {update.shape} into operand {x.shape} (output {y.shape}); TFLite Micro needs "
                           "an update of the operand's rank and no larger on any axis, and tinygen up to 5-D")
    lead = MAX_DIMS - rank
    start = source(ctx, op, indices, "indices") if indices.data is None else \
        ctx.array(op, "indices", indices.data.astype(np.int32).reshape(-1))
    block = UpdateSliceS16Params if kind == "s16" else UpdateSliceParams
    params = block(operand=source(ctx, op, x, "operand"), update=source(ctx, op, update, "update"),
                               indices=start, output=ctx.ptr(y), dims=(1,) * lead + x.shape,
                               update_dims=(1,) * lead + update.shape, lead=lead)
    return Layer(op.index, op.opcode, "shape", f"tg_update_slice_{kind}", params,
                 f"DYNAMIC_UPDATE_SLICE {update.shape} into {x.shape}")
