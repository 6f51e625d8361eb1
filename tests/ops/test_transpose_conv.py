"""TRANSPOSE_CONV against TFLite Micro: odd shapes, strides 1 and 2, SAME and VALID, with and without bias, int8
and 16x8, and the arena planning its int32 (int64 for 16x8) scratch (never in place, never in a patch stage)."""

import numpy as np
import pytest

from tests.commands.test_cli import invoke, one_error_line
from tests.ops.harness import assert_bit_exact, convert
from tests.synthetic import _Writer
from tinygen.importers.tflite import parse_tflite
from tinygen.plan.memory import plan_memory
from tinygen.plan.schedule import ScheduleOptions, plan_schedule


def _model(shape, filters, kernel, strides, padding, bias, activation=None, seed=0, io="int8") -> bytes:
    import tensorflow as tf

    def build(x):
        x = tf.keras.layers.Conv2D(shape[-1], 1)(x)  # an input zero point the graph input does not set
        return tf.keras.layers.Conv2DTranspose(filters, kernel, strides, padding, activation=activation,
                                               use_bias=bias, bias_initializer="random_normal")(x)

    return convert(build, [shape], seed=seed, io=io)


@pytest.mark.parametrize("shape, filters, kernel, strides, padding, bias, activation", [
    ((5, 7, 3), 5, 3, 2, "same", True, "relu"),
    ((7, 5, 4), 3, (3, 2), (2, 1), "valid", False, None),
    ((6, 3, 5), 7, (5, 2), (2, 1), "same", True, None),  # padding 1 on the rows, 0 on the columns
    ((4, 5, 3), 2, (1, 3), 2, "valid", True, None),  # filter smaller than the stride on one axis: gaps
])
def test_transpose_conv(tmp_path, shape, filters, kernel, strides, padding, bias, activation):
    model = _model(shape, filters, kernel, strides, padding, bias, activation, seed=filters)
    assert_bit_exact(model, tmp_path, boards=("host", "mps2-an386"), expect_ops={"TRANSPOSE_CONV"}, seed=filters)


@pytest.mark.parametrize("shape, filters, kernel, strides, padding, bias, activation", [
    ((5, 7, 3), 6, 3, 2, "same", True, "relu"),
    ((7, 4, 5), 3, (2, 3), (1, 2), "valid", False, None),  # no bias: the int64 accumulator alone
])
def test_transpose_conv_int16(tmp_path, shape, filters, kernel, strides, padding, bias, activation):
    """16x8: int64 accumulators and the 64-bit requantisation, with the converter's int64 bias."""
    model = _model(shape, filters, kernel, strides, padding, bias, activation, seed=filters, io="int16")
    assert_bit_exact(model, tmp_path, boards=("host", "mps2-an386"), expect_ops={"TRANSPOSE_CONV"}, seed=filters)


@pytest.mark.parametrize("io, width", [("int8", 4), ("int16", 8)])
def test_scratch_is_planned_and_never_in_place(io, width):
    """TFLite Micro's int32 (int64 for 16x8) scratch of the output's size is an arena interval of that step only;
    the growing output never overwrites the input, and no patch stage takes the op."""
    graph = parse_tflite(_model((5, 7, 3), 5, 3, 2, "same", True, io=io), "tconv", "tconv.tflite")
    op = next(op for op in graph.operators if op.opcode == "TRANSPOSE_CONV")
    out = graph.tensor(op.outputs[0])
    plan = plan_memory(graph, inplace=True)
    step = plan.order.index(op.index)
    scratch = [p for p in plan.placements if p.kind == "scratch"]
    assert [(p.size_bytes, p.first_step, p.last_step) for p in scratch] == [(out.elements * width, step, step)]
    assert plan.kernel_scratch(op.index) == scratch[0].offset_bytes
    assert op.index not in plan.inplace
    x = graph.tensor(op.inputs[2])
    assert plan.offset_of(x.index) != plan.offset_of(out.index)
    assert plan.live_bytes[step] == x.size_bytes + out.size_bytes + out.elements * width
    schedule = plan_schedule(graph, options=ScheduleOptions(patches="auto"))
    assert schedule.plan.stage is None or op.index not in schedule.plan.stage.ops


def _seanet_like(path, bias_type=np.int64):
    """TFLM's seanet form: output_shape a model input (int32, never read: the output tensor sizes the op), int16
    activations, a per-tensor weight scale and a bias of `bias_type`."""
    w = _Writer()
    rng = np.random.default_rng(3)
    shape = w.tensor("output_shape", (4,), scale=1.0, zero_point=0, dtype="INT32")
    filt = w.tensor("filter", (4, 3, 4, 7), rng.integers(-127, 128, (4, 3, 4, 7), dtype=np.int8), scale=0.011,
                    zero_point=0, dtype="INT8")
    x = w.tensor("x", (1, 2, 5, 7), scale=3.7e-4, zero_point=0, dtype="INT16")
    bias = w.tensor("bias", (4,), rng.integers(-50000, 50000, 4).astype(bias_type), scale=4.1e-6, zero_point=0,
                    dtype="INT64" if bias_type == np.int64 else "INT32")
    y = w.tensor("y", (1, 4, 10, 4), scale=1.3e-3, zero_point=0, dtype="INT16")
    options = w.schema.TransposeConvOptionsT()
    options.padding, options.strideH, options.strideW = w.schema.Padding.SAME, 2, 2
    w.op("TRANSPOSE_CONV", [shape, filt, x, bias], [y], options, "TransposeConvOptions")
    return w.write(path, [shape, x], [y])


def test_int16_with_a_run_time_output_shape(tmp_path):
    path = _seanet_like(tmp_path / "seanet_like.tflite")
    assert_bit_exact(path, tmp_path, boards=("host", "mps2-an386"), expect_ops={"TRANSPOSE_CONV"})


def test_int16_with_an_int32_bias_is_refused(tmp_path):
    """TFLite Micro would read an int32 bias of a 16x8 TRANSPOSE_CONV as int64 (past the end of its buffer)."""
    path = _seanet_like(tmp_path / "bias32.tflite", np.int32)
    one_error_line(invoke("check", path, exit_code=2), "bias32", "TRANSPOSE_CONV", "bias is int32",
                   "int16 or int64")
