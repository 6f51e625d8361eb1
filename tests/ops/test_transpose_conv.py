"""TRANSPOSE_CONV against TFLite Micro: odd shapes, strides 1 and 2, SAME and VALID, with and without bias, and
the arena planning its int32 scratch (never in place, never in a patch stage)."""

import pytest

from tests.ops.harness import assert_bit_exact, convert
from tinygen.importers.tflite import parse_tflite
from tinygen.plan.memory import plan_memory
from tinygen.plan.schedule import ScheduleOptions, plan_schedule


def _model(shape, filters, kernel, strides, padding, bias, activation=None, seed=0) -> bytes:
    import tensorflow as tf

    def build(x):
        x = tf.keras.layers.Conv2D(shape[-1], 1)(x)  # an input zero point the graph input does not set
        return tf.keras.layers.Conv2DTranspose(filters, kernel, strides, padding, activation=activation,
                                               use_bias=bias, bias_initializer="random_normal")(x)

    return convert(build, [shape], seed=seed)


@pytest.mark.parametrize("shape, filters, kernel, strides, padding, bias, activation", [
    ((5, 7, 3), 5, 3, 2, "same", True, "relu"),
    ((7, 5, 4), 3, (3, 2), (2, 1), "valid", False, None),
    ((6, 3, 5), 7, (5, 2), (2, 1), "same", True, None),  # padding 1 on the rows, 0 on the columns
    ((4, 5, 3), 2, (1, 3), 2, "valid", True, None),  # filter smaller than the stride on one axis: gaps
])
def test_transpose_conv(tmp_path, shape, filters, kernel, strides, padding, bias, activation):
    model = _model(shape, filters, kernel, strides, padding, bias, activation, seed=filters)
    assert_bit_exact(model, tmp_path, boards=("host", "mps2-an386"), expect_ops={"TRANSPOSE_CONV"}, seed=filters)


def test_scratch_is_planned_and_never_in_place():
    """TFLite Micro's int32 scratch of the output's size is an arena interval of that step only; the growing
    output never overwrites the input, and no patch stage takes the op."""
    graph = parse_tflite(_model((5, 7, 3), 5, 3, 2, "same", True), "tconv", "tconv.tflite")
    op = next(op for op in graph.operators if op.opcode == "TRANSPOSE_CONV")
    out = graph.tensor(op.outputs[0])
    plan = plan_memory(graph, inplace=True)
    step = plan.order.index(op.index)
    scratch = [p for p in plan.placements if p.kind == "scratch"]
    assert [(p.size_bytes, p.first_step, p.last_step) for p in scratch] == [(out.elements * 4, step, step)]
    assert plan.kernel_scratch(op.index) == scratch[0].offset_bytes
    assert op.index not in plan.inplace
    x = graph.tensor(op.inputs[2])
    assert plan.offset_of(x.index) != plan.offset_of(out.index)
    assert plan.live_bytes[step] == x.size_bytes + out.size_bytes + out.elements * 4
    schedule = plan_schedule(graph, options=ScheduleOptions(patches="auto"))
    assert schedule.plan.stage is None or op.index not in schedule.plan.stage.ops
