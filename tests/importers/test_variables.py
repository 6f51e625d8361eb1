"""Resource variables wired wrong are refused in one line, as TFLite Micro's Prepare would fail on them."""

from __future__ import annotations

import pytest

from tinygen.errors import InputError
from tinygen.importers.variables import check_variables
from tinygen.ir.attrs import NoAttrs, VarHandleAttrs
from tinygen.ir.graph import Graph, Operator, Tensor


def _graph(read_size: int, assign_size: int | None, handle_op: str = "VAR_HANDLE") -> Graph:
    tensors = (Tensor(0, "h", (), "resource"), Tensor(1, "r", (read_size,), "int8"),
               Tensor(2, "a", (assign_size or 1,), "int8"), Tensor(3, "x", (1,), "int8"))
    ops = [Operator(0, handle_op, (3,) if handle_op != "VAR_HANDLE" else (), (0,), VarHandleAttrs("", "v")),
           Operator(1, "READ_VARIABLE", (0,), (1,), NoAttrs())]
    if assign_size is not None:
        ops.append(Operator(2, "ASSIGN_VARIABLE", (0, 2), (), NoAttrs()))
    return Graph("g", tensors, tuple(ops), (3,), (1,))


def test_consistent_variables_pass() -> None:
    check_variables(_graph(8, 8))


@pytest.mark.parametrize(("graph", "says"), [
    (_graph(8, None), "reads a variable nothing assigns"),
    (_graph(8, 4), "moves 8 bytes of a variable that holds 4"),
    (_graph(8, 8, handle_op="RELU"), "which no VAR_HANDLE of its subgraph writes"),
])
def test_miswired_variables_are_refused(graph: Graph, says: str) -> None:
    with pytest.raises(InputError) as err:
        check_variables(graph)
    assert says in str(err.value) and "\n" not in str(err.value)
