"""Firmware outputs against the reference's: the one comparison `run`, `validate` and `deploy` report.

Integers and bools (0 or 1) must match exactly; float outputs (a DEQUANTIZE at the end) too, with
NaN never equal, since the firmware computes the same float32 operations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Vectors = Sequence[Sequence[np.ndarray]]  # per vector, one array per model output


@dataclass(frozen=True)
class OutputCheck:
    """One model output over every vector."""

    index: int
    name: str
    vectors: int
    mismatched_vectors: int
    mismatched_elements: int
    max_abs_diff: int | float

    @property
    def bit_exact(self) -> bool:
        return self.mismatched_vectors == 0


@dataclass(frozen=True)
class Comparison:
    outputs: tuple[OutputCheck, ...]
    vectors: int
    mismatched_vectors: int  # vectors with at least one differing element in any output
    first_mismatch: int | None = None  # the first such vector: for a model with state, where the sequence diverged

    @property
    def mismatched_elements(self) -> int:
        return sum(o.mismatched_elements for o in self.outputs)

    @property
    def max_abs_diff(self) -> int | float:
        return max((o.max_abs_diff for o in self.outputs), default=0)

    @property
    def bit_exact(self) -> bool:
        return self.mismatched_vectors == 0


def abs_diff(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """|got - want| per element: exact integers, or for floats 0 where equal; a NaN on either side differs by
    infinity (NaN never equals anything, and a NaN difference would vanish from the largest one)."""
    if np.issubdtype(got.dtype, np.floating):
        diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
        return np.where(got == want, 0.0, np.where(np.isnan(diff), np.inf, diff))
    return np.abs(got.astype(np.int64) - want.astype(np.int64))


def compare(names: Sequence[str], got: Vectors, want: Vectors) -> Comparison:
    """Element by element, per output; `want`'s arrays are reshaped to `got`'s (the reference may add axes)."""
    diffs = [[abs_diff(g[k], w[k].reshape(g[k].shape)) for k in range(len(names))]
             for g, w in zip(got, want, strict=True)]
    outputs = []
    for k, name in enumerate(names):
        bad = [int((vector[k] != 0).sum()) for vector in diffs]
        largest = max([0] + [vector[k].max().item() for vector in diffs if vector[k].size])
        outputs.append(OutputCheck(k, name, len(diffs), sum(b > 0 for b in bad), sum(bad), largest))
    differs = [any((d != 0).any() for d in vector) for vector in diffs]
    return Comparison(tuple(outputs), len(diffs), sum(differs), differs.index(True) if any(differs) else None)
