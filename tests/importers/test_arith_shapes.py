"""The importer's checks on BATCH_MATMUL, GATHER_ND and ADD_N, whose kernels walk the shapes and constant indices
in the file: what TFLite Micro runs passes, and each lie that would make them reach outside a tensor is refused."""

from __future__ import annotations

import numpy as np
import pytest

from tests.importers.shapes import assert_only_the_lie_is_refused, one_op
from tinygen.ir.attrs import BatchMatMulAttrs, NoAttrs


def _idx(rows: list[list[int]]) -> np.ndarray:
    return np.array(rows, np.int32)


CASES = {
    "matmul output": (
        one_op("BATCH_MATMUL", BatchMatMulAttrs(), [(2, 5, 7), (1, 7, 3)], [(2, 5, 3)]),
        one_op("BATCH_MATMUL", BatchMatMulAttrs(), [(2, 5, 7), (1, 7, 3)], [(2, 5, 4)]),
        r"'y0' has shape \(2, 5, 4\), but lhs \(2, 5, 7\) and rhs \(1, 7, 3\) \(adj_x False, adj_y False\) give "
        r"\(2, 5, 3\)"),
    "matmul depth": (
        one_op("BATCH_MATMUL", BatchMatMulAttrs(adj_y=True), [(5, 7), (3, 7)], [(5, 3)]),
        one_op("BATCH_MATMUL", BatchMatMulAttrs(), [(5, 7), (3, 7)], [(5, 3)]),
        r"lhs \(5, 7\) and rhs \(3, 7\) \(adj_x False, adj_y False\) do not multiply"),
    "gather_nd start": (
        one_op("GATHER_ND", NoAttrs(), [(3, 4, 5), _idx([[2, 3], [0, 7]])], [(2, 5)]),  # 7 leaves its axis only
        one_op("GATHER_ND", NoAttrs(), [(3, 4, 5), _idx([[2, 3], [2, 4]])], [(2, 5)]),
        r"indices 'c1' \[2, 4\] reach outside input \(3, 4, 5\)"),
    "gather_nd negative": (
        one_op("GATHER_ND", NoAttrs(), [(3, 4, 5), _idx([[1, 0, 0]])], [(1,)]),
        one_op("GATHER_ND", NoAttrs(), [(3, 4, 5), _idx([[0, 0, -1]])], [(1,)]),
        r"\[0, 0, -1\] reach outside"),
    "gather_nd output": (
        one_op("GATHER_ND", NoAttrs(), [(3, 4, 5), _idx([[2, 3], [0, 1]])], [(2, 5)]),
        one_op("GATHER_ND", NoAttrs(), [(3, 4, 5), _idx([[2, 3], [0, 1]])], [(2, 6)]),
        r"'y0' has shape \(2, 6\), but input \(3, 4, 5\) and indices \(2, 2\) give \(2, 5\)"),
    "gather_nd depth": (
        one_op("GATHER_ND", NoAttrs(), [(3, 4), _idx([[2, 3]])], [(1,)]),
        one_op("GATHER_ND", NoAttrs(), [(3, 4), _idx([[2, 3, 0]])], [(1,)]),
        r"the last axis must be at most the input's rank"),
    "add_n input": (
        one_op("ADD_N", NoAttrs(), [(3, 5), (3, 5), (3, 5)], [(3, 5)]),
        one_op("ADD_N", NoAttrs(), [(3, 5), (3, 4), (3, 5)], [(3, 5)]),
        r"input 'x1' has shape \(3, 4\), output 'y0' \(3, 5\); ADD_N needs them equal"),
}


@pytest.mark.parametrize("name", CASES)
def test_a_lie_that_would_read_out_of_bounds_is_refused(name):
    assert_only_the_lie_is_refused(*CASES[name])
