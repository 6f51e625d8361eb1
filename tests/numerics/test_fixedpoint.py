"""The merged one-step requantisation equals TFLite Micro's double-rounding one wherever kernels use it."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tinygen.numerics.fixedpoint import (
    INT32_MAX,
    INT32_MIN,
    multiply_by_quantized_multiplier,
    multiply_by_quantized_multiplier_right,
)

multipliers = st.one_of(st.just(0), st.integers(1 << 30, INT32_MAX))


@given(st.integers(INT32_MIN, INT32_MAX), multipliers, st.integers(-31, -1))
def test_merged_rounding_equals_double_rounding(x, m, shift):
    assert multiply_by_quantized_multiplier_right(x, m, shift) == multiply_by_quantized_multiplier(x, m, shift)


def test_merged_rounding_on_the_halfway_cases():
    """Values that land exactly on .5 after either step, both signs, every shift."""
    shifts = np.arange(-31, 0)
    for m in (0, 1 << 30, (1 << 30) + 1, INT32_MAX):
        for shift in shifts:
            e = -shift
            base = np.arange(-4, 5, dtype=np.int64) << e
            x = np.unique(np.concatenate([base, base + (1 << (e - 1)), base - (1 << (e - 1)), base + 1, base - 1,
                                          [INT32_MIN, INT32_MAX, 0, -1, 1]]))
            x = x[(x >= INT32_MIN) & (x <= INT32_MAX)]
            np.testing.assert_array_equal(multiply_by_quantized_multiplier_right(x, m, shift),
                                          multiply_by_quantized_multiplier(x, m, shift))
