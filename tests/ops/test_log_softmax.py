"""LOG_SOFTMAX (int8) against TFLite Micro: rows of odd lengths after a layer that gives the input its own scale
(small scales reach the diff_min cut-off, large ones the -128 floor)."""

import pytest

from tests.ops.harness import assert_bit_exact, convert


@pytest.mark.parametrize("shape, gain, seed", [((37,), 1.0, 0), ((5, 7, 3), 0.1, 1), ((11, 13), 8.0, 2),
                                               ((3, 1), 1.0, 3)])
def test_log_softmax(tmp_path, shape, gain, seed):
    import tensorflow as tf

    L = tf.keras.layers

    def build(x):
        x = L.Dense(shape[-1])(x) * gain
        return L.Lambda(tf.nn.log_softmax)(x)

    model = convert(build, [shape], seed=seed)
    assert_bit_exact(model, tmp_path, expect_ops={"LOG_SOFTMAX"}, seed=seed, vectors=12)
