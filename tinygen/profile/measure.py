"""Per-layer cost of a model: guest instructions per step of one inference on an emulated board, exactly.

The input is TFLite Micro peers' fixed pattern, byte i = (i*37 + 11) & 0xff
(../shared/benchmarks/peers/README.md), so totals compare with theirs. A step's
count runs from its marker call to the next one, minus the marker's own
instructions: the step's kernel call and body, plus the two instructions that
call the next marker. The patch-based stage is one step (its loop interleaves its
layers patch by patch); the total per inference is the sum of the steps. On a
real board the same steps are measured in cycles instead (tinygen/profile/device.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from tinygen.boards import Board
from tinygen.ir.cost import macs
from tinygen.lower.layer import Layer
from tinygen.lower.patch import PatchCode
from tinygen.lower.program import TensorIO
from tinygen.pipeline import Firmware, build_firmware
from tinygen.plan.schedule import ScheduleOptions
from tinygen.profile.emulate import count_instructions
from tinygen.run.vectors import pack


@dataclass(frozen=True)
class StepProfile:
    layers: tuple[int, ...]  # operator indices: one, or the patch stage's
    op: str  # the opcode, or "PATCH_STAGE"
    kernels: tuple[str, ...]  # each layer's kernel
    macs: int  # including the patch stage's recomputed halos
    output_bytes: int
    count: int  # instructions (QEMU) or cycles (a board), as the Profile's unit says

    @property
    def kernel(self) -> str:
        """The C function tg_model_invoke calls for this step: the patch loop's, or the one layer's kernel."""
        return PatchCode.FUNCTION if self.op == "PATCH_STAGE" else self.kernels[0]

    @property
    def macs_per_count(self) -> float:
        return self.macs / self.count if self.count else 0.0


@dataclass(frozen=True)
class Profile:
    model: str
    board: str
    steps: tuple[StepProfile, ...]
    marker_count: int  # the marker's own instructions per call, subtracted from each step (0 for cycles)
    elf: Path
    unit: str = "instructions"  # or "cycles"
    clock_hz: int | None = None  # a board's clock, for cycles

    @property
    def per_inference(self) -> int:
        return sum(s.count for s in self.steps)

    @property
    def macs(self) -> int:
        return sum(s.macs for s in self.steps)


def peer_input(inputs: tuple[TensorIO, ...]) -> list[np.ndarray]:
    """TFLite Micro peers' input: byte i of the input buffers is (i*37 + 11) & 0xff."""
    vector, offset = [], 0
    for io in inputs:
        raw = ((np.arange(offset, offset + io.size_bytes) * 37 + 11) & 0xFF).astype(np.uint8)
        vector.append(raw.view(np.dtype(io.dtype) if io.dtype in ("int8", "uint8") else np.uint8).reshape(-1))
        offset += io.size_bytes
    return vector


def profile_steps(firmware: Firmware, counts: list[int]) -> tuple[StepProfile, ...]:
    """The firmware's steps (ModelCode.steps) with their measured counts."""
    return tuple(_step(firmware, layers, n) for layers, n in zip(firmware.code.steps, counts, strict=True))


def _step(firmware: Firmware, layers: tuple[Layer, ...], count: int) -> StepProfile:
    graph = firmware.graph
    stage = firmware.schedule.stage
    patched = len(layers) > 1 or (stage is not None and layers[0].index in stage.ops)
    work = sum(macs(graph, graph.operators[layer.index]) for layer in layers)
    if patched:
        work += firmware.schedule.extra_macs
    last = graph.tensor(graph.operators[layers[-1].index].outputs[0])
    return StepProfile(tuple(layer.index for layer in layers), "PATCH_STAGE" if patched else layers[0].opcode,
                       tuple(layer.kernel for layer in layers), work, last.size_bytes, count)


def profile_model(model: Path, board: Board, output: Path | None = None,
                  schedule: ScheduleOptions = ScheduleOptions(), timeout_s: float = 600.0) -> Profile:
    firmware = build_firmware(model, board, output, reuse=True, schedule=schedule, profile=True)
    counts = count_instructions(firmware.build, board, pack([peer_input(firmware.code.inputs)]), timeout_s)
    steps = firmware.code.steps
    marks = counts.marks
    if len(marks) != len(steps) + 1:
        raise RuntimeError(f"{firmware.build.elf}: {len(marks)} marker calls for {len(steps)} steps")
    per_step = [b - a - counts.marker_instructions for a, b in pairwise(marks)]
    return Profile(firmware.graph.name, board.name, profile_steps(firmware, per_step), counts.marker_instructions,
                   firmware.build.elf)
