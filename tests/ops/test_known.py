"""Operators TensorFlow's converter does not write in an int8 model, in models written directly
(tests/synthetic.py), against TFLite Micro: ZEROS_LIKE (folded away when shapes are static; a non-zero zero
point shows the output is zero bytes), DYNAMIC_UPDATE_SLICE (left float32; int8 and int16), with constant and
run-time start indices, EMBEDDING_LOOKUP (written as GATHER), SHAPE and BROADCAST_ARGS (folded away when shapes
are static)."""

import numpy as np
import pytest

from tests.ops.harness import assert_bit_exact
from tests.synthetic import _Writer
from tinygen.run.vectors import random_vectors

BOARDS = ("host", "mps2-an386")

def test_zeros_like(tmp_path):
    w = _Writer()
    x = w.tensor("x", (1, 5, 3), scale=0.07, zero_point=-17)
    y = w.tensor("zeros", (1, 5, 3), scale=0.07, zero_point=-17)
    doubled = w.tensor("doubled", (1, 5, 6), scale=0.07, zero_point=-17)
    w.op("ZEROS_LIKE", [x], [y])
    options = w.schema.ConcatenationOptionsT()
    options.axis = 2
    w.op("CONCATENATION", [x, y], [doubled], options, "ConcatenationOptions")
    path = w.write(tmp_path / "zeros_like.tflite", [x], [doubled])
    assert_bit_exact(path, tmp_path, boards=BOARDS, expect_ops={"ZEROS_LIKE"})


@pytest.mark.parametrize("dtype, scale, zero_point, indices", [
    ("INT8", 0.05, 4, np.array([0, 4, -1, 2], np.int32)),
    ("INT8", 0.05, 4, None),  # None: a model input
    ("INT16", 2.1e-4, 0, np.array([0, 3, -2, 1], np.int32)),
    ("INT16", 2.1e-4, 0, None),
])
def test_dynamic_update_slice(tmp_path, dtype, scale, zero_point, indices):
    """Constant indices past both ends are clamped; run-time ones are drawn from -2..5, inside and past both ends
    of every axis. int16 too: the converter leaves DYNAMIC_UPDATE_SLICE in float in either mode."""
    w = _Writer()
    x = w.tensor("operand", (1, 5, 4, 3), scale=scale, zero_point=zero_point, dtype=dtype)
    u = w.tensor("update", (1, 2, 3, 2), scale=scale, zero_point=zero_point, dtype=dtype)
    start = w.tensor("start", (4,), indices) if indices is not None else w.tensor("start", (4,), dtype="INT32")
    y = w.tensor("out", (1, 5, 4, 3), scale=scale, zero_point=zero_point, dtype=dtype)
    w.op("DYNAMIC_UPDATE_SLICE", [x, u, start], [y])
    path = w.write(tmp_path / "update.tflite", [x, u] if indices is not None else [x, u, start], [y])

    def starts(firmware):
        vectors = random_vectors(firmware.code.inputs, 6, seed=0)
        for k, vector in enumerate(vectors):
            vector[2] = np.random.default_rng(k).integers(-2, 6, 4).astype(np.int32)
        return vectors

    assert_bit_exact(path, tmp_path, boards=BOARDS, expect_ops={"DYNAMIC_UPDATE_SLICE"},
                     vectors_for=None if indices is not None else starts)


@pytest.mark.parametrize("value_shape, count", [((7, 5), 4), ((4, 3, 2), 9)])
def test_embedding_lookup(tmp_path, value_shape, count):
    """A flash table of int8 rows looked up by run-time int32 indices (drawn inside the rows, where TFLite
    Micro does not stop with an error); the converter turns tf.nn.embedding_lookup into GATHER."""
    w = _Writer()
    table = np.random.default_rng(count).integers(-128, 128, value_shape).astype(np.int8)
    lookup = w.tensor("lookup", (count,), dtype="INT32")
    value = w.tensor("value", value_shape, table)
    y = w.tensor("rows", (count, *value_shape[1:]))
    w.op("EMBEDDING_LOOKUP", [lookup, value], [y])
    path = w.write(tmp_path / "embedding.tflite", [lookup], [y])

    def rows(firmware):
        return [[np.random.default_rng(k).integers(0, value_shape[0], count).astype(np.int32)] for k in range(6)]

    assert_bit_exact(path, tmp_path, boards=BOARDS, expect_ops={"EMBEDDING_LOOKUP"}, vectors_for=rows)


@pytest.mark.parametrize("dtype", ["INT8", "INT16"])
def test_shape_and_broadcast_args(tmp_path, dtype):
    """SHAPE of an activation, and BROADCAST_ARGS of that shape with a constant one: int32 outputs."""
    w = _Writer()
    x = w.tensor("x", (1, 5, 3), dtype=dtype, zero_point=0)
    shape = w.tensor("shape", (3,), dtype="INT32")
    other = w.tensor("other", (4,), np.array([7, 1, 1, 3], np.int32))
    both = w.tensor("broadcast", (4,), dtype="INT32")
    w.op("SHAPE", [x], [shape])
    w.op("BROADCAST_ARGS", [shape, other], [both])
    path = w.write(tmp_path / "shapes.tflite", [x], [shape, both])
    assert_bit_exact(path, tmp_path, boards=BOARDS, expect_ops={"SHAPE", "BROADCAST_ARGS"})
