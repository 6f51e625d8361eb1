"""FULLY_CONNECTED, pooling and elementwise binary ops against TFLite Micro (host and QEMU)."""

import pytest

from tests.ops.harness import assert_bit_exact, convert


@pytest.mark.parametrize("shape, units, activation", [
    ((37,), 13, None), ((5, 23), 7, "relu"), ((64,), 5, "relu6"),
    # the DSP kernel on mps2-an386: input lanes, batches, and over 640 inputs (no lanes); units and depths that
    # are not multiples of 4 (padded blocks, zero-padded last lanes, the scalar tail without lanes)
    ((64,), 12, "relu6"), ((5, 32), 8, None), ((700,), 8, "relu"),
    ((3, 37), 10, None), ((6,), 2, "relu"), ((701,), 5, "relu6"),
])
def test_fully_connected(tmp_path, shape, units, activation):
    import tensorflow as tf

    model = convert(lambda x: tf.keras.layers.Dense(units, activation=activation)(x), [shape], seed=units)
    assert_bit_exact(model, tmp_path, expect_ops={"FULLY_CONNECTED"})


@pytest.mark.parametrize("layer, padding, in_shape, channels, window, strides", [
    ("AveragePooling2D", "valid", (23, 17), 7, (3, 2), 2), ("AveragePooling2D", "same", (23, 17), 7, (3, 2), 2),
    ("MaxPooling2D", "valid", (23, 17), 7, (3, 2), 2), ("MaxPooling2D", "same", (23, 17), 7, (3, 2), 2),
    # tg_pool_dsp.h on mps2-an386 and mps3-an547 from four channels: words of four, a tail of one, kws's 25x5
    # window over 64 channels, padded borders (taps counted per pixel); 1 and 3 channels keep tg_pool.c
    ("AveragePooling2D", "valid", (27, 7), 64, (25, 5), 1), ("MaxPooling2D", "same", (27, 7), 64, (25, 5), 1),
    ("AveragePooling2D", "same", (13, 11), 5, (5, 5), (2, 1)), ("MaxPooling2D", "same", (13, 11), 5, (2, 2), 1),
    ("AveragePooling2D", "same", (9, 10), 8, (2, 2), (1, 2)), ("MaxPooling2D", "valid", (9, 10), 8, (3, 2), (2, 3)),
    ("AveragePooling2D", "same", (9, 10), 1, (3, 2), 1), ("MaxPooling2D", "same", (9, 10), 3, (2, 2), 2),
])
def test_pool(tmp_path, layer, padding, in_shape, channels, window, strides):
    import tensorflow as tf

    def build(x):
        x = tf.keras.layers.Conv2D(channels, 3, activation="relu")(x)  # gives the pool a quantised int8 input
        return getattr(tf.keras.layers, layer)(window, strides=strides, padding=padding)(x)

    model = convert(build, [(in_shape[0] + 2, in_shape[1] + 2, 3)], seed=len(layer) + len(padding) + channels)
    assert_bit_exact(model, tmp_path, expect_ops={"AVERAGE_POOL_2D" if "Average" in layer else "MAX_POOL_2D"})


@pytest.mark.parametrize("op", ["ADD", "SUB", "MUL", "MAXIMUM", "MINIMUM"])
@pytest.mark.parametrize("broadcast", [False, True])
def test_binary(tmp_path, op, broadcast):
    """23x17x5 = 1,955 elements: ADD and SUB run the DSP kernel's rescale tables on mps2-an386 and mps3-an547,
    input2 broadcast over the rows too."""
    import tensorflow as tf

    fn = {"ADD": tf.add, "SUB": tf.subtract, "MUL": tf.multiply, "MAXIMUM": tf.maximum, "MINIMUM": tf.minimum}[op]
    shapes = [(23, 17, 5), (1, 17, 5) if broadcast else (23, 17, 5)]
    model = convert(lambda a, b: tf.keras.layers.Lambda(lambda t: fn(t[0], t[1]))([a, b]), shapes,
                    seed=len(op) + broadcast)
    assert_bit_exact(model, tmp_path, expect_ops={op})


def test_add_with_fused_relu(tmp_path):
    import tensorflow as tf

    model = convert(lambda a, b: tf.keras.layers.ReLU()(tf.keras.layers.Add()([a, b])), [(13, 11, 7)] * 2, seed=3)
    assert_bit_exact(model, tmp_path, expect_ops={"ADD"})
