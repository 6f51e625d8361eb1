"""RESIZE_BILINEAR (int8: plain, align_corners, half_pixel_centers) against TFLite Micro's integer arithmetic, up-
and downsampling odd sizes, one output row (align_corners falls back to in/out), random quantisation."""

import pytest

from tests.ops.harness import assert_bit_exact, convert

BOARDS = ("host", "mps2-an386")


@pytest.mark.parametrize("shape, size, align_corners, half_pixel, seed", [
    ((5, 7, 3), (11, 4), False, False, 0),
    ((5, 7, 3), (13, 9), True, False, 1),
    ((7, 5, 2), (3, 12), False, True, 2),
    ((6, 9, 5), (1, 17), True, False, 3),
])
def test_resize_bilinear(tmp_path, shape, size, align_corners, half_pixel, seed):
    import tensorflow as tf

    def build(x):
        x = tf.keras.layers.Conv2D(shape[-1], 1)(x)
        return tf.keras.layers.Lambda(lambda t: tf.compat.v1.image.resize_bilinear(
            t, size, align_corners=align_corners, half_pixel_centers=half_pixel))(x)

    model = convert(build, [shape], seed=seed)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"RESIZE_BILINEAR"}, seed=seed)
