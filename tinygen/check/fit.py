"""The fit stage: a `MemoryPlan` and a `Board` become a `FitReport` (per layer and per region)."""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.boards import Board
from tinygen.check import estimate
from tinygen.check.instructions import layer_instructions
from tinygen.ir.cost import macs
from tinygen.ir.graph import DTYPE_BITS, Graph, Operator
from tinygen.ir.opset import ALIAS_OPS
from tinygen.lower.layer import Layer, scratch_bytes
from tinygen.lower.program import lower_layers
from tinygen.lower.specialise import specialise_layers
from tinygen.lower.support import Unsupported, unsupported_ops
from tinygen.plan.memory import MemoryPlan
from tinygen.plan.memory_map import ArenaEntry, layer_tensors, memory_map
from tinygen.plan.schedule import Considered, Schedule


@dataclass(frozen=True)
class LayerRow:
    step: int
    index: int
    opcode: str
    output_shape: tuple[int, ...]
    macs: int
    weight_bytes: int
    weight_bits: int | None  # 8 or 4 for a layer with a filter (mixed precision), None otherwise
    live_bytes: int  # planned: with the patch stage and in-place ops
    layer_live_bytes: int  # the same op in the plain layer-by-layer plan
    is_peak: bool
    mode: str  # "patch" (inside the patch stage), "in place", or "" (layer by layer)
    kernel: str | None  # the C function model.c calls (after the specialise stage); None: an alias (no code)
    # or an operator tinygen cannot generate
    instructions: int = 0  # estimated by the cost model (check/instructions.py)
    output: ArenaEntry | None = None  # where its (first) output sits in the arena and when; None: state or none


@dataclass(frozen=True)
class StageUse:
    """Peak memory of one part of the schedule (the patch stage, then the layer-by-layer rest)."""

    name: str
    first_step: int
    last_step: int
    peak_bytes: int


@dataclass(frozen=True)
class PatchSummary:
    split_tensor: str
    split_shape: tuple[int, ...]
    n: int
    ops: tuple[int, ...]
    area_bytes: int
    extra_macs: int
    buffers: tuple[tuple[str, int, int], ...]  # per stage tensor kept per patch: (name, bytes, offset in the area)


@dataclass(frozen=True)
class RegionUse:
    """What one memory region of the board must hold, item by item."""

    region: str
    kind: str
    capacity_bytes: int
    items: tuple[tuple[str, int], ...]

    @property
    def used_bytes(self) -> int:
        return sum(size for _, size in self.items)

    @property
    def margin_bytes(self) -> int:
        return self.capacity_bytes - self.used_bytes

    @property
    def fits(self) -> bool:
        return self.margin_bytes >= 0


@dataclass(frozen=True)
class FitReport:
    model: str
    board: str | None  # None: no board (an export for a core, `--core`), so no regions to fit
    layers: tuple[LayerRow, ...]
    regions: tuple[RegionUse, ...]
    arena_bytes: int
    arena_lower_bound_bytes: int
    greedy_arena_bytes: int
    state_bytes: int  # variables kept between invocations (plan/state.py), beside the arena
    weight_bytes: int
    runtime_flash_bytes: int  # estimate until `build` measures it
    stack_bytes: int
    scratch_bytes: int  # the specialised kernels' lanes (tg_scratch), 0 on cores without them
    total_macs: int
    unsupported_ops: tuple[Unsupported, ...]
    layer_peak_bytes: int  # tinygen's plain layer-by-layer arena, the figure patches are measured against
    mac_overhead: float  # extra MACs of the patch stage / the model's MACs
    stages: tuple[StageUse, ...]
    patch: PatchSummary | None
    instructions: int = 0  # estimated per inference by the cost model (check/instructions.py)
    considered: tuple[Considered, ...] = ()  # the schedules the objective weighed (plan/schedule.py)
    reason: str = ""  # why it chose this one
    model_hash: str = ""  # the model file's (importers.tflite.source_hash)
    core: str = ""  # the core the kernels were chosen for
    memory_map: tuple[ArenaEntry, ...] = ()  # every tensor's place in the arena (plan/memory_map.py)

    @property
    def flash_bytes(self) -> int:
        return self.weight_bytes + self.runtime_flash_bytes

    @property
    def sram_bytes(self) -> int:
        """Arena, state, kernel scratch and stack: inputs and outputs live inside the arena, so they add nothing."""
        return self.arena_bytes + self.state_bytes + self.scratch_bytes + self.stack_bytes

    @property
    def fits(self) -> bool:
        return all(r.fits for r in self.regions)


def layer_weight_bytes(graph: Graph, op: Operator) -> int:
    """The layer's constants as the firmware stores them: the model's (int4 packed), plus what the
    generated code adds for CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED: an int32 multiplier and shift
    per requantisation scale (per output channel for convolutions, per scale for dense layers), and an
    int32 bias per output channel when the model has none (the input zero point is folded into it)."""
    if op.opcode in ALIAS_OPS:
        return 0
    size = sum(t.size_bytes for t in graph.op_tensors(op) if t is not None and t.is_constant)
    if op.opcode in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
        weights = graph.tensor(op.inputs[1])
        channels = weights.shape[-1] if op.opcode == "DEPTHWISE_CONV_2D" else weights.shape[0]
        scales = len(weights.quant.scales) if op.opcode == "FULLY_CONNECTED" and weights.quant else channels
        has_bias = len(op.inputs) > 2 and op.inputs[2] >= 0
        size += 8 * scales + (0 if has_bias else 4 * channels)
    return size


def filter_bits(graph: Graph, op: Operator) -> int | None:
    if op.opcode not in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
        return None
    return DTYPE_BITS[graph.tensor(op.inputs[1]).dtype]


def _stages(plan: MemoryPlan) -> tuple[StageUse, ...]:
    steps = len(plan.order)
    if plan.stage is None:
        return (StageUse("layer by layer", 0, steps - 1, max(plan.live_bytes, default=0)),)
    k = len(plan.stage.ops)
    return (
        StageUse(f"patch stage ({plan.stage.n}x{plan.stage.n})", 0, k - 1, max(plan.live_bytes[:k])),
        StageUse("layer by layer", k, steps - 1, max(plan.live_bytes[k:], default=0)),
    )


def fit_report(graph: Graph, schedule: Schedule, board: Board) -> FitReport:
    """The graph as `board` would run it: lowered and specialised exactly as `build` does (a few milliseconds,
    nothing compiled), so the kernels, their scratch and their code are the build's."""
    plan, layer_plan = schedule.plan, schedule.layer_plan
    peak = plan.peak_step
    layer_step = {op: s for s, op in enumerate(layer_plan.order)}
    patched = set(plan.stage.ops) if plan.stage else set()

    lowered = lower_layers(graph, plan, graph.name, skip_unsupported=True)
    rows = memory_map(graph, plan)
    io = layer_tensors(graph, rows)
    program: dict[int, Layer] = {layer.index: layer for layer in specialise_layers(lowered, board)}

    estimated = layer_instructions(graph, plan, program, board)

    def mode(op: int) -> str:
        return "patch" if op in patched else "in place" if op in plan.inplace else ""

    layers = tuple(
        LayerRow(
            step=step,
            index=op.index,
            opcode=op.opcode,
            output_shape=graph.tensor(op.outputs[0]).shape if op.outputs else (),
            macs=macs(graph, op),
            weight_bytes=layer_weight_bytes(graph, op),
            weight_bits=filter_bits(graph, op),
            live_bytes=plan.live_bytes[step],
            layer_live_bytes=layer_plan.live_bytes[layer_step[op.index]],
            is_peak=step == peak,
            mode=mode(op.index),
            kernel=program[op.index].kernel if op.index in program else None,
            instructions=estimated[op.index],
            output=next(iter(io[op.index][1]), None),
        )
        for step, op in ((s, graph.operators[i]) for s, i in enumerate(plan.order))
    )
    weights = sum(row.weight_bytes for row in layers)
    runtime = estimate.runtime_flash_bytes(graph, tuple(program.values()))
    scratch = scratch_bytes(program.values())
    stack = max(board.stack_bytes, estimate.STACK_BYTES)
    needs: dict[str, list[tuple[str, int]]] = {}
    for region, label, size in (
        (board.placement.code, "code (estimate)", runtime),
        (board.placement.weights, "weights", weights),
        (board.placement.arena, "arena", plan.arena_bytes),
        (board.placement.arena, "state", plan.state.state_bytes),  # the arena's section (model.c)
        (board.placement.stack, "kernel scratch", scratch),  # .bss, which sits beside the stack
        (board.placement.stack, "stack", stack),
    ):
        if size or label not in ("kernel scratch", "state"):
            needs.setdefault(region, []).append((label, size))
    regions = tuple(
        RegionUse(name, board.region(name).kind, board.region(name).length_bytes, tuple(items))
        for name, items in needs.items()
    )
    return FitReport(
        model=graph.name,
        board=board.name,
        layers=layers,
        regions=regions,
        arena_bytes=plan.arena_bytes,
        arena_lower_bound_bytes=plan.lower_bound_bytes,
        greedy_arena_bytes=plan.greedy_arena_bytes,
        state_bytes=plan.state.state_bytes,
        weight_bytes=weights,
        runtime_flash_bytes=runtime,
        stack_bytes=stack,
        scratch_bytes=scratch,
        total_macs=sum(row.macs for row in layers),
        unsupported_ops=unsupported_ops(graph),
        layer_peak_bytes=layer_plan.arena_bytes,
        mac_overhead=schedule.mac_overhead,
        stages=_stages(plan),
        patch=_patch_summary(graph, schedule),
        instructions=sum(estimated.values()),
        considered=schedule.considered,
        reason=schedule.reason,
        model_hash=graph.source_hash,
        core=board.cpu.core,
        memory_map=rows,
    )


def _patch_summary(graph: Graph, schedule: Schedule) -> PatchSummary | None:
    stage = schedule.stage
    if stage is None:
        return None
    split = graph.tensor(stage.output)
    buffers = tuple((graph.tensor(t).name, stage.buffer_bytes[slot], stage.buffer_offsets[slot])
                    for slot, t in enumerate(stage.tensors) if not stage.is_full(slot))
    return PatchSummary(split.name, split.shape, stage.n, stage.ops, stage.area_bytes, stage.extra_macs, buffers)
