"""BATCH_MATMUL against TFLite Micro: int8 and int16 (16x8), adjoint operands, broadcast batch axes.

Both operands are activations (a matmul with a constant becomes FULLY_CONNECTED in the converter), cut from
one input: TensorFlow's calibrator can feed a two-input model's samples in the other order, which a matmul
refuses. A LeakyReLU on the right operand gives it a quantisation of its own.
"""

from math import prod

import pytest

from tests.ops.harness import assert_bit_exact, convert


def _matmul(lhs: tuple[int, ...], rhs: tuple[int, ...], adj_x: bool, adj_y: bool):
    import tensorflow as tf

    L = tf.keras.layers

    def build(x):
        a = L.Reshape(lhs)(x[:, : prod(lhs)])
        b = L.LeakyReLU(0.25)(L.Reshape(rhs)(x[:, prod(lhs):]))
        return L.Lambda(lambda t: tf.matmul(t[0], t[1], transpose_a=adj_x, transpose_b=adj_y))([a, b])

    return build


@pytest.mark.parametrize("lhs, rhs, adj_x, adj_y, io, seed", [
    ((5, 7), (7, 3), False, False, "int8", 0),
    ((3, 5, 7), (3, 4, 7), False, True, "int8", 1),
    ((2, 3, 9, 5), (1, 3, 9, 6), True, False, "int8", 2),  # a broadcast batch axis, adj_x
    ((3, 5, 7), (3, 7, 4), False, False, "int16", 3),
    ((2, 3, 6, 5), (1, 3, 4, 6), True, True, "int16", 4),  # both adjoint, a broadcast batch axis
])
def test_batch_matmul(tmp_path, lhs, rhs, adj_x, adj_y, io, seed):
    model = convert(_matmul(lhs, rhs, adj_x, adj_y), [(prod(lhs) + prod(rhs),)], seed=seed, io=io)
    assert_bit_exact(model, tmp_path, expect_ops={"BATCH_MATMUL"}, seed=seed)
