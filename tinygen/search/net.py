"""An `Arch` as a flat list of layers with their output shapes: the one statement of a candidate's topology.

Both emitters read this list (`keras_net.py` for training, `ir_net.py` for the
memory planner), so the network that is trained is the network that is planned.
Node i writes value i + 1; value 0 is the input. Padding is SAME everywhere, so
a stride-s layer's output is ceil(size / s).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from tinygen.search.arch import Arch

SPECTROGRAM_KERNEL = (10, 4)  # DS-CNN's first layer (Zhang et al., "Hello Edge")


@dataclass(frozen=True)
class Conv:
    source: int
    kernel: tuple[int, int]
    stride: int
    channels: int
    relu6: bool


@dataclass(frozen=True)
class Depthwise:
    source: int
    kernel: int
    stride: int


@dataclass(frozen=True)
class Add:
    source: int
    other: int


@dataclass(frozen=True)
class GlobalPool:
    source: int


@dataclass(frozen=True)
class Dense:
    source: int
    units: int


@dataclass(frozen=True)
class Softmax:
    source: int


Node = Conv | Depthwise | Add | GlobalPool | Dense | Softmax


@dataclass(frozen=True)
class Net:
    input_shape: tuple[int, int, int]
    nodes: tuple[Node, ...]
    shapes: tuple[tuple[int, ...], ...]  # shapes[v]: value v's shape without batch (shapes[0]: the input)


def _out_shape(node: Node, shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
    src = shapes[node.source]
    if isinstance(node, Conv):
        return ceil(src[0] / node.stride), ceil(src[1] / node.stride), node.channels
    if isinstance(node, Depthwise):
        return ceil(src[0] / node.stride), ceil(src[1] / node.stride), src[2]
    if isinstance(node, GlobalPool):
        return (src[2],)
    if isinstance(node, Dense):
        return (node.units,)
    return src


def layers(arch: Arch) -> Net:
    nodes: list[Node] = []

    def add(node: Node) -> int:
        nodes.append(node)
        return len(nodes)

    if arch.stem == "spectrogram":
        x = add(Conv(0, SPECTROGRAM_KERNEL, 2, arch.stem_channels, True))
    else:
        x = add(Conv(0, (3, 3), 2, arch.stem_channels, True))
    if arch.stem == "conv+ds":
        x = add(Conv(add(Depthwise(x, 3, 1)), (1, 1), 1, arch.stem_channels, False))
    channels = arch.stem_channels
    for stage in arch.stages:
        for i, block in enumerate(stage.blocks):
            stride = stage.stride if i == 0 else 1
            y = x
            if block.expand != 1:
                y = add(Conv(y, (1, 1), 1, channels * block.expand, True))
            y = add(Depthwise(y, block.kernel, stride))
            y = add(Conv(y, (1, 1), 1, stage.channels, False))
            x = add(Add(y, x)) if stride == 1 and channels == stage.channels else y
            channels = stage.channels
    x = add(GlobalPool(x))
    add(Softmax(add(Dense(x, arch.classes))))
    return shaped(arch.input_shape, nodes)


def shaped(input_shape: tuple[int, int, int], nodes: list[Node]) -> Net:
    """A `Net` from its nodes, every value's shape derived in order."""
    h, w, c = input_shape  # may arrive as a list (JSON)
    shapes: list[tuple[int, ...]] = [(h, w, c)]
    for node in nodes:
        shapes.append(_out_shape(node, shapes))
    return Net((h, w, c), tuple(nodes), tuple(shapes))
