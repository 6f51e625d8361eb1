"""SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND against TFLite Micro: 3-D and 4-D inputs, uneven blocks, paddings and
crops on every side, random quantisation (so a fill of 0 differs from the zero point)."""

import pytest

from tests.ops.harness import assert_bit_exact, convert

BOARDS = ("host", "mps2-an386")


@pytest.mark.parametrize("shape, block, paddings, seed", [
    ((5, 7, 3), [2, 3], [[1, 2], [0, 2]], 0),
    ((7, 3), [3], [[0, 2]], 1),  # 3-D: one spatial axis
])
def test_space_to_batch_nd(tmp_path, shape, block, paddings, seed):
    import tensorflow as tf

    def build(x):
        x = tf.keras.layers.Conv1D(shape[-1], 1)(x) if len(shape) == 2 else tf.keras.layers.Conv2D(shape[-1], 1)(x)
        return tf.keras.layers.Lambda(lambda t: tf.space_to_batch_nd(t, block, paddings))(x)

    model = convert(build, [shape], seed=seed)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"SPACE_TO_BATCH_ND"}, seed=seed)


@pytest.mark.parametrize("shape, block, crops, seed", [
    ((3, 5, 2), [2, 3], [[1, 2], [0, 4]], 2),  # 6 batches of 3x5 -> 1 batch of 3x11
    ((4, 3), [2], [[1, 0]], 3),
])
def test_batch_to_space_nd(tmp_path, shape, block, crops, seed):
    import tensorflow as tf

    copies = 1
    for b in block:
        copies *= b

    def build(x):
        x = tf.keras.layers.Conv1D(shape[-1], 1)(x) if len(shape) == 2 else tf.keras.layers.Conv2D(shape[-1], 1)(x)
        batches = tf.keras.layers.Lambda(lambda t: tf.concat([t * (k + 1) / copies for k in range(copies)], 0))(x)
        return tf.keras.layers.Lambda(lambda t: tf.compat.v1.batch_to_space_nd(t, block, crops))(batches)

    model = convert(build, [shape], seed=seed)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"BATCH_TO_SPACE_ND"}, seed=seed)
