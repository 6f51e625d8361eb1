"""Copies by shape against TFLite Micro, odd shapes, random quantisation: BROADCAST_TO (int8; the converter's 16x8
mode makes a MUL by ones instead) and PADV2 (int8; in 16x8 mode the converter leaves constant_values float32,
which TFLite Micro's PADV2 refuses)."""

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


@pytest.mark.parametrize("shape, paddings, value, seed", [
    ((5, 3), [[0, 0], [1, 2], [0, 1]], 0.7, 2),
    ((4, 3, 2), [[0, 0], [2, 0], [1, 1], [0, 3]], -1.3, 3),
])
def test_padv2(tmp_path, shape, paddings, value, seed):
    import tensorflow as tf

    def build(x):
        x = tf.keras.layers.Dense(shape[-1])(x)
        return tf.keras.layers.Lambda(lambda t: tf.pad(t, paddings, constant_values=value))(x)

    model = convert(build, [shape], seed=seed)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"PADV2"}, seed=seed)


@pytest.mark.parametrize("shape, axes, io, seed", [
    ((5, 7, 3), [1, 2], "int8", 4),
    ((3, 4, 5, 2), [-2], "int8", 5),
    ((6, 5), [1], "int16", 6),
])
def test_reverse_v2(tmp_path, shape, axes, io, seed):
    import tensorflow as tf

    def build(x):
        x = tf.keras.layers.Dense(shape[-1])(x)
        return tf.keras.layers.Lambda(lambda t: tf.reverse(t, axes))(x)

    model = convert(build, [shape], seed=seed, io=io)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"REVERSE_V2"}, seed=seed)


@pytest.mark.parametrize("shape, dims, seed", [((5, 3), (1, 4, 7, 3), 7), ((6,), (1, 5, 2), 8)])
def test_fill(tmp_path, shape, dims, seed):
    import tensorflow as tf

    def build(x):
        x = tf.keras.layers.Dense(shape[-1])(x)  # a run-time value: a constant one would be folded
        filled = tf.keras.layers.Lambda(lambda t: tf.fill(dims, tf.reduce_max(t)))(x)
        return [x, filled]

    model = convert(build, [shape], seed=seed)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"FILL"}, seed=seed)
