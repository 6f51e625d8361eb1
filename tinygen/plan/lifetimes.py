"""Buffers and their lifetimes, derived from the graph and an execution order.

A *buffer* is what the arena holds: one activation tensor, or several tensors
that share storage because a RESHAPE-like op only relabels the shape (the
aliasing TFLite Micro does not do, and the reason RESHAPE costs no memory here).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate

from tinygen.ir.graph import Graph
from tinygen.ir.opset import ALIAS_OPS


@dataclass(frozen=True)
class Buffer:
    """Storage shared by `tensors`; `producer` is None for graph inputs (live from the start)."""

    id: int
    tensors: tuple[int, ...]
    size_bytes: int
    producer: int | None
    readers: frozenset[int]
    is_output: bool


@dataclass(frozen=True)
class Interval:
    """A buffer's life: it occupies `size_bytes` from step `first` to step `last`, inclusive."""

    id: int
    size_bytes: int
    first: int
    last: int

    def overlaps(self, other: Interval) -> bool:
        return self.first <= other.last and other.first <= self.last


def buffers(graph: Graph) -> tuple[Buffer, ...]:
    """Group the activation tensors into buffers, following aliasing ops."""
    root: dict[int, int] = {}
    for op in graph.operators:
        src = op.inputs[0] if op.inputs else -1
        if op.opcode in ALIAS_OPS and src >= 0 and not graph.tensor(src).is_constant:
            root[op.outputs[0]] = root.get(src, src)
    members: dict[int, list[int]] = {}
    for t in graph.tensors:  # state (plan/state.py) and resource handles (compile-time names) take no arena
        if not (t.is_constant or t.variable or t.dtype == "resource"):
            members.setdefault(root.get(t.index, t.index), []).append(t.index)
    producers = graph.producers()
    readers = graph.consumers()
    outputs = set(graph.outputs)
    result = []
    for gid, tensors in sorted(members.items()):
        used = [t for t in tensors if t in producers or t in readers or t in outputs or t in graph.inputs]
        if not used:
            continue
        result.append(
            Buffer(
                id=gid,
                tensors=tuple(tensors),
                size_bytes=graph.tensor(gid).size_bytes,
                producer=producers.get(gid),
                readers=frozenset(r for t in tensors for r in readers.get(t, ())),
                is_output=any(t in outputs for t in tensors),
            )
        )
    return tuple(result)


def intervals(
    bufs: Sequence[Buffer], order: Sequence[int], scratch_bytes: Mapping[int, int] | None = None
) -> list[Interval]:
    """Lifetimes for `order`; each op's scratch is a buffer living only during its step.

    Scratch intervals get ids above every buffer id, so they never collide.
    """
    step = {op: i for i, op in enumerate(order)}
    end = len(order) - 1
    result = []
    for b in bufs:
        first = 0 if b.producer is None else step[b.producer]
        last = end if b.is_output else max((step[r] for r in b.readers), default=first)
        result.append(Interval(b.id, b.size_bytes, first, max(first, last)))
    next_id = max((b.id for b in bufs), default=-1) + 1
    for op, size in sorted((scratch_bytes or {}).items()):
        if size > 0:
            result.append(Interval(next_id, size, step[op], step[op]))
            next_id += 1
    return result


def live_bytes(ivs: Sequence[Interval], steps: int) -> list[int]:
    """Bytes live at each step: the sum a perfect packing would still need (a running sum of the changes at
    each interval's ends, so long-lived buffers cost no more than short ones)."""
    change = [0] * (max(steps, 1) + 1)
    for iv in ivs:
        change[iv.first] += iv.size_bytes
        change[iv.last + 1] -= iv.size_bytes
    return list(accumulate(change[:-1]))
