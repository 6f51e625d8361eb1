"""tinygen/quant: data loading, conversion and the accuracy/SQNR report on the digits CNN."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.quant.digits import shared_digits
from tests.tools import require_module
from tinygen.errors import InputError
from tinygen.quant.convert import convert_float, convert_quantized, load_model
from tinygen.quant.data import load_dataset
from tinygen.quant.report import _name_keys, quant_report

WEIGHTED = {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"}


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    return shared_digits(tmp_path_factory)


# --- data --------------------------------------------------------------------------------------------------------


def test_npz_adds_a_missing_channel_axis_and_reads_one_hot_labels(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, x=np.zeros((5, 8, 8), np.uint8), y=np.eye(3)[[0, 1, 2, 1, 0]])
    data = load_dataset(path, (8, 8, 1))
    assert data.x.shape == (5, 8, 8, 1) and data.x.dtype == np.float32
    assert data.y.tolist() == [0, 1, 2, 1, 0]


@pytest.mark.parametrize("arrays, problem", [
    ({"images": np.zeros((2, 8, 8, 1))}, "no array 'x'"),
    ({"x": np.zeros((2, 4, 4, 1))}, "shape"),
    ({"x": np.array([["a"] * 64] * 2).reshape(2, 8, 8, 1)}, "non-numeric"),
    ({"x": np.zeros((0, 8, 8, 1))}, "no samples"),
    ({"x": np.zeros((2, 8, 8, 1)), "y": np.zeros(3)}, "one integer label per sample"),
])
def test_bad_npz(tmp_path, arrays, problem):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(InputError, match=problem) as info:
        load_dataset(path, (8, 8, 1))
    assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)


def test_image_folder(tmp_path):
    from PIL import Image

    for label, shade in (("cat", 0), ("dog", 255)):
        (tmp_path / label).mkdir()
        for k in range(2):
            Image.new("RGB", (16, 12), (shade, shade, shade)).save(tmp_path / label / f"{k}.png")
    (tmp_path / "dog" / "notes.txt").write_text("not an image")
    data = load_dataset(tmp_path, (8, 8, 1))
    assert data.x.shape == (4, 8, 8, 1) and data.y.tolist() == [0, 0, 1, 1]
    assert data.x.min() == 0.0 and data.x.max() == 1.0
    with pytest.raises(InputError, match="no images"):
        load_dataset(tmp_path / "cat", (8, 8, 1))


# --- conversion and report ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("io", ["int8", "float"])
def test_report_matches_every_layer(digits, tmp_path, io):
    model = load_model(digits.model)
    assert model.input_shape == (8, 8, 1)
    calib = load_dataset(digits.calib, model.input_shape)
    evaluation = load_dataset(digits.eval, model.input_shape)
    int8_blob = convert_quantized(model, calib.x[:64], io)
    report = quant_report(convert_float(model), int8_blob, calib.x[:64], evaluation.x, evaluation.y, digits.eval,
                          False, tmp_path / "out.tflite", io, 20.0)
    assert report.accuracy.metric == "top1"
    assert abs(report.accuracy.float_value - digits.float_accuracy) < 1e-6  # float .tflite == Keras
    assert abs(report.accuracy.delta_points) <= 1.0
    assert not report.unmatched
    ops = [layer.op for layer in report.layers]
    assert ops[0] == ("CONV_2D" if io == "int8" else "QUANTIZE") and ops[-1] == "SOFTMAX"
    for layer in report.layers:
        assert layer.status == "ok" and math.isfinite(layer.sqnr_db)
        if layer.op in WEIGHTED:
            assert layer.sqnr_db > 20.0 and not layer.flagged
    assert 0 < report.weights_bytes < report.model_bytes == len(int8_blob)


def test_name_fallback_strips_quantize_suffixes():
    assert "serving_default_image:0" in _name_keys("serving_default_image:0_int8")
    assert "StatefulPartitionedCall_1:0" in _name_keys("StatefulPartitionedCall_1:01")
    assert _name_keys("conv/Relu")[:2] == ["conv/Relu", "conv/Relu"]


def test_operators_left_in_float_are_refused(tmp_path):
    tf = require_module("tensorflow")
    inp = tf.keras.Input((4,))
    path = tmp_path / "log_sigmoid.keras"
    tf.keras.Model(inp, tf.keras.layers.Activation("log_sigmoid")(tf.keras.layers.Dense(3)(inp))).save(path)
    calib = np.random.default_rng(0).uniform(0, 1, (8, 4)).astype(np.float32)
    with pytest.raises(InputError, match=r"left in float: NEG×") as info:
        convert_quantized(load_model(path), calib)
    assert str(info.value).startswith(str(path))
