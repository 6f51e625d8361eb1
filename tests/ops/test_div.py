"""DIV (int8) against TFLite Micro: same shapes, broadcasting, a fused ReLU, divisors of either sign and zero.

Random int8 vectors hit the divisor's zero point (a zero divisor, which TFLite Micro only asserts against)
in about one element in 256; the test also feeds every int8 dividend and divisor pair once, so each
reciprocal, sign and rounding case is compared.
"""

from math import prod

import numpy as np
import pytest

from tests.ops.harness import assert_bit_exact, convert


def _divide(x_shape: tuple[int, ...], y_shape: tuple[int, ...], relu: bool, own_scale: bool = True):
    """x / y, both cut from one input (the calibrator can swap a two-input model's samples); `own_scale`: y goes
    through a MUL and an ADD first, so it is quantised differently from x."""
    import tensorflow as tf

    L = tf.keras.layers

    def build(t):
        x = L.Reshape(x_shape)(t[:, : prod(x_shape)])
        y = t[:, prod(x_shape):]
        y = L.Reshape(y_shape)(y * 0.5 + 0.25 if own_scale else y)
        q = L.Lambda(lambda u: u[0] / u[1])([x, y])
        return L.ReLU()(q) if relu else q

    return build


@pytest.mark.parametrize("x_shape, y_shape, relu, seed", [
    ((5, 7), (5, 7), False, 0),
    ((4, 3, 5), (1, 5), True, 1),
    ((1, 6), (3, 1), False, 2),
])
def test_div(tmp_path, x_shape, y_shape, relu, seed):
    model = convert(_divide(x_shape, y_shape, relu), [(prod(x_shape) + prod(y_shape),)], seed=seed)
    assert_bit_exact(model, tmp_path, expect_ops={"DIV"}, seed=seed)


def test_div_every_pair(tmp_path):
    """256 x 256 elements: every dividend against every divisor, zero included (x and y are the input's raw
    values, quantised alike)."""
    model = convert(_divide((256, 256), (1, 256), False, own_scale=False), [(256 * 257,)], seed=3)

    def vectors(firmware):
        (spec,) = firmware.code.inputs
        pairs = np.concatenate([np.repeat(np.arange(-128, 128), 256), np.arange(-128, 128)]).astype(np.int8)
        return [[pairs.reshape(spec.shape)]]

    assert_bit_exact(model, tmp_path, boards=("host", "mps2-an386"), expect_ops={"DIV"}, vectors_for=vectors)
