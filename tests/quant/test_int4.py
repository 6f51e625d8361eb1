"""tinygen/quant/int4.py and rewrite.py: int4 weights in range, the clipping search helps, TFLM runs the file."""

from __future__ import annotations

import numpy as np
import pytest

from tests.ops.harness import assert_bit_exact, convert
from tinygen.importers.tflite import load_tflite, parse_tflite
from tinygen.quant.int4 import INT4_LIMIT, requantize_bias, requantize_int4
from tinygen.quant.rewrite import int4_candidates, with_int4_weights


def test_per_channel_values_in_range_and_clipping_beats_max_abs():
    rng = np.random.default_rng(0)
    values8 = np.clip(np.round(rng.standard_t(3, (6, 3, 3, 5)) * 20), -127, 127).astype(np.int8)  # heavy tails
    scales8 = rng.uniform(0.001, 0.01, 6)
    layer = requantize_int4(values8, scales8, 0, per_channel=True)
    assert layer.values.shape == values8.shape and layer.scales.shape == (6,)
    assert np.abs(layer.values).max() <= INT4_LIMIT
    real = values8.astype(np.float64) * scales8[:, None, None, None]
    error = ((real - layer.values * layer.scales[:, None, None, None].astype(np.float64)) ** 2).sum()
    max_abs = np.abs(real).reshape(6, -1).max(axis=1) / INT4_LIMIT
    plain = np.clip(np.round(real / max_abs[:, None, None, None]), -7, 7) * max_abs[:, None, None, None]
    assert error < ((real - plain) ** 2).sum()


def test_per_tensor_and_zero_channels_keep_a_positive_scale():
    values8 = np.zeros((4, 10), np.int8)
    values8[1] = np.arange(10) - 5
    layer = requantize_int4(values8, [0.02] * 4, 0, per_channel=False)
    assert layer.scales.shape == (1,) and layer.scales[0] > 0
    assert requantize_int4(values8, [0.02] * 4, 0, per_channel=True).scales.min() > 0


def test_bias_keeps_its_real_value():
    bias = np.array([1000, -2001, 5], np.int32)
    out = requantize_bias(bias, [0.01, 0.02, 0.03], np.array([0.1, 0.1, 0.3], np.float32))
    assert out.tolist() == [100, -400, 0]


def _mixed_ops_model() -> bytes:
    """Conv (odd filter sizes), depthwise, dense: every int4 kernel with odd element counts."""
    import tensorflow as tf

    L = tf.keras.layers

    def build(x):
        x = L.Conv2D(5, 3, strides=2, padding="same", activation="relu")(x)  # 5x3x3x3 = 135 values
        x = L.DepthwiseConv2D(3, padding="valid")(x)  # 1x3x3x5 = 45 values
        return L.Dense(7)(L.Flatten()(x))

    return convert(build, [(11, 9, 3)], seed=3)


@pytest.mark.slow
def test_int4_model_is_bit_exact_against_tflite_micro(tmp_path):
    blob = _mixed_ops_model()
    graph = parse_tflite(blob, "m", "m")
    ops = [op.index for op in int4_candidates(graph)]
    assert [graph.operators[i].opcode for i in ops] == ["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"]
    mixed = with_int4_weights(blob, ops)
    path = tmp_path / "int4.tflite"
    path.write_bytes(mixed)
    int4 = load_tflite(path)
    filters = [int4.tensor(int4.operators[i].inputs[1]) for i in ops]
    assert [t.dtype for t in filters] == ["int4"] * 3
    assert all(np.abs(t.data).max() <= INT4_LIMIT for t in filters)
    saved = sum(t.elements - t.size_bytes for t in filters)
    assert int4.weight_bytes == graph.weight_bytes - saved
    assert_bit_exact(path, tmp_path, vectors=8)


@pytest.mark.slow
def test_one_int4_layer_among_int8_ones(tmp_path):
    blob = _mixed_ops_model()
    path = tmp_path / "one.tflite"
    path.write_bytes(with_int4_weights(blob, [1]))
    assert [t.dtype for t in load_tflite(path).tensors if t.is_constant and t.dtype in ("int4", "int8")] \
        .count("int4") == 1
    assert_bit_exact(path, tmp_path, vectors=4)
