"""The patch loop's data: per-patch regions of every stage tensor and which buffer each layer reads and writes.

model.c renders it as two int16 tables (rows per patch row, columns per patch
column; regions are separable) and one loop that copies each stage layer's
parameters, sets its window from the tables and calls the kernel the layer
would run layer by layer (generic, or specialised once the specialise stage has
passed `with_layers` the board's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np

from tinygen.ir.graph import Graph
from tinygen.lower.layer import Layer
from tinygen.plan.patches import PatchStage, Span


@dataclass(frozen=True)
class PatchView:
    """One tensor as a layer sees it in a patch: table slot, and its width if its buffer is the full tensor."""

    slot: int
    full_width: int  # 0: the buffer holds only this patch's region


@dataclass(frozen=True)
class PatchCall:
    layer: Layer
    inputs: tuple[PatchView, ...]  # one for convolutions and pools, two for ADD
    output: PatchView
    channels: int


@dataclass(frozen=True)
class PatchCode:
    FUNCTION: ClassVar[str] = "tg_patch_stage"  # the C function model.c defines for the loop and invoke calls

    n: int
    rows: np.ndarray  # int16 [n, slots, 2]: row span of each tensor for each patch row
    cols: np.ndarray  # int16 [n, slots, 2]
    calls: tuple[PatchCall, ...]
    ops: frozenset[int]
    first: int  # the op whose place in the order the loop takes
    comment: str

    @property
    def slots(self) -> int:
        return self.rows.shape[1]

    def with_layers(self, layers: Mapping[int, Layer]) -> PatchCode:
        """The same loop calling `layers` (by operator index): the specialise stage's kernels."""
        calls = tuple(replace(call, layer=layers[call.layer.index]) for call in self.calls)
        return replace(self, calls=calls)


def _table(spans: tuple[tuple[Span, ...], ...]) -> np.ndarray:
    return np.array([[(s.start, s.stop) for s in per_slot] for per_slot in spans], dtype=np.int16)


def patch_code(graph: Graph, stage: PatchStage, layers: dict[int, Layer]) -> PatchCode:
    def view(tensor: int) -> PatchView:
        slot = stage.slot(tensor)
        return PatchView(slot, graph.tensor(tensor).shape[2] if stage.is_full(slot) else 0)

    calls = []
    for index in stage.ops:
        op = graph.operators[index]
        inputs = op.inputs if op.opcode == "ADD" else op.inputs[:1]
        y = graph.tensor(op.outputs[0])
        calls.append(PatchCall(layers[index], tuple(view(t) for t in inputs), view(op.outputs[0]), y.shape[3]))
    split = graph.tensor(stage.output)
    return PatchCode(
        n=stage.n,
        rows=_table(stage.rows),
        cols=_table(stage.cols),
        calls=tuple(calls),
        ops=frozenset(stage.ops),
        first=stage.ops[0],
        comment=(f"layers {', '.join(map(str, stage.ops))} run {stage.n}x{stage.n} times, one patch of "
                 f"'{split.name}' {split.shape} at a time, in a {stage.area_bytes}-byte patch area"),
    )
