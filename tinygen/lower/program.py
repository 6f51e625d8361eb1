"""The lowered model: every layer's kernel call, the arena, the model's inputs and outputs, the patch loop.

This is what the specialise stage refines, what `check` reads, and what the
templates render (tinygen/codegen).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tinygen.importers.tflite import source_hash
from tinygen.ir.graph import Graph
from tinygen.lower import LOWERINGS
from tinygen.lower.context import LowerContext
from tinygen.lower.layer import Layer, scratch_bytes
from tinygen.lower.patch import PatchCode, patch_code
from tinygen.lower.support import is_generated, require_generated
from tinygen.plan.memory import MemoryPlan
from tinygen.plan.memory_map import ArenaEntry, layer_tensors, memory_map
from tinygen.plan.state import StatePlan


@dataclass(frozen=True)
class TensorIO:
    role: str  # "input" | "output"
    macro: str  # INPUT0, OUTPUT1, ...
    name: str
    dtype: str
    shape: tuple[int, ...]
    size_bytes: int
    scale: float
    zero_point: int
    offset_bytes: int


@dataclass(frozen=True)
class ModelCode:
    """Everything model.c/model.h place."""

    name: str
    hash: str
    arena_bytes: int
    alignment_bytes: int
    layers: tuple[Layer, ...]
    inputs: tuple[TensorIO, ...]
    outputs: tuple[TensorIO, ...]
    patch: PatchCode | None = None  # the patch-based first stage, if the plan has one
    profile: bool = False  # call tg_profile_mark between steps (`tinygen profile`)
    state: StatePlan = StatePlan()  # what persists between invocations (tg_state, tg_model_reset)
    memory_map: tuple[ArenaEntry, ...] = ()  # model.c's memory-map comment (plan/memory_map.py)
    layer_io: tuple[tuple[int, tuple[ArenaEntry, ...], tuple[ArenaEntry, ...]], ...] = ()  # (layer, ins, outs)

    def io(self, index: int) -> tuple[tuple[ArenaEntry, ...], tuple[ArenaEntry, ...]]:
        """Layer `index`'s arena inputs and outputs, named in its comment in model.c."""
        return next(((ins, outs) for i, ins, outs in self.layer_io if i == index), ((), ()))

    @property
    def steps(self) -> tuple[tuple[Layer, ...], ...]:
        """What tg_model_invoke calls, in order: one layer, or the layers of the patch stage (one loop)."""
        steps = []
        for layer in self.layers:
            if self.patch and layer.index == self.patch.first:
                steps.append(tuple(call.layer for call in self.patch.calls))
            elif not (self.patch and layer.index in self.patch.ops):
                steps.append((layer,))
        return tuple(steps)

    @property
    def stateful(self) -> bool:
        """State carries from one invocation to the next: vectors run as one sequence."""
        return self.state.state_bytes > 0

    @property
    def families(self) -> list[str]:
        return sorted({layer.family for layer in self.layers})

    @property
    def kernels(self) -> set[str]:
        """C functions the layers call: a kernel template emits only the variants (s8, s4) in use."""
        return {layer.kernel for layer in self.layers}

    @property
    def headers(self) -> list[str]:
        """The specialised kernels' headers model.c includes."""
        return sorted({layer.header for layer in self.layers if layer.header})

    @property
    def scratch_bytes(self) -> int:
        """tg_scratch: the most any specialised kernel needs (tinygen/kernels/choice.py)."""
        return scratch_bytes(self.layers)

    @property
    def weight_bytes(self) -> int:
        return sum(a.size_bytes for layer in self.layers for a in layer.arrays)


def model_hash(path: Path) -> str:
    return source_hash(path.read_bytes())


def lower_layers(graph: Graph, plan: MemoryPlan, origin: str, skip_unsupported: bool = False) -> tuple[Layer, ...]:
    """Every operator's layer, in the plan's order (aliases emit none). Operators tinygen cannot generate are an
    error naming all of them, or left out with `skip_unsupported` (what `check` reports on)."""
    if not skip_unsupported:
        require_generated(graph, origin)
    ctx = LowerContext(graph, plan, origin)
    ops = (graph.operators[i] for i in plan.order)
    return tuple(LOWERINGS[op.opcode](ctx, op) for op in ops if op.opcode in LOWERINGS and is_generated(graph, op))


def lower_model(graph: Graph, plan: MemoryPlan, origin: Path) -> ModelCode:
    layers = lower_layers(graph, plan, str(origin))
    rows = memory_map(graph, plan)
    arena_io = layer_tensors(graph, rows)

    def io(role: str, k: int, index: int) -> TensorIO:
        t = graph.tensor(index)
        return TensorIO(role, f"{role.upper()}{k}", t.name, t.dtype, t.shape, t.size_bytes,
                        t.quant.scale if t.quant else 1.0, t.quant.zero_point if t.quant else 0,
                        plan.offset_of(index))

    return ModelCode(
        name=graph.name,
        hash=model_hash(origin),
        arena_bytes=max(plan.arena_bytes, plan.alignment_bytes),
        alignment_bytes=plan.alignment_bytes,
        layers=layers,
        inputs=tuple(io("input", k, t) for k, t in enumerate(graph.inputs)),
        outputs=tuple(io("output", k, t) for k, t in enumerate(graph.outputs)),
        patch=patch_code(graph, plan.stage, {layer.index: layer for layer in layers}) if plan.stage else None,
        state=plan.state,
        memory_map=rows,
        layer_io=tuple((layer.index, *arena_io[layer.index]) for layer in layers),
    )
