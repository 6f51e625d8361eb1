"""One-operator graphs for the importer's shape checks, and the assertion every such test makes: what TFLite Micro
runs passes, and the same graph with one lie is refused with one InputError line."""

from __future__ import annotations

import numpy as np
import pytest

from tinygen.errors import InputError
from tinygen.importers.validate import validate_graph
from tinygen.ir.attrs import Attrs
from tinygen.ir.graph import Graph, Operator, Tensor

Operand = tuple[int, ...] | np.ndarray  # an activation's shape, or a constant's values


def one_op(opcode: str, attrs: Attrs, inputs: list[Operand], outputs: list[tuple[int, ...]]) -> Graph:
    """A graph of one operator: shapes become int8 activations (graph inputs), arrays int32 constants."""
    tensors: list[Tensor] = []
    ins: list[int] = []
    for k, operand in enumerate(inputs):
        if isinstance(operand, np.ndarray):
            tensors.append(Tensor(len(tensors), f"c{k}", operand.shape, "int32", data=operand.astype(np.int32)))
        else:
            tensors.append(Tensor(len(tensors), f"x{k}", operand, "int8"))
            ins.append(len(tensors) - 1)
    outs = []
    for k, shape in enumerate(outputs):
        tensors.append(Tensor(len(tensors), f"y{k}", shape, "int8"))
        outs.append(len(tensors) - 1)
    op = Operator(0, opcode, tuple(range(len(inputs))), tuple(outs), attrs)
    return Graph("one", tuple(tensors), (op,), tuple(ins), tuple(outs))


def assert_only_the_lie_is_refused(good: Graph, bad: Graph, message: str) -> None:
    """`good` passes the importer's checks; `bad` (one lie more) is refused with one line matching `message`."""
    validate_graph(good)
    with pytest.raises(InputError, match=message) as caught:
        validate_graph(bad)
    assert "re-export the model" in str(caught.value) and "\n" not in str(caught.value)
