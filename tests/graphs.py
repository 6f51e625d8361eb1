"""Small IR graphs built by hand or by hypothesis, for planner tests that need no model file."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tinygen.ir.attrs import NoAttrs
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


@st.composite
def random_dags(draw, max_ops: int = 14):
    """Random DAGs with branches, joins, RESHAPE aliases, several outputs, and per-op scratch."""
    n = draw(st.integers(1, max_ops))
    spec = []
    for i in range(n):
        k = draw(st.integers(1, min(3, i + 1)))
        ins = tuple(sorted(draw(st.sets(st.integers(0, i), min_size=1, max_size=k))))
        alias = draw(st.booleans()) and draw(st.booleans())
        opcode = "RESHAPE" if alias else "ADD"
        size = draw(st.integers(1, 4096))
        if alias:
            ins = ins[:1]
        spec.append((opcode, ins, size))
    # a RESHAPE output has its input's size (same bytes, new shape)
    sizes = {0: draw(st.integers(1, 4096))}
    fixed = []
    for i, (opcode, ins, size) in enumerate(spec):
        size = sizes[ins[0]] if opcode == "RESHAPE" else size
        sizes[i + 1] = size
        fixed.append((opcode, ins, size))
    extra_outputs = draw(st.sets(st.integers(1, n), max_size=2))
    graph = dag_graph(fixed, sizes[0], outputs=tuple(sorted(extra_outputs | {n})))
    scratch = {i: draw(st.sampled_from([0, 0, 0, 64, 1000])) for i in range(n)}
    return graph, scratch
