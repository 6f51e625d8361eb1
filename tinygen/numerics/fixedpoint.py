"""Python twins of TFLite Micro's fixed-point helpers (kernels/internal/common.h, quantization_util.cc).

TFLite Micro is built without TFLITE_SINGLE_ROUNDING, so requantisation is the
*double-rounding* form: a saturating rounding doubling high multiply, then a
rounding (half away from zero) right shift. The C twins live in
templates/kernels/tg_fixedpoint.h.j2 with the same names (tg_ prefix); tests
check both against TFLite Micro.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


def quantize_multiplier(real: float) -> tuple[int, int]:
    """(multiplier, shift) with real = multiplier * 2**(shift - 31); TFLite's QuantizeMultiplier."""
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)
    q_fixed = round_half_away(q * (1 << 31))
    if q_fixed == 1 << 31:
        q_fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    return int(q_fixed), int(shift)


def quantize_multiplier_smaller_than_one(real: float) -> tuple[int, int]:
    """TFLite's QuantizeMultiplierSmallerThanOneExp: the same, for 0 < real < 1 (shift <= 0)."""
    assert 0.0 < real < 1.0, real
    return quantize_multiplier(real)


def calculate_input_radius(integer_bits: int, left_shift: int) -> int:
    """TFLite's CalculateInputRadius(integer_bits, left_shift, 31), in double: the largest input magnitude
    that a Q(integer_bits) fixed-point function sees before it saturates."""
    return math.floor(((1 << integer_bits) - 1) * float(1 << (31 - integer_bits)) / math.ldexp(1.0, left_shift))


def round_half_away(x: float) -> int:
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def wrap32(x: ArrayLike) -> np.ndarray:
    """int32 wrap-around of int64 values (C's int32 adds and multiplies)."""
    return ((np.asarray(x, np.int64) + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def saturating_rounding_doubling_high_mul(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """gemmlowp's SaturatingRoundingDoublingHighMul on int64 numpy arrays (or ints)."""
    a = np.asarray(a, np.int64)
    b = np.asarray(b, np.int64)
    ab = a * b
    nudge = np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    total = ab + nudge
    high = np.where(total >= 0, total >> 31, -((-total) >> 31))  # C division truncates towards zero
    overflow = (a == INT32_MIN) & (b == INT32_MIN)
    return np.where(overflow, INT32_MAX, high).astype(np.int64)


def rounding_divide_by_pot(x: ArrayLike, exponent: ArrayLike) -> np.ndarray:
    """gemmlowp's RoundingDivideByPOT: arithmetic shift right, rounding half away from zero."""
    x = np.asarray(x, np.int64)
    exponent = np.asarray(exponent, np.int64)
    mask = (np.int64(1) << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (x < 0)
    return (x >> exponent) + (remainder > threshold)


def multiply_by_quantized_multiplier(x: ArrayLike, multiplier: ArrayLike, shift: ArrayLike) -> np.ndarray:
    """TFLite Micro's double-rounding MultiplyByQuantizedMultiplier (int32 x)."""
    shift = np.asarray(shift, np.int64)
    left = np.where(shift > 0, shift, 0)
    right = np.where(shift > 0, 0, -shift)
    shifted = (np.asarray(x, np.int64) << left).astype(np.int32).astype(np.int64)  # x * (1 << left) in int32
    return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, multiplier), right)


def multiply_by_quantized_multiplier_right(x: ArrayLike, multiplier: ArrayLike, shift: ArrayLike) -> np.ndarray:
    """The same for shift <= -1 in one rounding step: the DSP kernels' requantisation (tg_fixedpoint.h).

    With e = -shift, y = floor((x*m + 2^30) / 2^31) (the high multiply, for m > 0) and the rounding
    divide z = floor((y + 2^(e-1) - [y < 0]) / 2^e), nested floors merge (floor((floor(a/p) + c) / q)
    = floor((a + c*p) / (p*q)) for integer c), so z = floor((x*m + 2^30 + (2^(e-1) - [x < 0]) * 2^31)
    / 2^(31+e)). [y < 0] may be replaced by [x < 0]: they differ only when y = 0, where both give 0.
    One 64-bit multiply-accumulate onto a per-sign constant and one shift of its high word.
    """
    x = np.asarray(x, np.int64)
    e = -np.asarray(shift, np.int64)
    d = (np.int64(1) << (e - 1)) - (x < 0)
    return (x * np.asarray(multiplier, np.int64) + (1 << 30) + (d << 31)) >> (31 + e)
