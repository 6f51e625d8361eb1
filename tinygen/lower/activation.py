"""Elementwise activations and conversions: LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU, RELU, RELU6, ABS, RSQRT, ELU,
QUANTIZE, DEQUANTIZE.

An int8 -> int8 elementwise op is a function of one int8 value, so tinygen
evaluates TFLite Micro's integer arithmetic for all 256 inputs at generation
time and emits a 256-byte table (`tg_lut_s8`); when the table is a plain clamp
(RELU6, RELU without rescale) it emits `tg_clamp_s8` and no table. Each table
builder reproduces the TFLite Micro reference kernel step by step
(docs/arithmetic.md §2.13-2.19), including its quirks: TANH ignores the output
quantisation, RELU6 clamps in the input domain and never rescales.
Float QUANTIZE/DEQUANTIZE keep TFLite Micro's float32 arithmetic. int16
LEAKY_RELU, LOGISTIC and TANH run their arithmetic in C (`tg_leaky_relu_s16`,
`tg_logistic_s16`, `tg_tanh_s16`): 65536 inputs make too large a table.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike

from tinygen.ir.attrs import LeakyReluAttrs
from tinygen.ir.graph import Operator, Tensor
from tinygen.kernels.activation import ClampParams, LutParams
from tinygen.kernels.int16 import LeakyReluS16Params, SigmoidS16Params
from tinygen.kernels.quantize import QuantizeParams
from tinygen.lower.context import LowerContext, quantize_f32
from tinygen.lower.int16 import lower_requantize
from tinygen.lower.layer import Layer
from tinygen.numerics import gemmlowp
from tinygen.numerics.fixedpoint import (
    INT32_MAX,
    calculate_input_radius,
    quantize_multiplier,
    round_half_away,
    rounding_divide_by_pot,
    wrap32,
)
from tinygen.numerics.fixedpoint import multiply_by_quantized_multiplier as mbqm
from tinygen.numerics.fixedpoint import saturating_rounding_doubling_high_mul as srdhm

INT8 = np.arange(-128, 128, dtype=np.int64)  # every int8 input, table order


def _f64(x: float) -> float:
    """A float32 model constant widened exactly to double, as TFLite Micro's Prepare does."""
    return float(np.float32(x))


def _clamp8(v: ArrayLike) -> np.ndarray:
    return np.clip(v, -128, 127)


# --- tables: TFLite Micro's per-element int8 arithmetic for every input -------------------------------------


def sigmoid_tanh_params(input_scale: float) -> tuple[int, int, int]:
    """(multiplier, shift, radius) of LOGISTIC/TANH Prepare: input into Q4.27, saturate beyond the radius.

    No 2^31 fix-up: the mantissa of a float32 scale times 2^31 is an exact integer below 2^31.
    """
    q, shift = math.frexp(_f64(input_scale) * float(1 << 27))
    return round_half_away(q * 2.0**31), shift, calculate_input_radius(4, shift)


def _saturating_lut(diff: np.ndarray, radius: int, inside: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """LOGISTIC/TANH: -128 at or below -radius, 127 at or above radius, else `inside(diff)`."""
    middle = (diff > -radius) & (diff < radius)
    values = inside(np.where(middle, diff, 0))
    return np.where(diff <= -radius, -128, np.where(diff >= radius, 127, values))


def logistic_table(x_scale: float, x_zp: int) -> np.ndarray:
    m, shift, radius = sigmoid_tanh_params(x_scale)
    return _saturating_lut(INT8 - x_zp, radius, lambda d: _clamp8(
        rounding_divide_by_pot(gemmlowp.logistic(mbqm(d, m, shift), 4), 23) - 128))


def tanh_table(x_scale: float, x_zp: int) -> np.ndarray:
    """Output assumed scale 1/128, zero point 0: TFLite Micro neither checks nor applies the output params."""
    m, shift, radius = sigmoid_tanh_params(x_scale)
    return _saturating_lut(INT8 - x_zp, radius, lambda d: _clamp8(
        rounding_divide_by_pot(gemmlowp.tanh(mbqm(d, m, shift), 4), 24)))


def relu_table(x_scale: float, x_zp: int, y_scale: float, y_zp: int) -> np.ndarray:
    m, shift = quantize_multiplier(_f64(x_scale) / _f64(y_scale))
    lo = max(-128, quantize_f32(0.0, y_scale, y_zp))
    return np.clip(y_zp + mbqm(INT8 - x_zp, m, shift), lo, 127)


def relu6_table(x_scale: float, x_zp: int) -> np.ndarray:
    """TFLite Micro clamps the raw input to [zp_in, zp_in + 6/s_in]: the output quantisation is ignored."""
    return np.clip(INT8, x_zp, min(127, quantize_f32(6.0, x_scale, x_zp)))


def leaky_relu_multipliers(x_scale: float, y_scale: float, alpha: float) -> tuple[tuple[int, int], tuple[int, int]]:
    """(identity, alpha) (multiplier, shift) pairs of leaky_relu_common.cc, int8 and int16 alike."""
    return (quantize_multiplier(_f64(x_scale) / _f64(y_scale)),
            quantize_multiplier(_f64(x_scale) * _f64(alpha) / _f64(y_scale)))


def leaky_relu_table(x_scale: float, x_zp: int, y_scale: float, y_zp: int, alpha: float) -> np.ndarray:
    """A negative alpha scales by |alpha| and negates: not the same as a negative multiplier, whose
    rounding of exact halves differs (verified against TFLite Micro with alpha -0.5, equal scales)."""
    (m_id, s_id), (m_alpha, s_alpha) = leaky_relu_multipliers(x_scale, y_scale, alpha)
    d = INT8 - x_zp
    negative = mbqm(d, abs(m_alpha), s_alpha) * (-1 if m_alpha < 0 else 1)
    return _clamp8(y_zp + np.where(d >= 0, mbqm(d, m_id, s_id), negative))


def requantize_table(x_scale: float, x_zp: int, y_scale: float, y_zp: int) -> np.ndarray:
    m, shift = quantize_multiplier(_f64(x_scale) / _f64(y_scale))
    return _clamp8(mbqm(INT8 - x_zp, m, shift) + y_zp)


def abs_table(x_scale: float, x_zp: int, y_scale: float, y_zp: int) -> np.ndarray:
    """elementwise.cc: |x - zp_in| + zp_out; rescaled only when the float32 scales differ, by their float32
    quotient widened to double (not a double division, as RELU's)."""
    magnitude = np.abs(INT8 - x_zp)
    if np.float32(x_scale) == np.float32(y_scale):
        return _clamp8(magnitude + y_zp)
    m, shift = quantize_multiplier(float(np.float32(x_scale) / np.float32(y_scale)))
    return _clamp8(mbqm(magnitude, m, shift) + y_zp)


def inv_sqrt_multiplier(value: int) -> tuple[int, int]:
    """GetInvSqrtQuantizedMultiplierExp(value, kReverseShift = -1): 1 / sqrt(value) as (multiplier, left shift),
    five Newton-Raphson steps in gemmlowp Q3.28 from 1 (common.h); 0 and 1 give (INT32_MAX, 0)."""
    if value <= 1:
        return INT32_MAX, 0
    shift = 11
    while value >= 1 << 29:
        value //= 4
        shift += 1
    pairs = (31 - value.bit_length()) // 2 - 1  # (CountLeadingZeros - 1) / 2 - 1
    shift -= pairs
    value <<= 2 * pairs
    half_input = int(rounding_divide_by_pot(value >> 1, 1))
    half_three, x = (1 << 28) + (1 << 27), 1 << 28
    for _ in range(5):
        x3 = gemmlowp.saturating_shift_left(srdhm(srdhm(x, x), x), 6)
        x = int(gemmlowp.saturating_shift_left(wrap32(srdhm(half_three, x) - srdhm(half_input, x3)), 3))
    x = int(srdhm(x, 1518500250))  # sqrt(2) / 2 in Q0.31
    if shift < 0:
        x, shift = int(wrap32(x << -shift)), 0
    return x, -shift


RSQRT_SHIFT = 20  # elementwise.cc's kShift: keeps 1 / sqrt(x) an integer between the two rescales


def rsqrt_table(x_scale: float, x_zp: int, y_scale: float, y_zp: int) -> np.ndarray:
    """elementwise.cc's int8 RSQRT: 1 / sqrt(x - zp_in) rescaled by 1 / (sqrtf(s_in) * s_out) (float32, then
    double). x = zp_in gives 127; an input below zp_in (a negative real) makes TFLite Micro fail the
    invocation, so its entries are 127 too: the value at 0."""
    m, shift = quantize_multiplier(1.0 / float(np.sqrt(np.float32(x_scale)) * np.float32(y_scale)))
    table = np.full(256, 127, np.int64)
    for i, value in enumerate(INT8 - x_zp):
        if value > 0:
            inv, inv_shift = inv_sqrt_multiplier(int(value))
            data = mbqm(1, inv, inv_shift + RSQRT_SHIFT)
            table[i] = mbqm(data, m, shift - RSQRT_SHIFT) + y_zp
    return _clamp8(table)


def elu_table(x_scale: float, x_zp: int, y_scale: float, y_zp: int) -> np.ndarray:
    """elu.cc's PopulateLookupTable, in float32 as TFLite Micro computes it: x = s_in * (q - zp), expf(x) - 1 below
    0 (expf taken as the float32 rounding of the exact exp, which glibc's expf returns), times 1/s_out, rounded
    half away from zero, plus zp_out."""
    x = np.float32(x_scale) * (INT8 - x_zp).astype(np.float32)
    exp = np.array([math.exp(float(v)) for v in x], np.float64).astype(np.float32)
    y = np.where(x < 0, exp - np.float32(1), x).astype(np.float32)
    scaled = (y * (np.float32(1) / np.float32(y_scale))).astype(np.float64)  # exact: + 0.5 cannot round
    rounded = np.where(scaled >= 0, np.floor(scaled + 0.5), -np.floor(-scaled + 0.5))
    return _clamp8(rounded.astype(np.int64) + y_zp)


def _down16(m: int) -> int:
    """DownScaleInt32ToInt16Multiplier."""
    return 32767 if m >= (1 << 31) - 1 - (1 << 15) else (m + (1 << 15)) >> 16


def _sat16(v: ArrayLike) -> np.ndarray:
    return np.clip(v, -32768, 32767)


def _srdhm16(a: ArrayLike, b: int) -> np.ndarray:
    """int16 SaturatingRoundingDoublingHighMul (the -32768 * -32768 case cannot occur: b > 0)."""
    ab = np.asarray(a, np.int64) * b
    total = ab + np.where(ab >= 0, 1 << 14, 1 - (1 << 14))
    return np.where(total >= 0, total >> 15, -((-total) >> 15))


def hard_swish_params(x_scale: float, y_scale: float) -> tuple[int, int, int, int]:
    """(output multiplier16, exponent, reluish multiplier16, exponent): TFLite Micro's HardSwishPrepare."""
    hires = np.float32(np.float32(1.0 / 128.0) * np.float32(x_scale))
    m_out, e_out = quantize_multiplier(float(hires) / _f64(y_scale))
    m_relu, e_relu = quantize_multiplier(float(hires) / (3.0 / 32768.0))
    return _down16(m_out), e_out, _down16(m_relu), e_relu


def hard_swish_table(x_scale: float, x_zp: int, y_scale: float, y_zp: int) -> np.ndarray:
    """reference/hard_swish.h in int16: x * relu6(x + 3) / 6 via a 'reluish' factor in [0, 1]."""
    m_out, e_out, m_relu, e_relu = hard_swish_params(x_scale, y_scale)
    hires = (INT8 - x_zp) * 128  # |x - zp| <= 255, so the int16 products never wrap
    preshift = _srdhm16(hires, m_out)
    r = hires
    if e_relu > 0:
        r = _sat16(r * (1 << (e_relu - 1)))
    r = _srdhm16(r, m_relu)
    if e_relu > 0:
        r = _sat16(r * 2)
    elif e_relu < 0:
        r = rounding_divide_by_pot(r, -e_relu)
    r = (r + (1 << 15)) >> 1  # [-1, 1] -> [0, 1]
    product = r * preshift
    product = np.where(product >= 0, product >> 15, -((-product) >> 15))  # SaturatingDoublingHighMul: truncates
    return _clamp8(rounding_divide_by_pot(product, -e_out) + y_zp)


@lru_cache(maxsize=1024)
def _activation_table(opcode: str, xs: float, xz: int, ys: float, yz: int, alpha: float) -> np.ndarray:
    """One table per opcode and quantisation (read-only, shared): a model repeats them, and each costs
    TFLite Micro's arithmetic on 256 inputs."""
    table = {
        "LOGISTIC": lambda: logistic_table(xs, xz),
        "TANH": lambda: tanh_table(xs, xz),
        "RELU": lambda: relu_table(xs, xz, ys, yz),
        "RELU6": lambda: relu6_table(xs, xz),
        "LEAKY_RELU": lambda: leaky_relu_table(xs, xz, ys, yz, alpha),
        "HARD_SWISH": lambda: hard_swish_table(xs, xz, ys, yz),
        "ABS": lambda: abs_table(xs, xz, ys, yz),
        "RSQRT": lambda: rsqrt_table(xs, xz, ys, yz),
        "ELU": lambda: elu_table(xs, xz, ys, yz),
    }[opcode]()
    table.setflags(write=False)
    return table


# --- lowering ----------------------------------------------------------------------------------------------


def _table_layer(ctx: LowerContext, op: Operator, table: np.ndarray, what: str) -> Layer:
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    table = table.astype(np.int64)
    lo, hi = int(table[0]), int(table[-1])
    if np.array_equal(table, np.clip(INT8, lo, hi)):  # a clamp: no table in flash
        clamp = ClampParams(input=ctx.ptr(x), output=ctx.ptr(y), size=x.elements, act_min=lo, act_max=hi)
        return Layer(op.index, op.opcode, "activation", "tg_clamp_s8", clamp, f"{what} as clamp [{lo}, {hi}]")
    lut = LutParams(input=ctx.ptr(x), output=ctx.ptr(y), size=x.elements,
                    table=ctx.array(op, "table", table.astype(np.int8)))
    return Layer(op.index, op.opcode, "activation", "tg_lut_s8", lut, f"{what} as 256-entry table")


def _int8_io(ctx: LowerContext, op: Operator) -> tuple[float, int, float, int]:
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    if (x.dtype, y.dtype) != ("int8", "int8"):
        raise ctx.fail(op, f"{x.dtype} -> {y.dtype}; tinygen supports int8 -> int8 here")
    if x.is_constant:
        raise ctx.fail(op, "input is a constant; fold it into the model before export")
    if x.elements != y.elements:
        raise ctx.fail(op, f"input shape {x.shape} and output shape {y.shape} differ")
    for t in (x, y):
        if t.quant is None or t.quant.per_channel:
            raise ctx.fail(op, f"tensor '{t.name}' is not per-tensor quantised")
    return ctx.scale(x), ctx.zero_point(x), ctx.scale(y), ctx.zero_point(y)


def lower_leaky_relu_s16(ctx: LowerContext, op: Operator) -> Layer:
    """LEAKY_RELU int16 -> int16 (leaky_relu.cc): 65536 inputs, so the arithmetic runs in C, not as a table."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    if (x.dtype, y.dtype) != ("int16", "int16") or x.is_constant or x.elements != y.elements:
        raise ctx.fail(op, f"{x.dtype} {x.shape} -> {y.dtype} {y.shape}; tinygen's int16 LEAKY_RELU takes an int16 "
                           "activation to an int16 tensor of its size")
    for t in (x, y):
        if ctx.quant(t).per_channel:
            raise ctx.fail(op, f"tensor '{t.name}' is not per-tensor quantised")
    alpha = op.attrs_of(LeakyReluAttrs).alpha
    (m_id, s_id), (m_alpha, s_alpha) = leaky_relu_multipliers(ctx.scale(x), ctx.scale(y), alpha)
    params = LeakyReluS16Params(
        input=ctx.ptr(x), output=ctx.ptr(y), size=x.elements, input_zero_point=ctx.zero_point(x),
        output_zero_point=ctx.zero_point(y), identity_multiplier=m_id, identity_shift=s_id,
        alpha_multiplier=abs(m_alpha), alpha_shift=s_alpha, alpha_negative=int(m_alpha < 0),
    )
    return Layer(op.index, op.opcode, "int16", "tg_leaky_relu_s16", params, f"LEAKY_RELU int16 {x.shape} {alpha}")


def checked_log2(x: float) -> tuple[int, bool]:
    """TFLite's CheckedLog2 in float32: the rounded log2 of `x`, and whether `x` is that power of two (1e-3)."""
    log2 = np.float32(np.log(np.float32(x))) * (np.float32(1.0) / np.float32(np.log(np.float32(2.0))))
    rounded = round_half_away(float(log2))
    return rounded, bool(abs(np.float32(log2 - np.float32(rounded))) < np.float32(1e-3))


def sigmoid_tanh_s16_params(opcode: str, input_scale: float) -> tuple[int, int]:
    """(multiplier, right shift) of the int16 LOGISTIC/TANH Prepare (logistic_common.cc, tanh.cc): a power-of-two
    input scale of 2^-12 (TANH: or 2^-11) takes 3 << shift with no shift, as the kernel folds it; any other is
    double(scale) * 3 * 4096 doubled until above 32767 / 2, then truncated."""
    log2, pot = checked_log2(input_scale)
    shift = (15 - 3) + log2
    if pot and shift in ((0, 1) if opcode == "TANH" else (0,)):
        return 3 << shift, 0
    multiplier, shift = _f64(input_scale) * 4096.0 * 3.0, 0
    while multiplier <= 32767.0 / 2.0 and shift <= 30:
        shift += 1
        multiplier *= 2.0
    return int(multiplier), shift


def lower_sigmoid_tanh_s16(ctx: LowerContext, op: Operator) -> Layer:
    """LOGISTIC or TANH int16 -> int16: TFLite Micro's interpolation in its 256-entry sigmoid table, in C."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    if (x.dtype, y.dtype) != ("int16", "int16") or x.is_constant or x.elements != y.elements:
        raise ctx.fail(op, f"{x.dtype} {x.shape} -> {y.dtype} {y.shape}; tinygen's int16 {op.opcode} takes an int16 "
                           "activation to an int16 tensor of its size")
    if any(ctx.quant(t).per_channel or ctx.zero_point(t) for t in (x, y)) or checked_log2(ctx.scale(y)) != (-15, True):
        raise ctx.fail(op, f"TFLite Micro's int16 {op.opcode} needs zero points 0 and an output scale of 2^-15; "
                           "re-export with TensorFlow's 16x8 converter mode")
    multiplier, shift = sigmoid_tanh_s16_params(op.opcode, ctx.scale(x))
    if not 0 < multiplier <= 32767:
        raise ctx.fail(op, f"input scale {ctx.scale(x)} is too large for TFLite Micro's int16 {op.opcode}")
    params = SigmoidS16Params(
        input=ctx.ptr(x), output=ctx.ptr(y), size=x.elements,
        input_multiplier=multiplier, input_left_shift=shift,
    )
    return Layer(op.index, op.opcode, "int16", f"tg_{op.opcode.lower()}_s16", params, f"{op.opcode} int16 {x.shape}")


def lower_activation(ctx: LowerContext, op: Operator) -> Layer:
    if op.opcode == "LEAKY_RELU" and "int16" in (ctx.tensor(op, 0).dtype, ctx.tensor(op, 0, "outputs").dtype):
        return lower_leaky_relu_s16(ctx, op)
    if op.opcode in ("LOGISTIC", "TANH") and "int16" in (ctx.tensor(op, 0).dtype, ctx.tensor(op, 0, "outputs").dtype):
        return lower_sigmoid_tanh_s16(ctx, op)
    xs, xz, ys, yz = _int8_io(ctx, op)
    shape = ctx.tensor(op, 0).shape
    if op.opcode == "LOGISTIC" and yz != -128:
        raise ctx.fail(op, f"output zero point is {yz}; TFLite Micro requires -128 (scale 1/256)")
    if op.opcode == "HARD_SWISH" and hard_swish_params(xs, ys)[1] > 0:
        raise ctx.fail(op, "input scale / 128 exceeds the output scale; TFLite Micro rejects this HARD_SWISH")
    if op.opcode not in ("LOGISTIC", "TANH", "RELU", "RELU6", "LEAKY_RELU", "HARD_SWISH", "ABS", "RSQRT",
                         "ELU"):
        raise ctx.fail(op, "not an elementwise activation")
    alpha = op.attrs_of(LeakyReluAttrs).alpha if op.opcode == "LEAKY_RELU" else 0.0
    table = _activation_table(op.opcode, xs, xz, ys, yz, alpha)
    return _table_layer(ctx, op, table, f"{op.opcode} {shape}")


_FLOAT_IO = {"int8": "s8", "int16": "s16"}  # the integer side of a float32 QUANTIZE/DEQUANTIZE, by kernel suffix


def _float_io_layer(ctx: LowerContext, op: Operator, kernel: str, integer: Tensor, what: str) -> Layer:
    """A QuantizeParams layer; scale and zero point are the integer side's."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    params = QuantizeParams(input=ctx.ptr(x), output=ctx.ptr(y), size=x.elements, scale=ctx.scale(integer),
                            zero_point=ctx.zero_point(integer))
    return Layer(op.index, op.opcode, "quantize", kernel, params, f"{what} {x.shape}")


def lower_quantize(ctx: LowerContext, op: Operator) -> Layer:
    """float32 -> int8 or int16: zp + roundf(x / scale) in float32 (reference/quantize.h); int8 -> int8: a table;
    between int8 and int16, or int16 and int32: requantize (lower/int16.py)."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    if (x.dtype, y.dtype) == ("int8", "int8"):
        xs, xz, ys, yz = _int8_io(ctx, op)
        return _table_layer(ctx, op, requantize_table(xs, xz, ys, yz), f"QUANTIZE int8 {x.shape}")
    if {x.dtype, y.dtype} <= {"int8", "int16", "int32"}:
        return lower_requantize(ctx, op)
    if x.dtype != "float32" or y.dtype not in _FLOAT_IO or y.quant is None or y.quant.per_channel or x.is_constant:
        raise ctx.fail(op, f"{x.dtype} -> {y.dtype}; tinygen supports float32 -> int8/int16 (per-tensor) and "
                           "int8/int16 -> int8/int16")
    return _float_io_layer(ctx, op, f"tg_quantize_f32_{_FLOAT_IO[y.dtype]}", y, f"QUANTIZE float32 -> {y.dtype}")


def lower_dequantize(ctx: LowerContext, op: Operator) -> Layer:
    """int8/int16 -> float32: (float)(double(scale) * (x - zp)), which one float32 multiply reproduces exactly
    (the double product of a float32 scale and an int of at most 17 bits is exact, so both round once)."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    if x.dtype not in _FLOAT_IO or y.dtype != "float32" or x.quant is None or x.quant.per_channel or x.is_constant:
        raise ctx.fail(op, f"{x.dtype} -> {y.dtype}; tinygen supports a per-tensor int8/int16 activation -> float32")
    return _float_io_layer(ctx, op, f"tg_dequantize_{_FLOAT_IO[x.dtype]}_f32", x, f"DEQUANTIZE {x.dtype} -> float32")


def lower_logical_not(ctx: LowerContext, op: Operator) -> Layer:
    """bool -> bool as a table: bytes hold 0 or 1, so input 0 (entry 128) gives 1 and every other entry 0."""
    x, y = ctx.tensor(op, 0), ctx.tensor(op, 0, "outputs")
    if (x.dtype, y.dtype) != ("bool", "bool"):
        raise ctx.fail(op, f"{x.dtype} -> {y.dtype}; TFLite Micro's LOGICAL_NOT takes bool")
    return _table_layer(ctx, op, (INT8 == 0).astype(np.int64), f"LOGICAL_NOT {x.shape}")
