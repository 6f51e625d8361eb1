"""The importer's checks on the operators that grow or remap a tensor by index (TRANSPOSE_CONV,
RESIZE_NEAREST_NEIGHBOR, MIRROR_PAD): what TFLite Micro runs passes, and each lie about shapes, filter, strides
or paddings that would make a kernel reach outside a tensor is one InputError."""

from __future__ import annotations

import numpy as np
import pytest

from tests.importers.shapes import assert_only_the_lie_is_refused, one_op
from tinygen.errors import InputError
from tinygen.importers.validate import validate_graph
from tinygen.ir.attrs import Conv2DAttrs, MirrorPadAttrs, ResizeAttrs
from tinygen.ir.graph import Graph


def _tconv(out: tuple[int, ...], x: tuple[int, ...] = (1, 5, 7, 3), filt: tuple[int, ...] = (4, 3, 3, 3),
           shape: tuple[int, ...] | None = None, bias: int | None = 4, stride: int = 2,
           padding: str = "SAME") -> Graph:
    inputs = [np.array(shape or out), np.zeros(filt), x] + ([np.zeros(bias)] if bias is not None else [])
    return one_op("TRANSPOSE_CONV", Conv2DAttrs(padding, stride, stride), inputs, [out])


def _resize(size: tuple[int, ...], out: tuple[int, ...]) -> Graph:
    return one_op("RESIZE_NEAREST_NEIGHBOR", ResizeAttrs(), [(1, 5, 7, 3), np.array(size)], [out])


def _mirror(mode: str, pads: list[list[int]], out: tuple[int, ...]) -> Graph:
    return one_op("MIRROR_PAD", MirrorPadAttrs(mode), [(1, 5, 7, 3), np.array(pads)], [out])


GOOD = _tconv((1, 10, 14, 4))
CASES = {
    "output_shape differs from the output": (
        GOOD, _tconv((1, 10, 14, 4), shape=(1, 10, 13, 4)),
        r"output_shape is \[1, 10, 13, 4\], but output 'y0' has shape \(1, 10, 14, 4\)"),
    "output larger than the geometry": (
        GOOD, _tconv((1, 12, 14, 4)),
        r"input 'x2' \(1, 5, 7, 3\) is not what a 3x3 window, stride 2x2 and SAME padding make of output "
        r"\(1, 12, 14, 4\) \(6x7\)"),
    "valid geometry": (
        _tconv((1, 11, 15, 4), padding="VALID"), _tconv((1, 13, 15, 4), padding="VALID"),
        r"is not what a 3x3 window, stride 2x2 and VALID padding make of output \(1, 13, 15, 4\) \(6x7\)"),
    "filter channels": (
        GOOD, _tconv((1, 10, 14, 4), filt=(4, 3, 3, 2)),
        r"filter 'c1' \(4, 3, 3, 2\) does not map input 'x2' \(1, 5, 7, 3\) to output 'y0' \(1, 10, 14, 4\)"),
    "filter outputs": (
        GOOD, _tconv((1, 10, 14, 4), filt=(5, 3, 3, 3), bias=5),
        r"filter 'c1' \(5, 3, 3, 3\) does not map"),
    "zero stride": (GOOD, _tconv((1, 10, 14, 4), stride=0), r"stride h is 0; it must be at least 1"),
    "bias size": (_tconv((1, 10, 14, 4), bias=None), _tconv((1, 10, 14, 4), bias=3),
                  r"bias 'c3' has shape \(3,\), not the 4 values its output channels need"),
    "rank": (GOOD, _tconv((1, 10, 14, 4), filt=(4, 3, 3)), r"filter 'c1' has shape \(4, 3, 3\), not rank 4"),
    "resize output": (_resize((11, 9), (1, 11, 9, 3)), _resize((11, 9), (1, 11, 10, 3)),
                      r"'y0' has shape \(1, 11, 10, 3\), but input \(1, 5, 7, 3\) and size \[11, 9\] give "
                      r"\(1, 11, 9, 3\)"),
    "resize zero size": (_resize((11, 9), (1, 11, 9, 3)), _resize((0, 9), (1, 11, 9, 3)),
                         r"output height is 0; it must be at least 1"),
    "resize size length": (_resize((11, 9), (1, 11, 9, 3)), _resize((11, 9, 3), (1, 11, 9, 3)),
                           r"size 'c1' is not a constant int32 pair"),
    "reflect beyond the edge": (
        _mirror("REFLECT", [[0, 0], [4, 0], [0, 6], [0, 0]], (1, 9, 13, 3)),
        _mirror("REFLECT", [[0, 0], [5, 0], [0, 6], [0, 0]], (1, 10, 13, 3)),
        r"padding 5 on axis 1 is outside 0..4, what REFLECT allows on an axis of 5"),
    "symmetric beyond the edge": (
        _mirror("SYMMETRIC", [[0, 0], [5, 0], [0, 7], [0, 0]], (1, 10, 14, 3)),
        _mirror("SYMMETRIC", [[0, 0], [5, 0], [0, 8], [0, 0]], (1, 10, 15, 3)),
        r"padding 8 on axis 2 is outside 0..7"),
    "negative padding": (
        _mirror("SYMMETRIC", [[0, 0], [1, 0], [0, 0], [0, 0]], (1, 6, 7, 3)),
        _mirror("SYMMETRIC", [[0, 0], [1, -1], [0, 0], [0, 0]], (1, 5, 7, 3)),
        r"padding -1 on axis 1 is outside 0..5"),
    "mirror output": (
        _mirror("REFLECT", [[0, 0], [1, 2], [0, 0], [0, 0]], (1, 8, 7, 3)),
        _mirror("REFLECT", [[0, 0], [1, 2], [0, 0], [0, 0]], (1, 8, 8, 3)),
        r"'y0' has shape \(1, 8, 8, 3\), but input \(1, 5, 7, 3\) and paddings"),
    "mirror paddings shape": (
        _mirror("REFLECT", [[0, 0], [1, 2], [0, 0], [0, 0]], (1, 8, 7, 3)),
        _mirror("REFLECT", [[0, 0], [1, 2], [0, 0]], (1, 8, 7, 3)),
        r"paddings 'c1' \(3, 2\) are not a constant \(4, 2\) matrix"),
}


@pytest.mark.parametrize("name", CASES)
def test_a_lie_about_a_growing_or_remapping_op_is_refused(name):
    assert_only_the_lie_is_refused(*CASES[name])


def test_a_run_time_output_shape_is_valid():
    """TFLite Micro sizes TRANSPOSE_CONV by its output tensor, so a run-time output_shape (TFLM's seanet models
    have one) is a valid file, not a malformed one; the geometry is still checked against the output tensor."""
    graph = one_op("TRANSPOSE_CONV", Conv2DAttrs("SAME", 2, 2), [(4,), np.zeros((4, 3, 3, 3)), (1, 5, 7, 3)],
                   [(1, 10, 14, 4)])
    validate_graph(graph)
    lie = one_op("TRANSPOSE_CONV", Conv2DAttrs("SAME", 2, 2), [(4,), np.zeros((4, 3, 3, 3)), (1, 6, 7, 3)],
                 [(1, 10, 14, 4)])
    with pytest.raises(InputError, match=r"is not what a 3x3 window, stride 2x2 and SAME padding make"):
        validate_graph(lie)
