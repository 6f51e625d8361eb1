"""The `tinygen` command end to end through click's CliRunner.

The contract under test (README "Commands"): exit 0 ok/fits, 1 does not fit,
2 bad input, usage or unsupported operators; errors are one line on stderr
starting "tinygen: error:" and naming the file; under --json stdout holds
exactly one versioned JSON object, with an "error" key whenever a bad input
or an unsupported operator makes the exit 2; a subcommand's usage error (a bad
option value, an unknown option) is such a line too.
Click >= 8.2 always keeps stderr apart (`Result.stdout` / `Result.stderr`;
`mix_stderr` is gone), so stdout is checked on its own.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
from click.testing import CliRunner

import tinygen.boards
from tests.models import shared_model
from tests.tools import require_module
from tinygen.boards import list_boards
from tinygen.cli import COMMANDS, cli
from tinygen.commands.options import default_model
from tinygen.importers.tflite import load_tflite
from tinygen.resources import boards_dir

CHECK_KEYS = {"model", "board", "fits", "arena_bytes", "arena_lower_bound_bytes", "flash_bytes", "sram_bytes",
              "layers", "unsupported_ops"}


def invoke(*args, exit_code: int = 0):
    result = CliRunner().invoke(cli, [str(a) for a in args], prog_name="tinygen")
    # Only SystemExit may escape (click's way of exiting): any other exception is a crash.
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"tinygen {' '.join(map(str, args))} crashed") from result.exception
    assert result.exit_code == exit_code, (result.exit_code, result.stdout, result.stderr)
    return result


def one_json_object(result) -> dict:
    """stdout must parse as exactly one JSON object (json.loads rejects trailing data)."""
    payload = json.loads(result.stdout)
    assert isinstance(payload, dict) and payload["schema_version"] == 3
    return payload


def one_error_line(result, *needles) -> str:
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tinygen: error: ")
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


# --- check: the happy path ---------------------------------------------------------------------------------------


def test_check_default_model_json():
    result = invoke("check", "--json")
    report = one_json_object(result)
    assert CHECK_KEYS <= report.keys()
    assert report["model"] == "digits_cnn_int8" and report["board"] == "mps2-an386" and report["fits"] is True
    # worked out by hand in tests/check/test_example.py (the patch stage) and tests/build/test_build.py (weights)
    assert report["arena_bytes"] == report["arena_lower_bound_bytes"] == 64 + 256 + 912
    assert report["layer_by_layer_peak_bytes"] == 3 * 1024 and report["weight_bytes"] == 5_288 + 82 * 8
    # mps2-an386 places code and weights in ssram1, the arena in psram, the 2 KiB stack and the kernel scratch in
    # ssram23: the largest is layer 5's im2col, two pixels of 16-bit lanes over its 3x3x16 field, 2 x 144 x 2
    # bytes (the patch stage's 1x1 takes 4 x 16 x 2, its depthwise 9 taps x 8, layer 0's field 4 x 12 x 2 + 12)
    assert [(r["name"], r["items"]) for r in report["regions"]] == [
        ("ssram1", {"code (estimate)": report["runtime_flash_bytes_estimate"], "weights": 5_944}),
        ("psram", {"arena": 1_232}), ("ssram23", {"kernel scratch": 576, "stack": 2_048})]
    assert len(report["layers"]) == len(load_tflite(default_model()).operators)
    assert sum(layer["peak"] for layer in report["layers"]) == 1
    assert report["unsupported_ops"] == []
    assert "error" not in report
    assert result.stderr == ""


def test_check_and_build_name_the_kernels_model_c_calls(tmp_path):
    """The bundled CNN on the Cortex-M4 board: layers 0-4 are the patch stage, where every convolution runs a
    DSP kernel on each patch's window: layer 0's 3x3 over one channel through im2col (its 9-byte field
    gathered as bytes and padded to 12, its filters with zero weights), the 3x3 depthwise and the 1x1 over 16
    channels. The ADD (8x8x16: 1,024 elements) looks its inputs up in rescale tables. Layer 5, a 3x3x16
    convolution, takes im2col too; the max pool (16 channels) and the dense head (10 units, padded to 12) their
    DSP kernels. check (nothing compiled) and build report the same kernels, and model.c calls each."""
    checked = one_json_object(invoke("check", "--json"))
    built = one_json_object(invoke("build", "-o", tmp_path / "fw", "--json"))
    kernels = {layer["index"]: layer["kernel"] for layer in built["layers"]}
    assert kernels == {0: "tg_conv_im2col_dsp_s8", 1: "tg_depthwise_dsp_s8", 2: "tg_conv_1x1_dsp_s8",
                       3: "tg_add_dsp_s8", 4: "tg_max_pool_dsp_s8", 5: "tg_conv_im2col_dsp_s8",
                       7: "tg_fully_connected_dsp_s8", 8: "tg_softmax_s8"}
    assert {layer["index"]: layer["kernel"] for layer in checked["layers"] if layer["kernel"]} == kernels
    assert [layer["index"] for layer in checked["layers"] if layer["mode"] == "patch"] == [0, 1, 2, 3, 4]
    model_c = (tmp_path / "fw" / "model.c").read_text()
    assert all(f"{kernels[i]}(&p)" in model_c for i in range(5))
    assert all(f"{kernels[i]}(&tg_layer{i})" in model_c for i in (5, 7, 8))


def test_check_default_model_table():
    result = invoke("check")
    assert "FITS" in result.stdout and "digits_cnn_int8 on mps2-an386" in result.stdout
    assert result.stderr == ""


@pytest.mark.shared_models
@pytest.mark.parametrize("name, arena_bytes, bound, layer_by_layer", [
    # in-place depthwise and 1x1 convs through the DSP kernels' temporaries (4 channel planes of 125 B, 4 pixels
    # of 64 B); 8500 rounds up to 16-byte alignment
    ("kws_ref_model", 8512, 8500, 16000),
    ("ad01_int8", 768, 768, 768),
])
def test_check_shared_models_reach_the_lower_bound(name, arena_bytes, bound, layer_by_layer):
    report = one_json_object(invoke("check", shared_model(name), "--json"))
    assert report["model"] == name and report["fits"] is True
    assert report["arena_bytes"] == arena_bytes and report["arena_lower_bound_bytes"] == bound
    assert report["layer_by_layer_peak_bytes"] == layer_by_layer
    off = one_json_object(invoke("check", shared_model(name), "--json", "--patches", "off", "--no-inplace"))
    assert off["arena_bytes"] == off["arena_lower_bound_bytes"] == layer_by_layer


@pytest.mark.shared_models
def test_check_reports_the_patch_schedule(tmp_path):
    # issue 5's arena (a quarter of layer by layer) is the memory objective's; balanced may take up to 25% more
    report = one_json_object(invoke("check", shared_model("mbv2_035_144_int8"), "--optimize", "memory", "--json"))
    assert report["layer_by_layer_peak_bytes"] == 311_040
    assert report["arena_bytes"] * 4 <= 311_040 and report["mac_overhead"] <= 0.2
    patch = report["patch"]
    assert patch["split_shape"] == [1, 36, 36, 8] and patch["area_bytes"] > 0
    assert len(patch["buffers"]) == len(patch["ops"]) - 1
    assert max(b["offset_in_area"] + b["bytes"] for b in patch["buffers"]) <= patch["area_bytes"]
    assert [s["name"] for s in report["stages"]] == [f"patch stage ({patch['patches']}x{patch['patches']})",
                                                      "layer by layer"]
    assert max(s["peak_bytes"] for s in report["stages"]) == report["arena_lower_bound_bytes"]
    modes = {layer["mode"] for layer in report["layers"]}
    assert modes == {"patch", "in place", "layer"}
    text = invoke("check", shared_model("mbv2_035_144_int8"), "--plot", tmp_path / "m.svg").stdout
    assert "layer by layer 311,040 B -> planned" in text and "MAC overhead" in text
    assert (tmp_path / "m.svg").read_text().count("<svg") == 1


def test_bad_patch_option_is_one_line_exit_2():
    result = invoke("check", "--patches", "many", exit_code=2)
    assert result.stderr.strip().count("\n") == 0 and "--patches" in result.stderr and "auto" in result.stderr


def test_check_all_boards():
    shipped = [b.name for b in list_boards()]
    payload = one_json_object(invoke("check", "--board", "all", "--json"))
    assert payload["model"] == "digits_cnn_int8"
    assert [r["board"] for r in payload["results"]] == shipped
    assert all(CHECK_KEYS <= r.keys() and r["fits"] for r in payload["results"])
    table = invoke("check", "--board", "all").stdout
    for name in shipped:
        assert name in table


def test_check_board_by_path():
    report = one_json_object(invoke("check", "--board", boards_dir() / "mps2-an385.toml", "--json"))
    assert report["board"] == "mps2-an385"


def test_check_plot_svg(tmp_path):
    svg = tmp_path / "out.svg"
    report = one_json_object(invoke("check", "--plot", svg, "--json"))  # the plot adds nothing to stdout
    assert report["fits"] is True
    text = svg.read_text()
    assert svg.stat().st_size > 0 and "<svg" in text and "digits_cnn_int8" in text


def test_check_plot_unwritable(tmp_path):
    target = tmp_path / "missing-dir" / "out.svg"
    result = invoke("check", "--plot", target, exit_code=2)
    one_error_line(result, "--plot", str(target), "does not exist")


# --- check: does not fit -----------------------------------------------------------------------------------------


@pytest.fixture
def tiny_board(tmp_path):
    """mps2-an386 with its arena region (psram) shrunk to 1 KiB: the bundled example's 3 KiB arena cannot fit."""
    text = (boards_dir() / "mps2-an386.toml").read_text()
    text = text.replace('name = "mps2-an386"', 'name = "tiny-board"')
    text, n = re.subn(r'(name = "psram"\nkind = "ram"\norigin = 0x21000000\nlength = )0x01000000', r"\g<1>0x400", text)
    assert n == 1, "boards/mps2-an386.toml changed: update the psram pattern"
    path = tmp_path / "tiny-board.toml"
    path.write_text(text)
    return path


def test_check_does_not_fit(tiny_board):
    report = one_json_object(invoke("check", "--board", tiny_board, "--json", exit_code=1))
    assert report["board"] == "tiny-board" and report["fits"] is False
    psram = next(r for r in report["regions"] if r["name"] == "psram")
    assert psram["capacity_bytes"] == 1024 and psram["fits"] is False
    assert psram["margin_bytes"] == 1024 - report["arena_bytes"] < 0
    assert all(r["fits"] for r in report["regions"] if r["name"] != "psram")
    assert "error" not in report

    result = invoke("check", "--board", tiny_board, exit_code=1)
    assert "DOES NOT FIT" in result.stdout and "OVERFLOW" in result.stdout
    assert result.stderr == ""


# --- bad input ---------------------------------------------------------------------------------------------------


def _missing(tmp_path, request):
    return tmp_path / "nope.tflite"


def _empty(tmp_path, request):
    path = tmp_path / "empty.tflite"
    path.write_bytes(b"")
    return path


def _text(tmp_path, request):
    path = tmp_path / "notes.tflite"
    path.write_text("this is not a model\n")
    return path


def _truncated(tmp_path, request):
    path = tmp_path / "truncated.tflite"
    raw = default_model().read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    return path


def _random(tmp_path, request):
    path = tmp_path / "random.tflite"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    return path


def _directory(tmp_path, request):
    return tmp_path


BAD_INPUTS = {"missing": (_missing, "no such file"), "empty": (_empty, "empty"),
              "text": (_text, "not a TFLite flatbuffer"), "truncated": (_truncated, "re-export"),
              "random": (_random, "not a TFLite flatbuffer"), "directory": (_directory, "is a directory")}


@pytest.mark.parametrize("command", ["check", "inspect"])
@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
def test_bad_input(tmp_path, request, command, kind):
    make, problem = BAD_INPUTS[kind]
    path = make(tmp_path, request)

    result = invoke(command, path, exit_code=2)
    one_error_line(result, str(path), problem)
    assert result.stdout == ""

    result = invoke(command, path, "--json", exit_code=2)
    line = one_error_line(result, str(path), problem)
    payload = one_json_object(result)
    assert set(payload) == {"schema_version", "error"}
    assert payload["error"] == {"message": line.removeprefix("tinygen: error: "), "exit_code": 2}


@pytest.mark.parametrize("board", ["nope", "Not-A-Board", "missing/board.toml"])
def test_unknown_board(board):
    result = invoke("check", "--board", board, exit_code=2)
    one_error_line(result, board, "mps2-an386")  # names the bad board and lists the good ones
    payload = one_json_object(invoke("check", "--board", board, "--json", exit_code=2))
    assert board in payload["error"]["message"] and payload["error"]["exit_code"] == 2


def test_bad_input_through_the_real_entry_point(tmp_path):
    """Outside CliRunner too: one stderr line, no traceback, exit 2."""
    path = _text(tmp_path, None)
    out = subprocess.run([sys.executable, "-c", "from tinygen.cli import main; main()", "check", str(path)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.splitlines() == [f"tinygen: error: {path}: not a TFLite flatbuffer (no 'TFL3' identifier); "
                                       "pass an int8 .tflite model"]


# --- unsupported operators ---------------------------------------------------------------------------------------

UNSUPPORTED = {"CUMSUM": 2, "ELU": 1}


@pytest.fixture(scope="session")
def unsupported_tflite(tmp_path_factory):
    """An int8 model whose middle ops the converter leaves in float32 (it has no integer kernels for them, though
    TFLite Micro has): tinygen generates no float activations."""
    tf = require_module("tensorflow")
    inp = tf.keras.Input((8, 8, 4), batch_size=1)
    x = tf.keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inp)
    for _ in range(2):
        x = tf.keras.layers.Lambda(lambda t: tf.math.cumsum(t, axis=-1))(x)
    x = tf.keras.layers.Lambda(tf.nn.elu)(x)
    x = tf.keras.layers.Conv2D(2, 1)(x)
    converter = tf.lite.TFLiteConverter.from_keras_model(tf.keras.Model(inp, x))
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    rng = np.random.default_rng(0)
    converter.representative_dataset = lambda: ([rng.uniform(-1, 1, (1, 8, 8, 4)).astype(np.float32)]
                                                 for _ in range(8))
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = converter.inference_output_type = tf.int8
    path = tmp_path_factory.mktemp("unsupported") / "unsupported_ops.tflite"
    with warnings.catch_warnings():  # "Statistics for quantized inputs were expected": the int8 input needs none
        warnings.simplefilter("ignore", UserWarning)
        path.write_bytes(converter.convert())
    return path


def test_unsupported_ops(unsupported_tflite):
    """`check` names every operator `inspect` marks unsupported, with its count, and exits 2."""
    inspected = one_json_object(invoke("inspect", unsupported_tflite, "--json"))
    counts: dict[str, int] = {}
    for op in inspected["operators"]:
        if not op["supported"]:
            counts[op["op"]] = counts.get(op["op"], 0) + 1
    assert UNSUPPORTED.items() <= counts.items(), "tinygen now generates one of these ops: pick others here"
    expected = [{"op": op, "dtype": "float32", "count": n} for op, n in sorted(counts.items())]

    result = invoke("check", unsupported_tflite, exit_code=2)
    line = one_error_line(result, str(unsupported_tflite), f"{sum(counts.values())} operators")
    for op, n in counts.items():
        assert f"{op} (float32)×{n}" in line
    assert "quantize" not in line  # the hint fixes float models only, not a float island in an int8 model
    assert "unsupported:" in result.stdout  # the report still shows where the memory goes

    result = invoke("check", unsupported_tflite, "--json", exit_code=2)
    line = one_error_line(result, str(unsupported_tflite))
    report = one_json_object(result)
    assert CHECK_KEYS <= report.keys()
    assert report["unsupported_ops"] == expected
    assert report["error"] == {"message": line.removeprefix("tinygen: error: "), "exit_code": 2}

    result = invoke("check", unsupported_tflite, "--board", "all", "--json", exit_code=2)
    assert all(r["unsupported_ops"] == expected for r in one_json_object(result)["results"])


# --- inspect, boards, help ---------------------------------------------------------------------------------------


def test_inspect_json():
    info = one_json_object(invoke("inspect", "--json"))
    assert info["model"] == "digits_cnn_int8"
    assert info["inputs"][0]["shape"] == [1, 8, 8, 1] and info["inputs"][0]["dtype"] == "int8"
    assert info["outputs"][0]["shape"] == [1, 10]
    assert len(info["operators"]) == sum(info["op_counts"].values())
    assert all(op["supported"] for op in info["operators"])


@pytest.mark.shared_models
def test_inspect_shared_model():
    info = one_json_object(invoke("inspect", shared_model("kws_ref_model"), "--json"))
    assert info["op_counts"] == {"CONV_2D": 5, "DEPTHWISE_CONV_2D": 4, "AVERAGE_POOL_2D": 1, "RESHAPE": 1,
                                 "FULLY_CONNECTED": 1, "SOFTMAX": 1}
    assert "kws_ref_model" in invoke("inspect", shared_model("kws_ref_model")).stdout


def test_boards_json():
    payload = one_json_object(invoke("boards", "--json"))
    names = [b["name"] for b in payload["boards"]]
    assert names == sorted(p.stem for p in boards_dir().glob("*.toml"))
    an386 = next(b for b in payload["boards"] if b["name"] == "mps2-an386")
    assert an386["core"] == "cortex-m4" and an386["emulated"] and an386["qemu_machine"] == "mps2-an386"
    assert {r["name"] for r in an386["memory"]} == {"ssram1", "ssram23", "psram"}
    table = invoke("boards").stdout
    assert all(name in table for name in names)


@pytest.mark.parametrize("args", [("boards",), ("boards", "--json"), ("check", "--board", "all")])
def test_an_empty_board_catalogue_is_one_line_exit_2(args, tmp_path, monkeypatch):
    """A wheel without its board files once listed no boards and exited 0."""
    monkeypatch.setattr(tinygen.boards, "boards_dir", lambda: tmp_path)
    result = invoke(*args, exit_code=2)
    one_error_line(result, str(tmp_path), "no board files", "reinstall tinygen")
    if "--json" in args:
        assert one_json_object(result)["error"]["exit_code"] == 2
    else:
        assert result.stdout == ""


def test_group_help_lists_every_command():
    out = invoke("--help").stdout
    for name in COMMANDS:
        assert re.search(rf"^\s+{name}\s", out, re.M), name


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_subcommand_help(command):
    result = invoke(command, "--help")
    assert result.stdout.startswith(f"Usage: tinygen {command} ")
    assert "--json" in result.stdout


def test_version():
    assert "tinygen, version" in invoke("--version").stdout


def test_unknown_command_is_a_usage_error():
    result = invoke("frobnicate", exit_code=2)
    assert "No such command" in result.stderr and result.stdout == ""


@pytest.mark.parametrize("args, loaded, not_loaded", [
    (["--help"], [], ["tensorflow"]),
    (["check", "--help"], ["tinygen.commands.check"], ["tensorflow", "tinygen.pipeline", "tinygen.commands.build"]),
    (["inspect", "--help"], ["tinygen.commands.inspect"], ["tensorflow", "tinygen.commands.check"]),
])
def test_lazy_loading(args, loaded, not_loaded):
    """A subcommand loads only its own module, and never TensorFlow (seconds of import time)."""
    code = ("import sys\nfrom tinygen.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "import json; print(json.dumps(sorted(m for m in sys.modules if m.startswith(('tinygen', 'tensorflow')))),"
            " file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    modules = set(json.loads(out.stderr.strip().splitlines()[-1]))
    assert set(loaded) <= modules
    assert not set(not_loaded) & modules
