"""Spatial geometry shared by the planner and the lowerings: kernel, stride, dilation and padding per axis."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.ir.attrs import Conv2DAttrs, Pool2DAttrs
from tinygen.ir.graph import Graph, Operator

SPATIAL_OPS = ("CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "MAX_POOL_2D")


@dataclass(frozen=True)
class Axis:
    """One spatial axis: output o reads input rows o*stride - pad + k*dilation for k in [0, kernel)."""

    kernel: int
    stride: int
    dilation: int
    pad: int  # leading padding


def same_padding(in_size: int, out_size: int, k: int, stride: int, dilation: int) -> int:
    """Leading padding as TFLite's ComputePaddingWithOffset gives it (the odd pixel goes at the end)."""
    effective = (k - 1) * dilation + 1
    return max(0, (out_size - 1) * stride + effective - in_size) // 2


def conv_axes(graph: Graph, op: Operator) -> tuple[Axis, Axis]:
    """(height, width) axes of a spatial op, NHWC tensors; OHWI (CONV_2D) or 1HWO (DEPTHWISE) weights."""
    a: Conv2DAttrs | Pool2DAttrs
    if op.opcode in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        a = op.attrs_of(Conv2DAttrs)
        _, k_h, k_w, _ = graph.tensor(op.inputs[1]).shape
        dilation = (a.dilation_h, a.dilation_w)
    elif op.opcode in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
        a = op.attrs_of(Pool2DAttrs)
        k_h, k_w, dilation = a.filter_h, a.filter_w, (1, 1)
    else:
        raise ValueError(f"{op.opcode} is not a spatial op ({', '.join(SPATIAL_OPS)})")
    _, in_h, in_w, _ = graph.tensor(op.inputs[0]).shape
    _, out_h, out_w, _ = graph.tensor(op.outputs[0]).shape
    axes = []
    for k, stride, d, n_in, n_out in ((k_h, a.stride_h, dilation[0], in_h, out_h),
                                      (k_w, a.stride_w, dilation[1], in_w, out_w)):
        pad = same_padding(n_in, n_out, k, stride, d) if a.padding == "SAME" else 0
        axes.append(Axis(int(k), stride, d, pad))
    return axes[0], axes[1]
