"""`tinygen quantize` end to end through click's CliRunner on a digits CNN trained once per module.

Contract: exit 0 with OUT written (an int8 .tflite tinygen imports), float vs int8
top-1 within a point and a per-layer SQNR list; every bad input exits 2 with one
"tinygen: error:" line naming the file, and writes no OUT.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.commands.test_cli import invoke, one_error_line, one_json_object
from tests.quant.digits import shared_digits
from tests.tools import require_module
from tinygen.importers.tflite import load_tflite

WEIGHTED = {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"}


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    return shared_digits(tmp_path_factory)


def test_quantize_json(digits, tmp_path):
    out = tmp_path / "digits_int8.tflite"
    payload = one_json_object(invoke("quantize", digits.model, "--calib", digits.calib, "--eval", digits.eval,
                                     "-o", out, "--json"))
    assert out.exists() and [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary left behind
    graph = load_tflite(out)
    assert {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "SOFTMAX"} <= set(graph.opcode_counts())
    assert payload["output"] == str(out) and payload["metric"] == "top1"
    assert abs(payload["float_accuracy"] - digits.float_accuracy) < 1e-6
    assert abs(payload["quantized_accuracy"] - payload["float_accuracy"]) * 100 <= 1.0
    assert payload["eval_samples"] == 360 and payload["evaluated_on_calibration_set"] is False
    assert payload["weights_bytes"] == graph.weight_bytes
    layers = payload["layers"]
    assert [layer["op"] for layer in layers] == [op.opcode for op in graph.operators]
    weighted = [layer for layer in layers if layer["op"] in WEIGHTED]
    assert len(weighted) == 5
    assert all(math.isfinite(layer["sqnr_db"]) and layer["sqnr_db"] > 20 and not layer["flagged"]
               for layer in weighted)
    assert payload["unmatched"] == [] and payload["flagged"] == []


def test_quantize_table_float_io_on_the_calibration_set(digits, tmp_path):
    out = tmp_path / "digits_float_io.tflite"
    result = invoke("quantize", digits.model, "--calib", digits.calib, "-o", out, "--io", "float",
                    "--sqnr-threshold", "99")
    assert out.exists()
    text = result.stdout
    for needle in ("SQNR dB", "QUANTIZE", "DEPTHWISE_CONV_2D", "SOFTMAX", "top-1 float", "calibration set",
                   "weights", "< 99 dB"):
        assert needle in text, needle
    assert load_tflite(out).opcode_counts()["DEQUANTIZE"] == 1


def _npz(tmp_path, name="bad.npz", **arrays):
    path = tmp_path / name
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("case", ["missing model", "unreadable model", "missing data", "npz without x",
                                  "shape mismatch", "non-numeric", "empty calibration", "float ops"])
def test_bad_inputs(digits, tmp_path, case):
    model, calib, named, problem = digits.model, digits.calib, None, None
    if case == "missing model":
        model = named = tmp_path / "nope.keras"
        problem = "no such file"
    elif case == "unreadable model":
        model = named = tmp_path / "garbage.keras"
        model.write_bytes(b"not a keras archive")
        problem = "cannot load as a Keras model"
    elif case == "missing data":
        calib = named = tmp_path / "nope.npz"
        problem = "no such file"
    elif case == "npz without x":
        calib = named = _npz(tmp_path, images=np.zeros((2, 8, 8, 1)))
        problem = "no array 'x'"
    elif case == "shape mismatch":
        calib = named = _npz(tmp_path, x=np.zeros((2, 28, 28, 1)))
        problem = "(N, 8, 8, 1)"
    elif case == "non-numeric":
        calib = named = _npz(tmp_path, x=np.full((2, 8, 8, 1), "a"))
        problem = "non-numeric"
    elif case == "empty calibration":
        calib = named = _npz(tmp_path, x=np.zeros((0, 8, 8, 1), np.float32))
        problem = "no samples"
    else:
        tf = require_module("tensorflow")
        inp = tf.keras.Input((8, 8, 1))
        x = tf.keras.layers.Activation("log_sigmoid")(tf.keras.layers.Conv2D(2, 3)(inp))
        model = named = tmp_path / "log_sigmoid.keras"
        tf.keras.Model(inp, x).save(model)
        problem = "left in float"
    out = tmp_path / "out.tflite"
    result = invoke("quantize", model, "--calib", calib, "-o", out, exit_code=2)
    one_error_line(result, str(named), problem)
    assert result.stdout == ""
    assert not out.exists()
    payload = one_json_object(invoke("quantize", model, "--calib", calib, "-o", out, "--json", exit_code=2))
    assert set(payload) == {"schema_version", "error"} and str(named) in payload["error"]["message"]
    assert not out.exists()


def test_missing_output_folder(digits, tmp_path):
    out = tmp_path / "no" / "such" / "out.tflite"
    result = invoke("quantize", digits.model, "--calib", digits.calib, "-o", out, exit_code=2)
    one_error_line(result, str(out), "does not exist")
