"""Mixed int8/int4 weights under a flash budget: measure each layer's sensitivity, then solve the knapsack.

Sensitivity of a layer: the output noise when only its filter is int4, every
other layer int8, relative to the all-int8 model (both run in TensorFlow Lite
Micro on the calibration samples): noise = Σ(o4 − o8)² / Σ o8², de-quantised
outputs. This is HAWQ's question (how much does this layer's quantisation
perturb the output) answered by measurement instead of a Hessian estimate;
noises are assumed to add across layers, and tinygen/quant/knapsack.py picks
the int4 set that frees enough bytes at the least total noise. The chosen model
is then measured as a whole (its accuracy is reported, not predicted).

The budget covers the model's constant data as tinygen counts it in flash
(`Graph.weight_bytes`: filters, biases and other constants), not code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from tinygen.errors import InputError
from tinygen.importers.tflite import parse_tflite
from tinygen.ir.graph import Graph, Operator
from tinygen.quant.knapsack import choose_int4
from tinygen.quant.rewrite import int4_candidates, with_int4_weights
from tinygen.quant.values import dequantize, quantize_input
from tinygen.reference import reference_outputs

SENSITIVITY_SAMPLES = 128


@dataclass(frozen=True)
class LayerChoice:
    index: int  # operator
    opcode: str
    name: str  # the filter tensor's name
    elements: int
    int8_bytes: int
    int4_bytes: int
    noise: float  # relative output noise with only this layer int4
    bits: int

    @property
    def saved_bytes(self) -> int:
        return self.int8_bytes - self.int4_bytes

    @property
    def sensitivity_db(self) -> float:
        """Output SQNR against the int8 model with only this layer in int4 (higher: less sensitive)."""
        return float("inf") if self.noise == 0 else -10.0 * np.log10(self.noise)


@dataclass(frozen=True)
class MixedPlan:
    budget_bytes: int
    int8_weight_bytes: int
    weight_bytes: int  # of the chosen mixed model
    layers: tuple[LayerChoice, ...]
    samples: int
    blob: bytes = field(repr=False)

    @property
    def int4_layers(self) -> tuple[LayerChoice, ...]:
        return tuple(layer for layer in self.layers if layer.bits == 4)


def _outputs(blob: bytes, graph: Graph, vectors: list[list[np.ndarray]]) -> np.ndarray:
    """All outputs of every vector, de-quantised and flattened: (N, total output elements)."""
    outs = [graph.tensor(t) for t in graph.outputs]
    results = reference_outputs(blob, vectors, len(outs))
    return np.stack([np.concatenate([dequantize(np.asarray(a), t.quant).reshape(-1)
                                     for a, t in zip(r, outs, strict=True)])
                     for r in results])


def sensitivities(int8_blob: bytes, graph: Graph, layers: list[Operator], x: np.ndarray,
                  progress: Callable[[], None] | None = None) -> list[float]:
    """Relative output noise per layer (only that layer int4), over the samples `x`."""
    inp = graph.tensor(graph.inputs[0])
    vectors = [[quantize_input(sample[None], np.dtype(inp.dtype), inp.quant)] for sample in x]
    reference = _outputs(int8_blob, graph, vectors)
    power = float(np.sum(reference ** 2)) or 1.0
    noises = []
    for op in layers:
        got = _outputs(with_int4_weights(int8_blob, [op.index]), graph, vectors)
        noises.append(float(np.sum((got - reference) ** 2)) / power)
        if progress is not None:
            progress()
    return noises


def min_weight_bytes(graph: Graph) -> int:
    """The weights with every filter that can be int4 in int4: no budget below this can be met."""
    filters = [graph.tensor(op.inputs[1]) for op in int4_candidates(graph)]
    return graph.weight_bytes - sum(t.size_bytes - (t.elements + 1) // 2 for t in filters)


def mixed_precision(int8_blob: bytes, budget_bytes: int, x: np.ndarray, origin: str,
                    progress: Callable[[], None] | None = None) -> MixedPlan:
    """The int8 model with the least-noise set of int4 filters whose weights fit `budget_bytes`.

    `progress()` ticks once per layer measured (len(int4_candidates(graph)) of them).
    """
    graph = parse_tflite(int8_blob, name="int8", origin=origin)
    layers = int4_candidates(graph)
    filters = [graph.tensor(op.inputs[1]) for op in layers]
    int4_bytes = [(t.elements + 1) // 2 for t in filters]
    saved = [t.size_bytes - b for t, b in zip(filters, int4_bytes, strict=True)]
    need = graph.weight_bytes - budget_bytes
    floor = min_weight_bytes(graph)
    if need > sum(saved):
        raise InputError(f"{origin}: --flash-budget {budget_bytes:,} B is below what the model needs even with "
                         f"every filter in int4 ({floor:,} B of weights); raise the budget to at least "
                         f"{floor:,} B or use a smaller model")
    samples = x[:SENSITIVITY_SAMPLES]
    if need > 0:
        noise = sensitivities(int8_blob, graph, layers, samples, progress)
        chosen = choose_int4(saved, noise, need)
    else:
        noise, chosen = [0.0] * len(layers), frozenset()
    blob = with_int4_weights(int8_blob, [layers[i].index for i in chosen], origin) if chosen else int8_blob
    choices = tuple(
        LayerChoice(op.index, op.opcode, t.name, t.elements, t.size_bytes, b, n, 4 if i in chosen else 8)
        for i, (op, t, b, n) in enumerate(zip(layers, filters, int4_bytes, noise, strict=True)))
    weight_bytes = parse_tflite(blob, name="mixed", origin=origin).weight_bytes
    return MixedPlan(budget_bytes, graph.weight_bytes, weight_bytes, choices, len(samples) if need > 0 else 0, blob)
