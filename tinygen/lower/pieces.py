"""Data movement between several tensors and one (docs/arithmetic.md §2.23): SPLIT, SPLIT_V, UNPACK (one
input cut into outputs), PACK (inputs stacked), GATHER and EMBEDDING_LOOKUP (rows picked by index).

As in TFLite Micro, no quantisation arithmetic: bytes are copied (two an
element for int16, which TFLite Micro's kernels take but GATHER's). Each output
of a split is a contiguous run of bytes per block of the axes before the
split axis, the mirror of CONCATENATION; PACK is CONCATENATION along a new
axis. The importer (importers/op_shapes.py) has checked that the pieces add up
to the input and that constant gather indices lie inside their axis.
"""

from __future__ import annotations

from collections.abc import Callable
from math import prod

import numpy as np

from tinygen.ir.attrs import GatherAttrs, PackAttrs
from tinygen.ir.graph import Operator, Tensor
from tinygen.kernels.block import PointerList
from tinygen.kernels.shape import ConcatenationParams, GatherParams, SplitParams
from tinygen.lower.context import LowerContext
from tinygen.lower.layer import Layer
from tinygen.lower.shape import element_width, int8_only, source


def _axis(ctx: LowerContext, op: Operator, slot: int, rank: int) -> int:
    """SPLIT's and SPLIT_V's axis operand, which TFLite Micro requires constant."""
    t = ctx.tensor(op, slot)
    if t.data is None or t.data.size != 1:
        raise ctx.fail(op, "its axis is not one constant value; TFLite Micro requires it constant")
    return int(t.data.reshape(-1)[0]) % rank


def _split(ctx: LowerContext, op: Operator, x: Tensor, axis: int, chunk: Callable[[Tensor], int]) -> Layer:
    """Output y takes chunk(y) elements of each block of the axes before `axis`."""
    outs = [ctx.tensor(op, k, "outputs") for k in range(len(op.outputs))]
    width = element_width(ctx, op, x, *outs)
    sizes = ctx.array(op, "sizes", np.array([chunk(y) * width for y in outs], np.int32))
    params = SplitParams(input=source(ctx, op, x, "input"),
                         outputs=PointerList(tuple(ctx.ptr(y) for y in outs), writable=True),
                         sizes=sizes, num_outputs=len(outs), outer_size=prod(x.shape[:axis]))
    return Layer(op.index, op.opcode, "shape", "tg_split_s8", params,
                 f"{op.opcode} axis {axis} {x.shape} -> {[y.shape for y in outs]}")


def lower_split(ctx: LowerContext, op: Operator) -> Layer:
    x = ctx.tensor(op, 1)
    axis = _axis(ctx, op, 0, len(x.shape))
    return _split(ctx, op, x, axis, lambda y: prod(y.shape[axis:]))


def lower_split_v(ctx: LowerContext, op: Operator) -> Layer:
    """Sized by the outputs' shapes, as TFLite Micro's kernel is (size_splits only shaped them)."""
    x = ctx.tensor(op, 0)
    axis = _axis(ctx, op, 2, len(x.shape))
    return _split(ctx, op, x, axis, lambda y: prod(y.shape[axis:]))


def lower_unpack(ctx: LowerContext, op: Operator) -> Layer:
    """A split into size-1 pieces whose axis is dropped: the same bytes as SPLIT's."""
    x = ctx.tensor(op, 0)
    axis = op.attrs_of(PackAttrs).axis % len(x.shape)
    return _split(ctx, op, x, axis, lambda y: prod(x.shape[axis + 1:]))


def lower_pack(ctx: LowerContext, op: Operator) -> Layer:
    """CONCATENATION along the new axis: each input gives prod(its shape from the axis on) elements per block.
    TFLite Micro neither compares nor rescales the inputs' quantisation, so neither does tinygen."""
    y = ctx.tensor(op, 0, "outputs")
    inputs = [ctx.tensor(op, k) for k in range(len(op.inputs))]
    width = element_width(ctx, op, y, *inputs)
    axis = op.attrs_of(PackAttrs).axis % len(y.shape)
    chunk = prod(y.shape[axis + 1:]) * width
    sources = tuple(source(ctx, op, t, f"input{k}") for k, t in enumerate(inputs))
    params = ConcatenationParams(inputs=PointerList(sources), sizes=ctx.array(op, "sizes", np.full(
        len(inputs), chunk, np.int32)), output=ctx.ptr(y), num_inputs=len(inputs), outer_size=prod(y.shape[:axis]))
    return Layer(op.index, op.opcode, "shape", "tg_concatenation_s8", params,
                 f"PACK axis {axis} {len(inputs)} x {inputs[0].shape} -> {y.shape}")


def lower_gather(ctx: LowerContext, op: Operator) -> Layer:
    """TFLite Micro's loop: batch, outer block, index; each index copies one row of the axes after `axis`."""
    x, idx, y = ctx.tensor(op, 0), ctx.tensor(op, 1), ctx.tensor(op, 0, "outputs")
    int8_only(ctx, op, x, y)
    a = op.attrs_of(GatherAttrs)
    axis = a.axis % len(x.shape)
    batch = a.batch_dims + len(idx.shape) if a.batch_dims < 0 else a.batch_dims
    if x.shape[axis] == 0 and y.elements:
        raise ctx.fail(op, f"gathers from an empty axis {axis} of input {x.shape}")
    indices = ctx.ptr(idx) if idx.data is None else ctx.array(op, "indices", idx.data.astype(np.int32).reshape(-1))
    params = GatherParams(input=source(ctx, op, x, "input"), indices=indices, output=ctx.ptr(y),
                          batches=prod(x.shape[:batch]), outer_size=prod(x.shape[batch:axis]), axis_size=x.shape[axis],
                          coords=prod(idx.shape[batch:]), inner_size=prod(x.shape[axis + 1:]))
    return Layer(op.index, op.opcode, "shape", "tg_gather_s8", params,
                 f"GATHER axis {axis} batch_dims {batch} {x.shape} by {idx.shape} -> {y.shape}")


def lower_embedding_lookup(ctx: LowerContext, op: Operator) -> Layer:
    """(lookup, value): GATHER along axis 0 of value, int8 rows copied to an int8 output (TFLite Micro's
    EvalSimple; its int8 -> float32 hybrid form is not generated). An index outside the rows, which TFLite Micro
    reports as an error, is clamped by the kernel."""
    idx, x, y = ctx.tensor(op, 0), ctx.tensor(op, 1), ctx.tensor(op, 0, "outputs")
    int8_only(ctx, op, x, y)
    if idx.dtype != "int32" or len(idx.shape) != 1 or len(x.shape) < 2 \
            or y.shape != (idx.shape[0], *x.shape[1:]) or (x.shape[0] == 0 and y.elements):
        raise ctx.fail(op, f"lookup {idx.dtype} {idx.shape}, value {x.shape}, output {y.shape}; TFLite Micro takes "
                           "1-D int32 indices into the rows of a value of rank 2 or more")
    indices = ctx.ptr(idx) if idx.data is None else ctx.array(op, "indices", idx.data.astype(np.int32).reshape(-1))
    params = GatherParams(input=source(ctx, op, x, "value"), indices=indices, output=ctx.ptr(y), batches=1,
                          outer_size=1, axis_size=x.shape[0], coords=idx.shape[0], inner_size=prod(x.shape[1:]))
    return Layer(op.index, op.opcode, "shape", "tg_gather_s8", params,
                 f"EMBEDDING_LOOKUP {x.shape} by {idx.shape} -> {y.shape}")
