"""Activation and conversion ops against TFLite Micro: SOFTMAX, LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU,
RELU, RELU6, QUANTIZE and DEQUANTIZE on odd shapes, several seeds (random quantisation).

Some TFLite Micro behaviours cannot be reached through the converter (softmax
beta != 1, RELU/RELU6/LEAKY_RELU with input and output quantised differently,
int8 -> int8 QUANTIZE with a large rescale), so `edit_model` rewrites the
flatbuffer: it is the same model TFLite Micro runs, only with other constants.
"""

import numpy as np
import pytest

from tests.ops.harness import assert_bit_exact, convert

SHAPE = (23, 17, 5)


def edit_model(model: bytes, opcode: str, edit) -> bytes:
    """Call `edit(op, tensors)` on every `opcode` operator (flatbuffer object API) and re-serialise."""
    import flatbuffers
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

    m = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(model, 0))
    code = getattr(schema.BuiltinOperator, opcode)
    graph = m.subgraphs[0]
    hits = [op for op in graph.operators
            if max(m.operatorCodes[op.opcodeIndex].builtinCode, m.operatorCodes[op.opcodeIndex].deprecatedBuiltinCode)
            == code]
    assert hits, f"no {opcode} in the model"
    for op in hits:
        edit(op, graph.tensors)
    builder = flatbuffers.Builder(1024)
    builder.Finish(m.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def requantize(tensor, scale: float | None = None, zero_point: int | None = None) -> None:
    if scale is not None:
        tensor.quantization.scale = [float(np.float32(scale))]
    if zero_point is not None:
        tensor.quantization.zeroPoint = [int(zero_point)]


def conv(x, seed=0):
    import tensorflow as tf

    return tf.keras.layers.Conv2D(SHAPE[-1], 3, padding="same")(x)


def lam(fn):
    import tensorflow as tf

    return tf.keras.layers.Lambda(fn)


# --- SOFTMAX ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_softmax_dense(tmp_path, seed):
    import tensorflow as tf

    layers = tf.keras.layers
    model = convert(lambda x: layers.Softmax()(layers.Dense(10 + seed)(layers.Flatten()(x))), [SHAPE], seed=seed)
    assert_bit_exact(model, tmp_path, expect_ops={"SOFTMAX"}, seed=seed)


@pytest.mark.parametrize("seed", [3, 4])
def test_softmax_4d_last_axis(tmp_path, seed):
    import tensorflow as tf

    model = convert(lambda x: tf.keras.layers.Softmax()(conv(x)), [SHAPE], seed=seed)
    assert_bit_exact(model, tmp_path, expect_ops={"SOFTMAX"}, seed=seed)


@pytest.mark.parametrize("beta, input_scale", [(0.5, None), (2.7, None), (1.0, 0.9), (0.01, 0.02), (3.0, 6.0)])
def test_softmax_beta_and_scale(tmp_path, beta, input_scale):
    """beta != 1 is not reachable through the converter; a large input scale makes diff_min small."""
    import tensorflow as tf

    model = convert(lambda x: tf.keras.layers.Softmax()(conv(x)), [(7, 9, 13)], seed=5)

    def edit(op, tensors):
        op.builtinOptions.beta = beta
        requantize(tensors[op.inputs[0]], input_scale)

    assert_bit_exact(edit_model(model, "SOFTMAX", edit), tmp_path, expect_ops={"SOFTMAX"})
