"""ADD_N (int8) against TFLite Micro. The converter keeps ADD_N in float32 between DEQUANTIZEs and a QUANTIZE;
the test runs it on their int8 tensors (tests/ops/integer_ops.py). TFLite Micro requires the inputs quantised
alike, so they are slices of one input."""

from math import prod

import pytest

from tests.ops.harness import assert_bit_exact, convert
from tests.ops.integer_ops import integer_island


@pytest.mark.parametrize("shape, count, seed", [((7,), 2, 0), ((5, 3), 3, 1), ((2, 3, 5), 4, 2)])
def test_add_n(tmp_path, shape, count, seed):
    import tensorflow as tf

    L = tf.keras.layers
    size = prod(shape)

    def build(x):
        parts = [L.Reshape(shape)(x[:, k * size:(k + 1) * size]) for k in range(count)]
        return L.Lambda(tf.math.add_n)(parts)

    model = convert(build, [(size * count,)], seed=seed)
    assert_bit_exact(integer_island(model, "ADD_N"), tmp_path, expect_ops={"ADD_N"}, seed=seed)
