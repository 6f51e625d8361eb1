"""The importer's checks on SVDF, whose kernel walks every operand and shifts its state by these sizes: what
TFLite Micro's Prepare accepts passes, and each lie it refuses (or that would reach past a tensor) is refused."""

from __future__ import annotations

import numpy as np
import pytest

from tests.importers.shapes import assert_only_the_lie_is_refused
from tinygen.ir.attrs import SVDFAttrs
from tinygen.ir.graph import Graph, Operator, Tensor


def svdf_graph(rank: int = 2, x: tuple[int, int] = (2, 5), feature: tuple[int, int] = (6, 5),
               time: tuple[int, int] = (6, 4), units: int = 3, state: tuple[int, int] = (2, 24),
               y: tuple[int, int] = (2, 3), variable: bool = True, bias: int = 3) -> Graph:
    """input x -> SVDF -> y; the defaults are a valid one: 2 rows of 5, 6 filters of rank 2, memory 4.
    `bias` -1 omits the bias; a state that is not `variable` is fed as a graph input."""
    tensors = (
        Tensor(0, "x", x, "int8"),
        Tensor(1, "feature", feature, "int8", data=np.zeros(feature, np.int8)),
        Tensor(2, "time", time, "int16", data=np.zeros(time, np.int16)),
        Tensor(3, "bias", (units,), "int32", data=np.zeros(units, np.int32)),
        Tensor(4, "state", state, "int16", variable=variable),
        Tensor(5, "y", y, "int8"),
    )
    op = Operator(0, "SVDF", (0, 1, 2, bias, 4), (5,), SVDFAttrs(rank))
    return Graph("svdf", tensors, (op,), (0,) if variable else (0, 4), (5,))


CASES = {
    "rank": (svdf_graph(rank=0), r"rank is 0; it must be at least 1"),
    "filters per rank": (svdf_graph(rank=4, units=1, y=(2, 1)), r"its 6 filters are not a multiple of its rank 4"),
    "feature width": (svdf_graph(feature=(6, 4)), r"'feature' has shape \(6, 4\), but 6 filters and input"),
    "time filters": (svdf_graph(time=(5, 4)), r"'time' has shape \(5, 4\), but 6 filters and a memory of 4 give"),
    "bias": (svdf_graph(units=4), r"bias 'bias' has shape \(4,\), not the 3 values its units need"),
    "state size": (svdf_graph(state=(2, 20)), r"'state' has shape \(2, 20\), but batch 2, memory size 4 and 6 filters"),
    "state not variable": (svdf_graph(variable=False), r"activation_state 'state' is not a variable tensor"),
    "output": (svdf_graph(y=(2, 6)), r"'y' has shape \(2, 6\), but batch 2 and 6 filters of rank 2 give \(2, 3\)"),
    "no bias": (svdf_graph(bias=-1), r"omits one of its first 5 inputs, which SVDF needs"),
}


@pytest.mark.parametrize("name", CASES)
def test_a_lie_about_an_svdf_is_refused(name: str) -> None:
    assert_only_the_lie_is_refused(svdf_graph(), *CASES[name])
