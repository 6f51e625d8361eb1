"""The graph validator on hand-built IR graphs and on TensorFlow's own shapes: what TFLite Micro would accept
passes, and each fault is an InputError naming it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings

from tests.graphs import chain_graph, conv_net, random_dags
from tests.models import EXAMPLE, LOCATIONS, model_path
from tests.tools import require_module
from tinygen.errors import InputError
from tinygen.importers.op_shapes import out_size
from tinygen.importers.tensors import check_tensors
from tinygen.importers.tflite import load_tflite
from tinygen.importers.validate import validate_graph
from tinygen.importers.wiring import check_wiring
from tinygen.ir.attrs import NoAttrs
from tinygen.ir.graph import Graph, Operator, Quant, Tensor


@pytest.mark.parametrize("name", [EXAMPLE] + [pytest.param(n, marks=pytest.mark.shared_models) for n in LOCATIONS])
def test_the_reference_models_pass(name):
    validate_graph(load_tflite(model_path(name)))


@given(random_dags())
@settings(max_examples=40, deadline=None)
def test_any_dag_passes(dag):
    check_wiring(dag[0])  # the planner's graphs: any wiring, opcodes with no TFLite operand counts
    check_tensors(dag[0])


def test_a_conv_net_passes_and_a_lie_about_its_output_does_not():
    graph = conv_net((9, 9, 3), [("CONV_2D", 3, 2, "SAME", 4), ("CONV_2D", 3, 1, "VALID", 8), ("RESHAPE",),
                                 ("FULLY_CONNECTED", 5)])
    validate_graph(graph)
    conv_out = graph.operators[0].outputs[0]
    tensors = list(graph.tensors)
    tensors[conv_out] = replace(tensors[conv_out], shape=(1, 9, 9, 4))  # stride 2 SAME gives 5x5
    with pytest.raises(InputError, match=r"operator 0 \(CONV_2D\): output 't0' has shape \(1, 9, 9, 4\).*"
                                         r"give \(1, 5, 5, 4\)"):
        validate_graph(replace(graph, tensors=tuple(tensors)))


def test_a_cycle_is_named_by_its_first_operator():
    graph = chain_graph([4, 4, 4])
    ops = list(graph.operators)
    ops[0] = replace(ops[0], inputs=(2,))  # op 0 reads what op 1 writes from op 0's output
    with pytest.raises(InputError, match=r"operator 0 \(ADD\) depends on its own output through a cycle"):
        validate_graph(replace(graph, operators=tuple(ops)))


def test_an_operator_reading_its_own_output_is_a_cycle():
    graph = chain_graph([4, 4])
    graph = replace(graph, operators=(replace(graph.operators[0], inputs=(0, 1)),))
    with pytest.raises(InputError, match="cycle"):
        validate_graph(graph)


def _with_weight_quant(quant: Quant, shape: tuple[int, ...]) -> Graph:
    graph = chain_graph([shape[-1]] * 2)  # the ADD's operands broadcast
    weight = Tensor(2, "w", shape, "int32", quant, np.zeros(shape, np.int32))
    op = replace(graph.operators[0], inputs=(0, 2))
    return replace(graph, tensors=graph.tensors + (weight,), operators=(op,))


def test_a_bias_may_name_its_filters_channel_dimension():
    """The converter writes a bias's quantized_dimension as its filter's 3 (person_detect does); TFLite Micro reads
    a rank-1 tensor's scales per element, so that passes, and only the count is checked."""
    validate_graph(_with_weight_quant(Quant((0.1,) * 8, (0,) * 8, axis=3), (8,)))
    with pytest.raises(InputError, match="7 per-channel scales for the 8 channels of dimension 0"):
        validate_graph(_with_weight_quant(Quant((0.1,) * 7, (0,) * 7, axis=3), (8,)))


def test_int32_zero_points_are_bounded_by_int32():
    validate_graph(_with_weight_quant(Quant((0.1,), (-(1 << 31),)), (4,)))
    with pytest.raises(InputError, match="zero point 2147483648, outside int32"):
        validate_graph(_with_weight_quant(Quant((0.1,), (1 << 31,)), (4,)))


def test_out_size_is_tensorflows():
    """Output rows as TensorFlow's own conv and pool compute them (TF forbids stride and dilation both above 1)."""
    tf = require_module("tensorflow")
    for padding in ("SAME", "VALID"):
        for size in range(1, 10):
            for k in range(1, 5):
                for stride, dilation in ((1, 1), (2, 1), (3, 1), (1, 2), (1, 3)):
                    if padding == "VALID" and (k - 1) * dilation + 1 > size:
                        continue  # TensorFlow refuses a window larger than the input
                    x = tf.zeros((1, size, 1, 1))
                    w = tf.zeros((k, 1, 1, 1))
                    rows = tf.nn.conv2d(x, w, strides=stride, padding=padding, dilations=dilation).shape[1]
                    assert out_size(size, k, stride, dilation, padding) == rows, (padding, size, k, stride, dilation)


def _broadcasts_to(a: tuple[int, ...], b: tuple[int, ...], y: tuple[int, ...]) -> bool:
    try:
        return np.broadcast_shapes(a, b) == y
    except ValueError:
        return False


@pytest.mark.parametrize("a, b, y", [
    ((1, 4, 3), (3,), (1, 4, 3)), ((1, 1, 3), (4, 1), (1, 4, 3)), ((2, 3), (2, 3), (2, 3)), ((), (2,), (2,)),
    ((1, 4, 3), (2, 3), (1, 4, 3)), ((1, 4, 3), (1, 4, 3), (1, 5, 3)), ((1, 1, 3), (1, 1, 3), (1, 4, 3)),
    ((4, 3), (1, 4, 3), (4, 3)), ((1, 4, 3), (1, 4, 3), (1, 4, 1)),
])
@pytest.mark.parametrize("opcode", ["SQUARED_DIFFERENCE", "PRELU", "ADD"])
def test_a_binary_output_must_be_its_inputs_broadcast(opcode, a, b, y):
    """An output the inputs do not broadcast to would make the kernel read past them; numpy decides which do."""
    tensors = (Tensor(0, "a", a, "int8"), Tensor(1, "b", b, "int8"), Tensor(2, "y", y, "int8"))
    graph = Graph("g", tensors, (Operator(0, opcode, (0, 1), (2,), NoAttrs()),), (0, 1), (2,))
    if _broadcasts_to(a, b, y):
        validate_graph(graph)
    else:
        with pytest.raises(InputError, match=rf"operator 0 \({opcode}\): output 'y' has shape .* do not broadcast"):
            validate_graph(graph)
