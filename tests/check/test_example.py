"""`check` on the bundled example, figure by figure: its patch-based first stage worked out by hand.

The example: input 8x8x1 -> conv 3x3 (16) -> depthwise 3x3 -> conv 1x1 (16) -> ADD with the first conv's output
-> max pool 2x2 to 4x4x16 -> conv 3x3 stride 2 (24) -> RESHAPE -> dense (10) -> softmax. 8x8x16 tensors are
1,024 B. Layer by layer, the 1x1 conv and the ADD each hold three of them (the first conv's output waits for the
ADD): 3,072 B. The patch stage (the first five layers, 2x2 patches over the 4x4x16 pooled tensor, 256 B) keeps
only the 64 B input and the pooled tensor whole; per patch the first conv computes a 5x5x16 region (400 B: the
depthwise reads one pixel of halo, the image border clips the other side), the depthwise and the 1x1 conv 4x4x16
(256 B each), and the ADD's output reuses the depthwise's slot, which is dead by then: a 912 B area, a
64 + 256 + 912 = 1,232 B peak.
"""

from __future__ import annotations

from tinygen.boards import load_board
from tinygen.check.fit import fit_report
from tinygen.commands.options import default_model
from tinygen.importers.tflite import load_tflite
from tinygen.plan.schedule import plan_schedule

BOARD = load_board("mps2-an386")
MODEL_MACS = 2 * 8 * 8 * 16 * 9 + 8 * 8 * 16 * 16 + 2 * 2 * 24 * 3 * 3 * 16 + 96 * 10  # 49,600
EXTRA_MACS = 4 * (5 * 5 - 4 * 4) * 16 * 9  # the first conv's halo pixels, recomputed in each of the 4 patches


def test_the_example_report_matches_the_patch_stage_worked_out_by_hand():
    graph = load_tflite(default_model())
    report = fit_report(graph, plan_schedule(graph, BOARD.alignment_bytes, dsp_kernels=True), BOARD)
    assert report.layer_peak_bytes == 3 * 1024
    assert report.arena_bytes == report.arena_lower_bound_bytes == 64 + 256 + 912
    patch = report.patch
    assert patch is not None
    assert (patch.split_shape, patch.n, patch.ops, patch.area_bytes) == ((1, 4, 4, 16), 2, (0, 1, 2, 3, 4), 912)
    assert [(size, offset) for _, size, offset in patch.buffers] == [(400, 0), (256, 400), (256, 656), (256, 400)]
    assert (report.total_macs, patch.extra_macs) == (MODEL_MACS, EXTRA_MACS)
    assert report.mac_overhead == EXTRA_MACS / MODEL_MACS
    assert [row.mode for row in report.layers] == ["patch"] * 5 + [""] * 4
    assert [(s.name, s.first_step, s.last_step, s.peak_bytes) for s in report.stages] == [
        ("patch stage (2x2)", 0, 4, 1232),
        ("layer by layer", 5, 8, 256 + 96),  # the stride-2 conv: the pooled tensor and its 2x2x24 output
    ]
