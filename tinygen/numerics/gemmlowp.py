"""Python twins of gemmlowp's fixed-point transcendental functions (fixedpoint/fixedpoint.h), vectorised.

TFLite Micro's int8 LOGISTIC and TANH evaluate these per element; tinygen
evaluates them once per possible int8 input at generation time and emits a
256-entry table. Values are raw int32 (held in int64 arrays); a value with
`ib` integer bits means raw / 2^(31 - ib). docs/arithmetic.md §1.8 spells
out each step.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from tinygen.numerics.fixedpoint import INT32_MAX, INT32_MIN, rounding_divide_by_pot, wrap32
from tinygen.numerics.fixedpoint import saturating_rounding_doubling_high_mul as srdhm

# exp(-2^k) in Q0.31 for k = -2 .. 4: gemmlowp's barrel shifter constants
EXP_MINUS_POT = ((-2, 1672461947), (-1, 1302514674), (0, 790015084), (1, 290630308),
                 (2, 39332535), (3, 720401), (4, 242))


def saturating_shift_left(x: ArrayLike, exponent: int) -> np.ndarray:
    """SaturatingRoundingMultiplyByPOT for exponent > 0 (and gemmlowp Rescale to fewer integer bits)."""
    x = np.asarray(x, np.int64)
    if exponent == 0:
        return x
    threshold = (1 << (31 - exponent)) - 1
    return np.where(x > threshold, INT32_MAX, np.where(x < -threshold, INT32_MIN, wrap32(x << exponent)))


def exp_on_interval_between_negative_one_quarter_and_0_excl(a: ArrayLike) -> np.ndarray:
    """exp(a) for a in [-1/4, 0) in Q0.31: Taylor polynomial around -1/8."""
    exp_minus_one_eighth, one_third = 1895147668, 715827883
    x = wrap32(np.asarray(a, np.int64) + (1 << 28))
    x2 = srdhm(x, x)
    x3 = srdhm(x2, x)
    x4_over_4 = rounding_divide_by_pot(srdhm(x2, x2), 2)
    poly = rounding_divide_by_pot(wrap32(srdhm(wrap32(x4_over_4 + x3), one_third) + x2), 1)
    return wrap32(exp_minus_one_eighth + srdhm(exp_minus_one_eighth, wrap32(x + poly)))


def exp_on_negative_values(a: ArrayLike, ib: int) -> np.ndarray:
    """exp(a) for a <= 0 with `ib` integer bits (ib <= 5 here), result Q0.31."""
    assert 0 <= ib <= 5, ib  # gemmlowp's extra clamp for ib > 5 is not needed by int8 kernels
    a = np.asarray(a, np.int64)
    fractional = 31 - ib
    quarter = 1 << (fractional - 2)
    a_mod_quarter_minus_quarter = (a & (quarter - 1)) - quarter
    result = exp_on_interval_between_negative_one_quarter_and_0_excl(
        saturating_shift_left(a_mod_quarter_minus_quarter, ib))
    remainder = wrap32(a_mod_quarter_minus_quarter - a)
    for k, multiplier in EXP_MINUS_POT:
        if ib > k:
            result = np.where(remainder & (1 << (fractional + k)), srdhm(result, multiplier), result)
    return np.where(a == 0, INT32_MAX, result)


def _newton_raphson_reciprocal(a: ArrayLike) -> np.ndarray:
    """1 / (1 + a) / 2 for a in [0, 1) Q0.31, in Q2.29: three Newton-Raphson steps from 48/17 - 32/17 d."""
    total = np.asarray(a, np.int64) + INT32_MAX
    half_denominator = np.where(total >= 0, (total + 1) // 2, -((-total + 1) // 2))  # RoundingHalfSum
    x = wrap32(1515870810 + srdhm(half_denominator, -1010580540))
    for _ in range(3):
        one_minus_half_denominator_times_x = wrap32((1 << 29) - srdhm(half_denominator, x))
        x = wrap32(x + saturating_shift_left(srdhm(x, one_minus_half_denominator_times_x), 2))
    return x


def one_over_one_plus_x_for_x_in_0_1(a: ArrayLike) -> np.ndarray:
    return saturating_shift_left(_newton_raphson_reciprocal(a), 1)


def one_minus_x_over_one_plus_x_for_x_in_0_1(a: ArrayLike) -> np.ndarray:
    return saturating_shift_left(wrap32(_newton_raphson_reciprocal(a) - (1 << 29)), 2)


def logistic(a: ArrayLike, ib: int) -> np.ndarray:
    """gemmlowp logistic: `ib` integer bits in, Q0.31 out."""
    a = np.asarray(a, np.int64)
    positive = one_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(-np.abs(a), ib))
    return np.where(a == 0, 1 << 30, np.where(a > 0, positive, wrap32(INT32_MAX - positive)))


def tanh(a: ArrayLike, ib: int) -> np.ndarray:
    """gemmlowp tanh: `ib` integer bits in, Q0.31 out; exp(2n) reuses n's raw value with ib + 1 bits."""
    a = np.asarray(a, np.int64)
    t = one_minus_x_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(-np.abs(a), ib + 1))
    return np.where(a == 0, 0, np.where(a < 0, -t, t))
