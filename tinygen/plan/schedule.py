"""Choosing the schedule: layer by layer (with or without in-place ops) or a patch-based first stage, by objective.

The search runs every stage prefix × patch count n. A candidate's peak is the
larger of its stage peak (input + split tensor + patch area, exact) and the
peak of the rest of the network after that split (planned once per split).
Candidates over the MAC-overhead budget are dropped; the few best are planned
in full, and (under --patches auto) kept only if their arena is smaller than
without patches. Every full plan is then judged (arena, estimated instructions, does it
fit the board: the caller's `judge`, check/choose.py) and `pick` chooses by the
objective:

- memory: the smallest arena (ties: the first considered, in place before
  layer by layer before patches), never worse than without patches;
- speed: the fewest estimated instructions (ties: the smaller arena);
- balanced, the default: the fewest estimated instructions among the schedules
  whose arena is within BALANCED_MARGIN of the smallest.

Every objective looks only at the schedules that fit the board when any does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from tinygen.errors import InputError
from tinygen.ir.cost import macs
from tinygen.ir.graph import Graph
from tinygen.plan.memory import MemoryPlan, plan_lifetimes, plan_memory
from tinygen.plan.patches import PatchStage, build_stage, stage_prefixes

MAX_PATCHES = 16  # per side; beyond it halos dominate and the loop tables grow
FULL_PLANS = 4  # candidates planned in full after the estimate
OBJECTIVES = ("balanced", "speed", "memory")
# balanced: a schedule may take up to 25% more arena than the smallest for fewer instructions. The smallest arena
# usually comes from the deepest patch stage, whose halos are recomputed through every layer of it (person_detect:
# 22.5 kB at 1.43x the fastest schedule's instructions), while a shallower stage or fewer patches with a quarter
# more arena run within a few percent of the fastest (27.6 kB at 1.06x); patches against none differ by 2-4x of
# arena, so a quarter never gives up what patches are for. --optimize memory keeps the smallest.
BALANCED_MARGIN = 0.25


@dataclass(frozen=True)
class ScheduleOptions:
    patches: str | int = "auto"  # "auto", "off", or a fixed n (n × n patches)
    max_mac_overhead: float = 0.2  # extra MACs from recomputed halos, as a fraction of the model's MACs
    inplace: bool = True
    optimize: str = "balanced"  # one of OBJECTIVES


@dataclass(frozen=True)
class Verdict:
    """One candidate as the objective sees it."""

    arena_bytes: int
    instructions: int  # estimated per inference; 0 when unknown
    fits: bool  # on the board


@dataclass(frozen=True)
class Considered:
    name: str  # e.g. "layer by layer", "in place", "4x4 patches over ops 0-5, in place"
    verdict: Verdict
    chosen: bool


@dataclass(frozen=True)
class Schedule:
    """The chosen plan, the layer-by-layer plan it is measured against, and what else was considered."""

    plan: MemoryPlan
    layer_plan: MemoryPlan  # plain layer by layer: no patches, no in-place ops
    total_macs: int
    considered: tuple[Considered, ...] = ()
    reason: str = ""  # why the objective chose `plan`

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


def _shortlist(estimates: list[tuple[int, int, PatchStage]], objective: str) -> list[PatchStage]:
    """The stages to plan in full: the FULL_PLANS smallest by estimated peak and, unless only memory counts, the
    FULL_PLANS with the fewest recomputed MACs (speed: of all; balanced: of those within the margin's peak)."""
    chosen = [stage for _, _, stage in estimates[:FULL_PLANS]]
    if objective != "memory" and estimates:
        limit = estimates[0][0] * (1 + BALANCED_MARGIN) if objective == "balanced" else float("inf")
        cheap = sorted((r for r in estimates if r[0] <= limit), key=lambda r: (r[1], r[0]))
        chosen += [stage for _, _, stage in cheap[:FULL_PLANS] if stage not in chosen]
    return chosen


def pick(verdicts: Sequence[Verdict], objective: str, margin: float = BALANCED_MARGIN) -> tuple[int, str]:
    """The index of the candidate `objective` chooses, and why (one sentence)."""
    fitting = [k for k, v in enumerate(verdicts) if v.fits]
    pool = fitting or list(range(len(verdicts)))
    note = "" if fitting else "; none fits the board"
    smallest = min(pool, key=lambda k: verdicts[k].arena_bytes)
    if objective == "memory":
        return smallest, f"memory: the smallest arena{note}"
    fastest = min(pool, key=lambda k: (verdicts[k].instructions, verdicts[k].arena_bytes))
    if objective == "speed":
        return fastest, f"speed: the fewest estimated instructions{note}"
    limit = verdicts[smallest].arena_bytes * (1 + margin)
    near = [k for k in pool if verdicts[k].arena_bytes <= limit]
    chosen = min(near, key=lambda k: (verdicts[k].instructions, verdicts[k].arena_bytes))
    if chosen != fastest:
        why = (f"the fastest ({verdicts[fastest].instructions:,} instructions) needs "
               f"{verdicts[fastest].arena_bytes:,} B, over the smallest arena +{margin:.0%}")
    else:
        why = "it is also the fastest"
    return chosen, (f"balanced: the fewest estimated instructions with an arena within {margin:.0%} of the "
                    f"smallest ({verdicts[smallest].arena_bytes:,} B); {why}{note}")


def _name(plan: MemoryPlan) -> str:
    mode = "in place" if plan.inplace else "layer by layer"
    if plan.stage is None:
        return mode
    n, ops = plan.stage.n, plan.stage.ops
    return f"{n}x{n} patches over ops {ops[0]}-{ops[-1]}" + (", in place" if plan.inplace else "")


def plan_schedule(graph: Graph, alignment_bytes: int = 16, options: ScheduleOptions = ScheduleOptions(),
                  origin: str = "model", dsp_kernels: bool = False,
                  judge: Callable[[Schedule], Verdict] | None = None) -> Schedule:
    """`dsp_kernels`: the board runs the specialised kernels, whose in-place paths work through wider
    temporaries (plan/inplace.py): pass the board's `cpu.dsp`. `judge`: a candidate's estimated instructions
    and fit (check/choose.py); without it every candidate is judged by its arena alone (the memory objective)."""
    total = sum(macs(graph, op) for op in graph.operators)
    layer_plan = plan_memory(graph, alignment_bytes)
    plans: list[MemoryPlan] = []
    if options.patches in ("auto", "off"):
        inplace = (plan_memory(graph, alignment_bytes, inplace=True, dsp_kernels=dsp_kernels, order=layer_plan.order)
                   if options.inplace else layer_plan)
        plans += [inplace, layer_plan] if inplace.inplace else [layer_plan]  # none in place: the same plan
    if options.patches != "off":
        stages = _candidates(graph, options, alignment_bytes, total)
        if not stages and options.patches != "auto":
            raise InputError(f"{origin}: no first stage of convolutions, pools and adds can be split into "
                             f"{options.patches}×{options.patches} patches; use --patches auto or off")
        patched = [plan_memory(graph, alignment_bytes, stage=stage, inplace=options.inplace, dsp_kernels=dsp_kernels)
                   for stage in _shortlist(_estimates(graph, stages, options), options.optimize)]
        if plans:  # auto: patches only where they save arena; otherwise they only add generic kernels and halos
            patched = [p for p in patched if p.arena_bytes < min(plan.arena_bytes for plan in plans)]
        plans += patched
    schedules = [Schedule(plan, layer_plan, total) for plan in plans]
    verdicts = [judge(s) if judge else Verdict(s.plan.arena_bytes, 0, True) for s in schedules]
    chosen, reason = pick(verdicts, options.optimize)
    considered = tuple(Considered(_name(s.plan), v, k == chosen)
                       for k, (s, v) in enumerate(zip(schedules, verdicts, strict=True)))
    return replace(schedules[chosen], considered=considered, reason=reason)
