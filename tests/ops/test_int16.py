"""16x8 layers (int16 activations, int8 weights) against TFLite Micro: FULLY_CONNECTED, CONV_2D,
DEPTHWISE_CONV_2D, ADD, SUB, MUL, LEAKY_RELU, LOGISTIC, TANH, AVERAGE_POOL_2D, MAX_POOL_2D, SOFTMAX, MEAN,
SUM, PAD, STRIDED_SLICE, the copies (CONCATENATION, SPLIT, SPLIT_V, SLICE, PACK, UNPACK, TRANSPOSE), and the
QUANTIZE/DEQUANTIZE that join int16 to float or int8 (host and mps2-an386)."""

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.ops.flatbuffer import edit_model
from tests.ops.harness import assert_bit_exact, convert
from tests.synthetic import _Writer, softmax_to_int16

BOARDS = ("host", "mps2-an386")


@pytest.mark.parametrize("shape, units, activation", [((37,), 13, "relu"), ((5, 23), 7, None)])
def test_fully_connected_int16(tmp_path, shape, units, activation):
    import tensorflow as tf

    model = convert(lambda x: tf.keras.layers.Dense(units, activation=activation)(x), [shape], seed=units,
                    io="int16")
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"FULLY_CONNECTED"})


@pytest.mark.parametrize("padding, strides, dilation, multiplier", [("same", 2, 1, 2), ("valid", 1, 2, 1)])
def test_conv_and_depthwise_int16(tmp_path, padding, strides, dilation, multiplier):
    import tensorflow as tf

    def build(x):
        x = tf.keras.layers.Conv2D(6, 3, strides=strides, padding=padding, dilation_rate=dilation,
                                   activation="relu6")(x)
        return tf.keras.layers.DepthwiseConv2D((3, 2), padding=padding, depth_multiplier=multiplier,
                                               dilation_rate=dilation)(x)

    model = convert(build, [(13, 11, 3)], seed=strides + multiplier, io="int16")
    # mps3-an547 too: its Helium kernels and mps2-an386's DSP ones are int8's, which int16 layers must not take
    assert_bit_exact(model, tmp_path, expect_ops={"CONV_2D", "DEPTHWISE_CONV_2D"})


def test_int32_bias_takes_tflite_micros_32_bit_path(tmp_path):
    """With int32 biases TFLite Micro accumulates and requantises in 32 bits (its 64-bit requantisation rounds
    the multiplier to 16 bits, so the two paths differ). The converter keeps the convolution's bias and drops
    the dense layer's all-zero one, whose width then comes from quantized_bias_type in the layer's options.
    RESHAPE (an alias) passes int16 through."""
    import tensorflow as tf

    def build(x):
        x = tf.keras.layers.Conv2D(5, 3, padding="same")(x)
        return tf.keras.layers.Dense(4)(tf.keras.layers.Flatten()(x))

    model = convert(build, [(9, 8, 3)], seed=2, io="int16", int32_bias=True)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"CONV_2D", "FULLY_CONNECTED", "RESHAPE"})


@pytest.mark.parametrize("broadcast", [False, True])
def test_add_int16(tmp_path, broadcast):
    import tensorflow as tf

    def build(a, b):
        return tf.keras.layers.ReLU()(tf.keras.layers.Add()([a, b]))

    model = convert(build, [(6, 5, 7), (1, 5, 7) if broadcast else (6, 5, 7)], seed=7 + broadcast, io="int16")
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"ADD"})


@pytest.mark.parametrize("shapes", [((4, 3, 9), (4, 3, 9)), ((1, 3, 1), (5, 3, 6))])
def test_sub_int16(tmp_path, shapes):
    """a - b, broadcast either way, with a fused RELU6."""
    import tensorflow as tf

    def build(a, b):
        return tf.keras.layers.ReLU(6.0)(tf.keras.layers.Subtract()([a, b]))

    model = convert(build, list(shapes), seed=3 + len(shapes[0]) + shapes[0][0], io="int16")
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"SUB"})


@pytest.mark.parametrize("shapes", [((5, 4, 7), (5, 4, 7)), ((5, 1, 7), (1, 6, 1))])
def test_mul_int16(tmp_path, shapes):
    """a * b, broadcast both ways in the second case, with a fused RELU."""
    import tensorflow as tf

    def build(a, b):
        return tf.keras.layers.ReLU()(tf.keras.layers.Multiply()([a, b]))

    model = convert(build, list(shapes), seed=11 + shapes[1][1], io="int16")
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"MUL"})


@pytest.mark.parametrize("alpha", [0.3, -0.7])
def test_leaky_relu_int16(tmp_path, alpha):
    """The identity and alpha paths rescale separately; a negative alpha negates the alpha path's result."""
    import tensorflow as tf

    def build(x):
        return tf.keras.layers.Lambda(lambda y: tf.nn.leaky_relu(y, alpha=alpha))(tf.keras.layers.Dense(11)(x))

    model = convert(build, [(3, 7)], seed=int(alpha * 10) + 20, io="int16")
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"LEAKY_RELU", "FULLY_CONNECTED"})


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_logistic_and_tanh_int16(tmp_path, activation):
    """TFLite Micro's table interpolation, the input rescaled from the dense layer's (not a power of two) scale;
    wide inputs reach the saturated ends."""
    import tensorflow as tf

    def build(x):
        return tf.keras.layers.Activation(activation)(tf.keras.layers.Dense(19)(x))

    model = convert(build, [(4, 9)], seed=5 + len(activation), io="int16")
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"LOGISTIC" if activation == "sigmoid" else "TANH"})


@pytest.mark.parametrize("opcode, log2_scale", [("LOGISTIC", -12), ("TANH", -12), ("TANH", -11)])
def test_logistic_and_tanh_int16_on_power_of_two_scales(tmp_path, opcode, log2_scale):
    """The input scales TFLite Micro takes as powers of two (multiplier 3 << shift, no rounding shift)."""
    w = _Writer()
    x = w.tensor("x", (1, 7, 13), scale=2.0 ** log2_scale, zero_point=0, dtype="INT16")
    y = w.tensor("y", (1, 7, 13), scale=2.0 ** -15, zero_point=0, dtype="INT16")
    w.op(opcode, [x], [y])
    path = w.write(tmp_path / "sigmoid.tflite", [x], [y])
    assert_bit_exact(path, tmp_path, boards=BOARDS, expect_ops={opcode})


@pytest.mark.parametrize("shape, beta", [((3, 17), None), ((2, 3, 40), 0.6)])
def test_softmax_int16(tmp_path, shape, beta):
    """TFLite Micro's exp and reciprocal tables (built in float32 by tinygen as TFLite builds them), along the last
    axis of a dense layer's output; beta != 1 (set in the file: the converter keeps 1) rescales the differences."""
    import tensorflow as tf

    def set_beta(op, tensors):
        op.builtinOptions.beta = beta

    model = convert(lambda x: tf.keras.layers.Softmax()(tf.keras.layers.Dense(shape[-1])(x)), [shape],
                    seed=len(shape) + 9, io="int16")
    model = model if beta is None else edit_model(model, "SOFTMAX", set_beta)
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"SOFTMAX"})


@pytest.mark.parametrize("shape, beta, seed", [((3, 11), 1.0, 0), ((2, 4, 37), 0.7, 1)])
def test_softmax_int8_to_int16(tmp_path, shape, beta, seed):
    """int8 in, int16 out (scale 1/65536, zero point -32768): TFLite Micro's int8 softmax with a wider result,
    as its keyword_scrambled model has it; random input quantisation."""
    path = softmax_to_int16(tmp_path / "softmax.tflite", seed, shape, beta)
    assert_bit_exact(path, tmp_path, boards=BOARDS, expect_ops={"SOFTMAX"}, vectors=8)


@pytest.mark.parametrize("padding, pool, strides", [("same", (3, 2), 2), ("valid", (2, 3), (1, 2))])
def test_pools_int16(tmp_path, padding, pool, strides):
    """AVERAGE_POOL_2D (rounded half away from zero, padded taps left out) and MAX_POOL_2D on int16, after a
    convolution with a fused RELU6 so the values are those of a layer's output."""
    import tensorflow as tf

    def build(x):
        x = tf.keras.layers.Conv2D(5, 3, activation="relu6")(x)
        a = tf.keras.layers.AveragePooling2D(pool, strides, padding)(x)
        return a, tf.keras.layers.MaxPooling2D(pool, strides, padding)(x)

    model = convert(build, [(12, 11, 3)], seed=len(padding), io="int16")
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"AVERAGE_POOL_2D", "MAX_POOL_2D"})


@pytest.mark.parametrize("keep_dims", [True, False])
def test_mean_and_sum_int16(tmp_path, keep_dims):
    """MEAN over the spatial axes (1/count folded into the multiplier) and SUM over the last one, of a
    convolution's int16 output."""
    import tensorflow as tf

    def build(x):
        x = tf.keras.layers.Conv2D(6, 3)(x)
        mean = tf.keras.layers.Lambda(lambda t: tf.reduce_mean(t, axis=[1, 2], keepdims=keep_dims))(x)
        return mean, tf.keras.layers.Lambda(lambda t: tf.reduce_sum(t, axis=-1, keepdims=keep_dims))(x)

    model = convert(build, [(9, 7, 3)], seed=13 + keep_dims, io="int16")
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"MEAN", "SUM"})


@pytest.mark.parametrize("conv", [False, True])
def test_pad_and_strided_slice_int16(tmp_path: Path, conv: bool) -> None:
    """Both copy int16 elements: PAD of odd amounts on every axis but the batch (of the graph input, or of a
    convolution's output), then a reversed, strided slice (one shrinks an axis) that starts in the padding."""
    import tensorflow as tf

    def build(x: Any) -> Any:
        if conv:
            x = tf.keras.layers.Conv2D(5, 3)(x)
        y = tf.keras.layers.Lambda(lambda t: tf.pad(t, [[0, 0], [1, 2], [0, 3], [2, 1]]))(x)
        return y[:, 1:8:3, ::-1, 1:] if conv else y[:, -2, 9:0:-2, :5]

    model = convert(build, [(11, 9, 3)], seed=3 + conv, io="int16")
    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"PAD", "STRIDED_SLICE"})


def test_copies_int16(tmp_path: Path) -> None:
    """The copying ops TFLite Micro takes in int16, two bytes an element: SPLIT and SPLIT_V, CONCATENATION of the
    pieces in another order, TRANSPOSE, SLICE, PACK and UNPACK."""
    import tensorflow as tf

    def build(x: Any) -> Any:
        x = tf.keras.layers.Conv2D(8, 3)(x)
        lam = tf.keras.layers.Lambda
        a, b = lam(lambda t: tf.split(t, [3, 5], axis=-1))(x)
        top, bottom = lam(lambda t: tf.split(t, 2, axis=1))(x)
        joined = lam(lambda ts: tf.concat([ts[1], ts[0]], axis=-1))([a, b])
        turned = lam(lambda t: tf.transpose(t, [0, 2, 1, 3]))(joined)
        cut = lam(lambda t: tf.slice(t, [0, 1, 2, 1], [1, 4, 3, 6]))(turned)
        rows = lam(lambda t: tf.unstack(t, axis=2))(top)
        stacked = lam(lambda ts: tf.stack(ts, axis=1))([rows[0], rows[-1]])
        return cut, stacked, bottom

    model = convert(build, [(10, 9, 3)], seed=21, io="int16")
    assert_bit_exact(model, tmp_path, boards=BOARDS,
                     expect_ops={"SPLIT", "SPLIT_V", "CONCATENATION", "TRANSPOSE", "SLICE", "PACK", "UNPACK"})


def test_float_ends_of_a_16x8_model(tmp_path):
    """The converter's QUANTIZE float32 -> int16 and DEQUANTIZE int16 -> float32 around the 16x8 layers; the
    inputs span more than the calibrated range, so the int16 clamp is reached."""
    import tensorflow as tf

    model = convert(lambda x: tf.keras.layers.Dense(9)(x), [(17,)], seed=4, io="float16x8")
    rng = np.random.default_rng(1)

    def vectors(firmware):
        return [[rng.uniform(-8, 8, io.shape).astype(np.float32) for io in firmware.code.inputs] for _ in range(6)]

    assert_bit_exact(model, tmp_path, boards=BOARDS, expect_ops={"QUANTIZE", "DEQUANTIZE", "FULLY_CONNECTED"},
                     vectors_for=vectors)


def test_quantize_between_int16_and_int32(tmp_path):
    """int32 -> int16 -> int32, as TFLM's seanet quantize models do: Requantize each way, clamped to the type."""
    w = _Writer()
    shape = (1, 3, 11)
    x = w.tensor("x32", shape, scale=1.7e-6, zero_point=0, dtype="INT32")
    y = w.tensor("y16", shape, scale=4.1e-3, zero_point=0, dtype="INT16")
    out = w.tensor("out32", shape, scale=2.9e-5, zero_point=3, dtype="INT32")
    w.op("QUANTIZE", [x], [y])
    w.op("QUANTIZE", [y], [out])
    path = w.write(tmp_path / "requantize32.tflite", [x], [out])
    assert_bit_exact(path, tmp_path, boards=BOARDS, expect_ops={"QUANTIZE"})


def test_quantize_between_int8_and_int16(tmp_path):
    """int16 -> int8 -> int16 -> int16 (another scale and zero point): TFLite Micro's Requantize each way."""
    w = _Writer()
    shape = (1, 5, 7)
    x = w.tensor("x", shape, scale=3.1e-4, zero_point=0, dtype="INT16")
    y = w.tensor("y8", shape, scale=0.037, zero_point=-5)
    z = w.tensor("z16", shape, scale=2.3e-4, zero_point=0, dtype="INT16")
    out = w.tensor("out16", shape, scale=7.7e-4, zero_point=11, dtype="INT16")
    for a, b in ((x, y), (y, z), (z, out)):
        w.op("QUANTIZE", [a], [b])
    path = w.write(tmp_path / "requantize.tflite", [x], [out])
    assert_bit_exact(path, tmp_path, boards=BOARDS, expect_ops={"QUANTIZE"})
