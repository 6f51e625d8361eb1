"""`tinygen quantize --flash-budget`: mixed int8/int4 weights that fit, cost little, and run bit-exact.

The acceptance case: the digits CNN at 65% of its int8 weight bytes fits the
budget, loses at most 2 points against float, and `tinygen run` on mps2-an386
(QEMU, 10 random vectors) and on the host is bit-exact against TFLite Micro.
"""

from __future__ import annotations

import pytest

from tests.commands.test_cli import invoke, one_error_line, one_json_object
from tests.quant.digits import shared_digits
from tests.tools import require_tool
from tinygen.importers.tflite import load_tflite


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    return shared_digits(tmp_path_factory)


@pytest.fixture(scope="module")
def int8_weight_bytes(digits, tmp_path_factory):
    out = tmp_path_factory.mktemp("int8") / "digits_int8.tflite"
    invoke("quantize", digits.model, "--calib", digits.calib, "-o", out, "--json")
    return load_tflite(out).weight_bytes


@pytest.mark.slow
def test_budget_at_65_percent_fits_costs_at_most_2_points_and_runs_bit_exact(digits, int8_weight_bytes, tmp_path):
    budget = int(0.65 * int8_weight_bytes)
    out = tmp_path / "digits_mixed.tflite"
    payload = one_json_object(invoke("quantize", digits.model, "--calib", digits.calib, "--eval", digits.eval,
                                     "-o", out, "--flash-budget", budget, "--json"))
    mixed = payload["mixed"]
    graph = load_tflite(out)
    assert mixed["fits"] and graph.weight_bytes == mixed["weight_bytes"] <= budget == mixed["budget_bytes"]
    assert mixed["int8_weight_bytes"] == int8_weight_bytes == payload["mixed"]["int8_weight_bytes"]
    assert payload["weights_bytes"] == graph.weight_bytes
    int4 = [layer for layer in mixed["layers"] if layer["bits"] == 4]
    assert int4 and all(layer["sensitivity_db"] is not None for layer in mixed["layers"])
    dtypes = {op.index: graph.tensor(op.inputs[1]).dtype for op in graph.operators
              if op.opcode in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED")}
    assert {i for i, d in dtypes.items() if d == "int4"} == {layer["index"] for layer in int4}
    assert mixed["delta_points"] == pytest.approx(100 * (mixed["accuracy"] - payload["float_accuracy"]))
    assert mixed["delta_points"] >= -2.0
    for board in ("host", "mps2-an386"):
        if board != "host":
            require_tool("qemu-system-arm")
        run = one_json_object(invoke("run", out, "--board", board, "--random", 10, "-o", tmp_path / board, "--json"))
        assert run["bit_exact"] and run["vectors"] == 10 and run["mismatches"] == 0, (board, run)


def test_budget_above_int8_keeps_int8(digits, int8_weight_bytes, tmp_path):
    out = tmp_path / "same.tflite"
    payload = one_json_object(invoke("quantize", digits.model, "--calib", digits.calib, "-o", out,
                                     "--flash-budget", "1M", "--json"))
    assert all(layer["bits"] == 8 for layer in payload["mixed"]["layers"])
    assert payload["mixed"]["weight_bytes"] == int8_weight_bytes and payload["mixed"]["sensitivity_samples"] == 0
    assert "int4" not in {t.dtype for t in load_tflite(out).tensors}


def test_budget_below_all_int4_is_refused_and_writes_nothing(digits, tmp_path):
    out = tmp_path / "never.tflite"
    result = invoke("quantize", digits.model, "--calib", digits.calib, "-o", out, "--flash-budget", "1K",
                    exit_code=2)
    one_error_line(result, str(digits.model), "--flash-budget 1,024 B", "raise the budget to at least")
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_unreadable_budget_is_a_usage_error(digits, tmp_path):
    result = invoke("quantize", digits.model, "--calib", digits.calib, "-o", tmp_path / "x.tflite",
                    "--flash-budget", "lots", exit_code=2)
    assert "not a size" in result.stderr


# --- quantisation-aware fine-tuning (--max-loss) -----------------------------------------------------------------


def test_qat_runs_when_the_loss_exceeds_max_loss_and_reports_both_figures(digits, int8_weight_bytes, tmp_path):
    out = tmp_path / "qat.tflite"
    floor_budget = int(0.55 * int8_weight_bytes)  # nearly every filter int4
    payload = one_json_object(invoke("quantize", digits.model, "--calib", digits.calib, "--eval", digits.eval,
                                     "-o", out, "--flash-budget", floor_budget, "--max-loss", 0, "--qat-epochs", 1,
                                     "--json"))
    qat, mixed = payload["qat"], payload["mixed"]
    if qat["status"] == "not needed":  # post-training lost nothing at this budget
        assert mixed["delta_points"] >= 0 and qat["before"] == mixed["accuracy"]
        return
    assert qat["status"] == "applied" and qat["epochs"] == 1
    assert qat["before"] < payload["float_accuracy"] and 0 <= qat["after"] <= 1
    assert mixed["accuracy"] == (qat["after"] if qat["kept"] else qat["before"])
    assert abs(payload["float_accuracy"] - digits.float_accuracy) < 1e-6  # still the user's float model
    assert load_tflite(out).weight_bytes <= floor_budget


def test_qat_not_needed_and_skipped_are_said(digits, tmp_path):
    import numpy as np

    payload = one_json_object(invoke("quantize", digits.model, "--calib", digits.calib, "-o", tmp_path / "a.tflite",
                                     "--max-loss", 100, "--json"))
    assert payload["qat"]["status"] == "not needed" and "within --max-loss 100" in payload["qat"]["reason"]
    unlabelled = tmp_path / "x_only.npz"
    with np.load(digits.calib) as calib:
        np.savez(unlabelled, x=calib["x"])
    payload = one_json_object(invoke("quantize", digits.model, "--calib", unlabelled, "-o", tmp_path / "b.tflite",
                                     "--max-loss", 0, "--json"))
    assert payload["qat"]["status"] == "skipped" and payload["metric"] == "mse"
    assert "labelled" in payload["qat"]["reason"]
