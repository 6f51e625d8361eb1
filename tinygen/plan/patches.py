"""Patch-based inference (MCUNetV2): run the memory-heavy first stage patch by patch.

A *stage* is a prefix of the graph made of spatial ops (convolutions, depthwise
convolutions, pools, same-shape ADDs) that reads the graph input and hands one
tensor, the *split tensor*, to the rest of the network. The split tensor is cut
into n×n patches; each patch is computed from its receptive field through the
whole stage, so neighbouring patches recompute their shared halo. Only the
split tensor and the input exist in full; every tensor inside the stage exists
one patch-region at a time, in a small *patch area*. Padding stays exact
because the kernels decide padding in full-tensor coordinates (tg_window.h).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tinygen.ir.cost import macs
from tinygen.ir.geometry import Axis, conv_axes
from tinygen.ir.graph import Graph, Operator
from tinygen.plan import arena
from tinygen.plan.lifetimes import Interval

SPATIAL_OPS = frozenset({"CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "MAX_POOL_2D", "ADD"})


@dataclass(frozen=True)
class Span:
    """Half-open range [start, stop) of rows or columns of a full tensor."""

    start: int
    stop: int

    @property
    def size(self) -> int:
        return self.stop - self.start

    def union(self, other: Span | None) -> Span:
        return self if other is None else Span(min(self.start, other.start), max(self.stop, other.stop))


def even_spans(size: int, n: int) -> tuple[Span, ...]:
    """`size` cut into `n` consecutive spans whose sizes differ by at most one (larger ones first)."""
    base, extra = divmod(size, n)
    spans, start = [], 0
    for i in range(n):
        stop = start + base + (i < extra)
        spans.append(Span(start, stop))
        start = stop
    return tuple(spans)


def input_span(out: Span, axis: Axis, in_size: int) -> Span:
    """Input rows (or cols) that output span `out` reads, clipped to the tensor: the rest is padding."""
    first = out.start * axis.stride - axis.pad
    last = (out.stop - 1) * axis.stride - axis.pad + (axis.kernel - 1) * axis.dilation
    return Span(max(0, first), min(in_size, last + 1))


@dataclass(frozen=True)
class PatchStage:
    """A patch schedule. Slots number the stage's tensors: 0 the input, the last one the split tensor."""

    ops: tuple[int, ...]  # execution order inside one patch
    tensors: tuple[int, ...]  # slot -> tensor index
    n: int  # n × n patches, row-major
    rows: tuple[tuple[Span, ...], ...]  # [patch row][slot]: rows of that tensor the patch computes (or reads)
    cols: tuple[tuple[Span, ...], ...]  # [patch col][slot]
    buffer_bytes: tuple[int, ...]  # [slot]: per-patch buffer size; 0 for the input and split tensor (kept in full)
    buffer_offsets: tuple[int, ...]  # [slot]: offset of that buffer inside the patch area
    area_bytes: int
    macs: int  # stage MACs including recomputed halos
    layer_macs: int  # the same layers run once, layer by layer

    @property
    def input(self) -> int:
        return self.tensors[0]

    @property
    def output(self) -> int:
        return self.tensors[-1]

    def slot(self, tensor: int) -> int:
        return self.tensors.index(tensor)

    def is_full(self, slot: int) -> bool:
        return slot in (0, len(self.tensors) - 1)

    @property
    def internal(self) -> tuple[int, ...]:
        return self.tensors[1:-1]

    @property
    def extra_macs(self) -> int:
        return self.macs - self.layer_macs


def _spatial(graph: Graph, op: Operator) -> bool:
    if op.opcode not in SPATIAL_OPS or len(op.outputs) != 1:
        return False
    y = graph.tensor(op.outputs[0])
    if len(y.shape) != 4 or y.shape[0] != 1 or y.dtype != "int8":
        return False
    if op.opcode == "ADD":
        return all(not graph.tensor(t).is_constant and graph.tensor(t).shape == y.shape for t in op.inputs)
    return True


def stage_prefixes(graph: Graph) -> list[tuple[int, ...]]:
    """Every prefix of the file order that can be a stage: spatial ops only, one tensor leaving it.

    The split tensor is the last op's output; the graph input must be read only inside the stage.
    """
    if len(graph.inputs) != 1 or len(graph.tensor(graph.inputs[0]).shape) != 4:
        return []
    source = graph.inputs[0]
    consumers = graph.consumers()
    outputs = set(graph.outputs)
    result: list[tuple[int, ...]] = []
    inside: set[int] = set()
    for op in graph.operators:
        if not _spatial(graph, op):
            break
        inside.add(op.index)
        produced = {t for i in inside for t in graph.operators[i].outputs}
        leaving = {t for t in produced if t in outputs or any(c not in inside for c in consumers.get(t, ()))}
        dead = any(not consumers.get(t) for t in produced - {op.outputs[0]})
        if leaving == {op.outputs[0]} and not dead and all(c in inside for c in consumers.get(source, ())):
            result.append(tuple(sorted(inside)))
    return result


def _required(graph: Graph, ops: Sequence[int], split: int, spans: tuple[Span, Span]) -> dict[int, list[Span]]:
    """Back-propagate the split tensor's patch region through the stage: tensor -> [row span, col span]."""
    need: dict[int, list[Span]] = {split: list(spans)}
    for index in reversed(ops):
        op = graph.operators[index]
        out = need[op.outputs[0]]
        axes = conv_axes(graph, op) if op.opcode != "ADD" else None
        for t in op.inputs:
            if t < 0 or graph.tensor(t).is_constant:
                continue
            shape = graph.tensor(t).shape
            got = out if axes is None else [input_span(out[a], axes[a], shape[1 + a]) for a in (0, 1)]
            prev = need.get(t)
            need[t] = [got[a].union(prev[a] if prev else None) for a in (0, 1)]
    return need


def build_stage(graph: Graph, ops: Sequence[int], n: int, alignment_bytes: int = 16) -> PatchStage:
    """The n×n patch schedule of stage `ops` (a prefix from `stage_prefixes`)."""
    ops = tuple(ops)
    split = graph.operators[ops[-1]].outputs[0]
    _, height, width, _ = graph.tensor(split).shape
    if not 1 <= n <= min(height, width):
        raise ValueError(f"{n}×{n} patches do not fit a {height}×{width} split tensor")
    internal = [t for i in ops[:-1] for t in graph.operators[i].outputs]
    tensors = (graph.inputs[0], *internal, split)
    row_spans, col_spans = even_spans(height, n), even_spans(width, n)
    rows, cols = [], []
    for k in range(n):  # regions are separable: patch (k, k) gives row k's and column k's spans
        need = _required(graph, ops, split, (row_spans[k], col_spans[k]))
        rows.append(tuple(need[t][0] for t in tensors))
        cols.append(tuple(need[t][1] for t in tensors))
    sizes = [0] * len(tensors)
    for slot, t in enumerate(tensors[1:-1], start=1):
        channels = graph.tensor(t).shape[3]
        sizes[slot] = max(r[slot].size for r in rows) * max(c[slot].size for c in cols) * channels
    offsets, area = _pack(graph, ops, tensors, sizes, alignment_bytes)
    layer_macs = {i: macs(graph, graph.operators[i]) for i in ops}
    patched = 0
    for i in ops:  # every patch computes its region of the op's output: Σ rows × Σ cols pixels in all
        slot = tensors.index(graph.operators[i].outputs[0])
        pixels = sum(r[slot].size for r in rows) * sum(c[slot].size for c in cols)
        patched += layer_macs[i] // _pixels(graph, i) * pixels
    return PatchStage(ops, tensors, n, tuple(rows), tuple(cols), tuple(sizes), offsets, area, patched,
                      sum(layer_macs.values()))


def _pixels(graph: Graph, op: int) -> int:
    _, h, w, _ = graph.tensor(graph.operators[op].outputs[0]).shape
    return h * w


def _pack(graph: Graph, ops: Sequence[int], tensors: Sequence[int], sizes: Sequence[int],
          alignment: int) -> tuple[tuple[int, ...], int]:
    """Offsets of the per-patch buffers inside the patch area, planned like the arena itself."""
    step = {i: s for s, i in enumerate(ops)}
    consumers, producers = graph.consumers(), graph.producers()
    ivs = []
    for slot, t in enumerate(tensors[1:-1], start=1):
        first = step[producers[t]]
        last = max(step[c] for c in consumers[t])
        ivs.append(Interval(slot, sizes[slot], first, last))
    if not ivs:
        return (0,) * len(tensors), 0
    layouts = [fn(ivs, alignment) for fn in arena.STRATEGIES.values()]
    best = min(layouts, key=lambda offs: arena.arena_bytes(ivs, offs))
    offsets = tuple(best.get(slot, 0) for slot in range(len(tensors)))
    return offsets, arena.align_up(arena.arena_bytes(ivs, best), alignment)
