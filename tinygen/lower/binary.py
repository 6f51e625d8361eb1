"""Elementwise ops with broadcasting: ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE, PRELU, the comparisons,
LOGICAL_AND, LOGICAL_OR, SELECT_V2; all but DIV, the comparisons and the logical ops in int16 too.

The multipliers follow TFLite Micro's Prepare as the tflite-micro wheel
computes them: in double for ADD, SUB, MUL, SQUARED_DIFFERENCE and PRELU
(docs/arithmetic.md; older TFLM sources divided SUB's scales in float); a
comparison rescales each int8 input by its own scale (comparisons.cc), so
inputs quantised differently compare as their real values do. LOGICAL_AND and
LOGICAL_OR combine bools.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygen.ir.attrs import ActivationAttrs
from tinygen.ir.graph import Operator, Tensor
from tinygen.kernels.binary import BinaryParams
from tinygen.kernels.block import ArenaPtr, ConstArray
from tinygen.kernels.int16 import AddS16Params, SelectS16Params
from tinygen.lower.context import LowerContext, activation_range
from tinygen.lower.int16 import INT16
from tinygen.lower.layer import Layer
from tinygen.lower.shape import element_strides
from tinygen.numerics.fixedpoint import quantize_multiplier, quantize_multiplier_smaller_than_one

LEFT_SHIFT = 20  # int8 ADD/SUB headroom, TFLite's data->left_shift
LEFT_SHIFT_S16 = 15  # int16 ADD's and SUB's (add_common.cc, sub_common.cc)
SQUARED_DIFFERENCE_LEFT_SHIFT = 7  # squared_difference.cc: 255^2 * 2^(2*7) still fits an int32
COMPARISONS = frozenset({"EQUAL", "NOT_EQUAL", "LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL"})
LOGICAL = frozenset({"LOGICAL_AND", "LOGICAL_OR"})  # bool in and out (logical.cc)
S16 = frozenset({"ADD", "SUB", "MUL", "MAXIMUM", "MINIMUM", "SQUARED_DIFFERENCE", "PRELU"})  # TFLM's int16 ones
RAW = frozenset({"MAXIMUM", "MINIMUM"})  # compare raw values, so the inputs must be quantised as the output


def broadcast_strides(shape: tuple[int, ...]) -> list[int]:
    """Element strides of `shape` padded to 4-D, 0 along size-1 (broadcast) axes."""
    shape = (1,) * (4 - len(shape)) + tuple(shape)
    strides, step = [0] * 4, 1
    for axis in range(3, -1, -1):
        strides[axis] = step if shape[axis] != 1 else 0
        step *= shape[axis]
    return strides


def _out4(t: Tensor) -> list[int]:
    return [1] * (4 - len(t.shape)) + list(t.shape)


def _add_sub_multipliers(s1: float, s2: float, so: float, left_shift: int = LEFT_SHIFT) -> list[tuple[int, int]]:
    twice = 2 * max(s1, s2)
    return [quantize_multiplier(r) for r in (s1 / twice, s2 / twice, twice / ((1 << left_shift) * so))]


def _mul_multiplier(s1: float, s2: float, so: float) -> tuple[int, int]:
    """mul_common.cc: double(s1) * double(s2) / double(so), the float32 scales widened exactly."""
    return quantize_multiplier(float(np.float32(s1)) * float(np.float32(s2)) / float(np.float32(so)))


def _squared_difference_multipliers(s1: float, s2: float, so: float,
                                    left_shift: int = SQUARED_DIFFERENCE_LEFT_SHIFT) -> list[tuple[int, int]]:
    """(1 << 2 * left_shift) * so is a float product in TFLite Micro, exact as the factor is a power of two;
    int16 takes a left shift of 0."""
    twice = 2 * max(s1, s2)
    inputs = [quantize_multiplier_smaller_than_one(s / twice) for s in (s1, s2)]
    return [*inputs, quantize_multiplier(twice * twice / ((1 << 2 * left_shift) * so))]


def _prelu_multipliers(s_in: float, s_alpha: float, so: float) -> list[tuple[int, int]]:
    """input1's pair rescales x >= 0; the output pair scales x * alpha (prelu_common.cc)."""
    return [quantize_multiplier(s_in / so), (0, 0), quantize_multiplier(s_in * s_alpha / so)]


def _comparison_multipliers(ctx: LowerContext, op: Operator, a: Tensor, b: Tensor) -> list[tuple[int, int]]:
    """QuantizeMultiplierSmallerThanOneExp of each input's own scale; TFLite Micro checks that it is below one."""
    if not 0.0 < ctx.scale(a) < 1.0 or not 0.0 < ctx.scale(b) < 1.0:
        raise ctx.fail(op, f"input scales {ctx.scale(a)} and {ctx.scale(b)}; TFLite Micro requires both in (0, 1)")
    return [quantize_multiplier_smaller_than_one(ctx.scale(t)) for t in (a, b)] + [(0, 0)]


def _operand(ctx: LowerContext, op: Operator, slot: int, t: Tensor, ctype: type = np.int8) -> ArenaPtr | ConstArray:
    """An arena tensor, or a constant in flash (a bias added elementwise, a threshold compared with) as `ctype`,
    the kernel's element type."""
    return ctx.ptr(t) if t.data is None else ctx.array(op, f"input{slot + 1}", t.data.astype(ctype).reshape(-1))


def _check_raw(ctx: LowerContext, op: Operator, a: Tensor, b: Tensor, y: Tensor) -> None:
    """MAXIMUM and MINIMUM compare stored values, which only means comparing real ones under one quantisation."""
    if (a.quant, b.quant) != (y.quant, y.quant):
        raise ctx.fail(op, "inputs and output are quantised differently; TFLite requires them equal here")


def _multiplier_pairs(ctx: LowerContext, op: Operator, a: Tensor, b: Tensor, y: Tensor, add_shift: int,
                      square_shift: int) -> list[tuple[int, int]]:
    """(multiplier, shift) for input1, input2 and the output of `op`, (0, 0) where its kernel takes none; the
    left shifts of ADD/SUB and of SQUARED_DIFFERENCE are the element type's."""
    pairs = [(0, 0)] * 3
    if op.opcode in ("ADD", "SUB"):
        pairs = _add_sub_multipliers(ctx.scale(a), ctx.scale(b), ctx.scale(y), add_shift)
    elif op.opcode == "SQUARED_DIFFERENCE":
        pairs = _squared_difference_multipliers(ctx.scale(a), ctx.scale(b), ctx.scale(y), square_shift)
    elif op.opcode == "PRELU":
        pairs = _prelu_multipliers(ctx.scale(a), ctx.scale(b), ctx.scale(y))
    elif op.opcode in COMPARISONS:
        pairs = _comparison_multipliers(ctx, op, a, b)
    elif op.opcode == "DIV":  # div.cc: the scales combined in float32, then QuantizeMultiplier
        pairs[2] = quantize_multiplier(float(np.float32(ctx.scale(a)) / (np.float32(ctx.scale(b)) *
                                                                          np.float32(ctx.scale(y)))))
    elif op.opcode == "MUL":
        pairs[2] = _mul_multiplier(ctx.scale(a), ctx.scale(b), ctx.scale(y))
    elif op.opcode in RAW:
        _check_raw(ctx, op, a, b, y)
    return pairs


def lower_binary(ctx: LowerContext, op: Operator) -> Layer:
    a, b, y = ctx.tensor(op, 0), ctx.tensor(op, 1), ctx.tensor(op, 0, "outputs")
    if op.opcode in S16 and "int16" in (a.dtype, b.dtype, y.dtype):
        return _lower_binary_s16(ctx, op)
    if len(y.shape) > 4:
        raise ctx.fail(op, f"{len(y.shape)}-D broadcasting; tinygen supports up to 4-D")
    if op.opcode in COMPARISONS and a.dtype != "int8":
        raise ctx.fail(op, f"{a.dtype} inputs; tinygen compares int8 tensors")
    if (op.opcode in LOGICAL) != (a.dtype == b.dtype == y.dtype == "bool"):
        raise ctx.fail(op, f"operands {a.dtype}, {b.dtype} -> {y.dtype}; tinygen takes bools only for LOGICAL_AND/OR")
    inputs = [_operand(ctx, op, slot, t) for slot, t in enumerate((a, b))]
    kind = op.opcode.lower()
    pairs = _multiplier_pairs(ctx, op, a, b, y, LEFT_SHIFT, SQUARED_DIFFERENCE_LEFT_SHIFT)
    # MAXIMUM, MINIMUM, SQUARED_DIFFERENCE and PRELU have no fused activation: they clamp to int8
    activation = op.attrs.activation if isinstance(op.attrs, ActivationAttrs) else "NONE"
    lo, hi = (0, 1) if op.opcode in COMPARISONS | LOGICAL else activation_range(activation, ctx.quant(y))
    params = BinaryParams(
        input1=inputs[0], input2=inputs[1], input3=None, output=ctx.ptr(y), dims=tuple(_out4(y)),
        strides1=tuple(broadcast_strides(a.shape)), strides2=tuple(broadcast_strides(b.shape)), strides3=(0,) * 4,
        out_strides=tuple(element_strides(_out4(y))),
        input1_offset=-ctx.zero_point(a), input2_offset=-ctx.zero_point(b), output_offset=ctx.zero_point(y),
        input1_multiplier=pairs[0][0], input1_shift=pairs[0][1], input2_multiplier=pairs[1][0],
        input2_shift=pairs[1][1], output_multiplier=pairs[2][0], output_shift=pairs[2][1], act_min=lo, act_max=hi,
        table1=None, table2=None,
    )
    return Layer(op.index, op.opcode, "binary", f"tg_{kind}_{'b' if op.opcode in LOGICAL else 's8'}", params,
                 f"{op.opcode} {a.shape} {b.shape} -> {y.shape} {activation}")


def _lower_binary_s16(ctx: LowerContext, op: Operator) -> Layer:
    """An int16 elementwise op: ADD and SUB are the int8 arithmetic with a left shift of 15, zero points applied
    (TFLite Micro's reference Add with pot_scale false, and its Sub, which always takes this path);
    SQUARED_DIFFERENCE the int8 one with a left shift of 0; MUL and PRELU the int8 ones; MAXIMUM and MINIMUM
    compare raw values. PRELU's alpha is int8 (prelu_common.cc requires it), a constant here, widened in flash
    to the kernel's int16; MAXIMUM's and MINIMUM's second operand may be a constant. No in-place (the planner's
    are int8)."""
    a, b, y = ctx.tensor(op, 0), ctx.tensor(op, 1), ctx.tensor(op, 0, "outputs")
    b_type, b_constant = ("int8", True) if op.opcode == "PRELU" else ("int16", op.opcode in RAW and b.is_constant)
    if (a.dtype, b.dtype, y.dtype) != ("int16", b_type, "int16") or a.is_constant or b.is_constant != b_constant \
            or len(y.shape) > 4:
        raise ctx.fail(op, f"{a.dtype}, {b.dtype} -> {y.dtype}, {len(y.shape)}-D; tinygen's int16 {op.opcode} takes "
                           f"an int16 activation and {'an int8 constant alpha' if op.opcode == 'PRELU' else 'int16'}"
                           ", up to 4-D")
    if op.opcode in ("MUL", "SQUARED_DIFFERENCE") and any(ctx.zero_point(t) for t in (a, b, y)):
        raise ctx.fail(op, f"an int16 zero point is not 0, which TFLite Micro's int16 {op.opcode} refuses; "
                           "re-export with TensorFlow's 16x8 converter mode (symmetric int16)")
    pairs = _multiplier_pairs(ctx, op, a, b, y, LEFT_SHIFT_S16, 0)
    activation = op.attrs.activation if isinstance(op.attrs, ActivationAttrs) else "NONE"
    lo, hi = activation_range(activation, ctx.quant(y), INT16)
    params = AddS16Params(
        input1=ctx.ptr(a), input2=_operand(ctx, op, 1, b, np.int16), output=ctx.ptr(y), dims=tuple(_out4(y)),
        strides1=tuple(broadcast_strides(a.shape)), strides2=tuple(broadcast_strides(b.shape)),
        input1_offset=-ctx.zero_point(a), input2_offset=-ctx.zero_point(b), output_offset=ctx.zero_point(y),
        input1_multiplier=pairs[0][0], input1_shift=pairs[0][1], input2_multiplier=pairs[1][0],
        input2_shift=pairs[1][1], output_multiplier=pairs[2][0], output_shift=pairs[2][1], act_min=lo, act_max=hi,
    )
    return Layer(op.index, op.opcode, "int16", f"tg_{op.opcode.lower()}_s16", params,
                 f"{op.opcode} int16 {a.shape} {b.shape} -> {y.shape} {activation}")


def lower_select_v2(ctx: LowerContext, op: Operator) -> Layer:
    """condition ? x : y with broadcasting, raw int8 or int16 values whatever x's and y's quantisation
    (select.cc)."""
    c, x, y, out = ctx.tensor(op, 0), ctx.tensor(op, 1), ctx.tensor(op, 2), ctx.tensor(op, 0, "outputs")
    if c.dtype != "bool" or x.dtype not in ("int8", "int16") or {x.dtype, y.dtype, out.dtype} != {x.dtype}:
        raise ctx.fail(op, f"operands {c.dtype}, {x.dtype}, {y.dtype} -> {out.dtype}; tinygen selects "
                           "int8 or int16 values by a bool condition")
    if len(out.shape) > 4:
        raise ctx.fail(op, f"{len(out.shape)}-D broadcasting; tinygen supports up to 4-D")
    ctype = np.int16 if x.dtype == "int16" else np.int8
    cond, xs, ys = (_operand(ctx, op, slot, t, np.int8 if slot == 0 else ctype) for slot, t in enumerate((c, x, y)))
    lo, hi = INT16 if x.dtype == "int16" else (-128, 127)
    shared: dict[str, Any] = dict(  # the fields both blocks have
        input1=xs, input2=ys, output=ctx.ptr(out), dims=tuple(_out4(out)),
        strides1=tuple(broadcast_strides(x.shape)), strides2=tuple(broadcast_strides(y.shape)),
        input1_offset=0, input2_offset=0, output_offset=0, input1_multiplier=0, input1_shift=0,
        input2_multiplier=0, input2_shift=0, output_multiplier=0, output_shift=0, act_min=lo, act_max=hi,
    )
    strides3 = tuple(broadcast_strides(c.shape))
    if x.dtype == "int16":
        layer_params: BinaryParams | SelectS16Params = SelectS16Params(**shared, condition=cond, strides3=strides3)
        family, kernel = "int16", "tg_select_v2_s16"
    else:
        layer_params = BinaryParams(**shared, input3=cond, strides3=strides3,
                                    out_strides=tuple(element_strides(_out4(out))), table1=None, table2=None)
        family, kernel = "binary", "tg_select_v2_s8"
    return Layer(op.index, op.opcode, family, kernel, layer_params,
                 f"SELECT_V2 {c.shape} {x.shape} {y.shape} -> {out.shape}")
