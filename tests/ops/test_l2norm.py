"""L2_NORMALIZATION (int8) against TFLite Micro: rows of odd lengths, after a layer that gives the input its own
quantisation (the norm's inverse square root is computed per row at run time)."""

import pytest

from tests.ops.harness import assert_bit_exact, convert


@pytest.mark.parametrize("shape, seed", [((37,), 0), ((5, 7, 3), 1), ((11, 13), 2), ((3, 1), 3)])
def test_l2_normalization(tmp_path, shape, seed):
    import tensorflow as tf

    L = tf.keras.layers

    def build(x):
        x = L.Dense(shape[-1])(x)
        return L.Lambda(lambda t: tf.math.l2_normalize(t, axis=-1))(x)

    model = convert(build, [shape], seed=seed)
    assert_bit_exact(model, tmp_path, expect_ops={"L2_NORMALIZATION"}, seed=seed, vectors=12)
