"""Operand counts of every op tinygen generates; operand shapes and attributes of the layers with weights or
windows (convolutions, pools, fully connected), of the broadcasting elementwise ops, of the data-movement ops
that copy by shape, and of the shape relabellings the planner aliases.

TFLite Micro's Prepare for these ops checks ranks, filter and bias sizes and
the per-channel scale count, and divides by strides and dilations. tinygen's
kernels go further and trust the output shape the file states: a CONV_2D whose
output claims more rows than its input, stride and padding give reads past its
input; a zero stride, dilation or filter divides by zero in the firmware. So
each of these is checked against what the op computes, and refused here.
"""

from __future__ import annotations

from collections.abc import Callable
from math import prod

from tinygen.errors import InputError
from tinygen.ir.attrs import (
    BatchMatMulAttrs,
    BlockSizeAttrs,
    Conv2DAttrs,
    DepthwiseConv2DAttrs,
    FullyConnectedAttrs,
    GatherAttrs,
    LstmAttrs,
    MirrorPadAttrs,
    PackAttrs,
    Pool2DAttrs,
    SVDFAttrs,
)
from tinygen.ir.graph import Graph, Operator, Tensor
from tinygen.ir.lstm_slots import BIAS_SLOTS, CELL, HIDDEN, WEIGHT_SLOTS
from tinygen.ir.opset import ALIAS_OPS, ARITY, OMITTABLE

_FIX = "the file is malformed; re-export the model"


def _fail(op: Operator, problem: str) -> InputError:
    return InputError(f"operator {op.index} ({op.opcode}): {problem}; {_FIX}")


def out_size(in_size: int, kernel: int, stride: int, dilation: int, padding: str) -> int:
    """Output rows (or columns) as TFLite's ComputeOutSize gives them."""
    if padding == "SAME":
        return (in_size + stride - 1) // stride
    return (in_size - ((kernel - 1) * dilation + 1) + stride) // stride


def _operand(graph: Graph, op: Operator, k: int, role: str, rank: int | None) -> Tensor:
    if k >= len(op.inputs) or op.inputs[k] < 0:
        raise _fail(op, f"has no {role} (input {k})")
    t = graph.tensor(op.inputs[k])
    if rank is not None and len(t.shape) != rank:
        raise _fail(op, f"{role} '{t.name}' has shape {t.shape}, not rank {rank}")
    return t


def _output(graph: Graph, op: Operator, rank: int | None) -> Tensor:
    if len(op.outputs) != 1:
        raise _fail(op, f"has {len(op.outputs)} outputs, not 1")
    t = graph.tensor(op.outputs[0])
    if rank is not None and len(t.shape) != rank:
        raise _fail(op, f"output '{t.name}' has shape {t.shape}, not rank {rank}")
    return t


def _constant(op: Operator, t: Tensor, role: str) -> None:
    if not t.is_constant:
        raise _fail(op, f"{role} '{t.name}' is not a constant (tinygen's kernels read {role}s from flash)")


def _positive(op: Operator, **values: int) -> None:
    for name, value in values.items():
        if value < 1:
            raise _fail(op, f"{name.replace('_', ' ')} is {value}; it must be at least 1")


def _bias(graph: Graph, op: Operator, channels: int) -> None:
    if len(op.inputs) > 2 and op.inputs[2] >= 0:
        b = graph.tensor(op.inputs[2])
        _constant(op, b, "bias")
        if b.elements != channels:
            raise _fail(op, f"bias '{b.name}' has shape {b.shape}, not the {channels} values its output channels need")


def _spatial_output(op: Operator, x: Tensor, y: Tensor, kernel: tuple[int, int], a: Conv2DAttrs | Pool2DAttrs,
                    dilation: tuple[int, int], channels: int) -> None:
    rows = out_size(x.shape[1], kernel[0], a.stride_h, dilation[0], a.padding)
    cols = out_size(x.shape[2], kernel[1], a.stride_w, dilation[1], a.padding)
    if rows < 1 or cols < 1:
        raise _fail(op, f"its {kernel[0]}x{kernel[1]} window (dilation {dilation[0]}x{dilation[1]}) does not fit "
                        f"input '{x.name}' of shape {x.shape} with {a.padding} padding")
    want = (x.shape[0], rows, cols, channels)
    if y.shape != want:
        raise _fail(op, f"output '{y.name}' has shape {y.shape}, but input {x.shape}, window {kernel[0]}x{kernel[1]}, "
                        f"stride {a.stride_h}x{a.stride_w}, dilation {dilation[0]}x{dilation[1]} and {a.padding} "
                        f"padding give {want}")


def _conv(graph: Graph, op: Operator) -> None:
    """CONV_2D (OHWI filter) and DEPTHWISE_CONV_2D (1HWO filter, O = input channels x depth multiplier)."""
    a = op.attrs_of(Conv2DAttrs)
    _positive(op, stride_h=a.stride_h, stride_w=a.stride_w, dilation_h=a.dilation_h, dilation_w=a.dilation_w)
    x, w, y = _operand(graph, op, 0, "input", 4), _operand(graph, op, 1, "filter", 4), _output(graph, op, 4)
    _constant(op, w, "filter")
    if isinstance(a, DepthwiseConv2DAttrs):
        _positive(op, depth_multiplier=a.depth_multiplier)
        channels = x.shape[3] * a.depth_multiplier
        if w.shape[0] != 1 or w.shape[3] != channels:
            raise _fail(op, f"filter '{w.name}' has shape {w.shape}, not (1, H, W, {channels}) for input channels "
                            f"{x.shape[3]} and depth multiplier {a.depth_multiplier}")
    else:
        channels = w.shape[0]
        if w.shape[3] != x.shape[3]:
            raise _fail(op, f"filter '{w.name}' has shape {w.shape}, but input '{x.name}' has {x.shape[3]} channels")
    _positive(op, filter_height=w.shape[1], filter_width=w.shape[2])
    _bias(graph, op, channels)
    _spatial_output(op, x, y, (w.shape[1], w.shape[2]), a, (a.dilation_h, a.dilation_w), channels)


def _transpose_conv(graph: Graph, op: Operator) -> None:
    """TRANSPOSE_CONV (output_shape, OHWI filter, input[, bias]): the kernel scatters each input pixel into the
    output and sizes its scratch by the output tensor (as TFLite Micro does), so the output tensor, a constant
    output_shape and the geometry must agree: the input is what a convolution with this filter, stride and
    padding makes of the output (TensorFlow's rule for the op's gradient form, and where TFLite Micro takes
    its padding from). A run-time output_shape is valid: nothing reads it."""
    a = op.attrs_of(Conv2DAttrs)
    _positive(op, stride_h=a.stride_h, stride_w=a.stride_w)
    x, w, y = _operand(graph, op, 2, "input", 4), _operand(graph, op, 1, "filter", 4), _output(graph, op, 4)
    _constant(op, w, "filter")
    shape = _constant_ints(graph, op, 0, "output_shape")  # a run-time one is TFLM's too: the output tensor rules
    if shape is not None and tuple(shape) != y.shape:
        raise _fail(op, f"output_shape is {shape}, but output '{y.name}' has shape {y.shape}")
    out_c, k_h, k_w, in_c = w.shape
    _positive(op, filter_height=k_h, filter_width=k_w, filter_channels=out_c)
    if in_c != x.shape[3] or out_c != y.shape[3] or x.shape[0] != y.shape[0]:
        raise _fail(op, f"filter '{w.name}' {w.shape} does not map input '{x.name}' {x.shape} to output "
                        f"'{y.name}' {y.shape} (filter: output channels, height, width, input channels)")
    if len(op.inputs) > 3 and op.inputs[3] >= 0:
        b = graph.tensor(op.inputs[3])
        _constant(op, b, "bias")
        if b.elements != out_c:
            raise _fail(op, f"bias '{b.name}' has shape {b.shape}, not the {out_c} values its output channels need")
    rows = out_size(y.shape[1], k_h, a.stride_h, 1, a.padding)
    cols = out_size(y.shape[2], k_w, a.stride_w, 1, a.padding)
    if (rows, cols) != x.shape[1:3]:
        raise _fail(op, f"input '{x.name}' {x.shape} is not what a {k_h}x{k_w} window, stride "
                        f"{a.stride_h}x{a.stride_w} and {a.padding} padding make of output {y.shape} "
                        f"({rows}x{cols})")


def _pool(graph: Graph, op: Operator) -> None:
    a = op.attrs_of(Pool2DAttrs)
    _positive(op, stride_h=a.stride_h, stride_w=a.stride_w, filter_height=a.filter_h, filter_width=a.filter_w)
    x, y = _operand(graph, op, 0, "input", 4), _output(graph, op, 4)
    _spatial_output(op, x, y, (a.filter_h, a.filter_w), a, (1, 1), x.shape[3])


def _fully_connected(graph: Graph, op: Operator) -> None:
    """Weights (units, depth); the input is read as rows of `depth` values, one output row of `units` each."""
    op.attrs_of(FullyConnectedAttrs)
    x, w, y = _operand(graph, op, 0, "input", None), _operand(graph, op, 1, "weights", 2), _output(graph, op, None)
    _constant(op, w, "weights")
    units, depth = w.shape
    _positive(op, weights_rows=units, weights_columns=depth)
    if x.elements % depth:
        raise _fail(op, f"input '{x.name}' of shape {x.shape} is not a whole number of rows of {depth} for weights "
                        f"'{w.name}' of shape {w.shape}")
    _bias(graph, op, units)
    if y.elements != x.elements // depth * units or not y.shape or y.shape[-1] != units:
        raise _fail(op, f"output '{y.name}' has shape {y.shape}, but {x.elements // depth} rows of {units} units "
                        f"follow from input {x.shape} and weights {w.shape}")


def broadcast_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...] | None:
    """numpy's broadcast of two shapes (dims aligned at the end, 1 stretches), or None if they do not broadcast."""
    a, b = (1,) * (len(b) - len(a)) + a, (1,) * (len(a) - len(b)) + b
    if any(m != n and 1 not in (m, n) for m, n in zip(a, b, strict=True)):
        return None
    return tuple(n if m == 1 else m for m, n in zip(a, b, strict=True))


def _broadcasting(graph: Graph, op: Operator) -> None:
    """The binary kernel walks the output shape and steps each input along its non-1 axes: an output the
    inputs do not broadcast to would read past them."""
    a, b, y = _operand(graph, op, 0, "input", None), _operand(graph, op, 1, "input", None), _output(graph, op, None)
    if broadcast_shape(a.shape, b.shape) != y.shape:
        raise _fail(op, f"output '{y.name}' has shape {y.shape}, but inputs {a.shape} and {b.shape} do not "
                        f"broadcast to it")


def batch_matmul_shape(a: tuple[int, ...], b: tuple[int, ...], adj_x: bool, adj_y: bool) -> tuple[int, ...] | None:
    """BATCH_MATMUL's output (TFLite Micro's Prepare: ranks 2 to 5, batch axes broadcast, equal depths), or None."""
    if not (2 <= len(a) <= 5 and 2 <= len(b) <= 5):
        return None
    batches = broadcast_shape(a[:-2], b[:-2])
    depth_a, rows = (a[-2], a[-1]) if adj_x else (a[-1], a[-2])
    depth_b, cols = (b[-1], b[-2]) if adj_y else (b[-2], b[-1])
    if batches is None or depth_a != depth_b:
        return None
    return (*batches, rows, cols)


def _batch_matmul(graph: Graph, op: Operator) -> None:
    """The kernel walks the output's batches, rows and columns and steps both operands by their own shapes."""
    a, b, y = _operand(graph, op, 0, "lhs", None), _operand(graph, op, 1, "rhs", None), _output(graph, op, None)
    attrs = op.attrs_of(BatchMatMulAttrs)
    want = batch_matmul_shape(a.shape, b.shape, attrs.adj_x, attrs.adj_y)
    operands = f"lhs {a.shape} and rhs {b.shape} (adj_x {attrs.adj_x}, adj_y {attrs.adj_y})"
    if want is None:
        raise _fail(op, f"{operands} do not multiply: TFLite Micro needs ranks 2 to 5, equal depths and batch "
                        "axes that broadcast")
    if want != y.shape:
        raise _fail(op, f"output '{y.name}' has shape {y.shape}, but {operands} give {want}")


def _add_n(graph: Graph, op: Operator) -> None:
    """ADD_N reads every input as the output's size: TFLite Micro requires them all shaped alike."""
    y = _output(graph, op, None)
    for k in range(len(op.inputs)):
        x = _operand(graph, op, k, "input", None)
        if x.shape != y.shape:
            raise _fail(op, f"input '{x.name}' has shape {x.shape}, output '{y.name}' {y.shape}; ADD_N needs them "
                            "equal")


def _select_broadcasting(graph: Graph, op: Operator) -> None:
    """SELECT_V2 walks its output shape as the binary kernel does, stepping all three operands."""
    c, x, y = (_operand(graph, op, k, "input", None) for k in range(3))
    out = _output(graph, op, None)
    both = broadcast_shape(c.shape, x.shape)
    if both is None or broadcast_shape(both, y.shape) != out.shape:
        raise _fail(op, f"output '{out.name}' has shape {out.shape}, but inputs {c.shape}, {x.shape} and {y.shape} "
                        f"do not broadcast to it")


def _relabel(graph: Graph, op: Operator) -> None:
    """RESHAPE, SQUEEZE, EXPAND_DIMS: the planner aliases output onto input, so their sizes must agree (TFLite
    Micro's Prepare refuses a mismatch too)."""
    x, y = _operand(graph, op, 0, "input", None), _output(graph, op, None)
    if x.elements != y.elements:
        raise _fail(op, f"output '{y.name}' {y.shape} holds {y.elements} values, input '{x.name}' {x.shape} "
                        f"{x.elements}")


# --- data movement: SPLIT, SPLIT_V, UNPACK, PACK, SLICE, GATHER, SPACE_TO_DEPTH, DEPTH_TO_SPACE ---------------
# Their kernels copy by the shapes in the file; a piece that claims more than the input holds reads past it.


def _constant_ints(graph: Graph, op: Operator, k: int, role: str) -> list[int] | None:
    """The values of constant operand `k`, or None when it is computed at run time (the lowering decides)."""
    t = _operand(graph, op, k, role, None)
    if t.data is None:
        return None
    if t.dtype not in ("int32", "int64"):
        raise _fail(op, f"{role} '{t.name}' is {t.dtype}, not int32")
    return [int(v) for v in t.data.reshape(-1)]


def _axis(op: Operator, axis: int, rank: int) -> int:
    if not -rank <= axis < rank:
        raise _fail(op, f"axis {axis} is outside a rank-{rank} tensor")
    return axis % rank


def _shape_is(op: Operator, t: Tensor, want: tuple[int, ...], why: str) -> None:
    if t.shape != want:
        raise _fail(op, f"'{t.name}' has shape {t.shape}, but {why} give {want}")


def _pieces(graph: Graph, op: Operator, x: Tensor, axis: int, keep_axis: bool) -> list[Tensor]:
    """The outputs of SPLIT, SPLIT_V, UNPACK: x's shape except along `axis`, whose sizes must add up to x's."""
    outs = [graph.tensor(t) for t in op.outputs]
    for y in outs:
        rest = y.shape[:axis] + y.shape[axis + 1:] if keep_axis else y.shape
        if len(y.shape) != len(x.shape) - (not keep_axis) or rest != x.shape[:axis] + x.shape[axis + 1:]:
            raise _fail(op, f"output '{y.name}' has shape {y.shape}, not a piece of input '{x.name}' {x.shape} "
                            f"cut along axis {axis}")
    total = sum(y.shape[axis] for y in outs) if keep_axis else len(outs)
    if total != x.shape[axis]:
        raise _fail(op, f"its {len(outs)} outputs hold {total} of the {x.shape[axis]} entries of input "
                        f"'{x.name}' {x.shape} along axis {axis}")
    return outs


def _split(graph: Graph, op: Operator) -> None:
    """SPLIT (axis, input): equal pieces, as TFLite Micro sizes every output by the first."""
    x, values = _operand(graph, op, 1, "input", None), _constant_ints(graph, op, 0, "axis")
    if values is None or len(values) != 1:
        return
    axis = _axis(op, values[0], len(x.shape))
    outs = _pieces(graph, op, x, axis, keep_axis=True)
    if any(y.shape != outs[0].shape for y in outs):
        raise _fail(op, f"outputs have shapes {[y.shape for y in outs]}; SPLIT cuts equal pieces")


def _split_v(graph: Graph, op: Operator) -> None:
    """SPLIT_V (input, size_splits, axis): TFLite Micro copies by the outputs' shapes, not size_splits."""
    x, values = _operand(graph, op, 0, "input", None), _constant_ints(graph, op, 2, "axis")
    if values is None or len(values) != 1:
        return
    _pieces(graph, op, x, _axis(op, values[0], len(x.shape)), keep_axis=True)


def _unpack(graph: Graph, op: Operator) -> None:
    """UNPACK: TFLite Micro writes `num` outputs, one per entry along the axis, which it removes."""
    a, x = op.attrs_of(PackAttrs), _operand(graph, op, 0, "input", None)
    if a.count != len(op.outputs):
        raise _fail(op, f"num is {a.count}, but it has {len(op.outputs)} outputs")
    _pieces(graph, op, x, _axis(op, a.axis, len(x.shape)), keep_axis=False)


def _pack(graph: Graph, op: Operator) -> None:
    """PACK: values_count equal inputs stacked along a new axis."""
    a, y = op.attrs_of(PackAttrs), _output(graph, op, None)
    xs = [_operand(graph, op, k, "input", None) for k in range(len(op.inputs))]
    if a.count != len(xs) or any(x.shape != xs[0].shape for x in xs):
        raise _fail(op, f"values_count is {a.count}, for {len(xs)} inputs of shapes {[x.shape for x in xs]}; "
                        "PACK stacks values_count inputs of one shape")
    axis = _axis(op, a.axis, len(xs[0].shape) + 1)
    _shape_is(op, y, xs[0].shape[:axis] + (len(xs),) + xs[0].shape[axis:], f"{len(xs)} inputs stacked on axis {axis}")


def _slice(graph: Graph, op: Operator) -> None:
    """SLICE: begin and size (-1: to the end) within the input on every axis; the output is that size."""
    x, y = _operand(graph, op, 0, "input", None), _output(graph, op, None)
    begin, size = _constant_ints(graph, op, 1, "begin"), _constant_ints(graph, op, 2, "size")
    if len(x.shape) > 5:
        raise _fail(op, f"input '{x.name}' has rank {len(x.shape)}; TFLite Micro slices up to 5-D")
    if begin is None or size is None:
        return
    if not len(begin) == len(size) == len(x.shape):
        raise _fail(op, f"begin {begin} and size {size} do not give one entry per axis of input {x.shape}")
    sizes = tuple(d - b if s == -1 else s for d, b, s in zip(x.shape, begin, size, strict=True))
    if any(b < 0 or s < 0 or b + s > d for d, b, s in zip(x.shape, begin, sizes, strict=True)):
        raise _fail(op, f"begin {begin} and size {size} reach outside input '{x.name}' {x.shape}")
    _shape_is(op, y, sizes, f"begin {begin} and size {size}")


def _gather(graph: Graph, op: Operator) -> None:
    """GATHER: TFLite Micro's Prepare rules for axis and batch_dims; constant indices inside the axis (its kernel
    only DCHECKs them, so an index out of range reads outside the input)."""
    a = op.attrs_of(GatherAttrs)
    x, idx, y = _operand(graph, op, 0, "input", None), _operand(graph, op, 1, "indices", None), _output(graph, op, None)
    if idx.dtype != "int32":
        raise _fail(op, f"indices '{idx.name}' are {idx.dtype}; TFLite Micro's GATHER takes int32")
    axis = _axis(op, a.axis, len(x.shape))
    batch = a.batch_dims + len(idx.shape) if a.batch_dims < 0 else a.batch_dims
    if not 0 <= batch <= axis or batch > len(idx.shape) or x.shape[:batch] != idx.shape[:batch]:
        raise _fail(op, f"batch_dims {a.batch_dims} does not fit input {x.shape}, indices {idx.shape}, axis {axis}")
    values = _constant_ints(graph, op, 1, "indices")
    if values is not None and any(not 0 <= v < x.shape[axis] for v in values):
        raise _fail(op, f"indices '{idx.name}' {values} reach outside the {x.shape[axis]} entries of axis {axis}")
    _shape_is(op, y, x.shape[:axis] + idx.shape[batch:] + x.shape[axis + 1:], f"input {x.shape}, indices "
              f"{idx.shape}, axis {axis} and batch_dims {batch}")


def _gather_nd(graph: Graph, op: Operator) -> None:
    """GATHER_ND: TFLite Micro's Prepare (int32 indices, their last axis at most the input's rank and 5) and output
    shape; constant indices whose slice leaves the flat input are refused, as TFLite Micro fails every run."""
    x, idx, y = _operand(graph, op, 0, "input", None), _operand(graph, op, 1, "indices", None), _output(graph, op, None)
    if idx.dtype != "int32":
        raise _fail(op, f"indices '{idx.name}' are {idx.dtype}; TFLite Micro's GATHER_ND takes int32")
    if not x.shape or not idx.shape or not idx.shape[-1] <= min(len(x.shape), 5):
        raise _fail(op, f"indices {idx.shape} for input {x.shape}: the last axis must be at most the input's rank "
                        "and 5, as TFLite Micro requires")
    depth = idx.shape[-1]
    _shape_is(op, y, idx.shape[:-1] + x.shape[depth:], f"input {x.shape} and indices {idx.shape}")
    values = _constant_ints(graph, op, 1, "indices")
    if values is not None and depth:
        strides = [prod(x.shape[j + 1:]) for j in range(depth)]
        for k in range(0, len(values), depth):
            start = sum(v * s for v, s in zip(values[k:k + depth], strides, strict=True))
            if not 0 <= start <= x.elements - prod(x.shape[depth:]):
                raise _fail(op, f"indices '{idx.name}' {values[k:k + depth]} reach outside input {x.shape}")


def _space_depth(graph: Graph, op: Operator) -> None:
    """SPACE_TO_DEPTH moves block x block pixels into channels; DEPTH_TO_SPACE back (TFLite Micro's Prepare)."""
    b = op.attrs_of(BlockSizeAttrs).block_size
    _positive(op, block_size=b)
    x, y = _operand(graph, op, 0, "input", 4), _output(graph, op, 4)
    n, h, w, c = x.shape
    if op.opcode == "SPACE_TO_DEPTH":
        if h % b or w % b:
            raise _fail(op, f"input '{x.name}' {x.shape} is not whole {b}x{b} blocks")
        want = (n, h // b, w // b, c * b * b)
    else:
        if c % (b * b):
            raise _fail(op, f"input '{x.name}' {x.shape} has channels that are not a multiple of {b * b}")
        want = (n, h * b, w * b, c // (b * b))
    _shape_is(op, y, want, f"input {x.shape} and block size {b}")


# --- index-map copies: RESIZE_NEAREST_NEIGHBOR, MIRROR_PAD -------------------------------------------------
# Each output element copies the input element its per-axis source indices name; a source outside the input
# would be read from wherever it lands.


def _resize_nearest(graph: Graph, op: Operator) -> None:
    """TFLite Micro's Prepare: 4-D input, a constant int32 size of 2 values; the output is (N, size, C)."""
    x, y = _operand(graph, op, 0, "input", 4), _output(graph, op, 4)
    size = _constant_ints(graph, op, 1, "size")
    if size is None or len(size) != 2 or graph.tensor(op.inputs[1]).dtype != "int32":
        raise _fail(op, f"size '{graph.tensor(op.inputs[1]).name}' is not a constant int32 pair (TFLite Micro "
                        "needs one)")
    _positive(op, output_height=size[0], output_width=size[1])
    _shape_is(op, y, (x.shape[0], size[0], size[1], x.shape[3]), f"input {x.shape} and size {size}")


def mirror_offset(op: Operator) -> int:
    """TFLite Micro's offset: 1 for REFLECT (the edge is not repeated), 0 for SYMMETRIC."""
    return int(op.attrs_of(MirrorPadAttrs).mode == "REFLECT")


def _mirror_pad(graph: Graph, op: Operator) -> None:
    """Constant paddings of shape (rank, 2), each side at most the axis size (one less for REFLECT: TensorFlow's
    rule; beyond it TFLite Micro's index arithmetic leaves the input); the output is the padded shape."""
    x, y = _operand(graph, op, 0, "input", None), _output(graph, op, None)
    pads = _constant_ints(graph, op, 1, "paddings")
    p = graph.tensor(op.inputs[1])
    if pads is None or p.shape != (len(x.shape), 2):
        raise _fail(op, f"paddings '{p.name}' {p.shape} are not a constant ({len(x.shape)}, 2) matrix for input "
                        f"{x.shape}")
    offset = mirror_offset(op)
    for axis, dim in enumerate(x.shape):
        for side in pads[2 * axis:2 * axis + 2]:
            if not 0 <= side <= dim - offset:
                raise _fail(op, f"padding {side} on axis {axis} is outside 0..{dim - offset}, what "
                                f"{op.attrs_of(MirrorPadAttrs).mode} allows on an axis of {dim}")
    want = tuple(d + pads[2 * k] + pads[2 * k + 1] for k, d in enumerate(x.shape))
    _shape_is(op, y, want, f"input {x.shape} and paddings {pads}")


def _svdf(graph: Graph, op: Operator) -> None:
    """SVDF (input, weights_feature, weights_time, bias, activation_state): TFLite Micro's Prepare checks; the
    kernel walks every operand by these sizes, and the state is the variable tensor it shifts in place."""
    rank = op.attrs_of(SVDFAttrs).rank
    _positive(op, rank=rank)
    x, y = _operand(graph, op, 0, "input", 2), _output(graph, op, 2)
    wf, wt = _operand(graph, op, 1, "weights_feature", 2), _operand(graph, op, 2, "weights_time", 2)
    bias, state = _operand(graph, op, 3, "bias", None), _operand(graph, op, 4, "activation_state", 2)
    for t, role in ((wf, "weights_feature"), (wt, "weights_time"), (bias, "bias")):
        _constant(op, t, role)
    batch, depth = x.shape
    filters, memory = wf.shape[0], wt.shape[1]
    _positive(op, batch=batch, input_size=depth, filters=filters, memory_size=memory)
    if filters % rank:
        raise _fail(op, f"its {filters} filters are not a multiple of its rank {rank}")
    units = filters // rank
    _shape_is(op, wf, (filters, depth), f"{filters} filters and input {x.shape}")
    _shape_is(op, wt, (filters, memory), f"{filters} filters and a memory of {memory}")
    if bias.elements != units:
        raise _fail(op, f"bias '{bias.name}' has shape {bias.shape}, not the {units} values its units need")
    if not state.variable:
        raise _fail(op, f"activation_state '{state.name}' is not a variable tensor, as TFLite Micro requires")
    _shape_is(op, state, (batch, memory * filters), f"batch {batch}, memory size {memory} and {filters} filters")
    _shape_is(op, y, (batch, units), f"batch {batch} and {filters} filters of rank {rank}")


def _lstm(graph: Graph, op: Operator) -> None:
    """UNIDIRECTIONAL_SEQUENCE_LSTM: the kernel walks every gate's weights and biases, both states and the output
    by the sizes the input and hidden state give (TFLite Micro's CreateLstmSizeInfo and ValidateTensorSize), so
    each present operand must have them. Which optional slots a variant fills is the lowering's question."""
    time_major = op.attrs_of(LstmAttrs).time_major
    x, y = _operand(graph, op, 0, "input", 3), _output(graph, op, 3)
    h, c = _operand(graph, op, HIDDEN, "hidden state", 2), _operand(graph, op, CELL, "cell state", None)
    batches, steps = (x.shape[1], x.shape[0]) if time_major else (x.shape[0], x.shape[1])
    features, units = x.shape[2], h.shape[1]
    _positive(op, batches=batches, time_steps=steps, input_features=features, units=units)
    for k in WEIGHT_SLOTS:
        if (t := op.inputs[k]) >= 0:
            _constant(op, graph.tensor(t), "weight")
            _shape_is(op, graph.tensor(t), (units, features if k < 5 else units), f"{units} units and {features} "
                      "input features")
    for k in BIAS_SLOTS:
        if (t := op.inputs[k]) >= 0:
            _constant(op, graph.tensor(t), "bias")
            _shape_is(op, graph.tensor(t), (units,), f"{units} units")
    for state in (h, c):
        if state.elements != batches * units:
            raise _fail(op, f"state '{state.name}' has shape {state.shape}, not the {batches}x{units} values its "
                            "batches and units need")
    _shape_is(op, y, (x.shape[0], x.shape[1], units), f"input {x.shape} and {units} units")


_CHECKS: dict[str, Callable[[Graph, Operator], None]] = {
    "CONV_2D": _conv,
    "DEPTHWISE_CONV_2D": _conv,
    "TRANSPOSE_CONV": _transpose_conv,
    "AVERAGE_POOL_2D": _pool,
    "MAX_POOL_2D": _pool,
    "FULLY_CONNECTED": _fully_connected,
    **dict.fromkeys(("ADD", "SUB", "MUL", "MAXIMUM", "MINIMUM", "SQUARED_DIFFERENCE", "PRELU"), _broadcasting),
    **dict.fromkeys(("EQUAL", "NOT_EQUAL", "LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL"), _broadcasting),
    **dict.fromkeys(("LOGICAL_AND", "LOGICAL_OR"), _broadcasting),
    "SELECT_V2": _select_broadcasting,
    "DIV": _broadcasting,
    "ADD_N": _add_n,
    "BATCH_MATMUL": _batch_matmul,
    **{opcode: _relabel for opcode in ALIAS_OPS},
    "SPLIT": _split,
    "SPLIT_V": _split_v,
    "UNPACK": _unpack,
    "PACK": _pack,
    "SLICE": _slice,
    "GATHER": _gather,
    "GATHER_ND": _gather_nd,
    "SPACE_TO_DEPTH": _space_depth,
    "DEPTH_TO_SPACE": _space_depth,
    "RESIZE_NEAREST_NEIGHBOR": _resize_nearest,
    "RESIZE_BILINEAR": _resize_nearest,  # the same Prepare checks
    "MIRROR_PAD": _mirror_pad,
    "SVDF": _svdf,
    "UNIDIRECTIONAL_SEQUENCE_LSTM": _lstm,
}


def check_op_shapes(graph: Graph) -> None:
    """Every generated operator's operand count; every conv, depthwise conv, pool, fully connected,
    broadcasting, data-movement and relabelling operator's operands against its attributes."""
    for op in graph.operators:
        _check_arity(op)
        check = _CHECKS.get(op.opcode)
        if check is not None:
            check(graph, op)


def _check_arity(op: Operator) -> None:
    """The operand counts TFLite Micro's kernel for the op requires (ir.opset.ARITY); unknown ops are left to the
    unsupported-operator report."""
    if op.opcode not in ARITY:
        return
    fewest, most, outputs = ARITY[op.opcode]
    takes = f"{fewest}" if fewest == most else f"{fewest} or more" if most is None else f"{fewest} to {most}"
    if not fewest <= len(op.inputs) <= (most if most is not None else len(op.inputs)):
        raise _fail(op, f"has {_count(len(op.inputs), 'input')}; {op.opcode} takes {takes}")
    omittable = OMITTABLE.get(op.opcode, frozenset())
    if any(t < 0 for k, t in enumerate(op.inputs[:fewest]) if k not in omittable):
        raise _fail(op, f"omits one of its first {fewest} inputs, which {op.opcode} needs")
    if outputs is not None and len(op.outputs) != outputs:
        raise _fail(op, f"has {_count(len(op.outputs), 'output')}; {op.opcode} has {outputs}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
