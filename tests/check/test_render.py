"""tinygen/check/render.py: the JSON CI reads and the table people read carry the fit report's figures."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Callable

from rich.console import Console

from tests.check.small import board_file, small_cnn
from tests.check.test_fit import CODE, STACK
from tinygen.check.fit import FitReport, fit_report
from tinygen.check.render import print_report, print_summary, report_json
from tinygen.costmodel import cost_model, features
from tinygen.ir.graph import Graph
from tinygen.plan.schedule import plan_schedule


def _report(tmp_path, sram_bytes: int, graph: Graph | None = None) -> FitReport:
    graph = graph or small_cnn()
    board = board_file(tmp_path, sram_bytes)
    return fit_report(graph, plan_schedule(graph, board.alignment_bytes), board)


def _text(print_to: Callable[..., None], *args: object) -> str:
    """What `print_to` shows, box-drawing characters dropped and runs of space made one, so cells read in order."""
    out = io.StringIO()
    print_to(*args, Console(file=out, width=200, color_system=None))
    return " ".join(re.sub("[\u2500-\u257f]", " ", out.getvalue()).split())


def test_json_holds_the_worked_out_figures(tmp_path):
    payload = report_json(_report(tmp_path, 384 + STACK - 1))
    assert (payload["model"], payload["board"], payload["fits"]) == ("small_cnn", "paper", False)
    assert (payload["arena_bytes"], payload["arena_lower_bound_bytes"], payload["greedy_arena_bytes"]) == (384,) * 3
    assert (payload["weight_bytes"], payload["runtime_flash_bytes_estimate"], payload["flash_bytes"]) == \
        (2812, CODE, CODE + 2812)
    assert (payload["stack_bytes"], payload["scratch_bytes"], payload["sram_bytes"]) == (STACK, 0, 384 + STACK)
    assert (payload["macs"], payload["layer_by_layer_peak_bytes"], payload["peak_reduction"]) == (9472, 512, 1.333)
    assert payload["patch"] is None and payload["unsupported_ops"] == []
    assert payload["stages"] == [{"name": "layer by layer", "first_step": 0, "last_step": 4, "peak_bytes": 384}]
    assert payload["regions"] == [
        {"name": "flash", "kind": "flash", "capacity_bytes": 1 << 20, "used_bytes": CODE + 2812,
         "margin_bytes": (1 << 20) - CODE - 2812, "fits": True, "items": {"code (estimate)": CODE, "weights": 2812}},
        {"name": "sram", "kind": "ram", "capacity_bytes": 384 + STACK - 1, "used_bytes": 384 + STACK,
         "margin_bytes": -1, "fits": False, "items": {"arena": 384, "stack": STACK}},
    ]
    depthwise = small_cnn().operators[1]
    estimate = round(cost_model("cortex-m3").predict("tg_depthwise_s8", features(small_cnn(), depthwise)))
    assert payload["layers"][1] == {"step": 1, "index": 1, "op": "DEPTHWISE_CONV_2D", "output_shape": [1, 8, 8, 4],
                                    "macs": 2304, "weight_bytes": 84, "weight_bits": 8, "live_bytes": 320,
                                    "layer_by_layer_live_bytes": 512, "mode": "in place", "peak": False,
                                    "kernel": "tg_depthwise_s8", "instructions_estimate": estimate,
                                    "output": {"tensor": "dw", "what": "tensor", "offset_bytes": 0, "size_bytes": 256,
                                               "first_step": 1, "last_step": 2, "shares": "conv", "how": "in place"}}
    assert payload["instructions_estimate"] == sum(layer["instructions_estimate"] for layer in payload["layers"])
    assert [layer["mode"] for layer in payload["layers"]] == ["layer", "in place", "layer", "layer", "layer"]
    # a Cortex-M3: every layer on its generic kernel; the RESHAPE aliases its input and emits no code
    assert [layer["kernel"] for layer in payload["layers"]] == [
        "tg_conv_s8", "tg_depthwise_s8", None, "tg_fully_connected_s8", "tg_softmax_s8"]


def test_json_maps_the_arena_tensor_by_tensor(tmp_path):
    """small_cnn by hand: input 8x8x2 and conv 8x8x4 both live at step 0 (128 + 256 = 384 B); the depthwise
    writes over conv through one 8x8 channel plane, which reuses the input's bytes; the RESHAPE relabels dw."""
    payload = report_json(_report(tmp_path, 1 << 16))
    assert [(e["tensor"] or e["what"], e["offset_bytes"], e["size_bytes"], e["first_step"], e["last_step"],
             e["shares"], e["how"]) for e in payload["memory_map"]] == [
        ("conv", 0, 256, 0, 1, None, None), ("input", 256, 128, 0, 0, None, None),
        ("dw", 0, 256, 1, 2, "conv", "in place"), ("in-place temporary of layer 1", 256, 64, 1, 1, None, None),
        ("flat", 0, 256, 2, 3, "dw", "alias"), ("dense", 256, 10, 3, 4, None, None),
        ("probs", 0, 10, 4, 4, None, None)]
    assert (payload["board"], payload["core"], payload["no_board"]) == ("paper", "cortex-m3", None)


def test_a_report_without_a_board_says_so_instead_of_regions(tmp_path):
    report = dataclasses.replace(_report(tmp_path, 1 << 16), board=None, regions=())
    payload = report_json(report)
    assert (payload["board"], payload["fits"], payload["regions"]) == (None, None, None)
    assert payload["no_board"].startswith("no board: exported for cortex-m3 (--core), so no regions to fit")
    text = _text(print_report, report)
    assert "small_cnn on cortex-m3" in text and "no board: exported for cortex-m3" in text
    assert "verdict" not in text and "margin" not in text  # no regions table, no verdict


def test_table_names_the_overflowing_region_and_the_verdict(tmp_path):
    text = _text(print_report, _report(tmp_path, 384 + STACK - 1))
    assert "small_cnn on paper" in text and "DEPTHWISE_CONV_2D" in text and "◀ peak" in text
    assert "arena 384 B (lower bound 384 B, TFLM greedy-by-size 384 B); weights 2,812 B; 9,472 MACs" in text
    assert "peak: layer by layer 512 B -> planned 384 B (1.33x smaller)" in text
    assert "sram ram arena 0.4K, stack 2.0K 2.4K 2.4K -0.0K OVERFLOW" in text
    assert "flash flash code (estimate) 9.5K, weights 2.7K" in text and text.count("OVERFLOW") == 1
    assert text.endswith("verdict: DOES NOT FIT paper (flash 12.2K, SRAM 2.4K)")
    assert _text(print_report, _report(tmp_path, 1 << 16)).endswith("verdict: FITS paper (flash 12.2K, SRAM 2.4K)")


def test_table_lists_unsupported_operators_and_int4_layers(tmp_path):
    graph = small_cnn(filter_dtype="int4", extra=("SIN", "COS", "SIN"))
    text = _text(print_report, _report(tmp_path, 1 << 16, graph))
    assert "unsupported: COS (int8)×1, SIN (int8)×2" in text
    assert "84 (int4)" in text and text.count("(int4)") == 1


def test_summary_has_one_row_per_board_with_its_tightest_region(tmp_path):
    text = _text(print_summary, [_report(tmp_path, 384 + STACK), _report(tmp_path, 384 + STACK - 1)])
    assert "paper 12.2K 2.4K 0.4K sram 100% fits" in text and "paper 12.2K 2.4K 0.4K sram 100% does not fit" in text
