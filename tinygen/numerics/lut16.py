"""TFLite's int16 lookup tables (kernels/internal/common.h LUTPopulate<int16_t>), in float32 step by step.

A table holds 513 int16 samples of a function over the int16 input range:
512 steps plus the end point, each sample biased by half the error of
linear interpolation at its step's midpoint, so that LUTLookup's
interpolation (9 index bits, 7 fraction bits) is closer on average. Every
operation is float32 as in TFLite's build (FLT_EVAL_METHOD 0); expf is the
correctly rounded exp, which glibc's expf matches to within its 0.502 ulp.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from tinygen.numerics.fixedpoint import round_half_away

F = np.float32
STEPS = 512
INT16_MIN, INT16_MAX = -32768, 32767


def _round(x: np.float32) -> np.float32:
    """TfLiteRound on a float: half away from zero (exact on float32 values in double)."""
    return F(round_half_away(float(x)))


def _clamp16(x: np.float32) -> int:
    return int(min(max(x, F(INT16_MIN)), F(INT16_MAX)))


def lut_populate_s16(transform: Callable[[np.float32], np.float32], input_scale: np.float32, input_zero_point: int,
                     output_scale: np.float32, output_zero_point: int) -> np.ndarray:
    """The 513-entry table of `transform` (float32 -> float32) for int16 input and output quantisations."""
    input_min = input_scale * F(INT16_MIN - input_zero_point)
    input_max = input_scale * F(INT16_MAX - input_zero_point)
    output_min = output_scale * F(INT16_MIN - output_zero_point)
    output_max = output_scale * F(INT16_MAX - output_zero_point)
    step = (input_max - input_min) / F(STEPS)
    half_step = step / F(2)
    scaling = F(INT16_MAX - INT16_MIN + 1) / (output_max - output_min)
    lut = []
    for i in range(STEPS):
        val = transform(input_min + F(i) * step)
        midpoint = transform(input_min + F(i) * step + half_step)
        after = transform(input_min + F(i + 1) * step)
        sample = _round(val * scaling)
        interpolated = _round((after * scaling + _round(val * scaling)) / F(2))
        bias = _round((interpolated - _round(midpoint * scaling)) / F(2))
        lut.append(_clamp16(sample - bias))
    lut.append(_clamp16(_round(transform(input_max) * scaling)))
    return np.array(lut, np.int16)


def _exp(x: np.float32) -> np.float32:
    return F(math.exp(float(x)))


def _one_over_one_plus_x(x: np.float32) -> np.float32:
    return F(1) / (F(1) + x)


@lru_cache(maxsize=1)
def softmax_luts() -> tuple[np.ndarray, np.ndarray]:
    """The int16 SOFTMAX's exp table over [-10, 0] and 1 / (1 + x) table over [0, 1] (softmax_common.cc), both
    with output scale 2 / 65535; the same for every model."""
    span = F(INT16_MAX - INT16_MIN)
    exp_lut = lut_populate_s16(_exp, F(10) / span, INT16_MAX, F(2) / span, 0)
    reciprocal_lut = lut_populate_s16(_one_over_one_plus_x, F(1) / span, INT16_MIN, F(2) / span, 0)
    return exp_lut, reciprocal_lut
