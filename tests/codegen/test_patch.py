"""Patch-based C on the host equals layer-by-layer C (and TFLite Micro) on random conv chains.

Hypothesis draws chains of convolutions, depthwise convolutions, pools and
residual ADDs (kernel 1/3/5/7, stride 1/2, SAME/VALID, odd sizes); TensorFlow's
converter makes them int8; a drawn prefix of the chain becomes the patch stage
with a drawn n, the rest runs layer by layer with in-place ops where they pay,
and the firmware's outputs must equal the plain layer-by-layer firmware's.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.ops.harness import convert
from tinygen.boards import load_board
from tinygen.build.make import build_project
from tinygen.codegen.project import render_project
from tinygen.importers.tflite import load_tflite
from tinygen.lower.program import lower_model
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
