"""Comparisons, CAST and bool tensors against TFLite Micro: odd shapes, random quantisation, broadcasting.

The converter writes a comparison whose result is cast to a number as
comparison -> CAST(bool -> float32) -> QUANTIZE, so these models carry bool
tensors inside; others end on a bool or int32 output. The converter leaves
NOT_EQUAL and LESS_EQUAL in float, so those are made from an int8 EQUAL and
LESS by renaming the operator code in the flatbuffer (same operands, and
TFLite Micro's Prepare is the same for all six).
"""

import numpy as np
import pytest

from tests.ops.flatbuffer import pack, unpack
from tests.ops.harness import assert_bit_exact, convert, lam

BOARDS = ("host", "mps2-an386")
SHAPE = (5, 7, 3)
# opcode -> (the tf.math op the converter quantises, the opcode it writes)
COMPARISONS = {"EQUAL": ("equal", "EQUAL"), "NOT_EQUAL": ("equal", "EQUAL"), "LESS": ("less", "LESS"),
               "LESS_EQUAL": ("less", "LESS"), "GREATER": ("greater", "GREATER"),
               "GREATER_EQUAL": ("greater_equal", "GREATER_EQUAL")}


def comparison_model(opcode: str, shapes, seed: int) -> bytes:
    """comparison -> CAST(bool -> float32) -> QUANTIZE, as the converter writes it, with `opcode` compared."""
    import tensorflow as tf
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    name, written = COMPARISONS[opcode]
    fn = getattr(tf.math, name)
    model = convert(lambda a, b: lam(lambda t: tf.cast(fn(t[0], t[1]), tf.float32))([a, b]), shapes, seed=seed)
    if written == opcode:
        return model
    m = unpack(model)
    codes = [c for c in m.operatorCodes if c.builtinCode == getattr(schema.BuiltinOperator, written)]
    assert len(codes) == 1
    codes[0].builtinCode = codes[0].deprecatedBuiltinCode = getattr(schema.BuiltinOperator, opcode)
    return pack(m)


def _close_values(firmware):
    """Inputs from a few codes each, so equal real values (EQUAL, the _EQUAL ops' boundary) occur often."""
    rng = np.random.default_rng(7)
    return [[rng.choice(np.array([-128, -3, 0, 1, 5, 127], np.int8), io.shape) for io in firmware.code.inputs]
            for _ in range(4)]


@pytest.mark.parametrize("opcode, shapes, seed", [
    ("EQUAL", [SHAPE, SHAPE], 0), ("NOT_EQUAL", [SHAPE, (1, 7, 1)], 1), ("LESS", [SHAPE, SHAPE], 2),
    ("LESS_EQUAL", [(3,), (5, 1, 3)], 3), ("GREATER", [(1, 7, 1), SHAPE], 4), ("GREATER_EQUAL", [SHAPE, SHAPE], 5),
])
def test_comparison_cast_to_float(tmp_path, opcode, shapes, seed):
    model = comparison_model(opcode, shapes, seed)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={opcode, "CAST", "QUANTIZE"})


@pytest.mark.parametrize("opcode", ["EQUAL", "LESS_EQUAL"])
def test_comparison_of_equal_values(tmp_path, opcode):
    """Differently quantised inputs compare by real value: TFLite Micro rescales each before comparing."""
    model = comparison_model(opcode, [SHAPE, SHAPE], seed=9)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={opcode}, vectors_for=_close_values)


def test_bool_and_int32_outputs(tmp_path):
    """A bool model output, and a CAST bool -> int32 one, against a constant threshold."""
    import tensorflow as tf

    def build(a, b):
        return [lam(lambda t: tf.math.less(t[0], t[1]))([a, b]),
                lam(lambda t: tf.cast(tf.math.greater(t, 0.25), tf.int32))(a)]

    model = convert(build, [SHAPE, (1, 1, 3)], seed=3)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"LESS", "GREATER", "CAST"})


@pytest.mark.parametrize("shapes", [[SHAPE, (1, 7, 1)], [(1, 7, 1), (1, 1, 3)]])
def test_select_v2(tmp_path, shapes):
    """x, y and the condition (their comparison) broadcast; in the second case all three shapes differ."""
    import tensorflow as tf

    def build(a, b):
        return lam(lambda t: tf.where(t[0] > t[1], t[0], t[1] * 0.5))([a, b])

    model = convert(build, shapes, seed=11)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"SELECT_V2", "GREATER"})


def test_logical_ops(tmp_path):
    """LOGICAL_AND of broadcast bools, LOGICAL_OR and LOGICAL_NOT, ending in CAST -> QUANTIZE."""
    import tensorflow as tf

    def logic(t):
        both = tf.logical_and(t[0] > 0, t[1] < 0.2)
        return tf.cast(tf.logical_not(tf.logical_or(both, t[0] < t[1])), tf.float32)

    model = convert(lambda a, b: lam(logic)([a, b]), [SHAPE, (1, 7, 1)], seed=13)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"LOGICAL_AND", "LOGICAL_OR", "LOGICAL_NOT"})


def test_cast_int32_to_float(tmp_path):
    """ARG_MAX's int32 indices cast to float32 and quantised: CAST from an integer wider than a byte."""
    import tensorflow as tf

    def build(a):
        return lam(lambda t: tf.cast(tf.math.argmax(t, axis=-1, output_type=tf.int32), tf.float32) * 0.1)(a)

    model = convert(build, [(5, 7, 11)], seed=5)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"ARG_MAX", "CAST"})
