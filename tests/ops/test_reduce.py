"""SUM, REDUCE_MAX, REDUCE_MIN, ARG_MAX and ARG_MIN against TFLite Micro: odd shapes, several axis sets.

Each follows a convolution, so its input's scale and zero point are the
converter's (random with the seed), not the graph input's.
"""

import pytest

from tests.ops.harness import assert_bit_exact, convert

BOARDS = ("host", "mps2-an386")


def _reduced(reduce, shape, seed: int) -> bytes:
    import tensorflow as tf

    L = tf.keras.layers

    def build(x):
        x = L.Conv2D(shape[-1], 3, padding="same")(x)
        return L.Lambda(lambda t: reduce(tf, t))(x)

    return convert(build, [shape], seed=seed)


@pytest.mark.parametrize("axes, keep_dims, shape, seed", [
    ([1, 2], False, (23, 17, 7), 0),
    ([-1], True, (9, 13, 11), 1),
    ([0, 3], False, (5, 7, 3), 2),  # the batch axis too; sums of 3 values
    ([2, -3], True, (11, 5, 9), 3),
])
def test_sum(tmp_path, axes, keep_dims, shape, seed):
    model = _reduced(lambda tf, t: tf.reduce_sum(t, axis=axes, keepdims=keep_dims), shape, seed)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"SUM"}, seed=seed, vectors=8)


@pytest.mark.parametrize("reduce, axes, keep_dims, shape, seed", [
    ("max", [1, 2], False, (23, 17, 7), 4),
    ("max", [-1], True, (9, 13, 11), 5),
    ("max", [0, 1, 3], False, (5, 7, 3), 6),
    ("min", [2], True, (11, 5, 9), 7),
    ("min", [1, -1], False, (9, 13, 5), 8),
])
def test_reduce_max_min(tmp_path, reduce, axes, keep_dims, shape, seed):
    model = _reduced(lambda tf, t: getattr(tf, f"reduce_{reduce}")(t, axis=axes, keepdims=keep_dims), shape, seed)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={f"REDUCE_{reduce.upper()}"}, seed=seed, vectors=8)
