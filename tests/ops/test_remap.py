"""RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR (int8: plain, align_corners, half_pixel_centers) and MIRROR_PAD
(REFLECT, SYMMETRIC) against TFLite Micro's integer arithmetic, on odd shapes, up- and downsampling, one output
row (align_corners falls back to in/out), paddings up to the largest each mode allows, random quantisation."""

import pytest

from tests.ops.harness import assert_bit_exact, convert

BOARDS = ("host", "mps2-an386")


@pytest.mark.parametrize("op, shape, size, align_corners, half_pixel, seed", [
    ("RESIZE_NEAREST_NEIGHBOR", (5, 7, 3), (11, 9), False, False, 0),
    ("RESIZE_NEAREST_NEIGHBOR", (5, 7, 3), (13, 4), True, False, 1),
    ("RESIZE_NEAREST_NEIGHBOR", (7, 5, 2), (3, 12), False, True, 2),
    ("RESIZE_NEAREST_NEIGHBOR", (6, 9, 5), (1, 17), True, False, 3),  # one output row
    ("RESIZE_BILINEAR", (5, 7, 3), (11, 4), False, False, 0),
    ("RESIZE_BILINEAR", (5, 7, 3), (13, 9), True, False, 1),
    ("RESIZE_BILINEAR", (7, 5, 2), (3, 12), False, True, 2),
    ("RESIZE_BILINEAR", (6, 9, 5), (1, 17), True, False, 3),  # one output row
])
def test_resize(tmp_path, op, shape, size, align_corners, half_pixel, seed):
    """The same model around each resize method: a 1x1 convolution, then the resize."""
    import tensorflow as tf

    resize = {"RESIZE_NEAREST_NEIGHBOR": tf.compat.v1.image.resize_nearest_neighbor,
              "RESIZE_BILINEAR": tf.compat.v1.image.resize_bilinear}[op]

    def build(x):
        x = tf.keras.layers.Conv2D(shape[-1], 1)(x)
        return tf.keras.layers.Lambda(lambda t: resize(
            t, size, align_corners=align_corners, half_pixel_centers=half_pixel))(x)

    model = convert(build, [shape], seed=seed)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={op}, seed=seed)


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
