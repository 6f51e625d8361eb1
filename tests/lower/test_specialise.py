"""The specialise stage: which layers move to the DSP/Helium kernels, their weight re-layout, and that what
it returns is what model.c calls and what `check` reports."""

import numpy as np
import pytest
from elftools.elf.elffile import ELFFile
from hypothesis import given
from hypothesis import strategies as st

from tests.models import shared_model
from tinygen.boards import load_board
from tinygen.check.fit import fit_report
from tinygen.commands.options import default_model
from tinygen.importers.tflite import load_tflite
from tinygen.kernels.choice import FC_UNITS
from tinygen.kernels.fully_connected import FullyConnectedParams
from tinygen.lower.program import lower_model
from tinygen.lower.relayout import channel_groups, interleave_units, quad_weights
from tinygen.lower.specialise import specialise
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


@given(st.integers(1, 4), st.integers(1, 9), st.integers(1, 3), st.sampled_from([1, 2, 3, 4, 5, 8]),
       st.integers(0, 2**32 - 1))
def test_quad_weights_give_each_channel_its_taps_as_sxtb16_lanes(k_h, k_w, in_c, multiplier, seed):
    """Per group of channels, filter row and four columns, each channel's two words hold the 16-bit weights
    of columns (0, 2) and (1, 3), zero past the filter's last column; read back by index from the bytes."""
    out_c, group = in_c * multiplier, next(g for g in (4, 3, 2, 1) if g <= multiplier and multiplier % g == 0)
    w = np.random.default_rng(seed).integers(-128, 128, (k_h, k_w, out_c), dtype=np.int8)
    lanes = quad_weights(w.reshape(-1), k_h, k_w, out_c, group).view("<i2")
    quads = -(-k_w // 4)
    assert lanes.size == out_c * k_h * quads * 4
    for oc in range(out_c):
        for ky in range(k_h):
            for kx in range(quads * 4):
                slot = ((((oc // group) * k_h + ky) * quads + kx // 4) * group + oc % group) * 4
                lane = slot + (kx % 4 // 2 if kx % 2 == 0 else 2 + kx % 4 // 2)
                assert lanes[lane] == (w[ky, kx, oc] if kx < k_w else 0)


@given(st.integers(1, 49), st.integers(1, 23), st.integers(0, 2**32 - 1))
def test_channel_groups_give_each_group_its_taps_four_channels_a_word(taps, channels, seed):
    """[taps][channels] -> per group of four channels, per tap, the four channels' bytes; zeros past the last
    channel (tg_depthwise_mve_s8 reads whole words), read back by index."""
    w = np.random.default_rng(seed).integers(-128, 128, (taps, channels), dtype=np.int8)
    out = channel_groups(w.reshape(-1), taps, channels)
    assert out.size == -(-channels // 4) * 4 * taps
    for k in range(taps):
        for c in range(-(-channels // 4) * 4):
            assert out[((c // 4) * taps + k) * 4 + c % 4] == (w[k, c] if c < channels else 0)


def _lowered(path, dsp_kernels: bool = True):
    graph = load_tflite(path)
    schedule = plan_schedule(graph, 16, origin=str(path), dsp_kernels=dsp_kernels)
    return graph, schedule, lower_model(graph, schedule.plan, path)


@pytest.mark.shared_models
def test_portable_cores_keep_every_generic_kernel():
    _, _, code = _lowered(shared_model("kws_ref_model"), dsp_kernels=False)
    assert specialise(code, load_board("mps2-an385")) == code


@pytest.mark.shared_models
def test_an_in_place_layer_planned_for_the_generic_kernels_keeps_them():
    """kws's depthwise and 1x1 layers run in place; planned without the DSP kernels' wider temporaries
    (one channel plane, one pixel), a DSP board must not give them the specialised kernels."""
    path = shared_model("kws_ref_model")
    _, portable_schedule, code = _lowered(path, dsp_kernels=False)
    _, dsp_schedule, dsp_code = _lowered(path, dsp_kernels=True)
    board = load_board("mps2-an386")
    in_place = set(portable_schedule.plan.inplace)
    assert in_place and in_place == set(dsp_schedule.plan.inplace)
    narrow = {layer.index: layer.kernel for layer in specialise(code, board).layers}
    wide = {layer.index: layer.kernel for layer in specialise(dsp_code, board).layers}
    assert all(not narrow[i].endswith("_dsp_s8") for i in in_place)
    assert all(wide[i].endswith("_dsp_s8") for i in in_place)


@pytest.mark.shared_models
def test_kws_takes_every_specialised_kernel_and_keeps_its_weight_bytes():
    _, _, code = _lowered(shared_model("kws_ref_model"))
    special = specialise(code, load_board("mps2-an386"))
    assert [layer.kernel for layer in special.layers] == [
        "tg_conv_im2col_dsp_s8", *["tg_depthwise_dsp_s8", "tg_conv_1x1_dsp_s8"] * 4, "tg_average_pool_dsp_s8",
        "tg_fully_connected_dsp_s8", "tg_softmax_s8"]
    assert special.weight_bytes == code.weight_bytes
    original = {layer.index: layer for layer in code.layers}
    for layer in special.layers:
        if layer.kernel == "tg_fully_connected_dsp_s8":
            p, before = layer.params, original[layer.index].params
            assert isinstance(p, FullyConnectedParams) and isinstance(before, FullyConnectedParams)
            expected = interleave_units(before.weights.values.reshape(p.units, p.depth), p.units, p.depth)
            assert np.array_equal(p.weights.values, expected)
            assert layer.arrays[0] is p.weights  # the array emitted is the one the block points at


@pytest.mark.parametrize("model, board_name", [
    (None, "mps2-an386"),
    pytest.param("kws_ref_model", "mps2-an386", marks=pytest.mark.shared_models),
    pytest.param("ad01_int8", "mps3-an547", marks=pytest.mark.shared_models)])
def test_the_kernels_firmware_code_holds_are_what_model_c_calls_and_check_reports(tmp_path, model, board_name):
    path = shared_model(model) if model else default_model()
    board = load_board(board_name)
    firmware = build_firmware(path, board, tmp_path / "fw")
    model_c = (firmware.build.directory / "model.c").read_text()
    patched = firmware.code.patch.ops if firmware.code.patch else frozenset()
    for layer in firmware.code.layers:
        call = f"{layer.kernel}(&{'p' if layer.index in patched else layer.symbol})"
        assert call in model_c, call
    report = fit_report(firmware.graph, firmware.schedule, board)
    assert {row.index: row.kernel for row in report.layers if row.kernel} == {
        layer.index: layer.kernel for layer in firmware.code.layers}
    assert report.scratch_bytes == firmware.code.scratch_bytes


@pytest.mark.shared_models
@pytest.mark.parametrize("name", ["kws_ref_model", "ad01_int8", "mbv2_035_144_int8"])
@pytest.mark.parametrize("board_name", ["mps2-an386", "mps2-an385", "mps3-an547"])
def test_check_bounds_the_built_code_and_states_the_scratch_exactly(tmp_path, name, board_name):
    board = load_board(board_name)
    firmware = build_firmware(shared_model(name), board, tmp_path / name)
    report = fit_report(firmware.graph, firmware.schedule, board)  # check's figures for the schedule built
    assert report.runtime_flash_bytes >= firmware.build.sizes.code_bytes
    with firmware.build.elf.open("rb") as f:
        symbols = {s.name: s["st_size"] for s in ELFFile(f).get_section_by_name(".symtab").iter_symbols()}
    assert report.scratch_bytes == symbols.get("tg_scratch", 0)
    if not board.cpu.dsp:
        assert report.scratch_bytes == 0
