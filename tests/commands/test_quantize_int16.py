"""`tinygen quantize --activations` and `tinygen deploy`'s activation choice on the made models of tests/quant/wide.py.

Contract: int16 writes a 16x8 model with int16 ends; auto takes int16 for the
difference model (int8 loses a quarter of the output power) and says so with
both figures, in text and JSON; deploy on the host board builds the int16
model and runs it bit-exact; the pairs that make no sense exit 2 with one line.
"""

from __future__ import annotations

import pytest

from tests.commands.test_cli import invoke, one_error_line, one_json_object
from tests.quant.wide import make
from tinygen.importers.tflite import load_tflite


@pytest.fixture(scope="module")
def difference(tmp_path_factory):
    return make("difference", tmp_path_factory.mktemp("wide"))


def test_int16_writes_a_16x8_model(difference, tmp_path):
    model, calib = difference
    out = tmp_path / "d16.tflite"
    payload = one_json_object(invoke("quantize", model, "--calib", calib, "--activations", "int16", "-o", out,
                                     "--json"))
    graph = load_tflite(out)
    assert [graph.tensor(t).dtype for t in (*graph.inputs, *graph.outputs)] == ["int16", "int16"]
    assert payload["activations"] == "int16" and payload["activation_choice"] is None
    assert payload["metric"] == "mse" and payload["mse"] < 1e-4
    assert [layer["op"] for layer in payload["layers"]] == ["FULLY_CONNECTED"] and payload["layers"][0]["sqnr_db"] > 40


def test_auto_says_which_and_why(difference, tmp_path):
    model, calib = difference
    result = invoke("quantize", model, "--calib", calib, "--activations", "auto", "-o", tmp_path / "d.tflite")
    text = " ".join(result.stdout.split())
    assert "activations: int16 (int8 loses" in text and "over --max-accuracy-drop 1; int16 loses" in text


def test_deploy_chooses_int16_and_runs_it_bit_exact(difference, tmp_path):
    model, calib = difference
    out = tmp_path / "deployed"
    payload = one_json_object(invoke("deploy", model, "--calib", calib, "--board", "host", "-o", out, "--json"))
    choice = payload["activation_choice"]
    assert choice["chosen"] == "int16" and choice["metric"] == "mse" and choice["max_accuracy_drop"] == 1.0
    assert choice["int8"]["drop"] > 10 > 0.01 > choice["int16"]["drop"]
    assert payload["precision"] == "int16 activations" and payload["activations"] == "int16"
    assert payload["model"] == str(out / "difference_int16.tflite")
    assert payload["ran"] and payload["bit_exact"] and payload["mismatches"] == 0 and payload["vectors"] == 10
    graph = load_tflite(out / "difference_int16.tflite")
    assert graph.tensor(graph.inputs[0]).dtype == "int16"


@pytest.mark.parametrize(("args", "needles"), [
    (("--activations", "int16", "--flash-budget", "1K"), ("int4 filters", "only with int8 activations")),
    (("--max-accuracy-drop", "2"), ("--max-accuracy-drop is the threshold of --activations auto",)),
])
def test_pairs_that_make_no_sense_are_refused(difference, tmp_path, args, needles):
    model, calib = difference
    out = tmp_path / "refused.tflite"
    result = invoke("quantize", model, "--calib", calib, "-o", out, *args, exit_code=2)
    one_error_line(result, str(model), *needles)
    assert not out.exists()
