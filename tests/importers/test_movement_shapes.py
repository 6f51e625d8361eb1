"""The importer's checks on data-movement operators, whose kernels copy by the shapes and constants in the file:
what TFLite Micro runs passes, and each lie that would make a copy reach outside a tensor is one InputError."""

from __future__ import annotations

import numpy as np
import pytest

from tests.importers.shapes import assert_only_the_lie_is_refused, one_op
from tinygen.ir.attrs import BlockSizeAttrs, GatherAttrs, NoAttrs, PackAttrs, SplitAttrs


def _ints(*values: int) -> np.ndarray:
    return np.array(values, np.int32)


# (graph TFLite Micro runs, the same graph with one lie, what the error says)
CASES = {
    "slice past the end": (
        one_op("SLICE", NoAttrs(), [(1, 9, 5), _ints(0, 3, 1), _ints(1, -1, 4)], [(1, 6, 4)]),
        one_op("SLICE", NoAttrs(), [(1, 9, 5), _ints(0, 3, 2), _ints(1, -1, 4)], [(1, 6, 4)]),
        r"begin \[0, 3, 2\] and size \[1, -1, 4\] reach outside input 'x0' \(1, 9, 5\)"),
    "slice output": (
        one_op("SLICE", NoAttrs(), [(1, 9, 5), _ints(0, 3, 1), _ints(1, -1, 4)], [(1, 6, 4)]),
        one_op("SLICE", NoAttrs(), [(1, 9, 5), _ints(0, 3, 1), _ints(1, -1, 4)], [(1, 7, 4)]),
        r"'y0' has shape \(1, 7, 4\), but begin .* give \(1, 6, 4\)"),
    "gather index": (
        one_op("GATHER", GatherAttrs(axis=1), [(2, 7, 3), _ints(6, 0, 2)], [(2, 3, 3)]),
        one_op("GATHER", GatherAttrs(axis=1), [(2, 7, 3), _ints(6, 0, 7)], [(2, 3, 3)]),
        r"indices 'c1' \[6, 0, 7\] reach outside the 7 entries of axis 1"),
    "gather negative index": (
        one_op("GATHER", GatherAttrs(axis=-1), [(2, 7, 3), _ints(2, 0)], [(2, 7, 2)]),
        one_op("GATHER", GatherAttrs(axis=-1), [(2, 7, 3), _ints(2, -1)], [(2, 7, 2)]),
        r"reach outside the 3 entries of axis 2"),
    "gather output": (
        one_op("GATHER", GatherAttrs(axis=1), [(2, 7, 3), _ints(6, 0, 2)], [(2, 3, 3)]),
        one_op("GATHER", GatherAttrs(axis=1), [(2, 7, 3), _ints(6, 0, 2)], [(2, 4, 3)]),
        r"'y0' has shape \(2, 4, 3\), but input \(2, 7, 3\), indices \(3,\), axis 1 and batch_dims 0 give \(2, 3, 3\)"),
    "split pieces": (
        one_op("SPLIT", SplitAttrs(2), [_ints(-1), (1, 4, 6)], [(1, 4, 3), (1, 4, 3)]),
        one_op("SPLIT", SplitAttrs(2), [_ints(-1), (1, 4, 6)], [(1, 4, 3), (1, 4, 4)]),
        r"its 2 outputs hold 7 of the 6 entries of input 'x1' \(1, 4, 6\) along axis 2"),
    "split unequal": (
        one_op("SPLIT", SplitAttrs(2), [_ints(-1), (1, 4, 6)], [(1, 4, 3), (1, 4, 3)]),
        one_op("SPLIT", SplitAttrs(2), [_ints(-1), (1, 4, 6)], [(1, 4, 2), (1, 4, 4)]),
        r"SPLIT cuts equal pieces"),
    "split_v other axes": (
        one_op("SPLIT_V", SplitAttrs(2), [(1, 4, 6), _ints(1, 5), _ints(2)], [(1, 4, 1), (1, 4, 5)]),
        one_op("SPLIT_V", SplitAttrs(2), [(1, 4, 6), _ints(1, 5), _ints(2)], [(1, 4, 1), (1, 5, 5)]),
        r"output 'y1' has shape \(1, 5, 5\), not a piece of input 'x0' \(1, 4, 6\) cut along axis 2"),
    "unpack num": (
        one_op("UNPACK", PackAttrs(3, axis=1), [(2, 3, 5)], [(2, 5)] * 3),
        one_op("UNPACK", PackAttrs(4, axis=1), [(2, 3, 5)], [(2, 5)] * 3),
        r"num is 4, but it has 3 outputs"),
    "unpack axis size": (
        one_op("UNPACK", PackAttrs(3, axis=1), [(2, 3, 5)], [(2, 5)] * 3),
        one_op("UNPACK", PackAttrs(3, axis=2), [(2, 3, 5)], [(2, 5)] * 3),
        r"not a piece of input 'x0' \(2, 3, 5\) cut along axis 2"),
    "pack output": (
        one_op("PACK", PackAttrs(2, axis=-1), [(3, 5), (3, 5)], [(3, 5, 2)]),
        one_op("PACK", PackAttrs(2, axis=-1), [(3, 5), (3, 5)], [(3, 6, 2)]),
        r"'y0' has shape \(3, 6, 2\), but 2 inputs stacked on axis 2 give \(3, 5, 2\)"),
    "pack inputs": (
        one_op("PACK", PackAttrs(2, axis=0), [(3, 5), (3, 5)], [(2, 3, 5)]),
        one_op("PACK", PackAttrs(2, axis=0), [(3, 5), (3, 4)], [(2, 3, 5)]),
        r"PACK stacks values_count inputs of one shape"),
    "space_to_depth blocks": (
        one_op("SPACE_TO_DEPTH", BlockSizeAttrs(2), [(1, 6, 4, 3)], [(1, 3, 2, 12)]),
        one_op("SPACE_TO_DEPTH", BlockSizeAttrs(2), [(1, 7, 4, 3)], [(1, 3, 2, 12)]),
        r"input 'x0' \(1, 7, 4, 3\) is not whole 2x2 blocks"),
    "depth_to_space output": (
        one_op("DEPTH_TO_SPACE", BlockSizeAttrs(2), [(1, 3, 2, 12)], [(1, 6, 4, 3)]),
        one_op("DEPTH_TO_SPACE", BlockSizeAttrs(2), [(1, 3, 2, 12)], [(1, 6, 4, 4)]),
        r"'y0' has shape \(1, 6, 4, 4\), but input \(1, 3, 2, 12\) and block size 2 give \(1, 6, 4, 3\)"),
    "depth_to_space zero block": (
        one_op("DEPTH_TO_SPACE", BlockSizeAttrs(2), [(1, 3, 2, 12)], [(1, 6, 4, 3)]),
        one_op("DEPTH_TO_SPACE", BlockSizeAttrs(0), [(1, 3, 2, 12)], [(1, 6, 4, 3)]),
        r"block size is 0; it must be at least 1"),
}


@pytest.mark.parametrize("name", CASES)
def test_a_lie_that_would_copy_out_of_bounds_is_refused(name):
    assert_only_the_lie_is_refused(*CASES[name])
