"""Operand counts of every op tinygen generates; operand shapes and attributes of the layers with weights or
windows (convolutions, pools, fully connected), of the broadcasting elementwise ops and of the shape
relabellings the planner aliases.

TFLite Micro's Prepare for these ops checks ranks, filter and bias sizes and
the per-channel scale count, and divides by strides and dilations. tinygen's
kernels go further and trust the output shape the file states: a CONV_2D whose
output claims more rows than its input, stride and padding give reads past its
input; a zero stride, dilation or filter divides by zero in the firmware. So
each of these is checked against what the op computes, and refused here.
"""

from __future__ import annotations

from collections.abc import Callable

from tinygen.errors import InputError
from tinygen.ir.attrs import Conv2DAttrs, DepthwiseConv2DAttrs, FullyConnectedAttrs, Pool2DAttrs
from tinygen.ir.graph import Graph, Operator, Tensor
from tinygen.ir.opset import ALIAS_OPS, ARITY

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


def _relabel(graph: Graph, op: Operator) -> None:
    """RESHAPE, SQUEEZE, EXPAND_DIMS: the planner aliases output onto input, so their sizes must agree (TFLite
    Micro's Prepare refuses a mismatch too)."""
    x, y = _operand(graph, op, 0, "input", None), _output(graph, op, None)
    if x.elements != y.elements:
        raise _fail(op, f"output '{y.name}' {y.shape} holds {y.elements} values, input '{x.name}' {x.shape} "
                        f"{x.elements}")


_CHECKS: dict[str, Callable[[Graph, Operator], None]] = {
    "CONV_2D": _conv,
    "DEPTHWISE_CONV_2D": _conv,
    "AVERAGE_POOL_2D": _pool,
    "MAX_POOL_2D": _pool,
    "FULLY_CONNECTED": _fully_connected,
    **dict.fromkeys(("ADD", "SUB", "MUL", "MAXIMUM", "MINIMUM", "SQUARED_DIFFERENCE", "PRELU"), _broadcasting),
    **{opcode: _relabel for opcode in ALIAS_OPS},
}


def check_op_shapes(graph: Graph) -> None:
    """Every generated operator's operand count; every conv, depthwise conv, pool, fully connected,
    broadcasting and relabelling operator's operands against its attributes."""
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
    if any(t < 0 for t in op.inputs[:fewest]):
        raise _fail(op, f"omits one of its first {fewest} inputs, which {op.opcode} needs")
    if len(op.outputs) != outputs:
        raise _fail(op, f"has {_count(len(op.outputs), 'output')}; {op.opcode} has {outputs}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
