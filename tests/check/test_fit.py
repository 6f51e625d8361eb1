"""tinygen/check/fit.py on a graph small enough to work out on paper (tests/check/small.py): arena, lower bound,
TFLite Micro's greedy figure, weights as the firmware stores them, MACs, regions and the verdict at the boundary."""

from __future__ import annotations

import pytest

from tests.check.small import board_file, small_cnn
from tinygen.check.fit import FitReport, fit_report
from tinygen.ir.graph import Graph
from tinygen.lower.support import Unsupported
from tinygen.plan.schedule import ScheduleOptions, plan_schedule

# Activations (int8): input 8x8x2 = 128 B, conv and depthwise outputs 8x8x4 = 256 B each, dense and softmax
# outputs 10 B each; RESHAPE aliases the depthwise output.
# Layer by layer, the largest step is the depthwise one: its 256 B input and 256 B output, 512 B.
# On a Cortex-M3 the depthwise runs in place over its input (which dies at it) through one 8x8 channel plane:
# 256 + 64 = 320 B, so the peak moves to the convolution: 128 + 256 = 384 B. Every size but the 10-byte ones is a
# multiple of the 16-byte alignment, and the 10-byte outputs (16 B aligned) go where the input was, so the arena is
# the lower bound, and TFLite Micro's greedy-by-size reaches it too.
LIVE = (128 + 256, 256 + 64, 256, 256 + 10, 10 + 10)  # per step: conv, depthwise, reshape, dense, softmax
LAYER_LIVE = (128 + 256, 256 + 256, 256, 256 + 10, 10 + 10)
# Weights as the firmware stores them: the model's constants, an int32 multiplier and shift (8 B) per
# requantisation scale, and an int32 bias per channel where the model has none. RESHAPE's shape is not stored.
WEIGHTS = (
    4 * 3 * 3 * 2 + 4 * 4 + 8 * 4,  # conv: filter, bias, 4 per-channel scales: 120
    3 * 3 * 4 + 4 * 4 + 8 * 4,  # depthwise: filter, the added bias, 4 per-channel scales: 84
    0,
    10 * 256 + 4 * 10 + 8 * 1,  # dense: weights, bias, one per-tensor scale: 2,608
    0,
)
MACS = (8 * 8 * 4 * 3 * 3 * 2, 8 * 8 * 4 * 3 * 3, 0, 10 * 256, 0)  # 4,608 + 2,304 + 2,560
# The portable code estimate: a 3,072 B base, 1,536 B per kernel family (conv, depthwise, dense, softmax) and
# 128 B per layer that emits code (all but RESHAPE).
CODE = 3072 + 4 * 1536 + 4 * 128
STACK = 2048  # the board's stack_bytes (0x800), above check's 1 KiB floor


def _report(graph: Graph, sram_bytes: int, tmp_path, flash_bytes: int = 1 << 20, core: str = "cortex-m3",
            options: ScheduleOptions = ScheduleOptions()) -> FitReport:
    board = board_file(tmp_path, sram_bytes, flash_bytes, core)
    schedule = plan_schedule(graph, board.alignment_bytes, options, "small_cnn", board.cpu.dsp)
    return fit_report(graph, schedule, board)


def test_figures_match_the_ones_worked_out_by_hand(tmp_path):
    report = _report(small_cnn(), 1 << 16, tmp_path)
    assert [(row.step, row.index, row.opcode) for row in report.layers] == [
        (0, 0, "CONV_2D"), (1, 1, "DEPTHWISE_CONV_2D"), (2, 2, "RESHAPE"), (3, 3, "FULLY_CONNECTED"), (4, 4, "SOFTMAX")]
    assert [row.output_shape for row in report.layers] == [(1, 8, 8, 4), (1, 8, 8, 4), (1, 256), (1, 10), (1, 10)]
    assert tuple(row.live_bytes for row in report.layers) == LIVE
    assert tuple(row.layer_live_bytes for row in report.layers) == LAYER_LIVE
    assert [row.mode for row in report.layers] == ["", "in place", "", "", ""]
    assert [row.is_peak for row in report.layers] == [True, False, False, False, False]
    assert tuple(row.weight_bytes for row in report.layers) == WEIGHTS
    assert [row.weight_bits for row in report.layers] == [8, 8, None, 8, None]
    assert tuple(row.macs for row in report.layers) == MACS
    assert (report.arena_bytes, report.arena_lower_bound_bytes, report.greedy_arena_bytes) == (384, 384, 384)
    assert report.layer_peak_bytes == 512 and report.patch is None and report.mac_overhead == 0
    assert (report.weight_bytes, report.total_macs) == (2812, 9472)
    assert (report.runtime_flash_bytes, report.stack_bytes, report.scratch_bytes) == (CODE, STACK, 0)
    assert (report.flash_bytes, report.sram_bytes) == (CODE + 2812, 384 + STACK)


def test_without_in_place_ops_the_arena_is_the_layer_by_layer_peak(tmp_path):
    report = _report(small_cnn(), 1 << 16, tmp_path, options=ScheduleOptions(patches="off", inplace=False))
    assert tuple(row.live_bytes for row in report.layers) == LAYER_LIVE
    assert report.arena_bytes == report.arena_lower_bound_bytes == report.layer_peak_bytes == 512
    assert [row.mode for row in report.layers] == [""] * 5 and report.layers[1].is_peak


def test_the_dsp_kernels_wider_temporary_takes_the_in_place_gain_back(tmp_path):
    """On a Cortex-M4 the depthwise kernel works four channels at a time: a 4x8x8 temporary beside the 256 B
    buffer is 512 B, the layer-by-layer peak (kept in place: the peak stays and the total does not grow)."""
    report = _report(small_cnn(), 1 << 16, tmp_path, core="cortex-m4")
    assert report.layers[1].live_bytes == 256 + 4 * 64 and report.layers[1].mode == "in place"
    assert report.arena_bytes == report.layer_peak_bytes == 512


@pytest.mark.parametrize("graph, weights", [
    # int4 filter: 72 values packed two per byte
    (small_cnn(filter_dtype="int4"), (36 + 4 * 4 + 8 * 4, WEIGHTS[1], 0, WEIGHTS[3], 0)),
    # per-channel dense scales: 10 multiplier and shift pairs instead of one
    (small_cnn(dense_scales=10), (WEIGHTS[0], WEIGHTS[1], 0, 10 * 256 + 4 * 10 + 8 * 10, 0)),
], ids=["int4-conv", "per-channel-dense"])
def test_weights_follow_the_stored_width_and_the_scales(tmp_path, graph, weights):
    report = _report(graph, 1 << 16, tmp_path)
    assert tuple(row.weight_bytes for row in report.layers) == weights
    assert report.weight_bytes == sum(weights)
    int4 = graph.tensor(graph.operators[0].inputs[1]).dtype == "int4"
    assert report.layers[0].weight_bits == (4 if int4 else 8)


@pytest.mark.parametrize("sram_bytes, fits", [(384 + STACK, True), (384 + STACK - 1, False)])
def test_sram_verdict_at_the_boundary(tmp_path, sram_bytes, fits):
    report = _report(small_cnn(), sram_bytes, tmp_path)
    flash, sram = report.regions
    assert (flash.region, flash.kind, flash.items) == ("flash", "flash", (("code (estimate)", CODE), ("weights", 2812)))
    assert (sram.region, sram.kind, sram.items) == ("sram", "ram", (("arena", 384), ("stack", STACK)))
    assert sram.capacity_bytes == sram_bytes and sram.used_bytes == 384 + STACK
    assert sram.margin_bytes == (0 if fits else -1) and sram.fits is fits
    assert flash.fits and report.fits is fits


@pytest.mark.parametrize("flash_bytes, fits", [(CODE + 2812, True), (CODE + 2812 - 1, False)])
def test_flash_verdict_at_the_boundary(tmp_path, flash_bytes, fits):
    report = _report(small_cnn(), 1 << 16, tmp_path, flash_bytes=flash_bytes)
    flash, sram = report.regions
    assert flash.used_bytes == CODE + 2812 and flash.margin_bytes == (0 if fits else -1)
    assert flash.fits is report.fits is fits and sram.fits


def test_unsupported_operators_are_listed_with_their_counts(tmp_path):
    graph = small_cnn(extra=("SIN", "COS", "SIN"))
    report = _report(graph, 1 << 16, tmp_path)
    assert report.unsupported_ops == (Unsupported("COS", "int8", 1), Unsupported("SIN", "int8", 2))
    # the report still says where the memory goes; their code is estimated like any layer's
    assert len(report.layers) == 8 and report.runtime_flash_bytes == CODE + 2 * 1536 + 3 * 128
    assert _report(small_cnn(), 1 << 16, tmp_path).unsupported_ops == ()
