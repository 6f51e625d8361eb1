"""Lowering a malformed int8 model is an InputError naming what is wrong, not an exception from deep inside."""

import numpy as np
import pytest

from tinygen.errors import InputError
from tinygen.ir.attrs import FullyConnectedAttrs
from tinygen.ir.graph import Graph, Operator, Quant, Tensor
from tinygen.lower.program import lower_layers
from tinygen.plan.memory import plan_memory

Q = Quant((0.1,), (0,))


def _dense(bias: Tensor, y_quant: Quant | None = Q) -> Graph:
    """x(1, 4) @ w(2, 4) + bias -> y(1, 2); bias is a graph input when it has no data."""
    x = Tensor(0, "x", (1, 4), "int8", Q)
    w = Tensor(1, "w", (2, 4), "int8", Q, np.ones((2, 4), np.int8))
    y = Tensor(3, "y", (1, 2), "int8", y_quant)
    op = Operator(0, "FULLY_CONNECTED", (0, 1, 2), (3,), FullyConnectedAttrs())
    inputs = (0,) if bias.data is not None else (0, 2)
    return Graph("dense", (x, w, bias, y), (op,), inputs, (3,))


def test_a_bias_fed_from_outside_the_model_is_named():
    graph = _dense(Tensor(2, "bias", (2,), "int8"))  # int8: an int32 activation is refused before lowering
    with pytest.raises(InputError, match=r"m\.tflite: operator 0 FULLY_CONNECTED: input 2 \('bias'\) is not a "
                                         r"constant"):
        lower_layers(graph, plan_memory(graph), "m.tflite")


def test_an_output_without_quantisation_is_named():
    graph = _dense(Tensor(2, "bias", (2,), "int32", data=np.zeros(2, np.int32)), y_quant=None)
    with pytest.raises(InputError, match=r"m\.tflite: tensor 'y' has no quantisation"):
        lower_layers(graph, plan_memory(graph), "m.tflite")


def test_the_well_formed_model_lowers():
    graph = _dense(Tensor(2, "bias", (2,), "int32", data=np.array([5, -5], np.int32)))
    (layer,) = lower_layers(graph, plan_memory(graph), "m.tflite")
    assert layer.params.bias.values.tolist() == [5, -5]  # input zero point 0: nothing folded in
