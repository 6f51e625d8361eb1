"""Which layers take the specialised DSP kernels, their weight re-layout, and what `check` predicts of them."""


import numpy as np
import pytest
from elftools.elf.elffile import ELFFile
from hypothesis import given, strategies as st

from tests.models import shared_model
from tests.tools import require_tool
from tinygen.boards import load_board
from tinygen.check.fit import fit_report
from tinygen.codegen.project import lower_model
from tinygen.codegen.variants import FC_UNITS, interleave_units, op_choice, specialise
from tinygen.importers.tflite import load_tflite
from tinygen.pipeline import build_firmware
from tinygen.plan.schedule import plan_schedule


@given(st.integers(1, 6), st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_interleaving_puts_each_step_of_four_units_together(blocks, steps, seed):
    units, depth = blocks * FC_UNITS, steps * 4
    w = np.random.default_rng(seed).integers(-127, 128, (units, depth), dtype=np.int8)
    out = interleave_units(w, units, depth)
    assert out.size == w.size
    for u in range(units):
        for d in range(depth):  # block, step of four inputs, unit in block, input in step
            assert out[(((u // 4) * (depth // 4) + d // 4) * 4 + u % 4) * 4 + d % 4] == w[u, d]


def _lowered(name: str, dsp_kernels: bool = True):
    path = shared_model(name)
    graph = load_tflite(path)
    schedule = plan_schedule(graph, 16, origin=str(path), dsp_kernels=dsp_kernels)
    return graph, schedule, lower_model(graph, schedule.plan, path)


@pytest.mark.shared_models
@pytest.mark.parametrize("name", ["kws_ref_model", "ad01_int8", "mbv2_035_144_int8"])
@pytest.mark.parametrize("board_name, suffix", [("mps2-an386", "_dsp_s8"), ("mps3-an547", "_mve_s8")])
def test_specialise_agrees_with_the_graph_level_choice_check_uses(name, board_name, suffix):
    graph, schedule, code = _lowered(name)
    patched = set(schedule.plan.stage.ops) if schedule.plan.stage else set()
    board = load_board(board_name)
    kernels = {layer.index: layer.kernel for layer in specialise(code, board).layers}
    for layer in code.layers:
        choice = op_choice(graph, graph.operators[layer.index], board, schedule.plan.inplace_temp_bytes(layer.index))
        expected = choice.kernel if choice and layer.index not in patched else layer.kernel
        assert kernels[layer.index] == expected
    assert specialise(code, load_board("mps2-an385")) is code
    assert any(k.endswith(suffix) for k in kernels.values())


@pytest.mark.shared_models
def test_an_in_place_layer_planned_for_the_generic_kernels_keeps_them():
    """kws's depthwise and 1x1 layers run in place; planned without the DSP kernels' wider temporaries
    (one channel plane, one pixel), a DSP board must not give them the specialised kernels."""
    _, portable_schedule, code = _lowered("kws_ref_model", dsp_kernels=False)
    _, dsp_schedule, dsp_code = _lowered("kws_ref_model", dsp_kernels=True)
    board = load_board("mps2-an386")
    in_place = set(portable_schedule.plan.inplace)
    assert in_place and in_place == set(dsp_schedule.plan.inplace)
    narrow = {layer.index: layer.kernel for layer in specialise(code, board).layers}
    wide = {layer.index: layer.kernel for layer in specialise(dsp_code, board).layers}
    assert all(not narrow[i].endswith("_dsp_s8") for i in in_place)
    assert all(wide[i].endswith("_dsp_s8") for i in in_place)


@pytest.mark.shared_models
def test_kws_takes_every_specialised_kernel_and_keeps_its_weight_bytes():
    _, _, code = _lowered("kws_ref_model")
    special = specialise(code, load_board("mps2-an386"))
    assert {layer.kernel for layer in special.layers} >= {
        "tg_conv_im2col_dsp_s8", "tg_depthwise_dsp_s8", "tg_conv_1x1_dsp_s8", "tg_fully_connected_dsp_s8"}
    assert special.weight_bytes == code.weight_bytes
    dense = [layer for layer in special.layers if layer.kernel == "tg_fully_connected_dsp_s8"]
    original = {layer.index: layer for layer in code.layers}
    for layer in dense:
        f, before = dict(layer.fields), dict(original[layer.index].fields)
        assert np.array_equal(f["weights"].values,
                              interleave_units(before["weights"].values.reshape(f["units"], f["depth"]),
                                               f["units"], f["depth"]))
        assert layer.arrays[0] is f["weights"]  # the array emitted is the one the fields name


@pytest.mark.shared_models
@pytest.mark.parametrize("name", ["kws_ref_model", "ad01_int8", "mbv2_035_144_int8"])
@pytest.mark.parametrize("board_name", ["mps2-an386", "mps2-an385", "mps3-an547"])
def test_check_bounds_the_built_code_and_states_the_scratch_exactly(tmp_path, name, board_name):
    require_tool("arm-none-eabi-gcc")
    board = load_board(board_name)
    graph, schedule, _ = _lowered(name, board.cpu.dsp)
    report = fit_report(graph, schedule, board)
    firmware = build_firmware(shared_model(name), board, tmp_path / name)
    assert report.runtime_flash_bytes >= firmware.build.sizes.code_bytes
    with firmware.build.elf.open("rb") as f:
        symbols = {s.name: s["st_size"] for s in ELFFile(f).get_section_by_name(".symtab").iter_symbols()}
    assert report.scratch_bytes == symbols.get("tg_scratch", 0)
    if not board.cpu.dsp:
        assert report.scratch_bytes == 0
