"""ELU (int8) against TFLite Micro: its 256-entry table, computed in float32 as elu.cc does. The converter keeps
ELU in float32 between a DEQUANTIZE and a QUANTIZE; the test runs it on their int8 tensors, as TFLite Micro's
int8 kernel would in a model quantised that way."""

import pytest

from tests.ops.harness import assert_bit_exact, convert
from tests.ops.integer_ops import integer_island


@pytest.mark.parametrize("shape, seed", [((37,), 0), ((5, 7, 3), 1), ((11, 13), 2)])
def test_elu(tmp_path, shape, seed):
    import tensorflow as tf

    model = convert(lambda x: tf.keras.layers.ELU()(tf.keras.layers.Dense(shape[-1])(x)), [shape], seed=seed)
    assert_bit_exact(integer_island(model, "ELU"), tmp_path, expect_ops={"ELU"}, seed=seed, vectors=12)
