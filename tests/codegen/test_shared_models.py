"""The shared models with their default schedules (patch stage, in-place ops) are bit-exact in QEMU."""

import pytest

from tests.models import shared_model
from tests.tools import require_tool
from tinygen.boards import load_board
from tinygen.pipeline import build_firmware, run_firmware
from tinygen.run.vectors import random_vectors


@pytest.mark.shared_models
@pytest.mark.parametrize("name, patched", [
    ("mbv2_035_144_int8", True),
    ("mcunet_like_vww_int8", True),
    ("kws_ref_model", False),
])
def test_default_schedule_is_bit_exact_in_qemu(tmp_path, name, patched):
    path = shared_model(name)
    require_tool("qemu-system-arm")
    board = load_board("mps2-an386")
    firmware = build_firmware(path, board, tmp_path / name)
    assert (firmware.plan.stage is not None) == patched and firmware.plan.inplace
    assert firmware.build.sizes.arena_bytes == firmware.plan.arena_bytes < firmware.schedule.layer_plan.arena_bytes
    result = run_firmware(firmware, path, board, random_vectors(firmware.code.inputs, 3, seed=1), timeout_s=300)
    assert result.vectors == 3 and result.bit_exact, (result.mismatches, result.max_abs_diff)


@pytest.mark.shared_models
@pytest.mark.parametrize("board_name", ["mps2-an385", "mps2-an386", "mps2-an500", "mps3-an547", "host"])
@pytest.mark.parametrize("name", ["kws_ref_model", "ad01_int8"])
def test_mlperf_models_are_bit_exact_on_every_core(tmp_path, name, board_name):
    """Portable C (Cortex-M3, host) and the DSP paths (M4, M7, M55) compute what TFLite Micro computes."""
    path = shared_model(name)
    board = load_board(board_name)
    if board.qemu is not None:
        require_tool("qemu-system-arm")
    firmware = build_firmware(path, board, tmp_path / name)
    result = run_firmware(firmware, path, board, random_vectors(firmware.code.inputs, 2, seed=2), timeout_s=300)
    assert result.vectors == 2 and result.bit_exact, (result.mismatches, result.max_abs_diff)
