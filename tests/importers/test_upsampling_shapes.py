"""The importer's checks on the operators whose output is larger than their input (TRANSPOSE_CONV): what TFLite
Micro runs passes, and each lie about shapes, filter or strides is one InputError."""

from __future__ import annotations

import numpy as np
import pytest

from tests.importers.test_movement_shapes import one_op
from tinygen.errors import InputError
from tinygen.importers.validate import validate_graph
from tinygen.ir.attrs import Conv2DAttrs
from tinygen.ir.graph import Graph


def _tconv(out: tuple[int, ...], x: tuple[int, ...] = (1, 5, 7, 3), filt: tuple[int, ...] = (4, 3, 3, 3),
           shape: tuple[int, ...] | None = None, bias: int | None = 4, stride: int = 2,
           padding: str = "SAME") -> Graph:
    inputs = [np.array(shape or out), np.zeros(filt), x] + ([np.zeros(bias)] if bias is not None else [])
    return one_op("TRANSPOSE_CONV", Conv2DAttrs(padding, stride, stride), inputs, [out])


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
}


@pytest.mark.parametrize("name", CASES)
def test_a_lie_about_an_upsampling_op_is_refused(name):
    good, bad, message = CASES[name]
    validate_graph(good)
    with pytest.raises(InputError, match=message) as caught:
        validate_graph(bad)
    assert "re-export the model" in str(caught.value) and "\n" not in str(caught.value)


def test_output_shape_must_be_a_constant():
    graph = one_op("TRANSPOSE_CONV", Conv2DAttrs("SAME", 2, 2), [(4,), np.zeros((4, 3, 3, 3)), (1, 5, 7, 3)],
                   [(1, 10, 14, 4)])
    with pytest.raises(InputError, match=r"output_shape 'x0' is not a constant"):
        validate_graph(graph)
