"""Copies by shape against TFLite Micro: BROADCAST_TO (int8; the converter's 16x8 mode makes a MUL by ones instead),
odd shapes, random quantisation."""

import pytest

from tests.ops.harness import assert_bit_exact, convert

BOARDS = ("host", "mps2-an386")


@pytest.mark.parametrize("shape, target, seed", [
    ((1, 5, 1), (3, 4, 5, 3), 0),  # a new leading axis and two stretched ones
    ((7, 1), (2, 3, 7, 5), 1),
])
def test_broadcast_to(tmp_path, shape, target, seed):
    import tensorflow as tf

    def build(x):
        x = tf.keras.layers.Dense(shape[-1])(x)
        return tf.keras.layers.Lambda(lambda t: tf.broadcast_to(t, target))(x)

    model = convert(build, [shape], seed=seed)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"BROADCAST_TO"}, seed=seed)
