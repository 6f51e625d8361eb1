"""UNIDIRECTIONAL_SEQUENCE_LSTM: TFLite Micro's integer LSTM (lstm_eval_common.cc's Prepare), its constants here.

TFLite Micro requantises each gate's two fully connected layers into int16 at
scale 2^-12 (Q3.12, what its sigmoid and tanh take) and multiplies Q0.15 gate
outputs (scale 2^-15) into the cell state (int16, its own scale) and the
hidden state. Every multiplier is QuantizeMultiplier of a real scale computed
in double, as the tflite-micro wheel does (docs/arithmetic.md). TFLite Micro
adds zero points inside its sums; the lowering folds them into per-gate
biases instead (the sums are the same integers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tinygen.ir.attrs import LstmAttrs
from tinygen.ir.graph import Operator, Tensor
from tinygen.ir.lstm_slots import ABSENT_SLOTS, CELL, GATE_SLOTS, HIDDEN
from tinygen.kernels.block import ArenaPtr
from tinygen.kernels.lstm import LstmGateS8, LstmGateS16, LstmParams, LstmS8Params, LstmS16Params
from tinygen.lower.activation import checked_log2
from tinygen.lower.context import LowerContext
from tinygen.lower.layer import Layer
from tinygen.numerics.fixedpoint import quantize_multiplier

GATE_INPUT_SCALE = 2.0**-12  # the fully connected layers' output: Q3.12
GATE_OUTPUT_SCALE = 2.0**-15  # sigmoid and tanh outputs: Q0.15
_BIAS_TYPES = {"int8": "int32", "int16": "int64"}


@dataclass(frozen=True)
class GateConstants:
    """One gate's Prepare results: requantisation of its two layers and the zero-point-folded biases."""

    input_multiplier: int
    input_shift: int
    recurrent_multiplier: int
    recurrent_shift: int
    input_bias: np.ndarray  # int64
    recurrent_bias: np.ndarray  # int64


def gate_constants(weights: tuple[np.ndarray, np.ndarray], bias: np.ndarray, scales: tuple[float, float, float, float],
                   zero_points: tuple[int, int]) -> GateConstants:
    """`scales`: input, input weights, hidden state, recurrent weights; `zero_points`: input, hidden state.
    TFLite Micro's CreateGateParams: each layer's multiplier is s_act * s_w / 2^-12; its sum adds
    w * (x - zp) and (the input layer only) the bias."""
    w_in, w_rec = (w.astype(np.int64) for w in weights)
    m_in, s_in = quantize_multiplier(float(scales[0]) * float(scales[1]) / GATE_INPUT_SCALE)
    m_rec, s_rec = quantize_multiplier(float(scales[2]) * float(scales[3]) / GATE_INPUT_SCALE)
    return GateConstants(m_in, s_in, m_rec, s_rec, bias.astype(np.int64) - zero_points[0] * w_in.sum(axis=1),
                         -zero_points[1] * w_rec.sum(axis=1))


def product_multiplier(scale_a: float, scale_b: float, scale_out: float) -> tuple[int, int]:
    """CreateInterGateMulParams: the elementwise product's requantisation, s_a * s_b / s_out."""
    return quantize_multiplier(float(scale_a) * float(scale_b) / float(scale_out))


def cell_scale_power(scale: float) -> int:
    """CheckedLog2 of the cell state's scale (its result, rounded; TFLite Micro ignores whether it was exact)."""
    return checked_log2(scale)[0]


def tanh_input_scaling(power: int) -> tuple[int, int]:
    """(multiplier, right shift) that bring a value of scale 2^power to tanh's Q3.12: lstm_eval.cc's Tanh left
    shift 15 + power - 3, negative ones turned into a right shift of x * 3, then reference Tanh's power-of-two
    case (multiplier 0 -> 3 << left shift)."""
    left = 15 + power - 3
    return (3, -left) if left < 0 else (3 << left, 0)


def quantized_cell_clip(clip: float, scale: float) -> int:
    """CreateLstmCellStateInfo: clip / scale in double, clamped to int16, truncated; -1 when clip <= 0 (off)."""
    if np.float32(clip) <= 0:
        return -1
    return int(min(max(float(np.float32(clip)) / float(np.float32(scale)), -32768.0), 32767.0))


def lower_lstm(ctx: LowerContext, op: Operator) -> Layer:
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    h, c = ctx.tensor(op, HIDDEN), ctx.tensor(op, CELL)
    attrs = op.attrs_of(LstmAttrs)
    _check(ctx, op, x, y, h, c, attrs)
    steps, batches = (x.shape[0], x.shape[1]) if attrs.time_major else (x.shape[1], x.shape[0])
    units = h.shape[1]
    scratch = ctx.plan.kernel_scratch(op.index)
    if scratch is None:
        raise ValueError(f"operator {op.index} UNIDIRECTIONAL_SEQUENCE_LSTM has no planned scratch")
    s16 = x.dtype == "int16"
    gate_fields = [_gate_fields(ctx, op, name, slots, np.int64 if s16 else np.int32)
                   for name, slots in zip(("forget", "input", "cell", "output"), GATE_SLOTS, strict=True)]
    cell_scale = ctx.scale(c)
    forget = product_multiplier(GATE_OUTPUT_SCALE, cell_scale, cell_scale)
    update = product_multiplier(GATE_OUTPUT_SCALE, GATE_OUTPUT_SCALE, cell_scale)
    hidden = product_multiplier(GATE_OUTPUT_SCALE, GATE_OUTPUT_SCALE, ctx.scale(h))
    tanh_multiplier, tanh_shift = tanh_input_scaling(cell_scale_power(cell_scale))
    shared: dict[str, Any] = dict(
        scratch=ArenaPtr(scratch), cell_state=ctx.ptr(c), batches=batches, time_steps=steps, input_size=x.shape[2],
        units=units, time_major=int(attrs.time_major), cell_clip=quantized_cell_clip(attrs.cell_clip, cell_scale),
        forget_multiplier=forget[0], forget_shift=forget[1], update_multiplier=update[0], update_shift=update[1],
        hidden_multiplier=hidden[0], hidden_shift=hidden[1], hidden_zero_point=ctx.zero_point(h),
        cell_tanh_multiplier=tanh_multiplier, cell_tanh_shift=tanh_shift,
        input=ctx.ptr(x), output=ctx.ptr(y), hidden_state=ctx.ptr(h),
    )
    params: LstmParams
    if s16:
        g16 = [LstmGateS16(**fields) for fields in gate_fields]
        params = LstmS16Params(**shared, forget_gate=g16[0], input_gate=g16[1], cell_gate=g16[2], output_gate=g16[3])
    else:
        g8 = [LstmGateS8(**fields) for fields in gate_fields]
        params = LstmS8Params(**shared, forget_gate=g8[0], input_gate=g8[1], cell_gate=g8[2], output_gate=g8[3])
    return Layer(op.index, op.opcode, "lstm", "tg_lstm_s16" if s16 else "tg_lstm_s8", params,
                 f"UNIDIRECTIONAL_SEQUENCE_LSTM {x.shape} -> {y.shape}, {units} units")


def _gate_fields(ctx: LowerContext, op: Operator, name: str, slots: tuple[int, int, int],
                 bias_type: type) -> dict[str, Any]:
    """One gate block's fields: its weights from flash, its Prepare constants, its biases in the kernel's type."""
    wi, wr, b = slots
    x, h = ctx.tensor(op, 0), ctx.tensor(op, HIDDEN)
    k = gate_constants((ctx.constant(op, wi), ctx.constant(op, wr)), ctx.constant(op, b),
                       (ctx.scale(x), ctx.scale(ctx.tensor(op, wi)), ctx.scale(h), ctx.scale(ctx.tensor(op, wr))),
                       (ctx.zero_point(x), ctx.zero_point(h)))
    return dict(input_weights=ctx.array(op, f"{name}_wi", ctx.constant(op, wi).astype(np.int8)),
                recurrent_weights=ctx.array(op, f"{name}_wr", ctx.constant(op, wr).astype(np.int8)),
                input_multiplier=k.input_multiplier, input_shift=k.input_shift,
                recurrent_multiplier=k.recurrent_multiplier, recurrent_shift=k.recurrent_shift,
                input_bias=ctx.array(op, f"{name}_bi", _narrow(k.input_bias, bias_type)),
                recurrent_bias=ctx.array(op, f"{name}_br", _narrow(k.recurrent_bias, bias_type)))


def _check(ctx: LowerContext, op: Operator, x: Tensor, y: Tensor, h: Tensor, c: Tensor, attrs: LstmAttrs) -> None:
    """What TFLite Micro's integer LSTM refuses (ValidateTensorStatus) or cannot compute."""
    for variant, slots in ABSENT_SLOTS.items():
        if any(op.inputs[k] >= 0 for k in slots):
            raise ctx.fail(op, f"has {variant} tensors; TFLite Micro's LSTM takes the plain Keras LSTM only")
    if any(op.inputs[k] < 0 for k in (1, 5, 12)):
        raise ctx.fail(op, "omits the input gate (a CIFG LSTM); TFLite Micro's LSTM needs all four gates")
    if attrs.activation != "TANH":
        raise ctx.fail(op, f"the cell gate's activation is {attrs.activation}; TFLite Micro's LSTM computes TANH")
    if not h.variable or not c.variable:
        raise ctx.fail(op, "its hidden and cell states are not variable tensors, which TFLite Micro requires")
    if x.dtype not in _BIAS_TYPES or h.dtype != x.dtype or y.dtype != x.dtype or c.dtype != "int16":
        raise ctx.fail(op, f"input {x.dtype}, hidden state {h.dtype}, output {y.dtype}, cell state {c.dtype}; "
                           "TFLite Micro's integer LSTM takes int8 or int16 for the first three, int16 cells")
    for gate in GATE_SLOTS:
        for k in gate[:2]:
            w = ctx.tensor(op, k)
            if w.dtype != "int8" or ctx.quant(w).per_channel or ctx.zero_point(w) != 0:
                raise ctx.fail(op, f"weights '{w.name}' are not per-tensor symmetric int8, which TFLite Micro's "
                                   "LSTM requires")
        b = ctx.tensor(op, gate[2])
        if b.dtype != _BIAS_TYPES[x.dtype]:
            raise ctx.fail(op, f"bias '{b.name}' is {b.dtype}; TFLite Micro reads an {x.dtype} LSTM's biases as "
                               f"{_BIAS_TYPES[x.dtype]}")


def _narrow(values: np.ndarray, dtype: type) -> np.ndarray:
    """The folded biases in the kernel's accumulator type; int32 ones wrap as TFLite Micro's int32 sums do."""
    return values.astype(np.uint32).view(np.int32) if dtype is np.int32 else values.astype(np.int64)

