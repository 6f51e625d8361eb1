"""Patch schedules: receptive fields, patch partitions, stage search, and the acceptance figures."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    assert all(a.stop == b.start for a, b in zip(spans, spans[1:]))
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
    auto = plan_schedule(graph, 16)
    assert auto.plan.arena_bytes <= off.plan.arena_bytes


@pytest.mark.shared_models
def test_mbv2_peak_is_a_quarter_of_layer_by_layer_within_the_mac_budget():
    graph = load_tflite(shared_model("mbv2_035_144_int8"))
    schedule = plan_schedule(graph, 16)
    assert schedule.layer_plan.arena_bytes == 311_040
    assert schedule.plan.arena_bytes * 4 <= schedule.layer_plan.arena_bytes
    assert schedule.plan.arena_bytes == schedule.plan.lower_bound_bytes
    assert schedule.stage is not None and schedule.mac_overhead <= 0.2


@pytest.mark.shared_models
@pytest.mark.parametrize("name", ["mcunet_like_vww_int8", "kws_ref_model", "ad01_int8"])
def test_schedules_are_never_worse_than_layer_by_layer(name):
    graph = load_tflite(shared_model(name))
    schedule = plan_schedule(graph, 16)
    assert schedule.plan.arena_bytes <= schedule.layer_plan.arena_bytes
    assert schedule.mac_overhead <= 0.2


@pytest.mark.shared_models
def test_tight_mac_budget_turns_patches_off():
    graph = load_tflite(shared_model("mbv2_035_144_int8"))
    schedule = plan_schedule(graph, 16, ScheduleOptions(max_mac_overhead=0.0))
    assert schedule.stage is None and schedule.mac_overhead == 0
