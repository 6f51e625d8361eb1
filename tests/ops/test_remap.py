"""RESIZE_NEAREST_NEIGHBOR (plain, align_corners, half_pixel_centers) and MIRROR_PAD (REFLECT, SYMMETRIC) against
TFLite Micro, on odd shapes, up- and downsampling, paddings up to the largest each mode allows."""

import pytest

from tests.ops.harness import assert_bit_exact, convert

BOARDS = ("host", "mps2-an386")


@pytest.mark.parametrize("shape, size, align_corners, half_pixel, seed", [
    ((5, 7, 3), (11, 9), False, False, 0),
    ((5, 7, 3), (13, 4), True, False, 1),
    ((7, 5, 2), (3, 12), False, True, 2),
    ((6, 9, 5), (1, 17), True, False, 3),  # one output row: align_corners falls back to in/out
])
def test_resize_nearest_neighbor(tmp_path, shape, size, align_corners, half_pixel, seed):
    import tensorflow as tf

    def build(x):
        x = tf.keras.layers.Conv2D(shape[-1], 1)(x)
        return tf.keras.layers.Lambda(lambda t: tf.compat.v1.image.resize_nearest_neighbor(
            t, size, align_corners=align_corners, half_pixel_centers=half_pixel))(x)

    model = convert(build, [shape], seed=seed)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"RESIZE_NEAREST_NEIGHBOR"}, seed=seed)



@pytest.mark.parametrize("mode, shape, paddings, seed", [
    ("REFLECT", (5, 7, 3), [[0, 0], [1, 2], [2, 0], [0, 0]], 4),
    ("REFLECT", (4, 5, 3), [[0, 0], [3, 3], [4, 1], [2, 1]], 5),  # the most REFLECT allows, channels too
    ("SYMMETRIC", (5, 7, 3), [[0, 0], [2, 1], [0, 3], [0, 0]], 6),
    ("SYMMETRIC", (4, 5, 3), [[0, 0], [4, 0], [5, 5], [3, 2]], 7),  # the most SYMMETRIC allows
])
def test_mirror_pad(tmp_path, mode, shape, paddings, seed):
    import tensorflow as tf

    def build(x):
        x = tf.keras.layers.Conv2D(shape[-1], 1)(x)
        return tf.keras.layers.Lambda(lambda t: tf.pad(t, paddings, mode=mode))(x)

    model = convert(build, [shape], seed=seed)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"MIRROR_PAD"}, seed=seed)
