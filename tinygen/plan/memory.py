"""The planning stage: graph -> execution order -> lifetimes -> arena offsets (a `MemoryPlan`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tinygen.ir.graph import Graph
from tinygen.plan import arena
from tinygen.plan.lifetimes import Buffer, buffers, intervals, live_bytes
from tinygen.plan.order import best_order


@dataclass(frozen=True)
class Placement:
    """Where one buffer sits in the arena and when it is live (steps index `MemoryPlan.order`)."""

    buffer_id: int
    tensors: tuple[int, ...]  # empty for an op's scratch buffer
    size_bytes: int
    offset_bytes: int
    first_step: int
    last_step: int


@dataclass(frozen=True)
class MemoryPlan:
    order: tuple[int, ...]  # operator indices in execution order
    placements: tuple[Placement, ...]
    arena_bytes: int
    lower_bound_bytes: int  # max over steps of live bytes
    greedy_arena_bytes: int  # TFLite Micro's greedy-by-size on the same lifetimes
    live_bytes: tuple[int, ...]  # per step
    alignment_bytes: int
    strategy: str

    def offset_of(self, tensor: int) -> int:
        for p in self.placements:
            if tensor in p.tensors:
                return p.offset_bytes
        raise KeyError(f"tensor {tensor} is not in the arena (constant or unused)")

    def scratch_offset(self, step: int) -> int | None:
        for p in self.placements:
            if not p.tensors and p.first_step == step:
                return p.offset_bytes
        return None

    @property
    def peak_step(self) -> int:
        return max(range(len(self.live_bytes)), key=self.live_bytes.__getitem__)


def _preds(graph: Graph) -> dict[int, frozenset[int]]:
    producers = graph.producers()
    return {
        op.index: frozenset(producers[t] for t in op.inputs if t in producers) for op in graph.operators
    }


def plan_memory(
    graph: Graph,
    alignment_bytes: int = 16,
    scratch_bytes: Mapping[int, int] | None = None,
    strategy: str = "best",
    reorder: bool = True,
) -> MemoryPlan:
    """Plan `graph`; strategy "best" runs every strategy in `arena.STRATEGIES` and keeps the smallest arena."""
    scratch = dict(scratch_bytes or {})
    bufs: tuple[Buffer, ...] = buffers(graph)
    ops = [op.index for op in graph.operators]
    order = best_order(ops, _preds(graph), bufs, scratch) if reorder else tuple(ops)
    ivs = intervals(bufs, order, scratch)
    results = {
        name: fn(ivs, alignment_bytes)
        for name, fn in arena.STRATEGIES.items()
        if strategy in ("best", name)
    }
    if not results:
        raise ValueError(f"unknown strategy {strategy!r}; choose from {sorted(arena.STRATEGIES)} or 'best'")
    chosen = min(results, key=lambda name: (arena.arena_bytes(ivs, results[name]), name != "greedy-by-size"))
    offsets = results[chosen]
    greedy = results.get("greedy-by-size") or arena.greedy_by_size(ivs, alignment_bytes)
    tensors_of = {b.id: b.tensors for b in bufs}
    placements = tuple(
        Placement(iv.id, tensors_of.get(iv.id, ()), iv.size_bytes, offsets[iv.id], iv.first, iv.last)
        for iv in ivs
    )
    return MemoryPlan(
        order=tuple(order),
        placements=placements,
        arena_bytes=arena.align_up(arena.arena_bytes(ivs, offsets), alignment_bytes),
        lower_bound_bytes=arena.lower_bound(ivs),
        greedy_arena_bytes=arena.align_up(arena.arena_bytes(ivs, greedy), alignment_bytes),
        live_bytes=tuple(live_bytes(ivs, len(order))),
        alignment_bytes=alignment_bytes,
        strategy=chosen,
    )
