"""ABS, SQUARED_DIFFERENCE and PRELU against TFLite Micro: odd shapes, random quantisation, broadcasting.

Quantisations the converter does not make (ABS with equal scales, which TFLite
Micro evaluates without a rescale) are set by rewriting the flatbuffer.
"""

import pytest

from tests.ops.flatbuffer import edit_model, requantize
from tests.ops.harness import assert_bit_exact, convert, lam

SHAPE = (7, 13, 3)


@pytest.mark.parametrize("seed", [0, 1])
def test_abs(tmp_path, seed):
    import tensorflow as tf

    model = convert(lambda x: lam(tf.abs)(x), [SHAPE], seed=seed)
    assert_bit_exact(model, tmp_path, expect_ops={"ABS"})


@pytest.mark.parametrize("output_scale, output_zp", [(None, 5), (0.004, -100)])
def test_abs_requantised(tmp_path, output_scale, output_zp):
    """Equal scales (no rescale in TFLite Micro), and an output scale small enough to saturate."""
    import tensorflow as tf

    def edit(op, tensors):
        x, y = tensors[op.inputs[0]], tensors[op.outputs[0]]
        requantize(x, 0.02, -7)
        requantize(y, output_scale or 0.02, output_zp)

    model = edit_model(convert(lambda x: lam(tf.abs)(x), [SHAPE], seed=4), "ABS", edit)
    assert_bit_exact(model, tmp_path, expect_ops={"ABS"})


@pytest.mark.parametrize("shapes", [
    [SHAPE, SHAPE], [SHAPE, (1, 13, 3)], [(1, 13, 1), SHAPE], [(3,), (5, 1, 3)],
])
def test_squared_difference(tmp_path, shapes):
    import tensorflow as tf

    fn = lam(lambda t: tf.math.squared_difference(t[0], t[1]))
    model = convert(lambda a, b: fn([a, b]), shapes, seed=len(shapes[0]) + shapes[1][0])
    assert_bit_exact(model, tmp_path, expect_ops={"SQUARED_DIFFERENCE"})


@pytest.mark.parametrize("shape, shared_axes", [(SHAPE, None), (SHAPE, [1, 2]), ((9, 5), [1])])
def test_prelu(tmp_path, shape, shared_axes):
    """Alpha of the input's shape, and alpha broadcast along the shared axes."""
    import tensorflow as tf

    alpha = tf.keras.initializers.RandomUniform(-1.5, 1.5, seed=len(shape))
    model = convert(lambda x: tf.keras.layers.PReLU(alpha, shared_axes=shared_axes)(x), [shape], seed=len(shape))
    assert_bit_exact(model, tmp_path, expect_ops={"PRELU"})


def test_prelu_alpha_zero_point(tmp_path):
    """The converter quantises alpha symmetrically; TFLite Micro also honours an alpha zero point."""
    import tensorflow as tf

    alpha = tf.keras.initializers.RandomUniform(-1.5, 1.5, seed=5)
    model = convert(lambda x: tf.keras.layers.PReLU(alpha, shared_axes=[1, 2])(x), [SHAPE], seed=5)
    model = edit_model(model, "PRELU", lambda op, ts: requantize(ts[op.inputs[1]], 0.011, 9))
    assert_bit_exact(model, tmp_path, expect_ops={"PRELU"})
