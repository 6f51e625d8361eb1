"""Patch-based C on the host equals layer-by-layer C (and TFLite Micro) on random conv chains.

Hypothesis draws chains of convolutions, depthwise convolutions, pools and
residual ADDs (kernel 1/3/5/7, stride 1/2, SAME/VALID, odd sizes); TensorFlow's
converter makes them int8; a drawn prefix of the chain becomes the patch stage
with a drawn n, the rest runs layer by layer with in-place ops where they pay,
and the firmware's outputs must equal the plain layer-by-layer firmware's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.ops.harness import BOARDS, convert
from tests.tools import require_tool
from tinygen.boards import load_board
from tinygen.build.make import build_project
from tinygen.codegen.project import render_project
from tinygen.importers.tflite import load_tflite
from tinygen.lower.program import lower_model
from tinygen.lower.specialise import specialise
from tinygen.pipeline import Firmware, build_firmware, run_firmware
from tinygen.plan.memory import plan_memory
from tinygen.plan.patches import build_stage, stage_prefixes
from tinygen.plan.schedule import Schedule, ScheduleOptions
from tinygen.run.vectors import random_vectors

HOST = load_board("host")


def _out_size(n: int, k: int, stride: int, padding: str) -> int:
    """Keras' output size along one axis."""
    return -(-n // stride) if padding == "same" else (n - k) // stride + 1


@st.composite
def conv_chains(draw):
    """(input shape, layer specs): every layer keeps the spatial size >= 1."""
    shape = h, w, c = draw(st.integers(7, 25)), draw(st.integers(7, 25)), draw(st.integers(1, 5))
    layers = []
    for _ in range(draw(st.integers(2, 4))):
        kind = draw(st.sampled_from(["conv", "conv", "depthwise", "pool", "residual"]))
        k = draw(st.sampled_from([1, 3, 5, 7] if kind != "pool" else [1, 2, 3]))
        stride = draw(st.sampled_from([1, 2]))
        padding = draw(st.sampled_from(["same", "valid"]))
        if padding == "valid" and min(h, w) < k:
            padding = "same"
        if kind == "residual":
            stride, padding = 1, "same"
        filters = c if kind == "residual" else draw(st.integers(2, 8))
        layers.append((kind, k, stride, padding, filters, draw(st.sampled_from([None, "relu", "relu6"]))))
        h, w = _out_size(h, k, stride, padding), _out_size(w, k, stride, padding)
        c = c if kind in ("depthwise", "pool", "residual") else filters
    return shape, layers


def _keras(layers):
    import tensorflow as tf

    k = tf.keras.layers

    def build(x):
        for kind, size, stride, padding, filters, act in layers:
            if kind == "conv":
                x = k.Conv2D(filters, size, stride, padding, activation=act)(x)
            elif kind == "depthwise":
                x = k.DepthwiseConv2D(size, stride, padding, activation=act)(x)
            elif kind == "pool":
                pool = k.MaxPooling2D if act is None else k.AveragePooling2D
                x = pool(size, stride, padding)(x)
            else:
                x = k.Add()([x, k.Conv2D(x.shape[-1], size, 1, "same", activation=act)(x)])
        return x

    return build


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.data())
def test_patched_chain_matches_layer_by_layer_on_host(tmp_path, data):
    shape, layers = data.draw(conv_chains(), label="chain")
    path = tmp_path / "chain.tflite"
    path.write_bytes(convert(_keras(layers), [shape], seed=len(layers)))
    graph = load_tflite(path)
    prefixes = stage_prefixes(graph)
    assert prefixes, graph.opcode_counts()
    ops = data.draw(st.sampled_from(prefixes), label="stage")
    _, h, w, _ = graph.tensor(graph.operators[ops[-1]].outputs[0]).shape
    n = data.draw(st.integers(1, min(h, w, 6)), label="patches per side")
    stage = build_stage(graph, ops, n)
    plan = plan_memory(graph, 16, stage=stage, inplace=True)
    event(f"in-place ops after the stage: {bool(plan.inplace)}")
    code = lower_model(graph, plan, path)
    assert code.patch is not None and code.patch.n == n
    plain = build_firmware(path, HOST, tmp_path / "plain", schedule=ScheduleOptions(patches="off", inplace=False))
    assert plain.plan.stage is None
    build = build_project(render_project(code, HOST), tmp_path / "patched", "patched")
    patched = Firmware(graph, Schedule(plan, plain.schedule.layer_plan, plain.schedule.total_macs), code, build)
    vectors = random_vectors(code.inputs, 4, seed=n)
    got = run_firmware(patched, path, HOST, vectors, timeout_s=60)
    want = run_firmware(plain, path, HOST, vectors, timeout_s=60)
    for a, b in zip(got.outputs, want.outputs, strict=True):
        for x, y in zip(a, b, strict=True):
            np.testing.assert_array_equal(x, y)
    assert got.bit_exact and want.bit_exact  # both also equal TFLite Micro's interpreter


# Chains whose every stage layer has a specialised kernel on the DSP and Helium boards, over odd sizes: a 3x3
# stride-2 convolution over 4 channels (36-byte receptive fields: im2col, four pixels a block), a 3x3 depthwise
# (unrolled taps), a 1x1 convolution, a residual 3x3 convolution over 12 channels (108 bytes: two pixels by two
# channels) with its ADD, a 5x5 depthwise (taps looped) and a 1x1 to an odd 7 channels; then one starting with a
# strided VALID depthwise and ending in a 3x3x16 convolution (144 bytes: generic beside specialised ones); then
# depthwise over 3 channels (Helium: per-channel fields) and a 5x5 stride-2 one over 6 (a predicated last group);
# then pools between convolutions (a 3x3 stride-2 max pool, a 2x2 average pool: tg_pool_dsp.h on both cores).
SPECIALISED_CHAINS = {
    "same": ((15, 13, 4), [("conv", 3, 2, "same", 8, "relu"), ("depthwise", 3, 1, "same", 8, None),
                           ("conv", 1, 1, "same", 12, "relu6"), ("residual", 3, 1, "same", 12, None),
                           ("depthwise", 5, 1, "same", 12, "relu"), ("conv", 1, 1, "same", 7, None)]),
    "valid": ((17, 11, 8), [("depthwise", 3, 2, "valid", 8, "relu"), ("conv", 1, 1, "same", 16, "relu6"),
                            ("depthwise", 3, 1, "same", 16, None), ("conv", 3, 1, "valid", 5, "relu")]),
    "field": ((13, 12, 3), [("depthwise", 3, 1, "same", 3, None), ("conv", 1, 1, "same", 6, "relu"),
                            ("depthwise", 5, 2, "same", 6, "relu6")]),
    "pool": ((15, 13, 4), [("conv", 3, 1, "same", 8, "relu"), ("pool", 3, 2, "same", 8, None),
                           ("conv", 1, 1, "same", 12, "relu6"), ("pool", 2, 1, "same", 12, "relu")]),
}
STAGE_KERNELS = {  # chain -> board -> the kernel of each stage layer, in order
    "same": {
        "host": ["tg_conv_s8", "tg_depthwise_s8", "tg_conv_s8", "tg_conv_s8", "tg_add_s8", "tg_depthwise_s8",
                 "tg_conv_s8"],
        "mps2-an386": ["tg_conv_im2col_dsp_s8", "tg_depthwise_dsp_s8", "tg_conv_1x1_dsp_s8", "tg_conv_im2col_dsp_s8",
                       "tg_add_s8", "tg_depthwise_dsp_s8", "tg_conv_1x1_dsp_s8"],
        "mps3-an547": ["tg_conv_im2col_mve_s8", "tg_depthwise_mve_s8", "tg_conv_1x1_mve_s8", "tg_conv_im2col_mve_s8",
                       "tg_add_s8", "tg_depthwise_mve_s8", "tg_conv_1x1_mve_s8"],
    },
    "valid": {
        "host": ["tg_depthwise_s8", "tg_conv_s8", "tg_depthwise_s8", "tg_conv_s8"],
        "mps2-an386": ["tg_depthwise_dsp_s8", "tg_conv_1x1_dsp_s8", "tg_depthwise_dsp_s8", "tg_conv_im2col_dsp_s8"],
        "mps3-an547": ["tg_depthwise_mve_s8", "tg_conv_1x1_mve_s8", "tg_depthwise_mve_s8", "tg_conv_im2col_mve_s8"],
    },
    "field": {
        "host": ["tg_depthwise_s8", "tg_conv_s8", "tg_depthwise_s8"],
        "mps2-an386": ["tg_depthwise_quad_dsp_s8", "tg_conv_im2col_dsp_s8", "tg_depthwise_quad_dsp_s8"],
        "mps3-an547": ["tg_depthwise_field_mve_s8", "tg_conv_1x1_mve_s8", "tg_depthwise_mve_s8"],
    },
    "pool": {
        "host": ["tg_conv_s8", "tg_max_pool_s8", "tg_conv_s8", "tg_average_pool_s8"],
        "mps2-an386": ["tg_conv_im2col_dsp_s8", "tg_max_pool_dsp_s8", "tg_conv_1x1_dsp_s8", "tg_average_pool_dsp_s8"],
        "mps3-an547": ["tg_conv_im2col_mve_s8", "tg_max_pool_dsp_s8", "tg_conv_1x1_mve_s8", "tg_average_pool_dsp_s8"],
    },
}


@pytest.fixture(scope="module")
def chain_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("chains")
    paths = {}
    for name, (shape, layers) in SPECIALISED_CHAINS.items():
        paths[name] = folder / f"{name}.tflite"
        paths[name].write_bytes(convert(_keras(layers), [shape], seed=len(name)))
    return paths


@pytest.mark.parametrize("board_name", BOARDS)
@pytest.mark.parametrize("chain, n, split", [("same", 3, (8, 7)), ("valid", 2, (6, 3)), ("field", 2, (7, 6)),
                                             ("pool", 3, (8, 7))])
def test_specialised_kernels_run_inside_patches_bit_exact(tmp_path, chain_models, board_name, chain, n, split):
    """The whole chain is the stage, cut into n x n uneven patches (an 8x7 split tensor into 3x3, 6x3 into 2x2),
    so every kernel computes windows at the borders (SAME padding inside a patch's halo) and in the middle;
    the firmware built as `build` builds it (specialised for the board) calls the board's kernels from the
    patch loop and equals TensorFlow Lite Micro."""
    if board_name != "host":
        require_tool("qemu-system-arm")
    board = load_board(board_name)
    path = chain_models[chain]
    graph = load_tflite(path)
    stage = build_stage(graph, stage_prefixes(graph)[-1], n, board.alignment_bytes)
    assert len(stage.ops) == len(graph.operators) and stage.extra_macs > 0  # halos are recomputed
    assert graph.tensor(stage.output).shape[1:3] == split
    plan = plan_memory(graph, board.alignment_bytes, stage=stage, inplace=True, dsp_kernels=board.cpu.dsp)
    code = specialise(lower_model(graph, plan, path), board)
    assert code.patch is not None
    kernels = [call.layer.kernel for call in code.patch.calls]
    assert kernels == STAGE_KERNELS[chain][board_name]
    build = build_project(render_project(code, board), tmp_path / "patched", "patched")
    model_c = (build.directory / "model.c").read_text()
    loop = model_c[model_c.index(f"static void {code.patch.FUNCTION}(void)"):model_c.index("void tg_model_invoke")]
    assert all(f"{kernel}(&p)" in loop for kernel in kernels)
    layer_plan = plan_memory(graph, board.alignment_bytes)
    firmware = Firmware(graph, Schedule(plan, layer_plan, stage.layer_macs), code, build)
    result = run_firmware(firmware, path, board, random_vectors(code.inputs, 4, seed=n), timeout_s=120)
    assert result.vectors == 4 and result.bit_exact, (result.mismatches, result.max_abs_diff)
