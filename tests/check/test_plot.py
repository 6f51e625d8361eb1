"""tinygen/check/plot.py: the memory timeline file, read back (SVG text and bar colours, PNG size)."""

from __future__ import annotations

import re
import struct

import pytest

from tests.check.small import board_file, small_cnn
from tests.check.test_fit import STACK
from tinygen.check.fit import FitReport, fit_report
from tinygen.check.plot import plot_timeline
from tinygen.errors import InputError
from tinygen.plan.schedule import plan_schedule

PEAK, PLANNED = "#d62728", "#1f77b4"  # matplotlib's tab:red and tab:blue


def _report(tmp_path, sram_bytes: int) -> FitReport:
    graph = small_cnn()
    board = board_file(tmp_path, sram_bytes)
    return fit_report(graph, plan_schedule(graph, board.alignment_bytes), board)


def test_svg_names_the_steps_the_peaks_and_a_tight_boards_limit(tmp_path):
    """With 2,432 B of SRAM the arena may use 2,432 - 2,048 (stack) = 384 B: under 4x the arena, so the limit is
    drawn; with 64 KiB it would dwarf the bars and is left out."""
    path = tmp_path / "timeline.svg"
    plot_timeline(_report(tmp_path, 384 + STACK), path)
    svg = path.read_text()
    labels = re.findall(r"<!-- (.*?) -->", svg)  # matplotlib draws text as paths and keeps each string in a comment
    assert labels[:5] == ["0:CONV_2D", "1:DEPTHWISE_CONV_2D", "2:RESHAPE", "3:FULLY_CONNECTED", "4:SOFTMAX"]
    assert {"small_cnn on paper: memory timeline", "layer by layer (peak 512 B)", "arena 384 B",
            "paper limit for the arena", "planned", "live activation memory (KiB)"} <= set(labels)
    fills = re.findall(r"fill: (#[0-9a-f]{6})", svg)
    assert fills[2:7] == [PEAK] + [PLANNED] * 4  # after the figure's and the axes' white: one bar per step
    roomy = tmp_path / "roomy.svg"
    plot_timeline(_report(tmp_path, 1 << 16), roomy)
    assert "paper limit for the arena" not in roomy.read_text()


def test_png_is_sized_for_the_steps(tmp_path):
    path = tmp_path / "timeline.png"
    plot_timeline(_report(tmp_path, 1 << 16), path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (600, 400)  # 6x4 inches at 100 dpi: five steps need no more width


def test_unwritable_path_is_one_input_error(tmp_path):
    target = tmp_path / "missing" / "timeline.svg"
    with pytest.raises(InputError, match="cannot write the plot") as info:
        plot_timeline(_report(tmp_path, 1 << 16), target)
    assert str(target) in str(info.value) and "\n" not in str(info.value)
