"""The arena as a person debugging it reads it: every tensor's offset, bytes and steps, and what shares storage.

One table, derived once from the plan, feeds model.c's memory-map comment, its layer comments and the report
files (tinygen/check/render.py), so the C and the report cannot disagree. A tensor's offset is the plan's
(`MemoryPlan.offset_of`), its bytes its own (a buffer merged by an in-place op keeps the larger size, which
the row's owner shows), its steps its own: written at `first_step`, last read at `last_step`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.ir.graph import Graph
from tinygen.ir.opset import ALIAS_OPS
from tinygen.plan.memory import MemoryPlan


@dataclass(frozen=True)
class ArenaEntry:
    name: str  # the tensor's name (Untrusted: from the model), or what the bytes are for
    kind: str  # "tensor"; "patch buffer" (one patch's part of a tensor inside the patch stage, in the patch area);
    # "scratch" (a kernel's working buffer or an in-place temporary); "patch area"
    offset_bytes: int
    size_bytes: int
    first_step: int
    last_step: int
    tensor: int | None = None  # the tensor's index; None for scratch and the patch area
    shares: str | None = None  # the tensor whose storage this one reuses (its name), None: storage of its own
    how: str = ""  # "alias" (RESHAPE-like: the same bytes relabelled) or "in place" (written over its input)


def memory_map(graph: Graph, plan: MemoryPlan) -> tuple[ArenaEntry, ...]:
    """Every byte range the arena holds over the run, in step then offset order."""
    step = {op: s for s, op in enumerate(plan.order)}
    end = len(plan.order) - 1
    producers, readers = graph.producers(), graph.consumers()
    outputs = set(graph.outputs)
    group = {t: p.tensors for p in plan.placements for t in p.tensors}
    if plan.stage is not None:
        group |= {t: (t,) for t in plan.stage.internal}

    def tensor_row(t: int) -> ArenaEntry:
        tensor, producer = graph.tensor(t), producers.get(t)
        first = step[producer] if producer in step else 0
        last = end if t in outputs else max((step[r] for r in readers.get(t, ()) if r in step), default=first)
        shares, how = None, ""
        if producer is not None:
            op = graph.operators[producer]  # an in-place ADD may write over either input
            source = next((s for s in op.inputs if s >= 0 and s != t and s in group[t]), None)
            if source is not None:
                shares, how = graph.tensor(source).name, "alias" if op.opcode in ALIAS_OPS else "in place"
        if plan.stage is not None and t in plan.stage.internal:  # one patch's part of it, in the patch area
            size, kind = plan.stage.buffer_bytes[plan.stage.slot(t)], "patch buffer"
        else:
            size, kind = tensor.size_bytes, "tensor"
        return ArenaEntry(tensor.name, kind, plan.offset_of(t), size, first, max(first, last), t, shares, how)

    rows = [tensor_row(t) for t in group]
    for p in plan.placements:
        if p.kind == "scratch":
            op = plan.order[p.first_step]
            label = f"in-place temporary of layer {op}" if op in plan.inplace else f"scratch of layer {op}"
            rows.append(ArenaEntry(label, "scratch", p.offset_bytes, p.size_bytes, p.first_step, p.last_step))
        elif p.kind == "patch":
            rows.append(ArenaEntry("patch area", "patch area", p.offset_bytes, p.size_bytes, p.first_step,
                                   p.last_step))
    return tuple(sorted(rows, key=lambda r: (r.first_step, r.offset_bytes, r.tensor is None, r.tensor or 0)))


def layer_tensors(graph: Graph, rows: tuple[ArenaEntry, ...]) -> dict[int, tuple[tuple[ArenaEntry, ...],
                                                                                 tuple[ArenaEntry, ...]]]:
    """Every operator's arena inputs and outputs as memory-map rows (constants and state are not in the arena)."""
    by_tensor = {r.tensor: r for r in rows if r.tensor is not None}
    return {op.index: (tuple(by_tensor[t] for t in op.inputs if t in by_tensor),
                       tuple(by_tensor[t] for t in op.outputs if t in by_tensor)) for op in graph.operators}
