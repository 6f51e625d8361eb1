"""The planning stage: graph -> execution order -> lifetimes -> arena offsets (a `MemoryPlan`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property

from tinygen.ir.graph import Graph
from tinygen.ir.opset import STATE_OPS
from tinygen.plan import arena
from tinygen.plan.inplace import apply_inplace
from tinygen.plan.lifetimes import Buffer, Interval, buffers, intervals, live_bytes
from tinygen.plan.order import best_order
from tinygen.plan.patches import PatchStage
from tinygen.plan.scratch import kernel_scratch
from tinygen.plan.state import StatePlan, plan_state


@dataclass(frozen=True)
class Placement:
    """Where one buffer sits in the arena and when it is live (steps index `MemoryPlan.order`)."""

    buffer_id: int
    tensors: tuple[int, ...]  # empty for an op's scratch and for the patch area
    size_bytes: int
    offset_bytes: int
    first_step: int
    last_step: int
    kind: str = "tensor"  # "tensor" | "scratch" | "patch"


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
    inplace: tuple[int, ...] = ()  # ops whose output overwrites their input (see plan/inplace.py)
    stage: PatchStage | None = None  # the patch-based first stage, run before everything else
    state: StatePlan = StatePlan()  # what persists between invocations, outside the arena (plan/state.py)

    @cached_property
    def _tensor_offsets(self) -> dict[int, int]:
        """Tensor -> offset, built once: lowering asks for every tensor, and a scan each would be quadratic."""
        return {t: p.offset_bytes for p in reversed(self.placements) for t in p.tensors}

    @cached_property
    def _scratch_at(self) -> dict[int, Placement]:
        return {p.first_step: p for p in reversed(self.placements) if p.kind == "scratch"}

    @cached_property
    def _step_of(self) -> dict[int, int]:
        return {op: step for step, op in reversed(list(enumerate(self.order)))}

    def offset_of(self, tensor: int) -> int:
        if tensor in self._tensor_offsets:
            return self._tensor_offsets[tensor]
        if self.stage is not None and tensor in self.stage.internal:
            return self.patch_area_offset + self.stage.buffer_offsets[self.stage.slot(tensor)]
        raise KeyError(f"tensor {tensor} is not in the arena (constant or unused)")

    def scratch_offset(self, step: int) -> int | None:
        return self._scratch_at[step].offset_bytes if step in self._scratch_at else None

    @property
    def patch_area_offset(self) -> int:
        return next(p.offset_bytes for p in self.placements if p.kind == "patch")

    def kernel_scratch(self, op: int) -> int | None:
        """Arena offset of the working buffer `op`'s kernel needs (plan/scratch.py), None if it needs none."""
        if op in self.inplace:
            return None
        return self.scratch_offset(self._step_of[op])

    def inplace_temp(self, op: int) -> int | None:
        """Arena offset of the temporary an in-place op works through, or None if `op` is not in place."""
        if op not in self.inplace:
            return None
        return self.scratch_offset(self._step_of[op])

    def inplace_temp_bytes(self, op: int) -> int:
        """Size of that temporary, 0 if `op` is not in place (or needs none)."""
        if op not in self.inplace:
            return 0
        step = self._step_of[op]
        return self._scratch_at[step].size_bytes if step in self._scratch_at else 0

    @property
    def peak_step(self) -> int:
        return max(range(len(self.live_bytes)), key=self.live_bytes.__getitem__)


def _preds(graph: Graph, ops: set[int]) -> dict[int, frozenset[int]]:
    """Each op's predecessors: the writers of its inputs and, for the ops that touch resource variables, the one
    before it in the file (they depend on each other through the variables, which no tensor shows)."""
    producers = graph.producers()
    state = [op.index for op in graph.operators if op.opcode in STATE_OPS and op.index in ops]
    before = dict(zip(state[1:], state[:-1], strict=True))
    return {
        op.index: frozenset(producers[t] for t in op.inputs if t in producers and producers[t] in ops)
        | ({before[op.index]} if op.index in before else frozenset())
        for op in graph.operators if op.index in ops
    }


def _around_stage(bufs: tuple[Buffer, ...], stage: PatchStage) -> tuple[Buffer, ...]:
    """The stage as the main plan sees it: input and split tensor live across all of it, nothing inside."""
    inside = set(stage.ops)
    result = []
    for b in bufs:
        if any(t in stage.internal for t in b.tensors):
            continue
        if stage.input in b.tensors:
            b = replace(b, readers=(b.readers - inside) | {stage.ops[-1]})
        if stage.output in b.tensors:
            b = replace(b, producer=stage.ops[0])
        result.append(b)
    return tuple(result)


@dataclass(frozen=True)
class Lifetimes:
    """Everything before offsets: the order, who is live when, and which ops run in place."""

    order: tuple[int, ...]
    intervals: tuple[Interval, ...]
    tensors_of: dict[int, tuple[int, ...]]  # interval id -> tensors (absent: scratch or the patch area)
    patch_area_id: int | None
    inplace: tuple[int, ...]

    @property
    def live_bytes(self) -> list[int]:
        return live_bytes(self.intervals, len(self.order))


def plan_lifetimes(
    graph: Graph,
    scratch_bytes: Mapping[int, int] | None = None,
    reorder: bool = True,
    stage: PatchStage | None = None,
    inplace: bool = False,
    dsp_kernels: bool = False,
    order: tuple[int, ...] | None = None,
) -> Lifetimes:
    """Order the ops (the stage's first), merge in-place ops, and derive every interval.

    With a `stage`, its ops run first, patch by patch, inside a patch area that
    lives for the whole stage; `inplace` lets eligible ops overwrite their input,
    through the temporaries of the DSP kernels if `dsp_kernels` (plan/inplace.py). `order`: the order of the
    ops outside the stage when a plan of the same graph already found it (it depends only on the graph,
    the stage and the scratch, not on in-place ops), instead of searching again. The kernels' own working
    buffers (plan/scratch.py) are always planned, besides any `scratch_bytes` given.
    """
    scratch = {**kernel_scratch(graph), **(scratch_bytes or {})}
    bufs: tuple[Buffer, ...] = buffers(graph)
    head: tuple[int, ...] = ()
    if stage is not None:
        bufs = _around_stage(bufs, stage)
        head = stage.ops
    rest = [op.index for op in graph.operators if op.index not in head]
    rest_bufs = [b if b.producer not in head else replace(b, producer=None) for b in bufs
                 if not (stage is not None and stage.input in b.tensors)]
    if order is not None:
        tail = order
    elif reorder:
        tail = best_order(rest, _preds(graph, set(rest)), rest_bufs, scratch)
    else:
        tail = tuple(rest)
    order = head + tuple(tail)
    done: tuple[int, ...] = ()
    if inplace:
        bufs, temps, done = apply_inplace(graph, bufs, order, skip=frozenset(head), dsp_kernels=dsp_kernels)
        scratch.update(temps)
    ivs = intervals(bufs, order, scratch)
    area_id = None
    if stage is not None and stage.area_bytes:
        area_id = max(iv.id for iv in ivs) + 1
        ivs.append(Interval(area_id, stage.area_bytes, 0, len(head) - 1))
    return Lifetimes(order, tuple(ivs), {b.id: b.tensors for b in bufs}, area_id, tuple(sorted(done)))


def plan_memory(
    graph: Graph,
    alignment_bytes: int = 16,
    scratch_bytes: Mapping[int, int] | None = None,
    strategy: str = "best",
    reorder: bool = True,
    stage: PatchStage | None = None,
    inplace: bool = False,
    dsp_kernels: bool = False,
    order: tuple[int, ...] | None = None,
) -> MemoryPlan:
    """Plan `graph` (see `plan_lifetimes`); strategy "best" runs every strategy in `arena.STRATEGIES`
    and keeps the smallest arena."""
    life = plan_lifetimes(graph, scratch_bytes, reorder, stage, inplace, dsp_kernels, order)
    ivs = life.intervals
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

    def kind(iv: Interval) -> str:
        return "tensor" if iv.id in life.tensors_of else "patch" if iv.id == life.patch_area_id else "scratch"

    placements = tuple(
        Placement(iv.id, life.tensors_of.get(iv.id, ()), iv.size_bytes, offsets[iv.id], iv.first, iv.last, kind(iv))
        for iv in ivs
    )
    return MemoryPlan(
        order=life.order,
        placements=placements,
        arena_bytes=arena.align_up(arena.arena_bytes(ivs, offsets), alignment_bytes),
        lower_bound_bytes=arena.lower_bound(ivs),
        greedy_arena_bytes=arena.align_up(arena.arena_bytes(ivs, greedy), alignment_bytes),
        live_bytes=tuple(life.live_bytes),
        alignment_bytes=alignment_bytes,
        strategy=chosen,
        inplace=life.inplace,
        stage=stage,
        state=plan_state(graph, alignment_bytes),
    )
