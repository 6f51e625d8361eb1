"""CUMSUM (int8) against TFLite Micro, along first, middle and last axes, exclusive and reverse. The converter
keeps CUMSUM in float32 between a DEQUANTIZE and a QUANTIZE; the test runs it on their int8 tensors
(tests/ops/integer_ops.py)."""

import pytest

from tests.ops.harness import assert_bit_exact, convert
from tests.ops.integer_ops import integer_island


@pytest.mark.parametrize("shape, axis, exclusive, reverse, seed", [
    ((7,), 1, False, False, 0),
    ((5, 4, 3), 2, True, False, 1),
    ((6, 5), -1, False, True, 2),
    ((3, 4, 5), 1, True, True, 3),
])
def test_cumsum(tmp_path, shape, axis, exclusive, reverse, seed):
    import tensorflow as tf

    L = tf.keras.layers

    def build(x):
        x = L.Dense(shape[-1])(x)
        return L.Lambda(lambda t: tf.math.cumsum(t, axis=axis, exclusive=exclusive, reverse=reverse))(x)

    model = convert(build, [shape], seed=seed)
    assert_bit_exact(integer_island(model, "CUMSUM"), tmp_path, expect_ops={"CUMSUM"}, seed=seed)
