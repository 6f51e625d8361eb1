"""A candidate as tinygen's IR, built from shapes alone: what TensorFlow's int8 converter would write.

The search measures thousands of subnets; converting each through TensorFlow
would take seconds apiece, so the graph is built directly with the operators,
tensor shapes and constant sizes the converter produces (Conv2D + BatchNorm +
ReLU6 fold into CONV_2D with a bias and a fused RELU6; GlobalAveragePooling2D
becomes MEAN over axes 1 and 2). The planner needs only those; `check` also
lowers the graph to pick each layer's kernel, so the constants are zeros and
every tensor carries a quantisation of the converter's form (per-channel
weight scales, softmax output 1/256 at -128); the values are never trained or
run. tests/search/test_ir_net.py proves them equal, for planning and checking,
to the converted models.
"""

from __future__ import annotations

import numpy as np

from tinygen.ir.attrs import (
    ActivationAttrs,
    Attrs,
    Conv2DAttrs,
    DepthwiseConv2DAttrs,
    FullyConnectedAttrs,
    ReducerAttrs,
    SoftmaxAttrs,
)
from tinygen.ir.graph import Graph, Operator, Quant, Tensor
from tinygen.search.net import Add, Conv, Dense, Depthwise, GlobalPool, Net, Softmax

ACTIVATION = Quant((0.05,), (-128,))  # any scale works: the values are never run
WEIGHT_SCALE = 0.01
SOFTMAX_OUTPUT = Quant((1 / 256,), (-128,))  # what TFLite requires of an int8 softmax


class _Builder:
    def __init__(self) -> None:
        self.tensors: list[Tensor] = []
        self.ops: list[Operator] = []

    def tensor(self, name: str, shape: tuple[int, ...], dtype: str = "int8", constant: bool = False,
               channels: int = 1, quant: Quant | None = None, data: np.ndarray | None = None) -> int:
        if constant and data is None:
            data = np.zeros(shape, np.int32 if dtype == "int32" else np.int8)
        if quant is None and dtype == "int8":  # weights symmetric per channel, activations per tensor
            quant = Quant((WEIGHT_SCALE,) * channels, (0,) * channels) if constant else ACTIVATION
        self.tensors.append(Tensor(len(self.tensors), name, shape, dtype, quant, data))
        return len(self.tensors) - 1

    def op(self, opcode: str, inputs: tuple[int, ...], output: int, attrs: Attrs) -> None:
        self.ops.append(Operator(len(self.ops), opcode, inputs, (output,), attrs))


def ir_graph(net: Net, name: str = "candidate") -> Graph:
    b = _Builder()
    values = [b.tensor("input", (1,) + net.shapes[0])]
    for i, node in enumerate(net.nodes):
        shape = (1,) + net.shapes[i + 1]
        out = b.tensor(f"v{i + 1}", shape, quant=SOFTMAX_OUTPUT if isinstance(node, Softmax) else None)
        src = values[node.source]
        if isinstance(node, Conv):
            in_c, out_c = net.shapes[node.source][-1], node.channels
            w = b.tensor(f"w{i + 1}", (out_c, *node.kernel, in_c), constant=True, channels=out_c)
            bias = b.tensor(f"b{i + 1}", (out_c,), "int32", constant=True)
            attrs = Conv2DAttrs("SAME", node.stride, node.stride, activation="RELU6" if node.relu6 else "NONE")
            b.op("CONV_2D", (src, w, bias), out, attrs)
        elif isinstance(node, Depthwise):
            c = net.shapes[node.source][-1]
            w = b.tensor(f"w{i + 1}", (1, node.kernel, node.kernel, c), constant=True, channels=c)
            bias = b.tensor(f"b{i + 1}", (c,), "int32", constant=True)
            attrs = DepthwiseConv2DAttrs("SAME", node.stride, node.stride, activation="RELU6", depth_multiplier=1)
            b.op("DEPTHWISE_CONV_2D", (src, w, bias), out, attrs)
        elif isinstance(node, Add):
            b.op("ADD", (src, values[node.other]), out, ActivationAttrs("NONE"))
        elif isinstance(node, GlobalPool):
            axes = b.tensor(f"axes{i + 1}", (2,), "int32", constant=True, data=np.array([1, 2], np.int32))
            b.op("MEAN", (src, axes), out, ReducerAttrs(keep_dims=False))
        elif isinstance(node, Dense):
            depth = net.shapes[node.source][-1]
            # TensorFlow's converter quantises dense weights per output unit, as it does convolutions
            w = b.tensor(f"w{i + 1}", (node.units, depth), constant=True, channels=node.units)
            bias = b.tensor(f"b{i + 1}", (node.units,), "int32", constant=True)
            b.op("FULLY_CONNECTED", (src, w, bias), out, FullyConnectedAttrs("NONE"))
        elif isinstance(node, Softmax):
            b.op("SOFTMAX", (src,), out, SoftmaxAttrs(1.0))
        values.append(out)
    return Graph(name, tuple(b.tensors), tuple(b.ops), (values[0],), (values[-1],))
