"""GATHER_ND (int8) against TFLite Micro: whole slices, single elements, several index axes, and an index
outside its axis (not below 0: the converter refuses that) whose flat position TFLite Micro still reads."""

import numpy as np
import pytest

from tests.ops.harness import assert_bit_exact, convert


@pytest.mark.parametrize("shape, indices, seed", [
    ((5, 7, 3), [[0, 1], [0, 4], [0, 0]], 0),  # slices of 7 x 3
    ((4, 5, 3), [[0, 3, 4, 2], [0, 0, 0, 0], [0, 1, 2, 1], [0, 3, 0, 2]], 1),  # single elements
    ((6, 5), [[[0, 5, 1], [0, 2, 4]], [[0, 0, 0], [0, 3, 3]]], 2),  # 2 x 2 tuples
    ((3, 4, 5), [[0, 1, 7], [0, 0, 5]], 3),  # 7 and 5 leave their axis but stay in the flat input
])
def test_gather_nd(tmp_path, shape, indices, seed):
    import tensorflow as tf

    L = tf.keras.layers
    index = tf.constant(np.array(indices, np.int32))

    def build(x):
        x = L.Conv2D(shape[-1], 1)(x) if len(shape) == 3 else x  # a quantisation of its own
        return L.Lambda(lambda t: tf.gather_nd(t, index))(x)

    model = convert(build, [shape], seed=seed)
    assert_bit_exact(model, tmp_path, expect_ops={"GATHER_ND"}, seed=seed)
