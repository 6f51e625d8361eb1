"""Instructions a layer costs, predicted from its shape and its kernel: the schedule search's speed measure.

Each kernel's count is close to linear in a few shape terms: its MACs, its
window taps (output values x filter positions, over the channel multiplier of
a depthwise layer, whose output channels share the values read: the inner
loop's set-up), its output and input values (requantisation, copies, padding
checks), one call, and the dot products' steps of 16 values (derived).
The coefficients are fitted per core and kernel to `tinygen profile` per-layer
counts of a training set of shapes (scripts/calibrate_cost.py writes
tinygen/data/cost_model.json; run it again when kernels change). A kernel that
runs several window sizes gets one fit per size class (1x1, up to 3x3, up to
5x5, larger) the training set has enough layers of, besides its fit over all:
a generic convolution's 1x1 loop costs less per MAC than its padded 3x3 one,
and the DSP depthwise kernel keeps lanes for up to 25 taps only. A kernel the
training set never ran falls back to the fit over
every layer of that core. A patch stage runs its layers on windows, n x n calls
each: its layer predictions are scaled by one factor per core, the median ratio
of measured to predicted over the training set's patch stages.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from math import prod
from pathlib import Path

import numpy as np

from tinygen.ir.cost import macs
from tinygen.ir.geometry import SPATIAL_OPS, conv_axes
from tinygen.ir.graph import Graph, Operator

FEATURES = ("macs", "taps", "outputs", "inputs", "calls")  # measured per layer (stored with the training samples)
# and derived from them: the dot-product steps of 16 values (a Helium vector; also the DSP kernels' unrolled
# blocks), outputs x ceil(MACs per output / 16). A short dot product costs a whole step, so instructions are not
# linear in MACs there (a dense layer 10 deep costs as much per unit as one 16 deep).
TERMS = (*FEATURES, "steps16")
STEP = 16
DATA = Path(__file__).parent / "data" / "cost_model.json"
ANY_KERNEL = "*"  # the pooled fit, for kernels the training set did not run
WINDOWS = ((1, "@1x1"), (9, "@3x3"), (25, "@5x5"))  # (most taps per output, suffix) of the size classes
LARGER = "@7x7+"  # suffix of the class over 25 taps
# A size class's own fit needs this many layers: with fewer, five terms over-fit (six 7x7 generic depthwise
# layers once fitted micro_speech's 10x8 one 44% low); below it the kernel's fit over all sizes stands in.
CLASS_SAMPLES = 8
CALIBRATED_CORE = "cortex-m4"  # the table used for cores with none of their own (same ISA or none at all)

Features = tuple[float, ...]


def features(graph: Graph, op: Operator, share: float = 1.0, calls: int = 1) -> Features:
    """The shape terms of `op`, for the `share` of its output one call computes (a patch stage's recomputed
    halos make the shares add up to more than 1) over `calls` calls."""
    out = sum(graph.tensor(t).elements for t in op.outputs)
    ins = sum(graph.tensor(t).elements for t in op.inputs if t >= 0 and not graph.tensor(t).is_constant)
    taps = out * _window(graph, op) // _multiplier(graph, op)
    return (macs(graph, op) * share, taps * share, out * share, ins * share, float(calls))


def _window(graph: Graph, op: Operator) -> int:
    """Filter positions per output value: kernel height x width of a convolution or pool, else 1."""
    return prod(axis.kernel for axis in conv_axes(graph, op)) if op.opcode in SPATIAL_OPS else 1


def _multiplier(graph: Graph, op: Operator) -> int:
    """A depthwise layer's channel multiplier, else 1: its output channels of one input channel share every
    input value the window reads, so its taps (the input values read) are its outputs' taps / multiplier."""
    if op.opcode != "DEPTHWISE_CONV_2D":
        return 1
    return max(1, graph.tensor(op.outputs[0]).shape[-1] // graph.tensor(op.inputs[0]).shape[-1])


@dataclass(frozen=True)
class CostModel:
    """Per kernel, one coefficient per FEATURES term (instructions per unit)."""

    core: str
    coefficients: dict[str, tuple[float, ...]]
    patch_factor: float = 1.0  # a patch-stage layer's count / its prediction from the layer-by-layer fit

    def predict(self, kernel: str, terms: Features) -> float:
        table = self.coefficients
        coef = table.get(kernel + _size_class(terms)) or table.get(kernel) or table[ANY_KERNEL]
        return float(np.dot(coef, design(terms)))


def design(terms: Features) -> Features:
    """FEATURES' values -> TERMS' values (the derived ones appended)."""
    macs_, _, outputs = terms[:3]
    steps = outputs * -(-macs_ / outputs // STEP) if outputs and macs_ else 0.0
    return (*terms, float(steps))


def _size_class(terms: Features) -> str:
    """The size class's suffix: taps read per output value (1 also for layers without a window)."""
    taps = terms[1] / terms[2] if terms[2] else 1
    return next((suffix for most, suffix in WINDOWS if taps <= most), LARGER)


@cache
def cost_model(core: str) -> CostModel:
    """The calibrated table for `core`; cores without their own use CALIBRATED_CORE's."""
    data = json.loads(DATA.read_text())
    name = core if core in data["cores"] else CALIBRATED_CORE
    return CostModel(name, {k: tuple(v) for k, v in data["cores"][name].items()}, data["patch_factor"][name])


def fit_patch_factor(coefficients: dict[str, tuple[float, ...]],
                     stages: Iterable[tuple[Sequence[tuple[str, Features]], int]]) -> float:
    """The median of measured / predicted over patch stages given as ([(kernel, terms) per layer], count)."""
    model = CostModel("fit", coefficients)
    ratios = [count / sum(model.predict(k, t) for k, t in layers) for layers, count in stages]
    return round(float(np.median(ratios)), 6) if ratios else 1.0


def fit(samples: Iterable[tuple[str, Features, int]], min_samples: int = 3) -> dict[str, tuple[float, ...]]:
    """Non-negative least squares per kernel on (kernel, features, measured count), and per window size class
    of a kernel that ran more than one; fits with fewer than `min_samples` layers are left out (the kernel's
    fit over all, or ANY_KERNEL, the pooled fit, stands in). Errors are weighted by 1 / sqrt(count): weighted
    relative to the count, the many small layers pulled the fit under the few large ones that make most of a
    model's instructions (the Cortex-M55 training set's sum came out 12% low); unweighted, the large ones
    would decide every small layer's prediction."""
    by_kernel: dict[str, list[tuple[Features, int]]] = {}
    pooled: list[tuple[Features, int]] = []
    for kernel, terms, count in samples:
        by_kernel.setdefault(kernel, []).append((terms, count))
        pooled.append((terms, count))
    result = {}
    for kernel, rows in by_kernel.items():
        if len(rows) >= min_samples:
            result[kernel] = _nnls(rows)
        classes: dict[str, list[tuple[Features, int]]] = {}
        for row in rows:
            classes.setdefault(_size_class(row[0]), []).append(row)
        if len(classes) > 1:
            result |= {kernel + suffix: _nnls(some) for suffix, some in classes.items()
                       if len(some) >= max(min_samples, CLASS_SAMPLES)}
    result[ANY_KERNEL] = _nnls(pooled)
    return result


def _nnls(rows: Sequence[tuple[Features, int]]) -> tuple[float, ...]:
    """Least squares with terms whose coefficient comes out negative dropped, until none does."""
    a = np.array([design(t) for t, _ in rows], dtype=float)
    y = np.array([c for _, c in rows], dtype=float)
    weight = 1.0 / np.sqrt(np.maximum(y, 1.0))
    active = [j for j in range(a.shape[1]) if a[:, j].any()]
    coef = np.zeros(a.shape[1])
    while active:
        solution, *_ = np.linalg.lstsq(a[:, active] * weight[:, None], y * weight, rcond=None)
        if (solution >= 0).all():
            coef[active] = solution
            break
        active = [j for j, c in zip(active, solution, strict=True) if c >= 0]
    return tuple(round(float(c), 6) for c in coef)
