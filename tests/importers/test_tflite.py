"""The .tflite importer: what it reads from real models, and one clear error for every broken file."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.models import shared_model
from tests.tools import require_module
from tinygen.commands.options import default_model
from tinygen.errors import InputError
from tinygen.importers.tflite import load_tflite, parse_tflite
from tinygen.ir.attrs import Conv2DAttrs, Pool2DAttrs


@pytest.mark.shared_models
def test_kws_structure():
    g = load_tflite(shared_model("kws_ref_model"))
    assert g.opcode_counts() == {"CONV_2D": 5, "DEPTHWISE_CONV_2D": 4, "AVERAGE_POOL_2D": 1, "RESHAPE": 1,
                                 "FULLY_CONNECTED": 1, "SOFTMAX": 1}
    first = g.operators[0]
    assert first.attrs == Conv2DAttrs("SAME", 2, 2, 1, 1, "RELU")
    assert g.tensor(first.inputs[0]).shape == (1, 49, 10, 1)
    weights = g.tensor(first.inputs[1])
    assert weights.shape == (64, 10, 4, 1) and weights.dtype == "int8" and weights.data.dtype == np.int8
    assert weights.quant.per_channel and len(weights.quant.scales) == 64 and weights.quant.axis == 0
    assert g.tensor(first.inputs[2]).dtype == "int32"
    assert g.operators[9].attrs == Pool2DAttrs("VALID", 25, 5, 25, 5, "NONE")
    assert g.tensor(g.inputs[0]).quant.zero_point == g.tensor(g.inputs[0]).quant.zero_points[0]


def test_bundled_example_imports():
    g = load_tflite(default_model())
    assert g.tensor(g.inputs[0]).shape == (1, 8, 8, 1)
    assert g.tensor(g.outputs[0]).shape == (1, 10)


def test_the_example_reads_as_tensorflow_lite_reads_it():
    """Every operator's opcode and tensors, every tensor's shape, type, quantisation and constant data, against
    TensorFlow Lite's own reader (its interpreter), on the bundled example."""
    tf = require_module("tensorflow")
    interpreter = tf.lite.Interpreter(  # no XNNPACK: it would fold the operators into one DELEGATE node
        model_path=str(default_model()),
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interpreter.allocate_tensors()
    g = load_tflite(default_model())
    theirs = [(op["op_name"], tuple(map(int, op["inputs"])), tuple(map(int, op["outputs"])))
              for op in interpreter._get_ops_details()]
    assert [(op.opcode, op.inputs, op.outputs) for op in g.operators] == theirs
    details = {d["index"]: d for d in interpreter.get_tensor_details()}  # with the interpreter's own temporaries
    for tensor in g.tensors:
        want = details[tensor.index]
        assert (tensor.name, tensor.shape) == (want["name"], tuple(map(int, want["shape"])))
        assert np.dtype(tensor.dtype) == np.dtype(want["dtype"])
        quant = want["quantization_parameters"]
        if len(quant["scales"]):
            assert np.allclose(tensor.quant.scales, quant["scales"], rtol=1e-7, atol=0)
            assert tensor.quant.zero_points == tuple(quant["zero_points"])
            assert tensor.quant.axis == quant["quantized_dimension"]
        if tensor.is_constant:
            np.testing.assert_array_equal(tensor.data, interpreter.get_tensor(tensor.index))


def _one_line_error(path, *needles):
    with pytest.raises(InputError) as info:
        load_tflite(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    for needle in needles:
        assert needle in message
    return message


def test_missing_file(tmp_path):
    _one_line_error(tmp_path / "nope.tflite", "no such file")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.tflite"
    path.write_bytes(b"")
    _one_line_error(path, "empty")


def test_text_file(tmp_path):
    path = tmp_path / "model.tflite"
    path.write_text("this is not a model\n")
    _one_line_error(path, "not a TFLite flatbuffer")


def test_random_bytes(tmp_path):
    path = tmp_path / "random.tflite"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    _one_line_error(path, "not a TFLite flatbuffer")


@pytest.mark.parametrize("keep", [12, 200, 0.5, 0.97])
def test_truncated(tmp_path, keep):
    raw = default_model().read_bytes()
    n = int(len(raw) * keep) if isinstance(keep, float) else keep
    path = tmp_path / "truncated.tflite"
    path.write_bytes(raw[:n])
    _one_line_error(path, "re-export")



def test_no_tensorflow_import():
    """`check` and `inspect` must not pay TensorFlow's import time."""
    import subprocess

    code = ("import sys; from tinygen.importers.tflite import load_tflite; import tinygen.commands.check; "
            "import tinygen.commands.inspect; print('tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_corrupted_bytes_never_escape_as_crashes(data):
    """Any byte-level corruption either still parses or is one InputError line."""
    raw = bytearray(default_model().read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(8, len(raw) - 1))
        raw[pos] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(8, len(raw)))
    try:
        parse_tflite(bytes(raw[:cut]), name="m", origin="m.tflite")
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("m.tflite: ")
