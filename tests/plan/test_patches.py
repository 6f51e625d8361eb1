"""Patch schedules: receptive fields, patch partitions, stage search, and the acceptance figures."""

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.graphs import conv_net
from tests.models import shared_model
from tinygen.commands.options import default_model
from tinygen.importers.tflite import load_tflite
from tinygen.ir.geometry import Axis
from tinygen.plan.patches import Span, build_stage, even_spans, input_span, stage_prefixes
from tinygen.plan.schedule import ScheduleOptions, plan_schedule


@given(st.integers(1, 300), st.integers(1, 40))
def test_even_spans_partition_the_axis(size, n):
    spans = even_spans(size, min(n, size))
    assert spans[0].start == 0 and spans[-1].stop == size
    assert all(a.stop == b.start for a, b in pairwise(spans))
    assert max(s.size for s in spans) - min(s.size for s in spans) <= 1


@settings(max_examples=300)
@given(st.integers(1, 7), st.integers(1, 3), st.integers(1, 3), st.integers(0, 3), st.integers(1, 40), st.data())
def test_input_span_covers_the_taps_read(kernel, stride, dilation, pad, in_size, data):
    """The span holds every in-bounds tap, and exactly their range when the taps have no gaps."""
    out_size = max(1, (in_size + 2 * pad - (kernel - 1) * dilation - 1) // stride + 1)
    start = data.draw(st.integers(0, out_size - 1))
    stop = data.draw(st.integers(start + 1, out_size))
    taps = {o * stride - pad + k * dilation for o in range(start, stop) for k in range(kernel)}
    inside = [t for t in taps if 0 <= t < in_size]
    span = input_span(Span(start, stop), Axis(kernel, stride, dilation, pad), in_size)
    assert 0 <= span.start and span.stop <= in_size
    assert all(span.start <= t < span.stop for t in inside)
    if dilation == 1 and kernel >= stride and inside:  # taps form one run: no gaps to span
        assert (span.start, span.stop) == (min(inside), max(inside) + 1)


def test_stage_regions_cover_the_split_tensor_and_one_patch_costs_nothing():
    graph = load_tflite(default_model())
    prefix = stage_prefixes(graph)[-1]
    split = graph.operators[prefix[-1]].outputs[0]
    _, h, w, _ = graph.tensor(split).shape
    one = build_stage(graph, prefix, 1)
    assert one.extra_macs == 0 and one.macs == one.layer_macs
    stage = build_stage(graph, prefix, 2)
    last = len(stage.tensors) - 1
    assert [r[last] for r in stage.rows] == list(even_spans(h, 2))
    assert [c[last] for c in stage.cols] == list(even_spans(w, 2))
    assert stage.extra_macs > 0
    # each internal buffer holds its largest patch region
    for slot, t in enumerate(stage.tensors[1:-1], start=1):
        c = graph.tensor(t).shape[3]
        rows, cols = max(r[slot].size for r in stage.rows), max(k[slot].size for k in stage.cols)
        assert stage.buffer_bytes[slot] == rows * cols * c
    assert 0 < stage.area_bytes <= sum(stage.buffer_bytes) + 16 * len(stage.tensors)


def test_patches_off_and_forced():
    graph = load_tflite(default_model())
    off = plan_schedule(graph, 16, ScheduleOptions(patches="off"))
    assert off.stage is None and off.mac_overhead == 0
    forced = plan_schedule(graph, 16, ScheduleOptions(patches=3))
    assert forced.stage is not None and forced.stage.n == 3


@pytest.mark.shared_models
def test_mbv2_peak_is_a_quarter_of_layer_by_layer_within_the_mac_budget():
    graph = load_tflite(shared_model("mbv2_035_144_int8"))
    schedule = plan_schedule(graph, 16)
    assert schedule.layer_plan.arena_bytes == 311_040
    assert schedule.plan.arena_bytes * 4 <= schedule.layer_plan.arena_bytes
    assert schedule.plan.arena_bytes == schedule.plan.lower_bound_bytes
    assert schedule.stage is not None and schedule.mac_overhead <= 0.2


@pytest.mark.shared_models
def test_tight_mac_budget_turns_patches_off():
    graph = load_tflite(shared_model("mbv2_035_144_int8"))
    schedule = plan_schedule(graph, 16, ScheduleOptions(max_mac_overhead=0.0))
    assert schedule.stage is None and schedule.mac_overhead == 0


# in(16×16×2, 512 B) -conv 3×3 s1 SAME-> t0(16×16×16, 4096 B) -conv 3×3 s2 SAME-> t1(8×8×8, 512 B) -> RESHAPE -> FC
NET = [("CONV_2D", 3, 1, "SAME", 16), ("CONV_2D", 3, 2, "SAME", 8), ("RESHAPE",), ("FULLY_CONNECTED", 10)]
IN, T0, T1 = 0, 2, 4  # tensor indices (weights sit between them)


def taps(rows: tuple[int, int], kernel: int, stride: int, in_size: int, out_size: int) -> tuple[int, int]:
    """The input rows [lo, hi) that output rows `rows` read, with TFLite's SAME padding
    (leading pad = half the total, rounded down), padding rows dropped."""
    pad = max((out_size - 1) * stride + kernel - in_size, 0) // 2
    read = [o * stride - pad + j for o in range(*rows) for j in range(kernel)]
    inside = [r for r in read if 0 <= r < in_size]
    return min(inside), max(inside) + 1


def test_patch_regions_are_the_rows_each_patch_reads():
    graph = conv_net((16, 16, 2), NET)
    for n in range(1, 9):
        stage = build_stage(graph, (0, 1), n)
        assert stage.tensors == (IN, T0, T1)
        base, extra = divmod(8, n)
        starts = [k * base + min(k, extra) for k in range(n + 1)]  # n parts of 8 rows, the longer ones first
        for k in range(n):
            t1 = (starts[k], starts[k + 1])
            t0 = taps(t1, 3, 2, 16, 8)
            x = taps(t0, 3, 1, 16, 16)
            want = (Span(*x), Span(*t0), Span(*t1))
            assert stage.rows[k] == want and stage.cols[k] == want  # square kernels and tensors
        tallest = max(b - a for a, b in (taps((starts[k], starts[k + 1]), 3, 2, 16, 8) for k in range(n)))
        assert stage.buffer_bytes == (0, tallest * tallest * 16, 0)


def test_schedule_picks_the_smallest_patch_area_within_the_mac_budget():
    """Worked by hand. Layer by layer the peak is in+t0 = t0+t1 = 4608 B. Split at t1 into n×n patches,
    only in, t1 and one patch of t0 are live: 512 + 512 + rows² × 16 B, where a patch row of t1 reads
    2r+1 rows of t0 (9, 7, 5 for n = 2, 3, 4). Halos recompute t0 pixels: Σrows² - 256 extra pixels at
    288 MACs each, over the 152,576 MACs of the model (73,728 + 73,728 + 5,120): n=2 17² → 9,504 (6.2%),
    n=3 18² → 19,584 (12.8%), n=4 19² → 30,240 (19.8%), n=5 20² → 41,472 (27.2%, over the 20% budget)."""
    graph = conv_net((16, 16, 2), NET)
    schedule = plan_schedule(graph, 16)
    assert schedule.layer_plan.arena_bytes == 4608
    assert schedule.total_macs == 152_576
    assert (schedule.stage.ops, schedule.stage.n) == ((0, 1), 4)
    assert schedule.plan.arena_bytes == 512 + 512 + 5 * 5 * 16 == 1424
    assert schedule.extra_macs == 30_240
    tighter = plan_schedule(graph, 16, ScheduleOptions(max_mac_overhead=0.13))
    assert tighter.stage.n == 3 and tighter.plan.arena_bytes == 512 + 512 + 7 * 7 * 16 == 1808
    assert plan_schedule(graph, 16, ScheduleOptions(max_mac_overhead=0.06)).stage is None


def test_no_patches_when_the_rest_of_the_network_sets_the_peak():
    """With 5000 units the FC step holds t1 + its output, 512 + 5000 = 5512 B (5520 aligned), more than the
    4608 B of the first stage: patches cannot lower the arena, so the layer-by-layer plan stays."""
    graph = conv_net((16, 16, 2), NET[:-1] + [("FULLY_CONNECTED", 5000)])
    schedule = plan_schedule(graph, 16)
    assert schedule.stage is None
    assert schedule.plan.arena_bytes == schedule.layer_plan.arena_bytes == 5520
