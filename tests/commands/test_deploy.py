"""`tinygen deploy`: float digits CNN -> int8 (or mixed) firmware on mps2-an386, run bit-exact; bad inputs.

The small-flash board is mps2-an386 with its code+weights region cut to what
check's code estimate plus 3,600 B: int8 weights (about 5.3 kB) no longer fit,
so deploy must choose int4 filters by itself.
"""

from __future__ import annotations

import pytest

from tests.commands.test_cli import invoke, one_error_line, one_json_object
from tests.quant.digits import shared_digits
from tests.tools import require_tool
from tinygen.commands.options import default_model
from tinygen.importers.tflite import load_tflite
from tinygen.resources import boards_dir

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    require_tool("qemu-system-arm")
    return shared_digits(tmp_path_factory)


def test_deploy_int8_end_to_end(digits, tmp_path):
    out = tmp_path / "deployed"
    payload = one_json_object(invoke("deploy", digits.model, "--calib", digits.calib, "--eval", digits.eval,
                                     "--board", "mps2-an386", "-o", out, "--json"))
    assert payload["precision"] == "int8" and payload["mixed"] is None
    assert payload["ran"] and payload["bit_exact"] and payload["vectors"] == 10 and payload["mismatches"] == 0
    assert abs(payload["float_accuracy"] - digits.float_accuracy) < 1e-6
    assert (payload["quantized_accuracy"] - payload["float_accuracy"]) * 100 >= -1.0
    model = out / "digits_cnn_int8.tflite"
    assert payload["model"] == str(model) and load_tflite(model).weight_bytes == payload["weights_bytes"]
    assert sorted(p.name for p in out.iterdir()) == ["digits_cnn_int8.tflite", "firmware", "tinygen-deploy.json"]
    assert (out / "firmware" / "firmware.elf").exists() and payload["firmware"]["flash_bytes"] > 0
    assert payload["elf"] == str((out / "firmware" / "firmware.elf").resolve())

    # failing deploys into the same folder leave the good one as it was: one refused before building, one
    # (mixed, so its model and firmware would both differ) whose firmware is built and then times out
    before = _snapshot(out)
    result = invoke("deploy", digits.model, "--calib", digits.calib, "--board", "mps2-an386", "-o", out,
                    "--flash-budget", "1K", exit_code=1)
    one_error_line(result, str(digits.model), "does not fit", "2,8")
    result = invoke("deploy", digits.model, "--calib", digits.calib, "--board", "mps2-an386", "-o", out,
                    "--flash-budget", "3600", "--timeout", "0.001", exit_code=1)
    one_error_line(result, "no exit after 0.001 s")
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deployed"]  # no staging left beside it


def _snapshot(folder):
    return sorted((p.relative_to(folder).as_posix(), p.read_bytes() if p.is_file() else None)
                  for p in folder.rglob("*"))


def test_small_flash_board_makes_deploy_choose_int4(digits, tmp_path):
    # the same network, already int8, planned as deploy plans it: the same code estimate and tables
    report = one_json_object(invoke("check", default_model(), "--board", "mps2-an386", "--json"))
    code = report["runtime_flash_bytes_estimate"]
    tables = report["weight_bytes"] - load_tflite(default_model()).weight_bytes  # requantisation tables
    text = (boards_dir() / "mps2-an386.toml").read_text()
    board = tmp_path / "mps2-an386-small.toml"
    board.write_text(text.replace('name = "mps2-an386"', 'name = "mps2-an386-small"')
                     .replace("length = 0x00400000", f"length = {code + 3600}", 1))  # ssram1: code + weights
    out = tmp_path / "small"
    result = invoke("deploy", digits.model, "--calib", digits.calib, "--eval", digits.eval, "--board", board,
                    "-o", out)
    text = result.stdout
    budget = 3600 - tables
    assert "mixed int8/int4" in text and f"budget {budget:,} B" in text and "yes: 10 evaluation samples" in text
    mixed = load_tflite(out / "digits_cnn_mixed.tflite")
    assert mixed.weight_bytes <= budget and "int4" in {t.dtype for t in mixed.tensors}


@pytest.mark.parametrize("case", ["missing model", "missing calib", "unknown board", "calib shape", "user folder"])
def test_bad_inputs_exit_2_and_write_nothing(digits, tmp_path, case):
    import numpy as np

    args = {"model": digits.model, "calib": digits.calib, "board": "mps2-an386"}
    needle = {"missing model": "no such file", "missing calib": "no such file", "unknown board": "unknown board",
              "calib shape": "(N, 8, 8, 1)", "user folder": "not a tinygen output folder"}[case]
    if case == "missing model":
        args["model"] = tmp_path / "nope.keras"
    elif case == "missing calib":
        args["calib"] = tmp_path / "nope.npz"
    elif case == "unknown board":
        args["board"] = "no-such-board"
    elif case == "calib shape":
        args["calib"] = tmp_path / "wrong.npz"
        np.savez(args["calib"], x=np.zeros((3, 28, 28, 1), np.float32))
    out = tmp_path / "out"
    if case == "user folder":
        out.mkdir()
        (out / "thesis.tex").write_text("months of work")
    result = invoke("deploy", args["model"], "--calib", args["calib"], "--board", args["board"], "-o", out,
                    exit_code=2)
    one_error_line(result, needle)
    assert sorted(p.name for p in out.iterdir()) == ["thesis.tex"] if case == "user folder" else not out.exists()
