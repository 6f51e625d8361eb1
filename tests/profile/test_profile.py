"""`tinygen profile`: exact, repeatable per-layer instruction counts in QEMU."""

from __future__ import annotations

import pytest

from tests.commands.test_cli import invoke, one_error_line, one_json_object
from tests.models import EXAMPLE, model_path
from tinygen.boards import load_board
from tinygen.commands.options import default_model
from tinygen.importers.tflite import load_tflite
from tinygen.ir.cost import macs
from tinygen.pipeline import build_firmware
from tinygen.profile.measure import profile_model

pytestmark = pytest.mark.tools("qemu-system-arm", "arm-none-eabi-gcc")


def test_two_runs_count_the_same_and_steps_cover_every_layer(tmp_path):
    board = load_board("mps2-an386")
    first = profile_model(default_model(), board, tmp_path / "a")
    second = profile_model(default_model(), board, tmp_path / "b")  # a fresh build, a fresh emulator
    assert [s.count for s in first.steps] == [s.count for s in second.steps]
    assert first.per_inference == second.per_inference > 0 and first.unit == "instructions"
    graph = load_tflite(default_model())
    covered = sorted(i for s in first.steps for i in s.layers)
    assert covered == [op.index for op in graph.operators if op.opcode != "RESHAPE"]
    assert first.macs >= sum(macs(graph, op) for op in graph.operators)  # the patch stage recomputes halos
    assert all(s.count > 0 for s in first.steps)


@pytest.mark.parametrize("model, ops, kernels, total_macs", [
    # The example: a 2x2-patch first stage (conv 3x3, depthwise 3x3, conv 1x1, ADD, max pool to 4x4x16), then
    # conv 3x3 stride 2 to 2x2x24, the dense layer and softmax. MACs: 8x8x16 outputs x 9 taps twice, 8x8x16x16,
    # 2x2x24 x 3x3x16 and 96x10 make 49,600; each patch's depthwise reads a 5x5 (not 4x4) region of the first conv,
    # which recomputes 4 x (25 - 16) pixels x 16 channels x 9 taps = 5,184 more.
    # Its kernels: tests/commands/test_cli.py; the DSP dense kernel runs every dense layer.
    (EXAMPLE, ["PATCH_STAGE", "CONV_2D", "FULLY_CONNECTED", "SOFTMAX"],
     ["tg_patch_stage", "tg_conv_im2col_dsp_s8", "tg_fully_connected_dsp_s8", "tg_softmax_s8"], 49_600 + 5_184),
    pytest.param("ad01_int8", ["FULLY_CONNECTED"] * 10, ["tg_fully_connected_dsp_s8"] * 10, 264_192,
                 marks=pytest.mark.shared_models),
])
def test_json_per_layer_and_repeatable(tmp_path, model, ops, kernels, total_macs):
    runs = [one_json_object(invoke("profile", model_path(model), "--board", "mps2-an386", "-o", tmp_path / "fw",
                                   "--json")) for _ in range(2)]
    assert runs[0]["instructions_per_inference"] == runs[1]["instructions_per_inference"]
    layers = runs[0]["layers"]
    assert [layer["op"] for layer in layers] == ops
    assert [layer["kernel"] for layer in layers] == kernels
    assert sum(layer["macs"] for layer in layers) == total_macs == runs[0]["macs"]
    assert sum(layer["instructions"] for layer in layers) == runs[0]["instructions_per_inference"]
    assert abs(sum(layer["share"] for layer in layers) - 1) < 1e-9


def test_table_and_plot(tmp_path):
    plot = tmp_path / "profile.png"
    result = invoke("profile", "--board", "mps2-an386", "-o", tmp_path / "fw", "--plot", plot)
    assert "instructions per inference" in result.stdout and "PATCH_STAGE" in result.stdout
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_normal_build_has_no_markers(tmp_path):
    fw = build_firmware(default_model(), load_board("mps2-an386"), tmp_path / "fw")
    assert "tg_profile_mark" not in (fw.build.directory / "model.c").read_text()


@pytest.mark.parametrize("args, needles", [
    (("--board", "host"), ("host", "emulated board")),
    (("--board", "nucleo-f767zi"), ("real board", "--port")),
    (("--plot", "x.bmp"), ("x.bmp", ".png")),
    (("missing.tflite",), ("missing.tflite",)),
])
def test_bad_inputs_exit_2(args, needles):
    one_error_line(invoke("profile", *args, exit_code=2), *needles)
