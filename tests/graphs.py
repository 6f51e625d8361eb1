"""Small IR graphs built by hand or by hypothesis, for planner tests that need no model file."""

from __future__ import annotations

from collections.abc import Callable
from math import prod

import numpy as np
from hypothesis import strategies as st

from tinygen.ir.attrs import Attrs, Conv2DAttrs, FullyConnectedAttrs, NoAttrs
from tinygen.ir.graph import Graph, Operator, Tensor


def chain_graph(sizes: list[int], opcodes: list[str] | None = None) -> Graph:
    """input(sizes[0]) -> op -> ... -> output(sizes[-1]); each op reads the previous tensor."""
    opcodes = opcodes or ["ADD"] * (len(sizes) - 1)
    tensors = [Tensor(i, f"t{i}", (s,), "int8") for i, s in enumerate(sizes)]
    ops = [Operator(i, opcodes[i], (i,), (i + 1,), NoAttrs()) for i in range(len(sizes) - 1)]
    return Graph("chain", tuple(tensors), tuple(ops), (0,), (len(sizes) - 1,))


def dag_graph(spec: list[tuple[str, tuple[int, ...], int]], input_size: int, outputs=None) -> Graph:
    """Ops given as (opcode, input tensor ids, output size); op i writes tensor i+1, tensor 0 is the input.

    Every op also reads a constant weight tensor, so constants are present but never planned.
    """
    tensors = [Tensor(0, "in", (input_size,), "int8")]
    ops = []
    n = len(spec)
    for i, (_, _, size) in enumerate(spec):
        tensors.append(Tensor(i + 1, f"t{i + 1}", (size,), "int8"))
    for i, (opcode, ins, _) in enumerate(spec):
        w = Tensor(n + 1 + i, f"w{i}", (4,), "int8", data=np.zeros(4, np.int8))
        tensors.append(w)
        ops.append(Operator(i, opcode, tuple(ins) + (w.index,), (i + 1,), NoAttrs()))
    outs = outputs if outputs is not None else (n,)
    return Graph("dag", tuple(tensors), tuple(ops), (0,), tuple(outs))


def random_dag(pick: Callable[[int, int], int], max_ops: int = 14) -> tuple[Graph, dict[int, int]]:
    """A DAG with branches, joins, RESHAPE aliases, several outputs, and per-op scratch; `pick(lo, hi)`
    chooses every integer (inclusive), so hypothesis and a seeded `random.Random.randint` build the same kind."""
    n = pick(1, max_ops)
    spec = []
    sizes = {0: pick(1, 4096)}
    for i in range(n):
        ins = tuple(sorted({pick(0, i) for _ in range(pick(1, min(3, i + 1)))}))
        if pick(0, 3) == 0:  # a RESHAPE output has its input's size (same bytes, new shape)
            spec.append(("RESHAPE", ins[:1], sizes[ins[0]]))
        else:
            spec.append(("ADD", ins, pick(1, 4096)))
        sizes[i + 1] = spec[-1][2]
    extra_outputs = {pick(1, n) for _ in range(pick(0, 2))}
    graph = dag_graph(spec, sizes[0], outputs=tuple(sorted(extra_outputs | {n})))
    scratch = {i: (0, 0, 0, 64, 1000)[pick(0, 4)] for i in range(n)}
    return graph, scratch


@st.composite
def random_dags(draw, max_ops: int = 14):
    """`random_dag` drawn by hypothesis, so failures shrink."""
    return random_dag(lambda lo, hi: draw(st.integers(lo, hi)), max_ops)


def conv_net(input_hwc: tuple[int, int, int], layers: list[tuple]) -> Graph:
    """An int8 NHWC chain from layers ("CONV_2D", kernel, stride, "SAME" | "VALID", channels), ("RESHAPE",)
    (flattens) and ("FULLY_CONNECTED", units); weights are zero constants (OHWI, or units × depth)."""
    shape: tuple[int, ...] = (1, *input_hwc)
    tensors = [Tensor(0, "in", shape, "int8")]
    ops: list[Operator] = []

    def add(name: str, shape: tuple[int, ...], data: np.ndarray | None = None) -> int:
        tensors.append(Tensor(len(tensors), name, shape, "int8", data=data))
        return len(tensors) - 1

    x = 0
    inputs: tuple[int, ...]
    attrs: Attrs
    for i, (opcode, *args) in enumerate(layers):
        if opcode == "CONV_2D":
            k, stride, padding, channels = args
            _, h, w, c = shape
            out_h, out_w = ((-(-n // stride)) if padding == "SAME" else (n - k) // stride + 1 for n in (h, w))
            weights = add(f"w{i}", (channels, k, k, c), np.zeros((channels, k, k, c), np.int8))
            shape, inputs, attrs = (1, out_h, out_w, channels), (x, weights), Conv2DAttrs(padding, stride, stride)
        elif opcode == "RESHAPE":
            shape, inputs, attrs = (1, prod(shape)), (x,), NoAttrs()
        else:
            (units,) = args
            weights = add(f"w{i}", (units, shape[-1]), np.zeros((units, shape[-1]), np.int8))
            shape, inputs, attrs = (1, units), (x, weights), FullyConnectedAttrs()
        y = add(f"t{i}", shape)
        ops.append(Operator(len(ops), opcode, inputs, (y,), attrs))
        x = y
    return Graph("conv_net", tuple(tensors), tuple(ops), (0,), (x,))
