"""int16 paths of the elementwise and copy operators TFLite Micro also runs in int16: MAXIMUM, MINIMUM,
SQUARED_DIFFERENCE, PRELU, SELECT_V2 and RESIZE_NEAREST_NEIGHBOR, against TFLite Micro
(host and mps2-an386). Models come from TensorFlow's 16x8 converter mode where it makes the op in int16;
the others are written directly, each test saying why."""

import numpy as np
import pytest

from tests.ops.harness import assert_bit_exact, convert, lam
from tests.synthetic import _Writer

BOARDS = ("host", "mps2-an386")


@pytest.mark.parametrize("fn, shapes, seed", [
    ("maximum", [(5, 7, 3), (1, 7, 1)], 1),
    ("minimum", [(6, 5), (6, 5)], 2),
])
def test_maximum_minimum_int16(tmp_path, fn, shapes, seed):
    """The converter requantises both inputs to the output's scale (QUANTIZE int16 -> int16) first; broadcast."""
    import tensorflow as tf

    model = convert(lambda a, b: lam(lambda t: getattr(tf, fn)(t[0], t[1]))([a, b]), shapes, seed=seed, io="int16")
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={fn.upper()})


def test_minimum_with_a_constant_int16(tmp_path):
    """A bound the converter stores as an int16 constant in the output's quantisation."""
    import tensorflow as tf

    model = convert(lambda x: lam(lambda t: tf.minimum(t, 0.7))(x), [(3, 11)], seed=3, io="int16")
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"MINIMUM"})


@pytest.mark.parametrize("shapes, seed", [([(4, 3, 9), (4, 3, 9)], 4), ([(1, 3, 1), (5, 3, 6)], 5)])
def test_squared_difference_int16(tmp_path, shapes, seed):
    """Zero points 0 (TFLite Micro requires them), no left shift; broadcast either way."""
    import tensorflow as tf

    fn = lam(lambda t: tf.math.squared_difference(t[0], t[1]))
    model = convert(lambda a, b: fn([a, b]), shapes, seed=seed, io="int16")
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"SQUARED_DIFFERENCE"})


@pytest.mark.parametrize("alpha_shape, alpha_zp", [((1, 1, 3), 0), ((7, 3), -5)])
def test_prelu_int16(tmp_path, alpha_shape, alpha_zp):
    """Written directly: the converter refuses PRELU in 16x8 mode ("Quantization to 16x8-bit not yet supported
    for op: 'PRELU'"), while TFLite Micro runs int16 input with an int8 alpha. Alpha broadcast per channel, and
    of the input's trailing shape with a zero point (TFLite Micro honours it)."""
    rng = np.random.default_rng(len(alpha_shape))
    w = _Writer()
    x = w.tensor("x", (1, 5, 7, 3), scale=3.1e-4, zero_point=0, dtype="INT16")
    alpha = w.tensor("alpha", alpha_shape, rng.integers(-128, 128, alpha_shape).astype(np.int8), scale=0.013,
                     zero_point=alpha_zp)
    y = w.tensor("y", (1, 5, 7, 3), scale=2.3e-4, zero_point=0, dtype="INT16")
    w.op("PRELU", [x, alpha], [y])
    path = w.write(tmp_path / "prelu16.tflite", [x], [y])
    assert_bit_exact(path, tmp_path, boards=BOARDS, expect_ops={"PRELU"})


@pytest.mark.parametrize("cond_shape, x_shape, y_shape", [((4, 7, 3), (4, 7, 3), (4, 7, 3)),
                                                          ((1, 7, 1), (4, 1, 3), (4, 7, 3))])
def test_select_v2_int16(tmp_path, cond_shape, x_shape, y_shape):
    """Written directly: the converter's 16x8 mode refuses the comparison that makes a condition ("not yet
    supported for op: 'GREATER'"), so the bool condition is a model input here. Raw values are selected, so x
    and y may be quantised differently from each other and the output."""
    w = _Writer()
    c = w.tensor("c", cond_shape, dtype="BOOL")
    x = w.tensor("x", x_shape, scale=1.7e-4, zero_point=0, dtype="INT16")
    y = w.tensor("y", y_shape, scale=2.9e-4, zero_point=0, dtype="INT16")
    out = w.tensor("out", (4, 7, 3), scale=2.9e-4, zero_point=0, dtype="INT16")
    w.op("SELECT_V2", [c, x, y], [out])
    path = w.write(tmp_path / "select16.tflite", [c, x, y], [out])
    assert_bit_exact(path, tmp_path, boards=BOARDS, expect_ops={"SELECT_V2"})


@pytest.mark.parametrize("shape, size, align_corners, half_pixel", [((5, 7, 3), (11, 4), True, False),
                                                                    ((7, 5, 2), (3, 12), False, True)])
def test_resize_nearest_neighbor_int16(tmp_path, shape, size, align_corners, half_pixel):
    """The byte-moving index kernel with two bytes an element; up- and downsampling on each axis."""
    import tensorflow as tf

    def build(x):
        x = tf.keras.layers.Conv2D(shape[-1], 1)(x)
        return lam(lambda t: tf.compat.v1.image.resize_nearest_neighbor(
            t, size, align_corners=align_corners, half_pixel_centers=half_pixel))(x)

    model = convert(build, [shape], seed=len(size) + shape[0], io="int16")
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"RESIZE_NEAREST_NEIGHBOR"})
