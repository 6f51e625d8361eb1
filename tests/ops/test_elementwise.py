"""ABS, SQUARED_DIFFERENCE and PRELU against TFLite Micro: odd shapes, random quantisation, broadcasting.

Quantisations the converter does not make (ABS with equal scales, which TFLite
Micro evaluates without a rescale) are set by rewriting the flatbuffer.
"""

import pytest

from tests.ops.harness import assert_bit_exact, convert
from tests.ops.test_activation import edit_model, lam, requantize

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
