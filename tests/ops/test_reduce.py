"""SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_ALL, ARG_MAX and ARG_MIN against TFLite Micro: odd shapes, several axis sets.

Each follows a convolution, so its input's scale and zero point are the
converter's (random with the seed), not the graph input's.
"""

import numpy as np
import pytest

from tests.commands.test_cli import invoke, one_error_line
from tests.ops.harness import assert_bit_exact, convert
from tests.tools import require_module

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


def _narrow(firmware):
    """Inputs from a handful of values, so most windows hold several equal extremes (TFLM keeps the first)."""
    rng = np.random.default_rng(9)
    return [[rng.integers(-2, 3, io.shape, dtype=np.int8) for io in firmware.code.inputs] for _ in range(8)]


@pytest.mark.parametrize("axes, keep_dims, shape, threshold, seed", [
    ([2], False, (5, 3, 6), 0.0, 4),  # about half the elements pass: some windows all true, most not
    ([1, 2], True, (4, 2, 3), -1.5, 5),
])
def test_reduce_all(tmp_path, axes, keep_dims, shape, threshold, seed):
    """A comparison's bools reduced with AND, cast back to numbers: the converter's REDUCE_ALL on bool."""
    model = _reduced(lambda tf, t: tf.cast(tf.reduce_all(t > threshold, axis=axes, keepdims=keep_dims), tf.float32),
                     shape, seed)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"REDUCE_ALL", "GREATER"})


@pytest.mark.parametrize("arg, axis, shape, seed", [
    ("argmax", -1, (23, 17, 7), 10),
    ("argmax", 1, (9, 13, 11), 11),
    ("argmin", 0, (5, 7, 3), 12),  # the batch axis (size 1): every index is 0
    ("argmin", 2, (11, 5, 9), 13),
])
def test_arg_max_min(tmp_path, arg, axis, shape, seed):
    model = _reduced(lambda tf, t: getattr(tf.math, arg)(t, axis=axis, output_type=tf.int32), shape, seed)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={f"ARG_{arg[3:].upper()}"}, seed=seed, vectors=8)


@pytest.mark.parametrize("arg, axis", [("argmax", -1), ("argmin", 1)])
def test_arg_max_min_ties_keep_the_first_index(tmp_path, arg, axis):
    import tensorflow as tf

    model = convert(lambda x: tf.keras.layers.Lambda(
        lambda t: getattr(tf.math, arg)(t, axis=axis, output_type=tf.int32))(x), [(13, 11)], seed=14)
    assert_bit_exact(model, tmp_path, boards=BOARDS, vectors_for=_narrow)


def test_arg_max_int64_output_is_refused(tmp_path):
    """TFLite Micro's ARG_MAX fails on int64 indices (tf.math.argmax's default), so tinygen lists it unsupported."""
    runtime = require_module("tflite_micro.python.tflite_micro.runtime")
    model = _reduced(lambda tf, t: tf.math.argmax(t, axis=-1), (7, 5, 3), 15)
    path = tmp_path / "argmax64.tflite"
    path.write_bytes(model)
    interpreter = runtime.Interpreter.from_bytes(model, arena_size=1 << 20)
    with pytest.raises(RuntimeError):
        interpreter.invoke()
    one_error_line(invoke("check", path, exit_code=2), "argmax64", "ARG_MAX (int8->int64)×1")


def test_reduce_max_with_requantisation_is_refused(tmp_path):
    """TFLite Micro's REDUCE_MAX fails unless the output keeps the input's scale and zero point; so does tinygen."""
    schema = require_module("tflite_micro.tensorflow.lite.micro.python.schema_py_generated")
    flatbuffers = require_module("flatbuffers")
    runtime = require_module("tflite_micro.python.tflite_micro.runtime")
    model = schema.ModelT.InitFromPackedBuf(_reduced(lambda tf, t: tf.reduce_max(t, axis=[1]), (7, 5, 3), 16), 0)
    graph = model.subgraphs[0]
    [op] = [op for op in graph.operators
            if model.operatorCodes[op.opcodeIndex].builtinCode == schema.BuiltinOperator.REDUCE_MAX]
    quant = graph.tensors[op.outputs[0]].quantization
    quant.scale = [2 * float(quant.scale[0])]
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), b"TFL3")
    path = tmp_path / "max_requantised.tflite"
    path.write_bytes(bytes(builder.Output()))

    interpreter = runtime.Interpreter.from_file(str(path), arena_size=1 << 20)
    with pytest.raises(RuntimeError):
        interpreter.invoke()
    one_error_line(invoke("check", path, exit_code=2), "max_requantised", "REDUCE_MAX", "TFLite Micro requires")
