"""Estimated instructions per layer of a planned program: the cost model (tinygen/costmodel.py) over the kernels
the specialise stage picked, on the board's core.

A patch-stage layer runs once per patch over its patch's region: its terms are
scaled by the share of the full output all patches compute together (more than
1: the recomputed halos), it is called n x n times, and the prediction is scaled
by the cost model's patch factor (the windowed loops' own cost).
"""

from __future__ import annotations

from collections.abc import Mapping

from tinygen.boards import Board
from tinygen.costmodel import cost_model, features
from tinygen.ir.graph import Graph
from tinygen.lower.layer import Layer
from tinygen.plan.memory import MemoryPlan
from tinygen.plan.patches import PatchStage


def patch_shares(graph: Graph, stage: PatchStage) -> dict[int, float]:
    """Per stage op: output pixels all patches compute / the output's pixels."""
    shares = {}
    for op in stage.ops:
        slot = stage.slot(graph.operators[op].outputs[0])
        _, h, w, _ = graph.tensor(stage.tensors[slot]).shape
        pixels = sum(r[slot].size for r in stage.rows) * sum(c[slot].size for c in stage.cols)
        shares[op] = pixels / (h * w)
    return shares


def layer_instructions(graph: Graph, plan: MemoryPlan, program: Mapping[int, Layer], board: Board) -> dict[int, int]:
    """Operator index -> estimated instructions; 0 for an operator with no kernel call (an alias)."""
    model = cost_model(board.cpu.core)
    shares = patch_shares(graph, plan.stage) if plan.stage else {}
    calls = plan.stage.n ** 2 if plan.stage else 1
    result = {}
    for op in plan.order:
        layer = program.get(op)
        if layer is None:
            result[op] = 0
            continue
        terms = features(graph, graph.operators[op], shares.get(op, 1.0), calls if op in shares else 1)
        result[op] = round(model.predict(layer.kernel, terms) * (model.patch_factor if op in shares else 1.0))
    return result
