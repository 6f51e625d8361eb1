"""Choosing the schedule: layer by layer, or a patch-based first stage, whichever needs less SRAM.

The search runs every stage prefix × patch count n. A candidate's peak is the
larger of its stage peak (input + split tensor + patch area, exact) and the
peak of the rest of the network after that split (planned once per split).
Candidates over the MAC-overhead budget are dropped; the few best are planned
in full, and a patch schedule is kept only if its arena is smaller than the
layer-by-layer one: never worse than without patches.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinygen.errors import InputError
from tinygen.ir.cost import macs
from tinygen.ir.graph import Graph
from tinygen.plan.memory import MemoryPlan, plan_lifetimes, plan_memory
from tinygen.plan.patches import PatchStage, build_stage, stage_prefixes

MAX_PATCHES = 16  # per side; beyond it halos dominate and the loop tables grow
FULL_PLANS = 4  # candidates planned in full after the estimate


@dataclass(frozen=True)
class ScheduleOptions:
    patches: str | int = "auto"  # "auto", "off", or a fixed n (n × n patches)
    max_mac_overhead: float = 0.2  # extra MACs from recomputed halos, as a fraction of the model's MACs
    inplace: bool = True


@dataclass(frozen=True)
class Schedule:
    """The chosen plan and the layer-by-layer plan it is measured against."""

    plan: MemoryPlan
    layer_plan: MemoryPlan  # plain layer by layer: no patches, no in-place ops
    total_macs: int

    @property
    def stage(self) -> PatchStage | None:
        return self.plan.stage

    @property
    def extra_macs(self) -> int:
        return self.stage.extra_macs if self.stage else 0

    @property
    def mac_overhead(self) -> float:
        return self.extra_macs / self.total_macs if self.total_macs else 0.0


def parse_patches(value: str, origin: str = "--patches") -> str | int:
    """'auto', 'off', or a positive integer n."""
    if value in ("auto", "off"):
        return value
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise InputError(f"{origin}: '{value}' is not auto, off or a positive number of patches per side")


def _candidates(graph: Graph, options: ScheduleOptions, alignment: int, total: int) -> list[PatchStage]:
    fixed = options.patches if isinstance(options.patches, int) else None
    found = []
    for ops in stage_prefixes(graph):
        _, h, w, _ = graph.tensor(graph.operators[ops[-1]].outputs[0]).shape
        counts = [fixed] if fixed else range(2, min(h, w, MAX_PATCHES) + 1)
        for n in counts:
            if n > min(h, w):
                continue
            stage = build_stage(graph, ops, n, alignment)
            if fixed or stage.extra_macs <= options.max_mac_overhead * total:
                found.append(stage)
    return found


def _estimates(graph: Graph, stages: list[PatchStage],
               options: ScheduleOptions) -> list[tuple[int, int, PatchStage]]:
    """(estimated peak, extra MACs, stage) per candidate; the rest's lifetimes are derived once per split."""
    rest_peak: dict[tuple[int, ...], int] = {}
    result = []
    for stage in stages:
        if stage.ops not in rest_peak:
            live = plan_lifetimes(graph, stage=stage, inplace=options.inplace).live_bytes
            rest_peak[stage.ops] = max(live[len(stage.ops):], default=0)
        held = graph.tensor(stage.input).size_bytes + graph.tensor(stage.output).size_bytes
        result.append((max(rest_peak[stage.ops], held + stage.area_bytes), stage.extra_macs, stage))
    return sorted(result, key=lambda r: (r[0], r[1], len(r[2].ops)))


def plan_schedule(graph: Graph, alignment_bytes: int = 16, options: ScheduleOptions = ScheduleOptions(),
                  origin: str = "model", dsp_kernels: bool = False) -> Schedule:
    """`dsp_kernels`: the board runs the specialised kernels, whose in-place paths work through wider
    temporaries (plan/inplace.py): pass the board's `cpu.dsp`."""
    total = sum(macs(graph, op) for op in graph.operators)
    layer_plan = plan_memory(graph, alignment_bytes)
    best = (plan_memory(graph, alignment_bytes, inplace=True, dsp_kernels=dsp_kernels, order=layer_plan.order)
            if options.inplace else layer_plan)
    if best.arena_bytes > layer_plan.arena_bytes:
        best = layer_plan
    if options.patches != "off":
        stages = _candidates(graph, options, alignment_bytes, total)
        if not stages and options.patches != "auto":
            raise InputError(f"{origin}: no first stage of convolutions, pools and adds can be split into "
                             f"{options.patches}×{options.patches} patches; use --patches auto or off")
        for _, _, stage in _estimates(graph, stages, options)[:FULL_PLANS]:
            plan = plan_memory(graph, alignment_bytes, stage=stage, inplace=options.inplace, dsp_kernels=dsp_kernels)
            better = plan.arena_bytes < best.arena_bytes
            forced = options.patches != "auto" and best.stage is None
            if better or forced:
                best = plan
    return Schedule(best, layer_plan, total)
