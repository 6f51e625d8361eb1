"""tinygen/ir/graph.py: Operator.attrs_of reads attributes as the kind a lowering expects, or names the op."""

from __future__ import annotations

import pytest

from tinygen.ir.attrs import Conv2DAttrs, DepthwiseConv2DAttrs, Pool2DAttrs, SoftmaxAttrs
from tinygen.ir.graph import Operator


def test_attrs_of_returns_the_attrs_of_that_kind():
    attrs = SoftmaxAttrs(beta=0.5)
    assert Operator(0, "SOFTMAX", (0,), (1,), attrs).attrs_of(SoftmaxAttrs) is attrs


def test_depthwise_attrs_read_as_conv_attrs():
    attrs = DepthwiseConv2DAttrs("SAME", 2, 2, depth_multiplier=3)
    assert Operator(0, "DEPTHWISE_CONV_2D", (0, 1), (2,), attrs).attrs_of(Conv2DAttrs).stride_h == 2


def test_another_kind_is_an_error_naming_the_operator():
    op = Operator(7, "MAX_POOL_2D", (0,), (1,), Pool2DAttrs("VALID", 2, 2, 2, 2))
    with pytest.raises(TypeError, match=r"operator 7 \(MAX_POOL_2D\) has Pool2DAttrs, not the Conv2DAttrs"):
        op.attrs_of(Conv2DAttrs)
