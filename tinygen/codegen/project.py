"""The codegen stage: graph + memory plan + board -> `Project` (the files of a C project, in memory)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from tinygen.boards import Board
from tinygen.build.toolchain import toolchain
from tinygen.codegen.harness import default_harness, harness_files
from tinygen.codegen.layer import CLayer
from tinygen.codegen.lower import LOWERINGS, unsupported_ops
from tinygen.codegen.lower.context import LowerContext
from tinygen.codegen.patch import PatchCode, patch_code
from tinygen.codegen.render import environment
from tinygen.codegen.variants import specialise
from tinygen.errors import InputError
from tinygen.ir.graph import Graph
from tinygen.ir.opset import ALIAS_OPS
from tinygen.plan.memory import MemoryPlan
from tinygen.validate import protocol


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
    layers: tuple[CLayer, ...]
    inputs: tuple[TensorIO, ...]
    outputs: tuple[TensorIO, ...]
    patch: PatchCode | None = None  # the patch-based first stage, if the plan has one
    profile: bool = False  # call tg_profile_mark between steps (`tinygen profile`)

    @property
    def steps(self) -> tuple[tuple[CLayer, ...], ...]:
        """What tg_model_invoke calls, in order: one layer, or the layers of the patch stage (one loop)."""
        steps = []
        for layer in self.layers:
            if self.patch and layer.index == self.patch.first:
                steps.append(tuple(call.layer for call in self.patch.calls))
            elif not (self.patch and layer.index in self.patch.ops):
                steps.append((layer,))
        return tuple(steps)

    @property
    def families(self) -> list[str]:
        return sorted({layer.family for layer in self.layers})

    @property
    def kernels(self) -> set[str]:
        """C functions the layers call: a kernel template emits only the variants (s8, s4) in use."""
        return {layer.kernel for layer in self.layers}

    @property
    def scratch_bytes(self) -> int:
        """tg_scratch: the most any specialised kernel needs (tinygen/codegen/variants.py)."""
        return max((layer.scratch_bytes for layer in self.layers), default=0)

    @property
    def weight_bytes(self) -> int:
        return sum(a.size_bytes for layer in self.layers for a in layer.arrays)


@dataclass(frozen=True)
class Project:
    model: ModelCode
    board: Board
    files: tuple[tuple[str, str], ...]  # (relative path, text)


def model_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def lower_model(graph: Graph, plan: MemoryPlan, origin: Path) -> ModelCode:
    missing = unsupported_ops(graph)
    if missing:
        listed = ", ".join(f"{op}×{n}" for op, n in missing.items())
        raise InputError(f"{origin}: {sum(missing.values())} operators tinygen cannot generate: {listed}; "
                         "replace them in the model or open an issue for kernels")
    ctx = LowerContext(graph, plan, str(origin))
    layers = tuple(
        LOWERINGS[graph.operators[i].opcode](ctx, graph.operators[i])
        for i in plan.order
        if graph.operators[i].opcode not in ALIAS_OPS
    )

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
    )


def render_project(model: ModelCode, board: Board, harness: str | None = None, debug: bool = False) -> Project:
    """`harness`: one of codegen.harness.HARNESSES; None picks the board's default. `debug`: the Makefile
    compiles for a debugger (build.toolchain.DEBUG_OPT)."""
    env = environment()
    tc = toolchain(board, debug)
    harness = harness or default_harness(board)
    model = specialise(model, board)
    specialised = sorted({layer.header for layer in model.layers if layer.header})
    ctx = {"model": model, "board": board, "toolchain": tc, "stack_bytes": board.stack_bytes, "harness": harness,
           "protocol": protocol, "specialised_headers": specialised}
    files = {
        "model.h": "project/model.h.j2",
        "model.c": "project/model.c.j2",
        "Makefile": "project/Makefile.j2",
        "tg_fixedpoint.h": "kernels/tg_fixedpoint.h.j2",
        "tg_window.h": "kernels/tg_window.h.j2",
        "tg_int4.h": "kernels/tg_int4.h.j2",
        "tg_dot.h": "kernels/tg_dot.h.j2",
    }
    for family in model.families:
        files[f"tg_{family}.h"] = f"kernels/tg_{family}.h.j2"
        files[f"tg_{family}.c"] = f"kernels/tg_{family}.c.j2"
    for header in specialised:
        files[header] = f"kernels/{header}.j2"
    if specialised:
        files["tg_specialised.h"] = "kernels/tg_specialised.h.j2"
    files.update(harness_files(board, harness))
    rendered = tuple((name, env.get_template(tpl).render(**ctx)) for name, tpl in sorted(files.items()))
    return Project(model, board, rendered)
