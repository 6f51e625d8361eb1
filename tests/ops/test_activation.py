"""Activation and conversion ops against TFLite Micro: SOFTMAX, LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU,
RELU, RELU6, QUANTIZE and DEQUANTIZE on odd shapes, several seeds (random quantisation).

Some TFLite Micro behaviours cannot be reached through the converter (softmax
beta != 1, RELU/RELU6/LEAKY_RELU with input and output quantised differently,
int8 -> int8 QUANTIZE with a large rescale), so `edit_model` rewrites the
flatbuffer (tests/ops/flatbuffer.py): it is the same model TFLite Micro runs, only with other constants.
"""

import numpy as np
import pytest

from tests.ops.flatbuffer import edit_model, requantize
from tests.ops.harness import assert_bit_exact, convert, lam

SHAPE = (23, 17, 5)


def conv(x, filters: int = SHAPE[-1]):
    import tensorflow as tf

    return tf.keras.layers.Conv2D(filters, 3, padding="same")(x)


# --- SOFTMAX ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_softmax_dense(tmp_path, seed):
    import tensorflow as tf

    layers = tf.keras.layers
    model = convert(lambda x: layers.Softmax()(layers.Dense(10 + seed)(layers.Flatten()(x))), [SHAPE], seed=seed)
    assert_bit_exact(model, tmp_path, expect_ops={"SOFTMAX"}, seed=seed, vectors=12)


@pytest.mark.parametrize("seed", [3, 4])
def test_softmax_4d_last_axis(tmp_path, seed):
    import tensorflow as tf

    model = convert(lambda x: tf.keras.layers.Softmax()(conv(x, 13)), [SHAPE], seed=seed)
    assert_bit_exact(model, tmp_path, expect_ops={"SOFTMAX"}, seed=seed, vectors=12)


@pytest.mark.parametrize("beta, input_scale", [(0.5, None), (2.7, None), (1.0, 0.9), (0.01, 0.02), (3.0, 6.0)])
def test_softmax_beta_and_scale(tmp_path, beta, input_scale):
    """beta != 1 is not reachable through the converter; a large input scale makes diff_min small."""
    import tensorflow as tf

    model = convert(lambda x: tf.keras.layers.Softmax()(conv(x, 11)), [(7, 9, 13)], seed=5)

    def edit(op, tensors):
        op.builtinOptions.beta = beta
        requantize(tensors[op.inputs[0]], input_scale)

    assert_bit_exact(edit_model(model, "SOFTMAX", edit), tmp_path, expect_ops={"SOFTMAX"}, vectors=12)


# --- LOGISTIC, TANH, HARD_SWISH ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_logistic(tmp_path, seed):
    import tensorflow as tf

    model = convert(lambda x: tf.keras.layers.Activation("sigmoid")(conv(x)), [SHAPE], seed=seed)
    assert_bit_exact(model, tmp_path, expect_ops={"LOGISTIC"}, seed=seed)


@pytest.mark.parametrize("input_scale, input_zp", [(0.002, 5), (0.3, -20), (40.0, 0)])
def test_logistic_input_quantisation(tmp_path, input_scale, input_zp):
    """Small scales use the whole Q4 range; large ones saturate at the radius (and shift left)."""
    import tensorflow as tf

    model = convert(lambda x: lam(tf.nn.sigmoid)(x), [SHAPE], seed=7)
    model = edit_model(model, "LOGISTIC", lambda op, ts: requantize(ts[op.inputs[0]], input_scale, input_zp))
    assert_bit_exact(model, tmp_path, expect_ops={"LOGISTIC"})


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tanh(tmp_path, seed):
    import tensorflow as tf

    model = convert(lambda x: lam(tf.nn.tanh)(conv(x)), [SHAPE], seed=seed)
    assert_bit_exact(model, tmp_path, expect_ops={"TANH"}, seed=seed)


@pytest.mark.parametrize("input_scale, output_scale, output_zp", [(0.004, 0.05, 17), (0.5, None, None)])
def test_tanh_ignores_output_quantisation(tmp_path, input_scale, output_scale, output_zp):
    """TFLite Micro assumes scale 1/128, zero point 0 for the output whatever the model says."""
    import tensorflow as tf

    def edit(op, ts):
        requantize(ts[op.inputs[0]], input_scale)
        requantize(ts[op.outputs[0]], output_scale, output_zp)

    model = edit_model(convert(lambda x: lam(tf.nn.tanh)(x), [SHAPE], seed=8), "TANH", edit)
    assert_bit_exact(model, tmp_path, expect_ops={"TANH"})


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hard_swish(tmp_path, seed):
    import tensorflow as tf

    model = convert(lambda x: lam(lambda y: y * tf.nn.relu6(y + 3.0) / 6.0)(conv(x)), [SHAPE], seed=seed)
    assert_bit_exact(model, tmp_path, expect_ops={"HARD_SWISH"}, seed=seed)


@pytest.mark.parametrize("input_scale, output_scale", [(0.5, 0.01), (0.01, 0.7), (2.0, 0.02)])
def test_hard_swish_rescale(tmp_path, input_scale, output_scale):
    """Exercises positive and negative reluish exponents (input scale vs 3/32768 * 128)."""
    import tensorflow as tf

    def edit(op, ts):
        requantize(ts[op.inputs[0]], input_scale)
        requantize(ts[op.outputs[0]], output_scale)

    model = convert(lambda x: tf.keras.layers.Activation("hard_swish")(x), [SHAPE], seed=9)
    assert_bit_exact(edit_model(model, "HARD_SWISH", edit), tmp_path, expect_ops={"HARD_SWISH"})


# --- LEAKY_RELU, RELU, RELU6 ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed, alpha", [(0, 0.2), (1, 0.3), (2, 0.01)])
def test_leaky_relu(tmp_path, seed, alpha):
    import tensorflow as tf

    model = convert(lambda x: lam(lambda y: tf.nn.leaky_relu(y, alpha=alpha))(conv(x)), [SHAPE], seed=seed)
    assert_bit_exact(model, tmp_path, expect_ops={"LEAKY_RELU"}, seed=seed)


@pytest.mark.parametrize("alpha, output_scale, output_zp",
                         [(-0.5, 0.03, 3), (-0.5, "input", None), (1.7, 0.2, -100), (0.1, 0.004, 60)])
def test_leaky_relu_edited(tmp_path, alpha, output_scale, output_zp):
    """Negative and > 1 alphas, output quantised unlike the input; alpha -0.5 with equal scales hits
    multiplier ties, where a negative multiplier rounds differently from negating a positive one."""
    import tensorflow as tf

    def edit(op, ts):
        op.builtinOptions.alpha = alpha
        scale = ts[op.inputs[0]].quantization.scale[0] if output_scale == "input" else output_scale
        requantize(ts[op.outputs[0]], scale, output_zp)

    model = convert(lambda x: lam(lambda y: tf.nn.leaky_relu(y, alpha=0.2))(x), [SHAPE], seed=10)
    assert_bit_exact(edit_model(model, "LEAKY_RELU", edit), tmp_path, expect_ops={"LEAKY_RELU"})


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_relu_rescaled(tmp_path, seed):
    """The converter gives RELU an output scale different from its input when the input is shared."""
    import tensorflow as tf

    layers = tf.keras.layers
    model = convert(lambda x: layers.Concatenate()([lam(tf.nn.relu)(x), lam(lambda y: y * 3.0)(x)]), [SHAPE],
                    seed=seed)
    assert_bit_exact(model, tmp_path, expect_ops={"RELU"}, seed=seed)


@pytest.mark.parametrize("output_scale, output_zp", [(None, None), (0.5, -3), (0.001, -128)])
def test_relu_standalone(tmp_path, output_scale, output_zp):
    import tensorflow as tf

    model = convert(lambda x: lam(tf.nn.relu)(x), [SHAPE], seed=11)
    model = edit_model(model, "RELU", lambda op, ts: requantize(ts[op.outputs[0]], output_scale, output_zp))
    assert_bit_exact(model, tmp_path, expect_ops={"RELU"})


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_relu6(tmp_path, seed):
    import tensorflow as tf

    model = convert(lambda x: lam(tf.nn.relu6)(x), [SHAPE], seed=seed)
    assert_bit_exact(model, tmp_path, expect_ops={"RELU6"}, seed=seed)


@pytest.mark.parametrize("input_scale, input_zp, output_scale, output_zp", [
    (0.01, -60, 0.2, 40),  # 6 / s_in beyond int8: the upper clamp is 127
    (0.07, 10, None, None),
])
def test_relu6_ignores_output_quantisation(tmp_path, input_scale, input_zp, output_scale, output_zp):
    """TFLite Micro clamps the raw input in the input's domain and copies it: no rescale to the output."""
    import tensorflow as tf

    def edit(op, ts):
        requantize(ts[op.inputs[0]], input_scale, input_zp)
        requantize(ts[op.outputs[0]], output_scale, output_zp)

    model = edit_model(convert(lambda x: lam(tf.nn.relu6)(x), [SHAPE], seed=12), "RELU6", edit)
    assert_bit_exact(model, tmp_path, expect_ops={"RELU6"})


# --- QUANTIZE, DEQUANTIZE --------------------------------------------------------------------------------


def assert_bit_exact_float_input(model: bytes, tmp_path, make_inputs, expect_ops: set[str]) -> None:
    """assert_bit_exact for a float-input model, with vectors from `make_inputs(scale, zero_point, shape)`.

    tinygen's random vectors spread a float input over its own (absent, so 1.0) scale, which saturates
    almost every QUANTIZE; these use the scale of the int8 tensor the QUANTIZE writes.
    """

    def vectors_for(firmware):
        graph = firmware.graph
        (quantize,) = [op for op in graph.operators if op.opcode == "QUANTIZE" and op.inputs[0] == graph.inputs[0]]
        q = graph.tensor(quantize.outputs[0]).quant
        return [[v.astype(np.float32)] for v in make_inputs(q.scale, q.zero_point, firmware.code.inputs[0].shape)]

    assert_bit_exact(model, tmp_path, expect_ops=expect_ops, vectors_for=vectors_for)


def _uniform(seed: int):
    """Float vectors over the int8 range of the QUANTIZE, 10 % beyond either end (saturation)."""
    def make(scale, zp, shape):
        rng = np.random.default_rng(seed)
        lo, hi = (-128 - zp) * scale, (127 - zp) * scale
        return [rng.uniform(lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo), shape) for _ in range(6)]
    return make


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_float_io_logistic(tmp_path, seed):
    """QUANTIZE float32 -> int8 in front, DEQUANTIZE int8 -> float32 behind: float outputs compared exactly."""
    import tensorflow as tf

    model = convert(lambda x: tf.keras.layers.Activation("sigmoid")(conv(x)), [SHAPE], seed=seed, io="float")
    assert_bit_exact_float_input(model, tmp_path, _uniform(seed), {"QUANTIZE", "DEQUANTIZE", "LOGISTIC"})


@pytest.mark.parametrize("seed", [3, 4])
def test_float_io_relu(tmp_path, seed):
    import tensorflow as tf

    model = convert(lambda x: lam(tf.nn.relu)(x), [(7, 11, 3)], seed=seed, io="float")
    assert_bit_exact_float_input(model, tmp_path, _uniform(seed), {"QUANTIZE", "RELU", "DEQUANTIZE"})


def _exact_ties(scale: float) -> np.ndarray:
    """float32 inputs x with x / scale (float32 divide) exactly k + 1/2, for |k| up to 300."""
    scale = np.float32(scale)
    near = ((np.arange(-300, 300) + 0.5).astype(np.float32) * scale).view(np.int32)
    candidates = np.concatenate([(near + ulp).view(np.float32) for ulp in range(-4, 5)])
    quotient = candidates / scale
    return candidates[quotient - np.floor(quotient) == np.float32(0.5)]


def _ties(scale, zp, shape):
    ties = _exact_ties(scale)
    assert ties.size > 100
    flat = np.resize(np.concatenate([ties, np.nextafter(ties, -np.inf), np.nextafter(ties, np.inf)]),
                     (4, int(np.prod(shape))))
    return [row.reshape(shape) for row in flat]


def test_quantize_rounding_ties(tmp_path):
    """Inputs exactly on half steps of the output scale (roundf: half away from zero), and 1 ulp either side.

    QUANTIZE -> RESHAPE -> DEQUANTIZE: every int8 value reaches the float output unchanged."""
    import tensorflow as tf

    model = convert(lambda x: tf.keras.layers.Reshape((72, 7))(x), [(8, 9, 7)], seed=5, io="float")
    assert_bit_exact_float_input(model, tmp_path, _ties, {"QUANTIZE", "DEQUANTIZE"})


@pytest.mark.parametrize("input_scale, input_zp", [(0.05, 3), (0.003, -90), (1.5, 100)])
def test_quantize_int8_requantize(tmp_path, input_scale, input_zp):
    """int8 -> int8 QUANTIZE: the float-I/O model's QUANTIZE with its input retyped to int8."""
    import tensorflow as tf

    def edit(op, ts):
        from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema

        t = ts[op.inputs[0]]
        t.type = schema.TensorType.INT8
        t.quantization = schema.QuantizationParametersT()
        t.quantization.scale, t.quantization.zeroPoint = [float(np.float32(input_scale))], [input_zp]

    model = convert(lambda x: lam(tf.nn.relu6)(x), [SHAPE], seed=13, io="float")
    assert_bit_exact(edit_model(model, "QUANTIZE", edit), tmp_path, expect_ops={"QUANTIZE"})


# --- what TFLite Micro rejects (or aborts on), tinygen refuses with a message ------------------------------


@pytest.mark.parametrize("opcode, build, edit, message", [
    ("SOFTMAX", lambda tf, x: tf.keras.layers.Softmax()(x),
     lambda op, ts: requantize(ts[op.outputs[0]], 1 / 128), "scale 1/256"),
    ("SOFTMAX", lambda tf, x: tf.keras.layers.Softmax()(x),
     lambda op, ts: setattr(op.builtinOptions, "beta", 1e-9), "not > 1"),
    ("LOGISTIC", lambda tf, x: tf.keras.layers.Activation("sigmoid")(x),
     lambda op, ts: requantize(ts[op.outputs[0]], None, 0), "zero point"),
    ("HARD_SWISH", lambda tf, x: tf.keras.layers.Activation("hard_swish")(x),
     lambda op, ts: (requantize(ts[op.inputs[0]], 1.0), requantize(ts[op.outputs[0]], 0.001)), "HARD_SWISH"),
])
def test_rejected(tmp_path, opcode, build, edit, message):
    import tensorflow as tf

    from tinygen.boards import load_board
    from tinygen.errors import InputError
    from tinygen.pipeline import build_firmware

    path = tmp_path / "model.tflite"
    path.write_bytes(edit_model(convert(lambda x: build(tf, x), [(3, 5, 7)], seed=1), opcode, edit))
    with pytest.raises(InputError, match=message):
        build_firmware(path, load_board("host"), output=tmp_path / "host")
