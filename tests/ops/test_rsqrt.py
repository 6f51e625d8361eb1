"""RSQRT (int8) against TFLite Micro. Its input must not be negative (TFLite Micro fails the invocation), so it
follows an ABS or a shifted ReLU; vectors then reach the zero input (127 out) and the whole positive range."""

import pytest

from tests.ops.harness import assert_bit_exact, convert


@pytest.mark.parametrize("shape, shifted, seed", [((37,), False, 0), ((5, 7, 3), False, 1), ((11, 13), True, 2)])
def test_rsqrt(tmp_path, shape, shifted, seed):
    import tensorflow as tf

    L = tf.keras.layers

    def build(x):
        x = L.ReLU()(x) + 0.05 if shifted else L.Lambda(tf.abs)(x)
        return L.Lambda(tf.math.rsqrt)(x)

    model = convert(build, [shape], seed=seed)
    assert_bit_exact(model, tmp_path, expect_ops={"RSQRT"}, seed=seed, vectors=12)
